/* platform.h - what one emulated platform (Microsoft, Google) plugs into the
 * frame: its state built from its seed section, its routes, its error body
 * and its entry in endpoints.json.  The frame owns the listener, the control
 * API, fault injection, rate limiting, the request log and outbound delivery.
 * Each slot is called by the frame only; PLAT is what create returned. */
#ifndef EMU_FRAME_PLATFORM_H
#define EMU_FRAME_PLATFORM_H

#include <stddef.h>
#include <jansson.h>

#include "http/server.h"
#include "util/err.h"

struct emu_frame;

struct emu_platform_ops {
    /* The platform's key in the seed file and in endpoints.json. */
    const char *name;
    /* Build the state from SEED (the platform's section, borrowed, NULL when
     * absent).  On a bad seed return PARLEY_ERR_INVALID with *why (freed by
     * the caller) naming the JSON path, e.g. "microsoft.users[3].mail: ...". */
    enum parley_err (*create)(struct emu_frame *frame, const json_t *seed, void **plat, char **why);
    /* Register the platform's routes with emu_frame_route. */
    void (*add_routes)(void *plat, struct emu_frame *frame);
    /* Go back to the seed state (POST /_emu/reset). */
    void (*reset)(void *plat);
    /* The platform's error body (also used for the frame's faults and 404s). */
    http_error_fn error_body;
    /* The app a request comes from (for --rate-limit), written to KEY; 0 when
     * known, -1 when the request carries no recognisable app. */
    int (*caller_app)(void *plat, struct http_req *req, char *key, size_t size);
    /* The platform's endpoints.json entry for ORIGIN ("https://127.0.0.1:P"). */
    json_t *(*endpoints)(void *plat, const char *origin);
    /* The current subscriptions, for GET /_emu/subscriptions (new reference). */
    json_t *(*subscriptions)(void *plat);
    void (*free)(void *plat);
};

#endif
