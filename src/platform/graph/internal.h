/* internal.h - what the Microsoft connector's files share: the connection
 * and the call descriptions its listings and account calls use. */
#ifndef PARLEY_PLATFORM_GRAPH_INTERNAL_H
#define PARLEY_PLATFORM_GRAPH_INTERNAL_H

#include <pthread.h>

#include "platform/graph/graph.h"

/* Application permissions (microsoft.md 3, 4), named in 403 messages. */
#define GRAPH_PERM_USERS   "User.Read.All"
#define GRAPH_PERM_TEAMS   "Team.ReadBasic.All"
#define GRAPH_PERM_MEMBERS "TeamMember.Read.All"
#define GRAPH_PERM_GROUP_MEMBERS "GroupMember.Read.All"
#define GRAPH_PERM_USERS_WRITE "User.ReadWrite.All"
#define GRAPH_PERM_ORG     "Organization.Read.All"

struct graph_conn {
    struct platform_conn base;      /* first: the engines hold &base */
    char *tenant_id, *client_id, *client_secret;
    char *authority;                /* without trailing '/' */
    char *graph_base;               /* without trailing '/' */
    struct platform_token app;      /* the app-only token (client credentials) */
    /* The domain of guest accounts' UPNs: the guest_domain setting, else
     * the tenant's initial domain, looked up once (GET /organization). */
    pthread_mutex_t guest_lock;
    char *guest_domain;             /* under guest_lock; NULL until known */
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

/* Guest accounts (accounts.c): the platform_ops account_* slots. */
char *graph_account_login(struct platform_conn *conn, const struct platform_account_spec *spec);
enum parley_err graph_account_find(struct platform_conn *conn, const char *login,
                                   struct platform_account *out, struct platform_error *err);
enum parley_err graph_account_create(struct platform_conn *conn,
                                     const struct platform_account_spec *spec,
                                     struct platform_account *out, struct platform_error *err);
enum parley_err graph_account_verify(struct platform_conn *conn,
                                     const struct platform_account *account,
                                     struct platform_error *err);
enum parley_err graph_account_delete(struct platform_conn *conn, const char *external_id,
                                     struct platform_error *err);

#endif
