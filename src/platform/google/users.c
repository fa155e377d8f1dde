/* users.c - the Google connector's users listing: Admin SDK Directory
 * users.list (GET {root}admin/directory/v1/users?customer=...&maxResults=500)
 * acting as the admin, pageToken paging, each page streamed to the engine
 * (google.md 3.1). */
#include "platform/google/internal.h"

#include <stdlib.h>

#include "util/json.h"

#define USERS_PAGE 500

/* A Directory user (google.md 3.1). */
static int person_from_user(const json_t *u, struct platform_person *p)
{
    const json_t *name = json_object_get(u, "name");

    p->external_id = json_get_str(u, "id");
    p->email = json_get_str(u, "primaryEmail");
    p->display_name = json_get_str(name, "fullName");
    p->given_name = json_get_str(name, "givenName");
    p->family_name = json_get_str(name, "familyName");
    p->suspended = json_get_bool(u, "suspended", 0);
    return p->external_id && p->email;
}

enum parley_err google_list_users(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                  struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    struct platform_people_walk w = { "users", person_from_user, fn, arg };
    struct google_call gc;
    char *url = google_users_url(g, USERS_PAGE);
    enum parley_err rc;

    google_call_init(&gc, g, g->admin_email, GOOGLE_SCOPE_USERS_READ,
                     "list the directory's users");
    rc = platform_api_list(conn, &gc.call, NET_PAGING_PAGE_TOKEN, url, platform_people_page, &w,
                           err);
    google_call_clear(&gc);
    free(url);
    return rc;
}
