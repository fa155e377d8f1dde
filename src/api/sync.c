/* sync.c - "Sync users" for many people at once (the work is the sync
 * engine's, src/sync/request.c, which also audits each request):
 *
 *   POST /api/orgs/:org/people/primary  {SELECTION, "primary_platform": "google"}
 *   POST /api/orgs/:org/sync            {SELECTION}
 *   POST /api/orgs/:org/unsync          {SELECTION}
 *   GET  /api/orgs/:org/sync/summary    how many people have each status
 *
 * SELECTION is exactly one of {"ids": [12, 13]}, {"filter": {"q", "status",
 * "platform"}} (everyone matching, as GET /people filters) or {"all": true}.
 * The answers count what the request did:
 *   {"selected": N, "changed": N, "queued": N, "skipped": N} */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

#include "api/route.h"
#include "http/server.h"
#include "store/store.h"
#include "sync/request.h"
#include "util/xmalloc.h"

#define MAX_IDS 100000

enum op { OP_SYNC, OP_UNSYNC, OP_PRIMARY };

struct selection {
    struct sync_selection sel;
    struct store_people_query filter;
    long long *ids;                     /* owned */
};

/* BODY's "ids" into S; answers 400 and returns -1 when malformed. */
static int read_ids(struct http_req *req, const json_t *ids, struct selection *s)
{
    size_t n = json_array_size(ids), i;
    json_t *id;

    if (!json_is_array(ids) || n == 0 || n > MAX_IDS) {
        http_reply_error(req, 400, "invalid", "ids must be a list of 1 to 100000 person ids");
        return -1;
    }
    s->ids = xcalloc(n, sizeof *s->ids);
    json_array_foreach(ids, i, id) {
        if (!json_is_integer(id) || json_integer_value(id) <= 0) {
            http_reply_error(req, 400, "invalid", "each of ids must be a person id (a number)");
            return -1;
        }
        s->ids[i] = json_integer_value(id);
    }
    s->sel.ids = s->ids;
    s->sel.count = n;
    return 0;
}

/* BODY's "filter" into S (strings borrowed from BODY); 400 and -1 when bad. */
static int read_filter(struct http_req *req, const json_t *filter, struct selection *s)
{
    const char *keys[] = { "q", "platform", "status" };
    const char *values[3] = { NULL, NULL, NULL };

    if (!json_is_object(filter)) {
        http_reply_error(req, 400, "invalid", "filter must be an object {q, platform, status}");
        return -1;
    }
    for (size_t k = 0; k < 3; k++) {
        const json_t *v = json_object_get(filter, keys[k]);
        if (v && !json_is_null(v) && !json_is_string(v)) {
            http_reply_error(req, 400, "invalid", "filter values must be strings");
            return -1;
        }
        values[k] = json_string_value(v);
    }
    if (api_people_filter(req, values[0], values[1], values[2], &s->filter))
        return -1;
    s->sel.filter = &s->filter;
    return 0;
}

/* Exactly one of "ids", "filter", "all": true; answers 400 and returns -1
 * otherwise. */
static int read_selection(struct http_req *req, struct api_ctx *ctx, const json_t *body,
                          struct selection *s)
{
    const json_t *ids = json_object_get(body, "ids");
    const json_t *filter = json_object_get(body, "filter");
    const json_t *all = json_object_get(body, "all");

    s->sel.org_id = ctx->org_id;
    s->filter.org_id = ctx->org_id;
    if ((ids != NULL) + (filter != NULL) + (all != NULL) != 1 || (all && !json_is_true(all))) {
        http_reply_error(req, 400, "invalid",
                         "give exactly one of ids, filter or \"all\": true");
        return -1;
    }
    if (ids)
        return read_ids(req, ids, s);
    if (filter)
        return read_filter(req, filter, s);
    s->sel.filter = &s->filter;                     /* everyone */
    return 0;
}

static void run(struct http_req *req, struct api_ctx *ctx, enum op op)
{
    struct selection s = { 0 };
    struct sync_request_counts counts = { 0 };
    const char *primary = NULL;
    json_t *body = NULL;
    char *actor = xasprintf("admin:%s", ctx->admin_email);
    enum parley_err err;

    if (!(body = http_req_json_or_400(req)) || read_selection(req, ctx, body, &s) ||
        (op == OP_PRIMARY && !(primary = api_primary_platform(req, body))))
        goto out;
    switch (op) {
    case OP_SYNC:
        err = sync_request_sync(ctx->store, ctx->api->pool, &s.sel, actor, &counts);
        break;
    case OP_UNSYNC:
        err = sync_request_unsync(ctx->store, ctx->api->pool, &s.sel, actor, &counts);
        break;
    default:
        err = sync_request_primary(ctx->store, ctx->api->pool, &s.sel, primary, actor, &counts);
        break;
    }
    if (err) {
        api_reply_err(req, err);
        goto out;
    }
    http_reply_json(req, op == OP_PRIMARY ? 200 : 202,
                    json_pack("{sI sI sI sI}", "selected", (json_int_t)counts.selected,
                              "changed", (json_int_t)counts.changed, "queued",
                              (json_int_t)counts.jobs, "skipped", (json_int_t)counts.skipped));
out:
    free(actor);
    free(s.ids);
    json_decref(body);
}

static void on_sync(struct http_req *req, struct api_ctx *ctx)
{
    run(req, ctx, OP_SYNC);
}

static void on_unsync(struct http_req *req, struct api_ctx *ctx)
{
    run(req, ctx, OP_UNSYNC);
}

static void on_primary(struct http_req *req, struct api_ctx *ctx)
{
    run(req, ctx, OP_PRIMARY);
}

static void on_summary(struct http_req *req, struct api_ctx *ctx)
{
    long long counts[STORE_SYNC_STATUS_COUNT] = { 0 }, total = 0;
    enum parley_err err = store_sync_counts(ctx->store, ctx->org_id, counts);
    json_t *by_status;

    if (err) {
        api_reply_err(req, err);
        return;
    }
    by_status = json_object();
    for (int i = 0; i < STORE_SYNC_STATUS_COUNT; i++) {
        json_object_set_new(by_status, api_sync_status_name(i), json_integer(counts[i]));
        total += counts[i];
    }
    long long busy = counts[STORE_SYNC_PENDING] + counts[STORE_SYNC_PROVISIONING] +
                     counts[STORE_SYNC_UNSYNCING];
    http_reply_json(req, 200, json_pack("{so sI sI}", "counts", by_status, "total",
                                        (json_int_t)total, "busy", (json_int_t)busy));
}

void api_sync_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "POST", "/api/orgs/:org/people/primary", on_primary, AUTH_ROLE_ADMIN);
    api_route(api, router, "POST", "/api/orgs/:org/sync", on_sync, AUTH_ROLE_ADMIN);
    api_route(api, router, "POST", "/api/orgs/:org/unsync", on_unsync, AUTH_ROLE_ADMIN);
    api_route(api, router, "GET", "/api/orgs/:org/sync/summary", on_summary, AUTH_ROLE_VIEWER);
}
