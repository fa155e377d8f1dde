/* static.c - the catch-all route, added last: serves the embedded Hub UI
 * (web/) and answers unknown /api paths.
 *
 *   /                    -> /index.html
 *   /css/app.css         -> that asset, or 404 when absent (a path with a dot)
 *   /users, /activity    -> /index.html (the UI routes in the browser)
 *   /api/...             -> 405 when the path exists with other methods, else 404
 *
 * UI responses carry Cache-Control: no-cache (the assets change with each
 * build and have no versioned names) and the security headers below. */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

#include "http/assets.h"
#include "http/router.h"
#include "http/server.h"

static const char *const security_headers[][2] = {
    { "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
      "frame-ancestors 'none'; form-action 'self'" },
    { "X-Content-Type-Options", "nosniff" },
    { "Referrer-Policy", "same-origin" },
    { "X-Frame-Options", "DENY" },
};

static int is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

/* The router matched "/api/..." only through the catch-all: tell a wrong
 * method on a real API route from a path that does not exist. */
static void reply_api_miss(struct http_req *req, const struct api *api)
{
    struct http_route_match m;
    int status = http_router_match(api->api_routes, http_req_method(req), http_req_path(req), &m);

    http_route_match_clear(&m);
    if (status == 405) {
        char *allow = http_router_allow(api->api_routes, http_req_path(req));
        if (allow)
            http_reply_header(req, "Allow", allow);
        free(allow);
        http_reply_error(req, 405, "method_not_allowed", "method not allowed on this path");
    } else {
        http_reply_error(req, 404, "not_found", "no such API endpoint");
    }
}

/* The asset for PATH: itself, or index.html for "/" and for UI routes
 * (no dot in the last segment).  NULL when there is none. */
static const struct embedded_asset *find_asset(const char *path)
{
    const char *last = strrchr(path, '/');
    const struct embedded_asset *a;

    if (strcmp(path, "/") != 0 && (a = assets_find(web_assets, path)))
        return a;
    if (strchr(last ? last : path, '.'))
        return NULL;
    return assets_find(web_assets, "/index.html");
}

static void on_request(struct http_req *req, void *arg)
{
    const struct api *api = arg;
    const char *method = http_req_method(req);
    const char *path = http_req_path(req);
    const struct embedded_asset *asset;

    if (is_api_path(path)) {
        reply_api_miss(req, api);
        return;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        http_reply_header(req, "Allow", "GET, HEAD");
        http_reply_error(req, 405, "method_not_allowed", "the UI is read-only: use GET");
        return;
    }
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        http_reply_header(req, security_headers[i][0], security_headers[i][1]);
    if (!(asset = find_asset(path))) {
        http_reply_error(req, 404, "not_found", "no such file");
        return;
    }
    http_reply_header(req, "Cache-Control", "no-cache");
    http_reply_bytes(req, 200, assets_content_type(asset->path), asset->data, asset->size);
}

void api_static_register(struct api *api, struct http_router *router)
{
    http_router_add(router, "*", "/*path", on_request, api);
}
