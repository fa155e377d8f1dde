/* frame.h - one emulated platform behind one listener.
 *
 * The frame owns the HTTP server and router, and wraps every platform route
 * so that each request gets an id (the `request-id` header; the caller's
 * `client-request-id` is echoed), may meet an injected fault or the
 * --rate-limit, and is written to the request log with its status.  It also
 * serves the control API under /_emu (control.c) and owns the outbound
 * delivery thread (notify.h).
 *
 * Handlers answer through the emu_reply_* functions below, which remember the
 * status for the request log. */
#ifndef EMU_FRAME_FRAME_H
#define EMU_FRAME_FRAME_H

#include <stddef.h>
#include <jansson.h>

#include "frame/ids.h"
#include "frame/platform.h"
#include "http/router.h"
#include "http/server.h"
#include "util/err.h"

struct emu_frame;
struct emu_faults;
struct emu_reqlog;
struct emu_notify;

struct emu_frame_config {
    const struct emu_platform_ops *ops;
    const json_t *seed;              /* the platform's seed section; borrowed; may be NULL */
    const char *listen;              /* "ADDR:PORT" */
    const char *tls_cert_pem;        /* NULL: plain HTTP */
    const char *tls_key_pem;
    int rate_limit;                  /* requests/s per app; 0 = off */
    int real_quotas;
    int notify_delay_ms;
};

/* Build the platform state from the seed and register its routes; nothing
 * listens yet.  On a bad seed: PARLEY_ERR_INVALID and *why (caller frees). */
enum parley_err emu_frame_new(const struct emu_frame_config *cfg, struct emu_frame **out,
                              char **why);
/* Start listening. */
enum parley_err emu_frame_listen(struct emu_frame *frame);
/* Stop the listener and the delivery thread, free the platform.  NULL-safe. */
void emu_frame_free(struct emu_frame *frame);

/* "https://127.0.0.1:PORT" (http:// without TLS); valid once listening. */
const char *emu_frame_origin(const struct emu_frame *frame);
/* The platform's endpoints.json entry (new reference). */
json_t *emu_frame_endpoints(struct emu_frame *frame);
const char *emu_frame_name(const struct emu_frame *frame);
int emu_frame_real_quotas(const struct emu_frame *frame);
struct emu_notify *emu_frame_notify(struct emu_frame *frame);
struct emu_faults *emu_frame_faults(struct emu_frame *frame);
struct emu_reqlog *emu_frame_reqlog(struct emu_frame *frame);
/* Back to the seed state: platform state, faults, rate windows, deliveries. */
void emu_frame_reset(struct emu_frame *frame);
/* The platform's subscriptions view (new reference). */
json_t *emu_frame_subscriptions(struct emu_frame *frame);
/* The platform object its create slot made (for platform entry points that
 * main calls with the frame, e.g. emu_google_write_key_file). */
void *emu_frame_platform(struct emu_frame *frame);

/* Register a platform route (router.h patterns) behind the frame's wrapper. */
void emu_frame_route(struct emu_frame *frame, const char *method, const char *pattern,
                     http_handler_fn handler, void *ctx);
/* Register a control route (no faults, no rate limit, not logged). */
void emu_frame_route_control(struct emu_frame *frame, const char *method, const char *pattern,
                             http_handler_fn handler, void *ctx);

/* ---- per request ---- */
/* The request's id (a GUID; also sent as `request-id`). */
const char *emu_req_id(struct http_req *req);
/* The caller's client-request-id header, or NULL. */
const char *emu_req_client_id(struct http_req *req);
/* Answers; each remembers the status for the request log. */
void emu_reply_json(struct http_req *req, int status, json_t *body);   /* steals BODY */
void emu_reply_bytes(struct http_req *req, int status, const char *content_type,
                     const void *data, size_t len);
/* A JSON reply already serialised (TEXT, LEN bytes; borrowed): the body and
 * headers of emu_reply_json, Cache-Control: no-store included (after the
 * handler's headers rather than before them). */
void emu_reply_json_text(struct http_req *req, int status, const char *text, size_t len);
void emu_reply_empty(struct http_req *req, int status);
void emu_reply_error(struct http_req *req, int status, const char *code, const char *message);

#endif
