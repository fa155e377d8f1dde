/* audit.c - GET /api/orgs/:org/audit: the org's activity, newest first,
 * paged by event id. */
#include "api/internal.h"

#include <limits.h>

#include "api/route.h"
#include "http/server.h"
#include "store/store.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT     200

static enum parley_err on_event(const struct store_audit_event *e, void *arg)
{
    json_t *events = arg;
    json_t *item = json_pack("{sI ss ss ss? so sI}", "id", (json_int_t)e->id, "actor", e->actor,
                             "action", e->action, "target", e->target,
                             "details", api_json_from_text(e->details_json),
                             "created_at", (json_int_t)e->created_at);

    return json_array_append_new(events, item) == 0 ? PARLEY_OK : PARLEY_ERR_INVALID;
}

static void on_list(struct http_req *req, struct api_ctx *ctx)
{
    long long before, limit;
    json_t *events;
    enum parley_err err;

    if (api_query_int(req, "before", 0, 0, LLONG_MAX, &before) ||
        api_query_int(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, &limit))
        return;
    events = json_array();
    if ((err = store_audit_list(ctx->store, ctx->org_id, before, (int)limit, on_event, events))) {
        json_decref(events);
        api_reply_err(req, err);
        return;
    }
    /* A full page may have more behind it: the UI asks again with
     * before=next_before. */
    size_t n = json_array_size(events);
    json_t *next = n == (size_t)limit ? json_object_get(json_array_get(events, n - 1), "id") : NULL;
    http_reply_json(req, 200, json_pack("{so sO?}", "events", events, "next_before", next));
}

void api_audit_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "GET", "/api/orgs/:org/audit", on_list, AUTH_ROLE_VIEWER);
}
