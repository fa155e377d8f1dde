/* frame.c - the listener wrapper around one platform (see frame.h). */
#include "frame/frame.h"

#include <stdlib.h>
#include <string.h>

#include "frame/control.h"
#include "frame/faults.h"
#include "frame/notify.h"
#include "frame/ratelimit.h"
#include "frame/reqlog.h"
#include "frame/vec.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct emu_frame {
    struct emu_frame_config cfg;
    const struct emu_platform_ops *ops;
    void *plat;
    struct http_router *router;
    struct http_server *server;
    struct emu_faults *faults;
    struct emu_reqlog *reqlog;
    struct emu_notify *notify;
    struct emu_ratelimit *rate;      /* NULL without --rate-limit */
    struct emu_vec routes;           /* struct route *, owned */
    char *origin;
};

/* One wrapped route. */
struct route {
    struct emu_frame *frame;
    http_handler_fn handler;
    void *ctx;
};

/* What the wrapper keeps per request (the request's user slot). */
struct call {
    char request_id[EMU_GUID_LEN];
    const char *client_request_id;
    int status;
};

static struct call *call_of(struct http_req *req)
{
    return http_req_user(req);
}

const char *emu_req_id(struct http_req *req)
{
    struct call *c = call_of(req);
    return c ? c->request_id : http_req_id(req);
}

const char *emu_req_client_id(struct http_req *req)
{
    struct call *c = call_of(req);
    return c ? c->client_request_id : http_req_header(req, "client-request-id");
}

static void remember(struct http_req *req, int status)
{
    struct call *c = call_of(req);
    if (c)
        c->status = status;
}

void emu_reply_json(struct http_req *req, int status, json_t *body)
{
    remember(req, status);
    http_reply_json(req, status, body);
}

void emu_reply_bytes(struct http_req *req, int status, const char *content_type,
                     const void *data, size_t len)
{
    remember(req, status);
    http_reply_bytes(req, status, content_type, data, len);
}

void emu_reply_json_text(struct http_req *req, int status, const char *text, size_t len)
{
    int first = !http_req_replied(req);

    remember(req, status);
    http_reply_bytes(req, status, "application/json; charset=utf-8", text, len);
    if (first)            /* a second reply is refused (and logged) above */
        http_reply_header(req, "Cache-Control", "no-store");
}

void emu_reply_empty(struct http_req *req, int status)
{
    remember(req, status);
    http_reply_json(req, status, NULL);
}

void emu_reply_error(struct http_req *req, int status, const char *code, const char *message)
{
    remember(req, status);
    http_reply_error(req, status, code, message);
}

/* Apply an injected fault; returns 1 when it answered (or dropped) the request. */
static int apply_fault(struct http_req *req, const struct emu_fault_action *a)
{
    if (a->latency_ms > 0)
        clock_sleep_ms(a->latency_ms);
    if (a->drop) {
        remember(req, 0);
        http_reply_drop(req);
        return 1;
    }
    if (!a->status)
        return 0;
    if (a->retry_after_s > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", a->retry_after_s);
        http_reply_header(req, "Retry-After", secs);
    }
    emu_reply_error(req, a->status, a->status == 429 ? "TooManyRequests" : "injected_fault",
                    a->status == 429 ? "Please retry again later." : "Fault injected by the emulator.");
    return 1;
}

/* --rate-limit: returns 1 when the request was refused. */
static int apply_rate_limit(struct emu_frame *f, struct http_req *req)
{
    char key[256];
    if (!f->rate || !f->ops->caller_app ||
        f->ops->caller_app(f->plat, req, key, sizeof key) != 0)
        return 0;
    int wait_s = emu_ratelimit_hit(f->rate, key);
    if (!wait_s)
        return 0;
    char secs[16];
    snprintf(secs, sizeof secs, "%d", wait_s);
    http_reply_header(req, "Retry-After", secs);
    emu_reply_error(req, 429, "TooManyRequests", "Please retry again later.");
    return 1;
}

static void on_request(struct http_req *req, void *ctx)
{
    struct route *r = ctx;
    struct emu_frame *f = r->frame;
    struct call call = {.status = 500};
    struct emu_fault_action action;

    emu_ids_guid_random(call.request_id);
    call.client_request_id = http_req_header(req, "client-request-id");
    http_req_set_user(req, &call);
    http_reply_header(req, "request-id", call.request_id);
    if (call.client_request_id)
        http_reply_header(req, "client-request-id", call.client_request_id);

    int answered = emu_faults_take(f->faults, http_req_method(req), http_req_path(req), &action) &&
                   apply_fault(req, &action);
    if (!answered)
        answered = apply_rate_limit(f, req);
    if (!answered)
        r->handler(req, r->ctx);
    emu_reqlog_add(f->reqlog, http_req_method(req), http_req_path(req), call.status,
                   call.request_id);
    http_req_set_user(req, NULL);
}

static struct route *new_route(struct emu_frame *f, http_handler_fn handler, void *ctx)
{
    struct route *r = xcalloc(1, sizeof *r);
    r->frame = f;
    r->handler = handler;
    r->ctx = ctx;
    emu_vec_push(&f->routes, r);
    return r;
}

void emu_frame_route(struct emu_frame *frame, const char *method, const char *pattern,
                     http_handler_fn handler, void *ctx)
{
    http_router_add(frame->router, method, pattern, on_request, new_route(frame, handler, ctx));
}

void emu_frame_route_control(struct emu_frame *frame, const char *method, const char *pattern,
                             http_handler_fn handler, void *ctx)
{
    http_router_add(frame->router, method, pattern, handler, ctx);
}

static json_t *on_error(struct http_req *req, int status, const char *code, const char *message,
                        void *ctx)
{
    struct emu_frame *f = ctx;
    return f->ops->error_body(req, status, code, message, f->plat);
}

enum parley_err emu_frame_new(const struct emu_frame_config *cfg, struct emu_frame **out,
                              char **why)
{
    struct emu_frame *f = xcalloc(1, sizeof *f);
    enum parley_err err;

    *out = NULL;
    f->cfg = *cfg;
    f->ops = cfg->ops;
    f->router = http_router_new();
    f->faults = emu_faults_new();
    f->reqlog = emu_reqlog_new();
    f->notify = emu_notify_new(cfg->notify_delay_ms);
    if (cfg->rate_limit > 0)
        f->rate = emu_ratelimit_new(cfg->rate_limit, 1000);
    if (!f->notify) {
        err = PARLEY_ERR_IO;
        goto out;
    }
    err = f->ops->create(f, cfg->seed, &f->plat, why);
    if (err)
        goto out;
    emu_control_add_routes(f);
    f->ops->add_routes(f->plat, f);
    *out = f;
    f = NULL;
out:
    emu_frame_free(f);
    return err;
}

/* The origin clients use: the listen host, with a wildcard replaced by loopback. */
static char *make_origin(const char *listen, int tls, int port)
{
    const char *colon = strrchr(listen, ':');
    size_t host_len = colon ? (size_t)(colon - listen) : strlen(listen);
    char *host = xstrndup(listen, host_len);
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "") == 0) {
        free(host);
        host = xstrdup("127.0.0.1");
    } else if (strcmp(host, "[::]") == 0) {
        free(host);
        host = xstrdup("[::1]");
    }
    char *origin = xasprintf("%s://%s:%d", tls ? "https" : "http", host, port);
    free(host);
    return origin;
}

enum parley_err emu_frame_listen(struct emu_frame *frame)
{
    struct http_server_config scfg = {
        .listen = frame->cfg.listen,
        .max_body = 4 * 1024 * 1024,
        .tls_cert_pem = frame->cfg.tls_cert_pem,
        .tls_key_pem = frame->cfg.tls_key_pem,
        .log_module = frame->ops->name,
        .on_error = on_error,
        .on_error_ctx = frame,
    };
    enum parley_err err = http_server_start(&scfg, frame->router, &frame->server);
    if (err) {
        log_error("emu", "cannot listen", "s:platform", frame->ops->name, "s:listen",
                  frame->cfg.listen, "s:error", parley_strerror(err));
        return err;
    }
    frame->origin = make_origin(frame->cfg.listen, frame->cfg.tls_cert_pem != NULL,
                                http_server_port(frame->server));
    log_info("emu", "listening", "s:platform", frame->ops->name, "s:origin", frame->origin);
    return PARLEY_OK;
}

void emu_frame_free(struct emu_frame *frame)
{
    if (!frame)
        return;
    http_server_stop(frame->server);
    emu_notify_free(frame->notify);
    if (frame->plat)
        frame->ops->free(frame->plat);
    http_router_free(frame->router);
    for (size_t i = 0; i < frame->routes.len; i++)
        free(frame->routes.items[i]);
    emu_vec_free(&frame->routes);
    emu_faults_free(frame->faults);
    emu_reqlog_free(frame->reqlog);
    emu_ratelimit_free(frame->rate);
    free(frame->origin);
    free(frame);
}

const char *emu_frame_origin(const struct emu_frame *frame)
{
    return frame->origin;
}

json_t *emu_frame_endpoints(struct emu_frame *frame)
{
    return frame->ops->endpoints(frame->plat, frame->origin);
}

const char *emu_frame_name(const struct emu_frame *frame)
{
    return frame->ops->name;
}

int emu_frame_real_quotas(const struct emu_frame *frame)
{
    return frame->cfg.real_quotas;
}

struct emu_notify *emu_frame_notify(struct emu_frame *frame)
{
    return frame->notify;
}

struct emu_faults *emu_frame_faults(struct emu_frame *frame)
{
    return frame->faults;
}

struct emu_reqlog *emu_frame_reqlog(struct emu_frame *frame)
{
    return frame->reqlog;
}

void emu_frame_reset(struct emu_frame *frame)
{
    emu_faults_clear(frame->faults);
    emu_notify_reset(frame->notify);
    emu_reqlog_clear(frame->reqlog);
    if (frame->rate)
        emu_ratelimit_clear(frame->rate);
    frame->ops->reset(frame->plat);
}

json_t *emu_frame_subscriptions(struct emu_frame *frame)
{
    return frame->ops->subscriptions(frame->plat);
}

void *emu_frame_platform(struct emu_frame *frame)
{
    return frame->plat;
}
