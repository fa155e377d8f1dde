/* health.c - GET /healthz (the process is up) and GET /readyz (it can
 * serve: the database is reachable and migrated), for load balancers and
 * orchestrators.  Neither needs a session. */
#include "api/internal.h"

#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

static void on_healthz(struct http_req *req, void *arg)
{
    (void)arg;
    http_reply_header(req, "Cache-Control", "no-store");
    http_reply_json(req, 200, json_pack("{ss}", "status", "ok"));
}

static void on_readyz(struct http_req *req, void *arg)
{
    struct api *api = arg;
    enum parley_err err = store_ping(api->store);

    http_reply_header(req, "Cache-Control", "no-store");
    if (err) {
        http_reply_json(req, 503, json_pack("{ss ss}", "status", "unavailable", "reason",
                                            parley_strerror(err)));
        return;
    }
    http_reply_json(req, 200, json_pack("{ss}", "status", "ok"));
}

void api_health_register(struct api *api, struct http_router *router)
{
    http_router_add(router, "GET", "/healthz", on_healthz, api);
    http_router_add(router, "GET", "/readyz", on_readyz, api);
}
