/* list.c - the Microsoft connector's listings, each a paged Graph
 * collection streamed to the engine's callback one page at a time:
 *   teams          GET {graph}/teams?$select=id,displayName,description
 *   team members   GET {graph}/teams/{id}/members   (aadUserConversationMember)
 *   users          GET {graph}/users?$select=...&$top=999
 * Pages follow @odata.nextLink verbatim (net_paging). */
#include "platform/graph/internal.h"

#include <stdlib.h>
#include <string.h>

#include "net/url.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define USER_FIELDS "id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled,userType"
#define USERS_PAGE "999"

/* A user object (microsoft.md 3). */
static int person_from_user(const json_t *u, struct platform_person *p)
{
    const char *type = json_get_str(u, "userType");

    p->external_id = json_get_str(u, "id");
    p->email = json_get_str(u, "mail");
    if (!p->email || !*p->email)
        p->email = json_get_str(u, "userPrincipalName");
    p->display_name = json_get_str(u, "displayName");
    p->given_name = json_get_str(u, "givenName");
    p->family_name = json_get_str(u, "surname");
    p->suspended = !json_get_bool(u, "accountEnabled", 1);
    p->guest = type && strcmp(type, "Guest") == 0;
    return p->external_id != NULL;
}

static int has_role(const json_t *member, const char *role)
{
    const json_t *r;
    size_t i;

    json_array_foreach(json_object_get(member, "roles"), i, r) {
        if (json_is_string(r) && strcmp(json_string_value(r), role) == 0)
            return 1;
    }
    return 0;
}

/* A conversationMember (microsoft.md 4.2): only Entra users (with userId). */
static int person_from_member(const json_t *m, struct platform_person *p)
{
    p->external_id = json_get_str(m, "userId");
    p->email = json_get_str(m, "email");
    p->display_name = json_get_str(m, "displayName");
    p->guest = has_role(m, "guest");
    return p->external_id && *p->external_id;
}

static enum parley_err list_people(struct platform_conn *conn, const struct platform_call *call,
                                   const char *url, platform_person_from_fn convert,
                                   platform_people_fn fn, void *arg, struct platform_error *err)
{
    struct platform_people_walk w = { "value", convert, fn, arg };

    return platform_api_list(conn, call, NET_PAGING_ODATA, url, platform_people_page, &w, err);
}

enum parley_err graph_list_users(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                 struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "list the tenant's users", GRAPH_PERM_USERS);
    char *url = xasprintf("%s/users?$select=" USER_FIELDS "&$top=" USERS_PAGE, g->graph_base);
    enum parley_err rc = list_people(conn, &call, url, person_from_user, fn, arg, err);

    free(url);
    return rc;
}

enum parley_err graph_list_team_members(struct platform_conn *conn, const char *team_id,
                                        platform_people_fn fn, void *arg,
                                        struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "list the team's members", GRAPH_PERM_MEMBERS);
    struct buf url = BUF_INIT;
    enum parley_err rc;

    if (!team_id || !*team_id) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0, "No team id was given.");
        return PARLEY_ERR_INVALID;
    }
    buf_printf(&url, "%s/teams/", g->graph_base);
    net_url_encode(&url, team_id);
    buf_puts(&url, "/members");
    rc = list_people(conn, &call, buf_str(&url), person_from_member, fn, arg, err);
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
