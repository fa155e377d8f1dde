/* internal.h - what the Microsoft connector's files share: the connection
 * and the call descriptions its listings use. */
#ifndef PARLEY_PLATFORM_GRAPH_INTERNAL_H
#define PARLEY_PLATFORM_GRAPH_INTERNAL_H

#include "platform/graph/graph.h"

/* Application permissions (microsoft.md 3, 4), named in 403 messages. */
#define GRAPH_PERM_USERS   "User.Read.All"
#define GRAPH_PERM_TEAMS   "Team.ReadBasic.All"
#define GRAPH_PERM_MEMBERS "TeamMember.Read.All"

struct graph_conn {
    struct platform_conn base;      /* first: the engines hold &base */
    char *tenant_id, *client_id, *client_secret;
    char *authority;                /* without trailing '/' */
    char *graph_base;               /* without trailing '/' */
    struct platform_token app;      /* the app-only token (client credentials) */
};

static inline struct graph_conn *graph_conn_of(struct platform_conn *c)
{
    return (struct graph_conn *)c;
}

/* A call as the app: WHAT for messages, NEEDS the application permission. */
struct platform_call graph_call(struct graph_conn *g, const char *what, const char *needs);

enum parley_err graph_list_teams(struct platform_conn *conn, platform_teams_fn fn, void *arg,
                                 struct platform_error *err);
enum parley_err graph_list_team_members(struct platform_conn *conn, const char *team_id,
                                        platform_people_fn fn, void *arg,
                                        struct platform_error *err);
enum parley_err graph_list_users(struct platform_conn *conn, platform_people_fn fn, void *arg,
                                 struct platform_error *err);

#endif
