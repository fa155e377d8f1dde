/* conn.c - the Microsoft connector's connection: open (settings copied,
 * defaults, one HTTP client and token cache), the app's client-credentials
 * token (cached, refreshed once), test, close, and the ops table (guest
 * accounts are in accounts.c). */
#include "platform/graph/internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "net/oauth.h"
#include "util/xmalloc.h"

#define APP_TOKEN_KEY "graph/app"

/* net_token_fetch_fn: a client-credentials token for the app. */
static enum parley_err fetch_app_token(void *ctx, struct net_token *out, char **why)
{
    struct graph_conn *g = ctx;
    struct net_oauth_ms_app app = {
        .authority = g->authority, .tenant = g->tenant_id,
        .client_id = g->client_id, .client_secret = g->client_secret,
    };

    return net_oauth_ms_client_credentials(g->base.http, &g->base.retry, &app, NULL, out, why);
}

struct platform_call graph_call(struct graph_conn *g, const char *what, const char *needs)
{
    return (struct platform_call){ .what = what, .needs = needs, .token = &g->app };
}

static void graph_close(struct platform_conn *conn)
{
    struct graph_conn *g = graph_conn_of(conn);

    if (!g)
        return;
    platform_conn_fini(&g->base);
    pthread_mutex_destroy(&g->guest_lock);
    free(g->guest_domain);
    if (g->client_secret)
        sodium_memzero(g->client_secret, strlen(g->client_secret));
    free(g->client_secret);
    free(g->tenant_id);
    free(g->client_id);
    free(g->authority);
    free(g->graph_base);
    free(g);
}

/* The first required setting S lacks, or NULL. */
static const char *missing_setting(const struct platform_settings *s)
{
    if (!s->tenant_id || !*s->tenant_id)
        return "tenant_id (the Directory (tenant) ID)";
    if (!s->client_id || !*s->client_id)
        return "client_id (the Application (client) ID)";
    if (!s->client_secret || !*s->client_secret)
        return "client_secret (the client secret's Value)";
    return NULL;
}

static enum parley_err graph_open(const struct platform_settings *s, struct platform_conn **out,
                                  struct platform_error *err)
{
    struct graph_conn *g = NULL;
    const char *missing;
    enum parley_err rc;

    *out = NULL;
    if ((missing = missing_setting(s)) != NULL) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0,
                           "The Microsoft connection has no %s: copy it from the app registration "
                           "in the Entra admin center.", missing);
        return PARLEY_ERR_INVALID;
    }
    g = xcalloc(1, sizeof *g);
    g->tenant_id = xstrdup(s->tenant_id);
    g->client_id = xstrdup(s->client_id);
    g->client_secret = xstrdup(s->client_secret);
    g->app = (struct platform_token){ APP_TOKEN_KEY, fetch_app_token, g };
    pthread_mutex_init(&g->guest_lock, NULL);
    if (s->guest_domain && *s->guest_domain)
        g->guest_domain = xstrdup(s->guest_domain);
    rc = platform_base_url("authority_host", s->authority_host, NET_OAUTH_MS_AUTHORITY, "",
                           &g->authority, err);
    if (rc == PARLEY_OK)
        rc = platform_base_url("graph_base", s->graph_base, GRAPH_DEFAULT_BASE, "",
                               &g->graph_base, err);
    if (rc == PARLEY_OK)
        rc = platform_conn_init(&g->base, PLATFORM_MICROSOFT, "Microsoft Graph", graph_describe,
                                s->ca_file, err);
    if (rc != PARLEY_OK)
        goto out;
    *out = &g->base;
    g = NULL;

out:
    graph_close(g ? &g->base : NULL);
    return rc;
}

/* A token, then one read call that needs User.Read.All. */
static enum parley_err graph_test(struct platform_conn *conn, struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "read the tenant's users", GRAPH_PERM_USERS);
    char *url = xasprintf("%s/users?$top=1&$select=id", g->graph_base);
    json_t *page = NULL;
    enum parley_err rc;

    memset(err, 0, sizeof *err);
    rc = platform_api_get(conn, &call, url, &page, err);
    json_decref(page);
    free(url);
    return rc;
}

const struct platform_ops graph_ops = {
    .kind = PLATFORM_MICROSOFT,
    .open = graph_open,
    .close = graph_close,
    .test = graph_test,
    .list_teams = graph_list_teams,
    .list_team_members = graph_list_team_members,
    .list_users = graph_list_users,
    .account_login = graph_account_login,
    .account_find = graph_account_find,
    .account_create = graph_account_create,
    .account_verify = graph_account_verify,
    .account_delete = graph_account_delete,
};
