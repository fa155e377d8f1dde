/* users.c - the Google connector's users listing: Admin SDK Directory
 * users.list (GET {root}admin/directory/v1/users?customer=...&maxResults=500)
 * acting as the admin, pageToken paging, each page streamed to the engine
 * (google.md 3.1). */
#include "platform/google/internal.h"

#include <stdlib.h>
#include <string.h>


#define USERS_PAGE 500

/* The "name" object of a Directory user. */
static void scan_name(struct json_scan *s, struct platform_person *p)
{
    const char *key;

    if (!json_scan_at_object(s)) {
        json_scan_skip(s);
        return;
    }
    json_scan_object(s);
    while (json_scan_member(s, &key)) {
        if (strcmp(key, "fullName") == 0)
            p->display_name = json_scan_string(s);
        else if (strcmp(key, "givenName") == 0)
            p->given_name = json_scan_string(s);
        else if (strcmp(key, "familyName") == 0)
            p->family_name = json_scan_string(s);
        else
            json_scan_skip(s);
    }
}

/* A Directory user (google.md 3.1). */
static int scan_user(struct json_scan *s, struct platform_person *p)
{
    const char *key;

    while (json_scan_member(s, &key)) {
        if (strcmp(key, "id") == 0)
            p->external_id = json_scan_string(s);
        else if (strcmp(key, "primaryEmail") == 0)
            p->email = json_scan_string(s);
        else if (strcmp(key, "name") == 0)
            scan_name(s, p);
        else if (strcmp(key, "suspended") == 0)
            p->suspended = json_scan_bool(s, 0);
        else
            json_scan_skip(s);
    }
    return p->external_id && p->email;
}

enum parley_err google_list_users(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                  struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    struct platform_people_walk w = { "users", scan_user, fn, arg };
    struct google_call gc;
    char *url = google_users_url(g, USERS_PAGE);
    enum parley_err rc;

    google_call_init(&gc, g, g->admin_email, GOOGLE_SCOPE_USERS_READ,
                     "list the directory's users");
    rc = platform_api_list_people(conn, &gc.call, NET_PAGING_PAGE_TOKEN, url, &w, err);
    google_call_clear(&gc);
    free(url);
    return rc;
}
