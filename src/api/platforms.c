/* platforms.c - what the handlers that reach a platform share: the
 * ":platform" path parameter, the 503 when the hub runs without a master key
 * or connectors, opening the org's connection, and answering with a
 * connector's error in the admin's words. */
#include "api/internal.h"

#include "api/route.h"
#include "http/server.h"

int api_platform_param(struct http_req *req, enum platform_kind *kind)
{
    if (platform_kind_parse(http_req_param(req, "platform"), kind) == 0)
        return 0;
    http_reply_error(req, 404, "not_found", "no such platform (microsoft or google)");
    return -1;
}

int api_platforms_ready(struct http_req *req, const struct api *api, int need_connectors)
{
    if (!api->platforms.key) {
        http_reply_error(req, 503, "unavailable", "this hub runs without a master key, so it "
                         "cannot store platform connections");
        return 0;
    }
    if (need_connectors && !api->platforms.ops_for) {
        http_reply_error(req, 503, "unavailable", "this hub runs without platform connectors");
        return 0;
    }
    return 1;
}

json_t *api_platform_error_json(const struct platform_error *perr)
{
    return json_pack("{sb ss ss si}", "ok", 0, "code", parley_errname(perr->code), "message",
                     perr->message, "http_status", perr->http_status);
}

void api_reply_platform_error(struct http_req *req, const struct platform_error *perr)
{
    /* Nothing usable is saved (no connection, a secret under another key):
     * the admin fixes the settings.  Otherwise the platform said no. */
    int unusable = perr->code == PARLEY_ERR_NOT_FOUND || perr->code == PARLEY_ERR_CRYPTO ||
                   perr->code == PARLEY_ERR_INVALID;
    http_reply_error(req, unusable ? 409 : 502,
                     unusable ? "not_connected" : parley_errname(perr->code), perr->message);
}

int api_platform_open(struct http_req *req, struct api_ctx *ctx, enum platform_kind kind,
                      const struct platform_ops **ops, struct platform_conn **conn)
{
    struct platform_error perr = { 0 };

    if (!api_platforms_ready(req, ctx->api, 1))
        return -1;
    if (platform_connection_open(&ctx->api->platforms, ctx->org_id, kind, ops, conn, &perr)) {
        api_reply_platform_error(req, &perr);
        return -1;
    }
    return 0;
}
