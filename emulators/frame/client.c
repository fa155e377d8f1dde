/* client.c - serves the labelled web client (emulators/client/, compiled in
 * as the emu_assets table) under /_emu/client/ on every listener.  The page
 * asks GET /_emu which platform it is talking to and loads that platform's
 * module; see docs/emulators.md. */
#include "frame/client.h"

#include <string.h>

#include "frame/frame.h"
#include "http/assets.h"

/* Made by tools/embed from emulators/client/ (Makefile). */
extern const struct embedded_asset emu_assets[];

static void on_redirect(struct http_req *req, void *ctx)
{
    (void)ctx;
    http_reply_header(req, "Location", "/_emu/client/");
    http_reply_bytes(req, 302, "text/plain; charset=utf-8", "", 0);
}

static void on_asset(struct http_req *req, void *ctx)
{
    const char *path = http_req_path(req) + strlen("/_emu/client");
    (void)ctx;
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    const struct embedded_asset *a = assets_find(emu_assets, path);
    if (!a) {
        http_reply_error(req, 404, "not_found", "No such file in the emulator's web client.");
        return;
    }
    http_reply_header(req, "Cache-Control", "no-cache");
    http_reply_bytes(req, 200, assets_content_type(a->path), a->data, a->size);
}

void emu_client_add_routes(struct emu_frame *frame)
{
    emu_frame_route_control(frame, "GET", "/_emu/client", on_redirect, NULL);
    emu_frame_route_control(frame, "GET", "/_emu/client/*path", on_asset, NULL);
}
