/* control.c - handlers of the /_emu control API (see control.h). */
#include "frame/control.h"

#include <stdlib.h>

#include "frame/client.h"
#include "frame/faults.h"
#include "frame/frame.h"
#include "frame/notify.h"
#include "frame/reqlog.h"
#include "util/json.h"

static void on_info(struct http_req *req, void *ctx)
{
    struct emu_frame *f = ctx;
    http_reply_json(req, 200, json_pack("{s:s, s:s, s:o}", "platform", emu_frame_name(f),
                                        "origin", emu_frame_origin(f), "endpoints",
                                        emu_frame_endpoints(f)));
}

static void on_reset(struct http_req *req, void *ctx)
{
    emu_frame_reset(ctx);
    http_reply_json(req, 204, NULL);
}

static void on_faults_get(struct http_req *req, void *ctx)
{
    http_reply_json(req, 200, emu_faults_json(emu_frame_faults(ctx)));
}

static void on_faults_clear(struct http_req *req, void *ctx)
{
    emu_faults_clear(emu_frame_faults(ctx));
    http_reply_json(req, 204, NULL);
}

/* Body: one rule, or {"faults":[rule...]} (all or nothing). */
static void on_faults_add(struct http_req *req, void *ctx)
{
    struct emu_faults *faults = emu_frame_faults(ctx);
    json_t *body = http_req_json_or_400(req);
    const char *why = NULL;

    if (!body)
        return;
    json_t *list = json_object_get(body, "faults");
    if (!list) {
        list = json_array();
        json_array_append(list, body);
    } else {
        json_incref(list);
    }
    size_t i;
    json_t *rule;
    json_array_foreach(list, i, rule) {
        struct emu_faults *probe = emu_faults_new();   /* validate all before adding any */
        enum parley_err err = emu_faults_add(probe, rule, &why);
        emu_faults_free(probe);
        if (err) {
            http_reply_error(req, 400, "invalidRequest", why);
            goto out;
        }
    }
    json_array_foreach(list, i, rule)
        emu_faults_add(faults, rule, &why);
    http_reply_json(req, 201, emu_faults_json(faults));
out:
    json_decref(list);
    json_decref(body);
}

static void on_notification_faults(struct http_req *req, void *ctx)
{
    json_t *body = http_req_json_or_400(req);
    if (!body)
        return;
    long long drop = json_get_int(body, "drop", 0);
    long long duplicate = json_get_int(body, "duplicate", 0);
    if (drop < 0 || duplicate < 0 || drop > 1000000 || duplicate > 1000000) {
        http_reply_error(req, 400, "invalidRequest", "drop and duplicate: expected 0-1000000");
    } else {
        emu_notify_add_faults(emu_frame_notify(ctx), (int)drop, (int)duplicate);
        http_reply_json(req, 200, emu_notify_json(emu_frame_notify(ctx)));
    }
    json_decref(body);
}

static void on_notifications(struct http_req *req, void *ctx)
{
    http_reply_json(req, 200, emu_notify_json(emu_frame_notify(ctx)));
}

static void on_requests(struct http_req *req, void *ctx)
{
    const char *since = http_req_query(req, "since");
    http_reply_json(req, 200, emu_reqlog_json(emu_frame_reqlog(ctx), since ? atoll(since) : 0));
}

static void on_requests_clear(struct http_req *req, void *ctx)
{
    emu_reqlog_clear(emu_frame_reqlog(ctx));
    http_reply_json(req, 204, NULL);
}

static void on_subscriptions(struct http_req *req, void *ctx)
{
    http_reply_json(req, 200, emu_frame_subscriptions(ctx));
}

void emu_control_add_routes(struct emu_frame *frame)
{
    emu_frame_route_control(frame, "GET", "/_emu", on_info, frame);
    emu_frame_route_control(frame, "POST", "/_emu/reset", on_reset, frame);
    emu_frame_route_control(frame, "GET", "/_emu/faults", on_faults_get, frame);
    emu_frame_route_control(frame, "POST", "/_emu/faults", on_faults_add, frame);
    emu_frame_route_control(frame, "DELETE", "/_emu/faults", on_faults_clear, frame);
    emu_frame_route_control(frame, "GET", "/_emu/notifications", on_notifications, frame);
    emu_frame_route_control(frame, "POST", "/_emu/notifications/faults", on_notification_faults,
                            frame);
    emu_frame_route_control(frame, "GET", "/_emu/requests", on_requests, frame);
    emu_frame_route_control(frame, "DELETE", "/_emu/requests", on_requests_clear, frame);
    emu_frame_route_control(frame, "GET", "/_emu/subscriptions", on_subscriptions, frame);
    emu_client_add_routes(frame);
}
