/* list.c - the Microsoft connector's listings, each a paged Graph
 * collection streamed to the engine's callback one page at a time:
 *   teams          GET {graph}/teams?$select=id,displayName,description
 *   team members   GET {graph}/teams/{id}/members   (aadUserConversationMember);
 *                  a member whose email is null (no mailbox) is looked up:
 *                  GET {graph}/users/{userId}?$select=mail,userPrincipalName
 *   users          GET {graph}/users?$select=...&$top=999
 * Pages follow @odata.nextLink verbatim (net_paging). */
#include "platform/graph/internal.h"

#include <stdlib.h>
#include <string.h>

#include "net/url.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define USER_FIELDS "id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled,userType"
#define USERS_PAGE "999"

/* A user object (microsoft.md 3). */
static int scan_user(struct json_scan *s, struct platform_person *p)
{
    const char *key, *mail = NULL, *upn = NULL, *type = NULL;

    while (json_scan_member(s, &key)) {
        if (strcmp(key, "id") == 0)
            p->external_id = json_scan_string(s);
        else if (strcmp(key, "mail") == 0)
            mail = json_scan_string(s);
        else if (strcmp(key, "userPrincipalName") == 0)
            upn = json_scan_string(s);
        else if (strcmp(key, "displayName") == 0)
            p->display_name = json_scan_string(s);
        else if (strcmp(key, "givenName") == 0)
            p->given_name = json_scan_string(s);
        else if (strcmp(key, "surname") == 0)
            p->family_name = json_scan_string(s);
        else if (strcmp(key, "accountEnabled") == 0)
            p->suspended = !json_scan_bool(s, 1);
        else if (strcmp(key, "userType") == 0)
            type = json_scan_string(s);
        else
            json_scan_skip(s);
    }
    p->email = mail && *mail ? mail : upn;
    p->guest = type && strcmp(type, "Guest") == 0;
    return p->external_id != NULL;
}

/* Whether the roles array (or any other value) at S names "guest". */
static int scan_guest_role(struct json_scan *s)
{
    const char *role;
    int guest = 0;

    if (!json_scan_at_array(s)) {
        json_scan_skip(s);
        return 0;
    }
    json_scan_array(s);
    while (json_scan_element(s)) {
        role = json_scan_string(s);
        if (role && strcmp(role, "guest") == 0)
            guest = 1;
    }
    return guest;
}

/* A conversationMember (microsoft.md 4.2): only Entra users (with userId). */
static int scan_member(struct json_scan *s, struct platform_person *p)
{
    const char *key;

    while (json_scan_member(s, &key)) {
        if (strcmp(key, "userId") == 0)
            p->external_id = json_scan_string(s);
        else if (strcmp(key, "email") == 0)
            p->email = json_scan_string(s);
        else if (strcmp(key, "displayName") == 0)
            p->display_name = json_scan_string(s);
        else if (strcmp(key, "roles") == 0)
            p->guest = scan_guest_role(s);
        else
            json_scan_skip(s);
    }
    return p->external_id && *p->external_id;
}

static enum parley_err list_people(struct platform_conn *conn, const struct platform_call *call,
                                   const char *url, platform_person_scan_fn scan,
                                   platform_people_fn fn, void *arg, struct platform_error *err)
{
    struct platform_people_walk w = { "value", scan, fn, arg };

    return platform_api_list_people(conn, call, NET_PAGING_ODATA, url, &w, err);
}

enum parley_err graph_list_users(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                 struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "list the tenant's users", GRAPH_PERM_USERS);
    char *url = xasprintf("%s/users?$select=" USER_FIELDS "&$top=" USERS_PAGE, g->graph_base);
    enum parley_err rc = list_people(conn, &call, url, scan_user, fn, arg, err);

    free(url);
    return rc;
}

/* A team listing: the engine's callback, and what the look-ups need. */
struct members_walk {
    struct platform_conn *conn;
    struct graph_conn *g;
    platform_people_fn fn;
    void *arg;
    struct platform_error *err;
};

/* The mail (else the UPN) of user ID into *email (new); NULL when Graph
 * has neither or no longer has the user.  Fails only when retrying later
 * may help (throttling, 5xx, network): ERR says why. */
static enum parley_err member_email(struct members_walk *w, const char *id, char **email)
{
    struct platform_call call = graph_call(w->g, "read a team member's account",
                                           GRAPH_PERM_USERS);
    struct platform_error err;
    struct buf url = BUF_INIT;
    json_t *user = NULL;
    const char *mail, *upn;
    enum parley_err rc;

    *email = NULL;
    buf_printf(&url, "%s/users/", w->g->graph_base);
    net_url_encode(&url, id);
    buf_puts(&url, "?$select=mail,userPrincipalName");
    rc = platform_api_get(w->conn, &call, buf_str(&url), &user, &err);
    buf_free(&url);
    if (rc != PARLEY_OK) {
        if (err.retryable) {
            *w->err = err;
            return rc;
        }
        log_warn("platform", "a team member has no email and their account cannot be read",
                 "s:user_id", id, "s:error", err.message);
        return PARLEY_OK;               /* counted as unusable by the engine */
    }
    mail = json_get_str(user, "mail");
    upn = json_get_str(user, "userPrincipalName");
    if (mail && *mail)
        *email = xstrdup(mail);
    else if (upn && *upn)
        *email = xstrdup(upn);
    json_decref(user);
    return PARLEY_OK;
}

static int lacks_email(const struct platform_person *p)
{
    return !p->guest && (!p->email || !*p->email);
}

/* platform_people_fn between the listing and the engine: members without an
 * email (Graph's is nullable: users without a mailbox) get their mail or
 * UPN from their account first.  Rare, so one call each. */
static enum parley_err on_members(const struct platform_person *people, size_t count, void *arg)
{
    struct members_walk *w = arg;
    struct platform_person *copy;
    char **emails;
    size_t missing = 0;
    enum parley_err rc = PARLEY_OK;

    for (size_t i = 0; i < count; i++)
        missing += lacks_email(&people[i]);
    if (!missing)
        return w->fn(people, count, w->arg);
    copy = xmalloc(count * sizeof *copy);
    emails = xcalloc(count, sizeof *emails);
    memcpy(copy, people, count * sizeof *copy);
    for (size_t i = 0; i < count && rc == PARLEY_OK; i++) {
        if (!lacks_email(&copy[i]))
            continue;
        rc = member_email(w, copy[i].external_id, &emails[i]);
        copy[i].email = emails[i];
    }
    if (rc == PARLEY_OK)
        rc = w->fn(copy, count, w->arg);
    for (size_t i = 0; i < count; i++)
        free(emails[i]);
    free(emails);
    free(copy);
    return rc;
}

enum parley_err graph_list_team_members(struct platform_conn *conn, const char *team_id,
                                        platform_people_fn fn, void *arg,
                                        struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "list the team's members", GRAPH_PERM_MEMBERS);
    struct members_walk w = { conn, g, fn, arg, err };
    struct buf url = BUF_INIT;
    enum parley_err rc;

    if (!team_id || !*team_id) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0, "No team id was given.");
        return PARLEY_ERR_INVALID;
    }
    buf_printf(&url, "%s/teams/", g->graph_base);
    net_url_encode(&url, team_id);
    buf_puts(&url, "/members");
    rc = list_people(conn, &call, buf_str(&url), scan_member, on_members, &w, err);
    buf_free(&url);
    return rc;
}

/* net_paging_page_fn for teams. */
struct teams_walk {
    struct platform_conn *conn;
    struct graph_conn *g;
    platform_teams_fn fn;
    void *arg;
};

/* The number of members of team ID (a team is a group: Graph counts a
 * group's members in one call), or -1 when Graph will not say: the count
 * is shown to the admin, never worth failing the listing for. */
static long long team_member_count(struct teams_walk *w, const char *id)
{
    struct platform_call call = graph_call(w->g, "count a team's members",
                                           GRAPH_PERM_GROUP_MEMBERS);
    struct platform_error err;
    json_t *answer = NULL;
    long long count = -1;
    char *url = xasprintf("%s/groups/%s/members?$count=true&$top=1&$select=id", w->g->graph_base,
                          id);

    call.header = "ConsistencyLevel: eventual";
    if (platform_api_get(w->conn, &call, url, &answer, &err) == PARLEY_OK &&
        json_is_integer(json_object_get(answer, "@odata.count")))
        count = json_integer_value(json_object_get(answer, "@odata.count"));
    json_decref(answer);
    free(url);
    return count;
}

static enum parley_err on_teams_page(void *ctx, const json_t *page)
{
    struct teams_walk *w = ctx;
    const json_t *value = json_object_get(page, "value");
    struct platform_team *teams;
    const json_t *t;
    size_t i, count = 0;
    enum parley_err rc = PARLEY_OK;

    if (json_array_size(value) == 0)
        return PARLEY_OK;
    teams = xcalloc(json_array_size(value), sizeof *teams);
    json_array_foreach(value, i, t) {
        struct platform_team *team = &teams[count];
        team->external_id = json_get_str(t, "id");
        team->name = json_get_str(t, "displayName");
        team->description = json_get_str(t, "description");
        if (!team->external_id)
            continue;
        team->member_count = team_member_count(w, team->external_id);
        count++;
    }
    if (count)
        rc = w->fn(teams, count, w->arg);
    free(teams);
    return rc;
}

enum parley_err graph_list_teams(struct platform_conn *conn, platform_teams_fn fn, void *arg,
                                 struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "list the tenant's teams", GRAPH_PERM_TEAMS);
    struct teams_walk w = { conn, g, fn, arg };
    char *url = xasprintf("%s/teams?$select=id,displayName,description", g->graph_base);
    enum parley_err rc = platform_api_list(conn, &call, NET_PAGING_ODATA, url, on_teams_page, &w,
                                           err);

    free(url);
    return rc;
}
