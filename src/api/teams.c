/* teams.c - GET /api/orgs/:org/microsoft/teams: the tenant's teams, listed
 * live through the connector for the "Add teams" dialog, each marked with
 * whether (and when) it was imported, from the store.
 *
 * {"teams": [{"id", "name", "description", "member_count", "imported",
 *             "last_imported_at"}], "truncated": false} */
#include "api/internal.h"

#include "api/route.h"
#include "http/server.h"
#include "store/store.h"

/* Past this many teams the list is cut (and says so): a dialog of
 * checkboxes is not the tool for more. */
#define MAX_TEAMS  5000
#define STORE_PAGE 500

struct imported_scan {
    json_t *by_external_id;    /* external id -> last_imported_at */
    long long last_id;
    int seen;
};

static enum parley_err on_stored_team(const struct store_team *t, void *arg)
{
    struct imported_scan *scan = arg;
    scan->last_id = t->id;
    scan->seen++;
    if (t->imported)
        json_object_set_new(scan->by_external_id, t->external_id,
                            json_integer(t->last_imported_at));
    return PARLEY_OK;
}

/* The org's imported Microsoft teams as {external id: last_imported_at};
 * a new reference in *out. */
static enum parley_err imported_teams(struct store *st, long long org_id, json_t **out)
{
    struct imported_scan scan = { json_object(), 0, 0 };
    enum parley_err err;

    do {
        scan.seen = 0;
        err = store_team_list(st, org_id, "microsoft", scan.last_id, STORE_PAGE, on_stored_team,
                              &scan);
    } while (!err && scan.seen == STORE_PAGE);
    if (err) {
        json_decref(scan.by_external_id);
        return err;
    }
    *out = scan.by_external_id;
    return PARLEY_OK;
}

struct live_list {
    json_t *teams;
    const json_t *imported;
    int truncated;
};

static enum parley_err on_live_teams(const struct platform_team *teams, size_t count, void *arg)
{
    struct live_list *list = arg;

    for (size_t i = 0; i < count; i++) {
        if (json_array_size(list->teams) >= MAX_TEAMS) {
            list->truncated = 1;
            return PARLEY_ERR_CANCELLED;   /* stop listing: enough for a dialog */
        }
        json_t *when = json_object_get(list->imported, teams[i].external_id);
        json_array_append_new(list->teams,
                              json_pack("{ss ss ss? so sb sO?}", "id", teams[i].external_id,
                                        "name", teams[i].name, "description",
                                        teams[i].description, "member_count",
                                        teams[i].member_count >= 0
                                            ? json_integer(teams[i].member_count) : json_null(),
                                        "imported", when != NULL, "last_imported_at", when));
    }
    return PARLEY_OK;
}

static void on_list(struct http_req *req, struct api_ctx *ctx)
{
    const struct platform_ops *ops = NULL;
    struct platform_conn *conn = NULL;
    struct platform_error perr = { 0 };
    struct live_list list = { json_array(), NULL, 0 };
    json_t *imported = NULL;
    enum parley_err err;

    if ((err = imported_teams(ctx->store, ctx->org_id, &imported))) {
        api_reply_err(req, err);
        goto out;
    }
    list.imported = imported;
    if (api_platform_open(req, ctx, PLATFORM_MICROSOFT, &ops, &conn))
        goto out;
    err = ops->list_teams(conn, on_live_teams, &list, &perr);
    if (err && !perr.code)
        perr.code = err;
    if (err && !(err == PARLEY_ERR_CANCELLED && list.truncated)) {
        api_reply_platform_error(req, &perr);
        goto out;
    }
    http_reply_json(req, 200, json_pack("{sO sb}", "teams", list.teams, "truncated",
                                        list.truncated));

out:
    if (conn)
        ops->close(conn);
    json_decref(imported);
    json_decref(list.teams);
}

void api_teams_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "GET", "/api/orgs/:org/microsoft/teams", on_list, AUTH_ROLE_VIEWER);
}
