/* watch.c - Admin SDK Directory push channels (google.md 3.3):
 *
 *   POST /admin/directory/v1/users/watch?customer=my_customer&event=E
 *        {"id", "type": "web_hook", "address", "token", "params": {"ttl"}}
 *   POST /admin/directory_v1/channels/stop   {"id", "resourceId"} -> 204
 *
 * Creating a channel sends the "sync" message (empty body); then every user
 * insert / patch / delete sends "add" / "update" / "delete" with a small user
 * body to the channels watching that event, with the X-Goog-Channel-* and
 * X-Goog-Resource-* headers and an increasing X-Goog-Message-Number.
 * Deliveries go through the frame's delivery thread (retries, control
 * faults). */
#include "google/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "frame/notify.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define D GEMU_DIRECTORY
#define MAX_CHANNEL_ID 64
#define MAX_TOKEN 256
#define DEFAULT_TTL_S 21600
#define MAX_TTL_S 86400

static const char *const WATCH_SCOPES[] = {"admin.directory.user", "admin.directory.user.readonly",
                                           NULL};
static const char *const EVENTS[] = {"add", "delete", "makeAdmin", "undelete", "update", NULL};

static int known_event(const char *event)
{
    for (size_t i = 0; EVENTS[i]; i++)
        if (strcmp(EVENTS[i], event) == 0)
            return 1;
    return 0;
}

/* Send one message on channel ENTRY with resource state STATE and BODY
 * (stolen; NULL for sync). */
static void send_message(struct emu_google *g, json_t *entry, const char *state, json_t *body)
{
    const json_t *channel = json_object_get(entry, "channel");
    long long number = json_integer_value(json_object_get(entry, "number")) + 1;
    long long expiration = json_integer_value(json_object_get(entry, "expiration_ms"));
    time_t secs = (time_t)(expiration / 1000);
    struct tm tm;
    char date[64];

    json_object_set_new(entry, "number", json_integer(number));
    gmtime_r(&secs, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    char *h_id = xasprintf("X-Goog-Channel-ID: %s", json_get_str(channel, "id"));
    char *h_token = xasprintf("X-Goog-Channel-Token: %s", json_get_str(channel, "token"));
    char *h_exp = xasprintf("X-Goog-Channel-Expiration: %s", date);
    char *h_rid = xasprintf("X-Goog-Resource-ID: %s", json_get_str(channel, "resourceId"));
    char *h_uri = xasprintf("X-Goog-Resource-URI: %s", json_get_str(channel, "resourceUri"));
    char *h_state = xasprintf("X-Goog-Resource-State: %s", state);
    char *h_num = xasprintf("X-Goog-Message-Number: %lld", number);
    const char *headers[] = {h_id, h_token, h_exp, h_rid, h_uri, h_state, h_num, NULL};
    emu_notify_post_with_headers(emu_frame_notify(g->frame), json_get_str(entry, "address"), body,
                                 headers, "directory");
    free(h_num);
    free(h_state);
    free(h_uri);
    free(h_rid);
    free(h_exp);
    free(h_token);
    free(h_id);
}

void gemu_watch_notify(struct emu_google *g, const char *event, const struct gemu_user *u)
{
    const char *id;
    json_t *entry;
    long long now = clock_now_ms();
    json_object_foreach(g->st->channels, id, entry) {
        if (strcmp(json_get_str(entry, "event"), event) != 0 ||
            json_integer_value(json_object_get(entry, "expiration_ms")) <= now)
            continue;
        char etag[64];
        snprintf(etag, sizeof etag, "\"emu-%s-%lld\"", u->id, u->version);
        send_message(g, entry, event,
                     json_pack("{s:s, s:s, s:s, s:s}", "kind", "admin#directory#user", "id", u->id,
                               "etag", etag, "primaryEmail", u->email));
    }
}

static void on_watch(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *event = http_req_query(req, "event");
    json_t *body = http_req_json_or_400(req);
    if (!body)
        return;
    gemu_state_lock(g->st);
    const struct gemu_token *t = gemu_auth(req, g->st, D, WATCH_SCOPES);
    const char *id = json_get_str(body, "id");
    const char *address = json_get_str(body, "address");
    const char *type = json_get_str(body, "type");
    const char *token = json_get_str(body, "token");
    const char *ttl = json_get_str(json_object_get(body, "params"), "ttl");
    long long ttl_s = ttl ? strtoll(ttl, NULL, 10) : DEFAULT_TTL_S;

    if (!t)
        goto out;
    if (!t->subject || !t->subject->is_admin) {
        gemu_reply_error(req, D, 403, "forbidden", "Not Authorized to access this resource/api");
        goto out;
    }
    if (!event || !known_event(event)) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid value for: event");
        goto out;
    }
    if (!id || !*id || strlen(id) > MAX_CHANNEL_ID || !address ||
        strncmp(address, "http", 4) != 0 || !type || strcmp(type, "web_hook") != 0 ||
        (token && strlen(token) > MAX_TOKEN) || ttl_s <= 0) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid channel.");
        goto out;
    }
    if (json_object_get(g->st->channels, id)) {
        gemu_reply_error(req, D, 400, "channelIdNotUnique", "Channel id not unique.");
        goto out;
    }
    char resource_id[27], expiration[24];
    emu_ids_hex_random(resource_id, 13);
    long long expiration_ms = clock_now_ms() + (ttl_s > MAX_TTL_S ? MAX_TTL_S : ttl_s) * 1000;
    snprintf(expiration, sizeof expiration, "%lld", expiration_ms);
    char *uri = xasprintf("%s/admin/directory/v1/users?customer=my_customer&event=%s&alt=json",
                          gemu_origin(g), event);
    json_t *channel = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "api#channel", "id", id,
                                "resourceId", resource_id, "resourceUri", uri, "token",
                                token ? token : "", "expiration", expiration);
    json_t *entry = json_pack("{s:O, s:s, s:s, s:I, s:I}", "channel", channel, "address", address,
                              "event", event, "number", (json_int_t)0, "expiration_ms",
                              (json_int_t)expiration_ms);
    json_object_set_new(g->st->channels, id, entry);
    send_message(g, entry, "sync", NULL);
    emu_reply_json(req, 200, channel);
    free(uri);
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_stop(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body = http_req_json_or_400(req);
    if (!body)
        return;
    gemu_state_lock(g->st);
    const char *id = json_get_str(body, "id");
    const char *resource_id = json_get_str(body, "resourceId");
    json_t *entry = id ? json_object_get(g->st->channels, id) : NULL;
    const char *own = json_get_str(json_object_get(entry, "channel"), "resourceId");
    if (!gemu_auth(req, g->st, D, WATCH_SCOPES)) {
        /* answered */
    } else if (!entry || !resource_id || strcmp(own, resource_id) != 0) {
        gemu_reply_error(req, D, 404, "notFound", "Channel not found.");
    } else {
        json_object_del(g->st->channels, id);
        emu_reply_empty(req, 204);
    }
    gemu_state_unlock(g->st);
    json_decref(body);
}

void gemu_watch_routes(struct emu_google *g)
{
    emu_frame_route(g->frame, "POST", "/admin/directory/v1/users/watch", on_watch, g);
    emu_frame_route(g->frame, "POST", "/admin/directory_v1/channels/stop", on_stop, g);
}
