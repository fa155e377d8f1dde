/* imports.c - "Import users": start an import job (the work is the sync
 * engine's, src/sync/import*.c; progress comes from GET /api/jobs/:id).
 *
 *   POST /api/orgs/:org/imports/microsoft  {"team_ids": ["..."]}
 *   POST /api/orgs/:org/imports/google     {}
 *   -> 202 {"job_id": 7, "kind": "...", "created": true}
 *
 * One import per org and platform runs at a time: asking again while one is
 * queued or running answers with that job ("created": false). */
#include "api/internal.h"

#include <string.h>

#include "api/route.h"
#include "http/server.h"
#include "store/store.h"
#include "sync/import.h"
#include "util/xmalloc.h"

#define MAX_TEAMS      1000
#define MAX_TEAM_ID    256

/* Answer 409 and return 0 unless the org has a KIND connection saved. */
static int require_connection(struct http_req *req, struct api_ctx *ctx, enum platform_kind kind)
{
    struct platform_connection c = { 0 };
    enum parley_err err = platform_connection_get(&ctx->api->platforms, ctx->org_id, kind, 0, &c,
                                                  NULL);
    platform_connection_clear(&c);
    if (err == PARLEY_ERR_NOT_FOUND) {
        http_reply_error(req, 409, "not_connected",
                         kind == PLATFORM_MICROSOFT
                             ? "Connect Microsoft 365 first, under Settings > Connections."
                             : "Connect Google Workspace first, under Settings > Connections.");
        return 0;
    }
    if (err) {
        api_reply_err(req, err);
        return 0;
    }
    return 1;
}

/* Enqueue JOB (built by the sync engine, cleared here), audit a new one and
 * answer 202. */
static void start(struct http_req *req, struct api_ctx *ctx, enum platform_kind kind,
                  struct sync_import_job *job, json_t *details)
{
    long long id = 0;
    int created = 0;
    enum parley_err err = api_enqueue(ctx->api, &job->spec, &id, &created);

    if (err) {
        json_decref(details);
        api_reply_err(req, err);
        goto out;
    }
    if (created) {
        json_object_set_new(details, "job_id", json_integer(id));
        api_audit_write(ctx->store, ctx->org_id, ctx->admin_email, "import.start",
                        platform_kind_name(kind), details);
    } else {
        json_decref(details);
    }
    http_reply_json(req, 202, json_pack("{sI ss sb}", "job_id", (json_int_t)id, "kind",
                                        job->spec.kind, "created", created));
out:
    sync_import_job_clear(job);
}

static char *requested_by(const struct api_ctx *ctx)
{
    return xasprintf("admin:%s", ctx->admin_email);
}

/* The "team_ids" of BODY as a new array of borrowed strings; answers 400
 * and returns NULL when missing or malformed. */
static const char **team_ids(struct http_req *req, const json_t *body, size_t *n)
{
    const json_t *ids = json_object_get(body, "team_ids");
    const char **out;
    json_t *id;
    size_t i;

    *n = json_array_size(ids);
    if (!json_is_array(ids) || *n == 0 || *n > MAX_TEAMS) {
        http_reply_error(req, 400, "invalid", "team_ids must be a list of 1 to 1000 team ids");
        return NULL;
    }
    out = xcalloc(*n, sizeof *out);
    json_array_foreach(ids, i, id) {
        const char *text = json_string_value(id);
        if (!text || !*text || strlen(text) > MAX_TEAM_ID) {
            http_reply_error(req, 400, "invalid", "each of team_ids must be a team id (a string)");
            free(out);
            return NULL;
        }
        out[i] = text;
    }
    return out;
}

static void on_microsoft(struct http_req *req, struct api_ctx *ctx)
{
    struct sync_import_job job = { 0 };
    json_t *body = NULL;
    const char **ids = NULL;
    char *who = NULL;
    size_t n = 0;

    if (!api_platforms_ready(req, ctx->api, 0) || !(body = http_req_json_or_400(req)) ||
        !(ids = team_ids(req, body, &n)) || !require_connection(req, ctx, PLATFORM_MICROSOFT))
        goto out;
    who = requested_by(ctx);
    if (sync_import_job_microsoft(&job, ctx->org_id, ids, n, who)) {
        http_reply_error(req, 400, "invalid", "team_ids must be valid team ids");
        goto out;
    }
    start(req, ctx, PLATFORM_MICROSOFT, &job,
          json_pack("{sO}", "team_ids", json_object_get(body, "team_ids")));

out:
    free(who);
    free(ids);
    json_decref(body);
}

static void on_google(struct http_req *req, struct api_ctx *ctx)
{
    struct sync_import_job job = { 0 };
    char *who = NULL;

    if (!api_platforms_ready(req, ctx->api, 0) || !require_connection(req, ctx, PLATFORM_GOOGLE))
        return;
    who = requested_by(ctx);
    if (sync_import_job_google(&job, ctx->org_id, who))
        api_reply_err(req, PARLEY_ERR_INVALID);
    else
        start(req, ctx, PLATFORM_GOOGLE, &job, json_object());
    free(who);
}

void api_imports_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "POST", "/api/orgs/:org/imports/microsoft", on_microsoft,
              AUTH_ROLE_ADMIN);
    api_route(api, router, "POST", "/api/orgs/:org/imports/google", on_google, AUTH_ROLE_ADMIN);
}
