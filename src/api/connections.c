/* connections.c - an org's platform connections:
 *   GET    /api/orgs/:org/connections              both platforms (viewer)
 *   GET    /api/orgs/:org/connections/:platform    one (viewer)
 *   PUT    /api/orgs/:org/connections/:platform    save (admin)
 *   DELETE /api/orgs/:org/connections/:platform    forget (admin)
 *   POST   /api/orgs/:org/connections/:platform/test   try it (admin)
 * Secrets go in, never out: a connection shows "client_secret_set": true. */
#include "api/internal.h"

#include "api/route.h"
#include "http/server.h"
#include "util/log.h"

/* The connection as shown, or json null when none is saved; NULL (after
 * answering) on another error. */
static json_t *load_shown(struct http_req *req, struct api_ctx *ctx, enum platform_kind kind)
{
    struct platform_connection c = { 0 };
    int secret_set = 0;
    enum parley_err err = platform_connection_get(&ctx->api->platforms, ctx->org_id, kind, 0, &c,
                                                  &secret_set);
    if (err == PARLEY_ERR_NOT_FOUND)
        return json_null();
    if (err) {
        api_reply_err(req, err);
        return NULL;
    }
    json_t *shown = platform_connection_to_json(&c, secret_set);
    platform_connection_clear(&c);
    return shown;
}

static void on_list(struct http_req *req, struct api_ctx *ctx)
{
    json_t *microsoft = NULL, *google = NULL;

    if (!api_platforms_ready(req, ctx->api, 0))
        return;
    if (!(microsoft = load_shown(req, ctx, PLATFORM_MICROSOFT)) ||
        !(google = load_shown(req, ctx, PLATFORM_GOOGLE))) {
        json_decref(microsoft);
        return;
    }
    http_reply_json(req, 200, json_pack("{so so}", "microsoft", microsoft, "google", google));
}

static void on_get(struct http_req *req, struct api_ctx *ctx)
{
    enum platform_kind kind;
    json_t *shown;

    if (api_platform_param(req, &kind) || !api_platforms_ready(req, ctx->api, 0) ||
        !(shown = load_shown(req, ctx, kind)))
        return;
    if (json_is_null(shown)) {
        http_reply_error(req, 404, "not_found", "no connection to this platform is set up");
        return;
    }
    http_reply_json(req, 200, shown);
}

static void on_put(struct http_req *req, struct api_ctx *ctx)
{
    struct platform_connection c = { 0 };
    enum platform_kind kind;
    json_t *body = NULL, *shown;
    char why[512];
    int created = 0;
    enum parley_err err;

    if (api_platform_param(req, &kind) || !api_platforms_ready(req, ctx->api, 0) ||
        !(body = http_req_json_or_400(req)))
        return;
    err = platform_connection_from_json(kind, body, &c, why, sizeof why);
    if (!err)
        err = platform_connection_save(&ctx->api->platforms, ctx->org_id, &c, &created, why,
                                       sizeof why);
    if (err == PARLEY_ERR_INVALID) {
        http_reply_error(req, 400, "invalid", why);
        goto out;
    }
    if (err) {
        api_reply_err(req, err);
        goto out;
    }
    api_audit_write(ctx->store, ctx->org_id, ctx->admin_email,
                    created ? "connection.create" : "connection.update", platform_kind_name(kind),
                    json_pack("{sb}", "secret_changed", c.secret != NULL));
    if ((shown = load_shown(req, ctx, kind)))
        http_reply_json(req, created ? 201 : 200, shown);

out:
    platform_connection_clear(&c);
    json_decref(body);
}

static void on_delete(struct http_req *req, struct api_ctx *ctx)
{
    enum platform_kind kind;
    enum parley_err err;

    if (api_platform_param(req, &kind) || !api_platforms_ready(req, ctx->api, 0))
        return;
    if ((err = platform_connection_delete(&ctx->api->platforms, ctx->org_id, kind))) {
        api_reply_err(req, err);
        return;
    }
    api_audit_write(ctx->store, ctx->org_id, ctx->admin_email, "connection.delete",
                    platform_kind_name(kind), NULL);
    http_reply_json(req, 204, NULL);
}

/* Answers 200 either way: {"ok": true} or the failure in the admin's words. */
static void on_test(struct http_req *req, struct api_ctx *ctx)
{
    const struct platform_ops *ops = NULL;
    struct platform_conn *conn = NULL;
    struct platform_error perr = { 0 };
    enum platform_kind kind;
    enum parley_err err;

    if (api_platform_param(req, &kind) || !api_platforms_ready(req, ctx->api, 1))
        return;
    err = platform_connection_open(&ctx->api->platforms, ctx->org_id, kind, &ops, &conn, &perr);
    if (!err)
        err = ops->test(conn, &perr);
    if (conn)
        ops->close(conn);
    if (err && !perr.code)
        perr.code = err;
    log_info("api", "connection test", "s:platform", platform_kind_name(kind), "b:ok", !err,
             "s:code", err ? parley_errname(perr.code) : "ok");
    api_audit_write(ctx->store, ctx->org_id, ctx->admin_email, "connection.test",
                    platform_kind_name(kind),
                    err ? json_pack("{sb ss}", "ok", 0, "code", parley_errname(perr.code))
                        : json_pack("{sb}", "ok", 1));
    http_reply_json(req, 200, err ? api_platform_error_json(&perr) : json_pack("{sb}", "ok", 1));
}

void api_connections_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "GET", "/api/orgs/:org/connections", on_list, AUTH_ROLE_VIEWER);
    api_route(api, router, "GET", "/api/orgs/:org/connections/:platform", on_get,
              AUTH_ROLE_VIEWER);
    api_route(api, router, "PUT", "/api/orgs/:org/connections/:platform", on_put, AUTH_ROLE_ADMIN);
    api_route(api, router, "DELETE", "/api/orgs/:org/connections/:platform", on_delete,
              AUTH_ROLE_ADMIN);
    api_route(api, router, "POST", "/api/orgs/:org/connections/:platform/test", on_test,
              AUTH_ROLE_ADMIN);
}
