/* person.c - one person of "Sync users" (the work is the sync engine's,
 * src/sync/request.c, which also audits each request):
 *
 *   GET   /api/orgs/:org/people/:id         the person, identities, status history
 *   PATCH /api/orgs/:org/people/:id         {"primary_platform": "google"}
 *   POST  /api/orgs/:org/people/:id/sync    give them their secondary account
 *   POST  /api/orgs/:org/people/:id/unsync  take it away
 *
 * The changing ones answer {"person": {...}, "queued": N}, or 409
 * "not_applicable" with a sentence saying why nothing was done. */
#include "api/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/route.h"
#include "http/server.h"
#include "store/store.h"
#include "sync/request.h"
#include "util/xmalloc.h"

#define HISTORY_LIMIT 50

enum op { OP_SYNC, OP_UNSYNC, OP_PRIMARY };

static const char *platform_label(const char *platform)
{
    if (!platform)
        return "no platform";
    return strcmp(platform, "microsoft") == 0 ? "Microsoft Teams" : "Google Chat";
}

static const char *name_of(const struct store_person *p)
{
    return p->display_name && *p->display_name ? p->display_name : p->email;
}

/* Load the person ":id" of the org into P; answers 400 / 404 and returns -1. */
static int load(struct http_req *req, struct api_ctx *ctx, struct store_person *p)
{
    const char *text = http_req_param(req, "id");
    enum parley_err err;
    char *end;

    errno = 0;
    long long id = strtoll(text, &end, 10);
    if (errno || *end || id <= 0) {
        http_reply_error(req, 400, "invalid", "person id must be a positive integer");
        return -1;
    }
    if ((err = store_person_get(ctx->store, ctx->org_id, id, p))) {
        if (err == PARLEY_ERR_NOT_FOUND)
            http_reply_error(req, 404, "not_found", "no such person");
        else
            api_reply_err(req, err);
        return -1;
    }
    return 0;
}

static enum parley_err on_event(const struct store_sync_event *e, void *arg)
{
    json_t *item = json_pack("{sI ss ss ss? ss sI}", "id", (json_int_t)e->id, "from",
                             api_sync_status_name(e->from), "to", api_sync_status_name(e->to),
                             "reason", e->reason, "actor", e->actor, "created_at",
                             (json_int_t)e->created_at);
    return json_array_append_new(arg, item) == 0 ? PARLEY_OK : PARLEY_ERR_INVALID;
}

static void on_get(struct http_req *req, struct api_ctx *ctx)
{
    struct store_person p = { 0 };
    json_t *history = NULL, *person;
    enum parley_err err;

    if (load(req, ctx, &p))
        goto out;
    history = json_array();
    if ((err = store_person_sync_history(ctx->store, ctx->org_id, p.id, 0, HISTORY_LIMIT,
                                         on_event, history))) {
        api_reply_err(req, err);
        goto out;
    }
    person = api_person_json(&p);
    json_object_set(person, "history", history);
    http_reply_json(req, 200, person);
out:
    json_decref(history);
    store_person_clear(&p);
}

/* Why OP did nothing to P, for the admin: a new string. */
static char *not_applicable(const struct store_person *p, enum op op, const char *platform)
{
    enum store_sync_status status = api_person_status(p);

    if (op == OP_UNSYNC)
        return xasprintf("%s is not synced.", name_of(p));
    if (op == OP_PRIMARY)
        return xasprintf("%s has no %s account of their own, so %s cannot be their primary "
                         "platform.", name_of(p), platform_label(platform),
                         platform_label(platform));
    if (status == STORE_SYNC_SYNCED)
        return xasprintf("%s is already synced.", name_of(p));
    if (!p->primary_platform)
        return xasprintf("Choose %s's primary platform first.", name_of(p));
    return xasprintf("%s has no %s account of their own: choose the other primary platform.",
                     name_of(p), platform_label(p->primary_platform));
}

/* Run OP on the person ":id" (PLATFORM: OP_PRIMARY's new primary) and
 * answer with the person as they are now. */
static void run(struct http_req *req, struct api_ctx *ctx, enum op op, const char *platform)
{
    struct store_person p = { 0 };
    struct sync_request_counts counts = { 0 };
    struct sync_selection sel = { .org_id = ctx->org_id, .count = 1 };
    char *actor = xasprintf("admin:%s", ctx->admin_email), *why = NULL;
    enum parley_err err;

    if (load(req, ctx, &p))
        goto out;
    if (op == OP_PRIMARY && p.primary_platform && strcmp(p.primary_platform, platform) == 0) {
        http_reply_json(req, 200, json_pack("{so si}", "person", api_person_json(&p), "queued", 0));
        goto out;                                   /* already so */
    }
    sel.ids = &p.id;
    err = op == OP_SYNC     ? sync_request_sync(ctx->store, ctx->api->pool, &sel, actor, &counts)
          : op == OP_UNSYNC ? sync_request_unsync(ctx->store, ctx->api->pool, &sel, actor, &counts)
                            : sync_request_primary(ctx->store, ctx->api->pool, &sel, platform,
                                                   actor, &counts);
    if (err) {
        api_reply_err(req, err);
        goto out;
    }
    if (counts.changed == 0) {
        why = not_applicable(&p, op, platform);
        http_reply_error(req, 409, "not_applicable", why);
        goto out;
    }
    long long id = p.id;
    store_person_clear(&p);
    if ((err = store_person_get(ctx->store, ctx->org_id, id, &p))) {
        api_reply_err(req, err);
        goto out;
    }
    http_reply_json(req, op == OP_PRIMARY ? 200 : 202,
                    json_pack("{so sI}", "person", api_person_json(&p), "queued",
                              (json_int_t)counts.jobs));
out:
    free(why);
    free(actor);
    store_person_clear(&p);
}

static void on_patch(struct http_req *req, struct api_ctx *ctx)
{
    json_t *body = http_req_json_or_400(req);
    const char *platform = body ? api_primary_platform(req, body) : NULL;

    if (platform)
        run(req, ctx, OP_PRIMARY, platform);
    json_decref(body);
}

static void on_sync(struct http_req *req, struct api_ctx *ctx)
{
    run(req, ctx, OP_SYNC, NULL);
}

static void on_unsync(struct http_req *req, struct api_ctx *ctx)
{
    run(req, ctx, OP_UNSYNC, NULL);
}

void api_person_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "GET", "/api/orgs/:org/people/:id", on_get, AUTH_ROLE_VIEWER);
    api_route(api, router, "PATCH", "/api/orgs/:org/people/:id", on_patch, AUTH_ROLE_ADMIN);
    api_route(api, router, "POST", "/api/orgs/:org/people/:id/sync", on_sync, AUTH_ROLE_ADMIN);
    api_route(api, router, "POST", "/api/orgs/:org/people/:id/unsync", on_unsync,
              AUTH_ROLE_ADMIN);
}
