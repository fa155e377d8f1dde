/* events.c - Google Workspace Events API v1 for Chat (google.md 5.2, 5.3):
 *
 *   POST   /v1/subscriptions[?validateOnly=true]   create -> Operation (done)
 *   GET    /v1/subscriptions?filter=...            list (filter required)
 *   GET    /v1/subscriptions/:id
 *   PATCH  /v1/subscriptions/:id?updateMask=ttl|expire_time|event_types
 *   DELETE /v1/subscriptions/:id[?allowMissing=true]
 *   POST   /v1/subscriptions/:id:reactivate
 *   GET    /v1/operations/:id
 *
 * A subscription is made by a delegated user (its authority) for one space
 * (//chat.googleapis.com/spaces/S) or all of that user's spaces
 * (.../spaces/-); one per (authority, target), else 409.  Subscriptions
 * are kept in the state's event_subs as {"resource": Subscription,
 * "expire_ms", "authority": user id, "reminded_12h", "reminded_1h"};
 * delivery and lifecycle events are in events_deliver.c. */
#include "google/internal.h"

#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define A GEMU_AIP193
#define SUBSCRIPTION_TYPE "type.googleapis.com/google.apps.events.subscriptions.v1.Subscription"
#define MAX_TTL_S (7LL * 24 * 3600)            /* without resource data */
#define MAX_TTL_RESOURCE_S (24LL * 3600)       /* with it, under domain-wide delegation */
#define LIST_MAX 100

static const char *const ANY_CHAT[] = {"chat.messages", "chat.messages.readonly",
                                       "chat.memberships", "chat.memberships.readonly",
                                       "chat.spaces", "chat.spaces.readonly", NULL};

/* The event types a subscription may name, and the scopes each needs. */
static const struct {
    const char *family;              /* "google.workspace.chat.message.v1." ... */
    const char *scope, *readonly;
} FAMILIES[] = {
    {"google.workspace.chat.message.v1.", "chat.messages", "chat.messages.readonly"},
    {"google.workspace.chat.membership.v1.", "chat.memberships", "chat.memberships.readonly"},
    {"google.workspace.chat.reaction.v1.", "chat.messages.reactions",
     "chat.messages.reactions.readonly"},
    {"google.workspace.chat.space.v1.", "chat.spaces", "chat.spaces.readonly"},
};
static const char *const ACTIONS[] = {"created", "updated", "deleted", NULL};

/* The family index of TYPE, or -1 when it is not a subscribable type. */
static int family_of(const char *type)
{
    for (size_t i = 0; i < sizeof FAMILIES / sizeof FAMILIES[0]; i++) {
        size_t n = strlen(FAMILIES[i].family);
        if (strncmp(type, FAMILIES[i].family, n) != 0)
            continue;
        for (size_t a = 0; ACTIONS[a]; a++)
            if (strcmp(type + n, ACTIONS[a]) == 0)
                return (int)i;
    }
    return -1;
}

/* Lock, check a delegated token with a Chat scope; the token or NULL. */
static const struct gemu_token *begin(struct http_req *req, struct emu_google *g)
{
    gemu_state_lock(g->st);
    const struct gemu_token *t = gemu_auth(req, g->st, A, ANY_CHAT);
    if (t && !t->subject) {
        gemu_reply_error(req, A, 403, NULL,
                         "Workspace Events subscriptions need user authentication.");
        t = NULL;
    }
    if (!t)
        gemu_state_unlock(g->st);
    return t;
}

/* Answer with a finished Operation wrapping RESPONSE (stolen; NULL: Empty). */
static void reply_operation(struct http_req *req, struct gemu_state *st, json_t *response)
{
    char uid[EMU_GUID_LEN];
    emu_ids_guid_random(uid);
    char *name = xasprintf("operations/%s", uid);
    if (response) {
        json_t *typed = json_pack("{s:s}", "@type", SUBSCRIPTION_TYPE);
        json_object_update(typed, response);
        json_decref(response);
        response = typed;
    } else {
        response = json_pack("{s:s}", "@type", "type.googleapis.com/google.protobuf.Empty");
    }
    json_t *op = json_pack("{s:s, s:b, s:o}", "name", name, "done", 1, "response", response);
    json_object_set(st->operations, name, op);
    emu_reply_json(req, 200, op);
    free(name);
}

/* Seconds of a Duration ("3600s", "0.5s"); -1 when malformed. */
static long long duration_s(const char *text)
{
    char *end = NULL;
    double v = text ? strtod(text, &end) : -1;
    return (text && end != text && strcmp(end, "s") == 0 && v >= 0) ? (long long)v : -1;
}

/* Set the expiry of ENTRY from BODY's ttl / expireTime; -1 after a 400. */
static int set_expiry(struct http_req *req, json_t *entry, const json_t *body)
{
    json_t *res = json_object_get(entry, "resource");
    int with_data = json_is_true(json_object_get(json_object_get(res, "payloadOptions"),
                                                 "includeResource"));
    long long max_s = with_data ? MAX_TTL_RESOURCE_S : MAX_TTL_S;
    long long now = clock_now_ms(), expire_ms;
    const char *ttl = json_get_str(body, "ttl");
    const char *expire = json_get_str(body, "expireTime");

    if (expire) {
        if (emu_ids_time_parse(expire, &expire_ms) != 0 || expire_ms <= now ||
            expire_ms > now + max_s * 1000) {
            gemu_reply_bad_field(req, "expire_time", "Invalid expire time.");
            return -1;
        }
    } else {
        long long s = ttl ? duration_s(ttl) : 0;
        if (s < 0 || s > max_s) {
            gemu_reply_bad_field(req, "ttl", "Invalid TTL: above the maximum for this subscription.");
            return -1;
        }
        expire_ms = now + (s ? s : max_s) * 1000;
    }
    char when[32];
    emu_ids_time_iso(expire_ms, when);
    json_object_set_new(entry, "expire_ms", json_integer(expire_ms));
    json_object_set_new(res, "expireTime", json_string(when));
    json_object_del(res, "ttl");
    return 0;
}

/* Check eventTypes against the token's scopes; -1 after a 400/403. */
static int check_types(struct http_req *req, const struct gemu_token *t, const json_t *types)
{
    size_t i;
    json_t *v;
    if (!json_is_array(types) || !json_array_size(types)) {
        gemu_reply_bad_field(req, "event_types", "At least one event type is required.");
        return -1;
    }
    json_array_foreach(types, i, v) {
        int f = json_is_string(v) ? family_of(json_string_value(v)) : -1;
        if (f < 0) {
            gemu_reply_bad_field(req, "event_types", "Invalid event type.");
            return -1;
        }
        char *full = xasprintf(GEMU_SCOPE_PREFIX "%s", FAMILIES[f].scope);
        char *ro = xasprintf(GEMU_SCOPE_PREFIX "%s", FAMILIES[f].readonly);
        int ok = gemu_scopes_have(t->scopes, full) || gemu_scopes_have(t->scopes, ro);
        free(ro);
        free(full);
        if (!ok) {
            gemu_reply_error(req, A, 403, "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                             "Request had insufficient authentication scopes.");
            return -1;
        }
    }
    return 0;
}

static void touch(json_t *res)
{
    char when[32], etag[24];
    emu_ids_time_iso(clock_now_ms(), when);
    emu_ids_hex_random(etag, 8);
    json_object_set_new(res, "updateTime", json_string(when));
    json_object_set_new(res, "etag", json_string(etag));
}

static void on_create(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *validate = http_req_query(req, "validateOnly");
    json_t *body = http_req_json_or_400(req), *entry = NULL;
    if (!body)
        return;
    const struct gemu_token *t = begin(req, g);
    if (!t) {
        json_decref(body);
        return;
    }
    struct gemu_state *st = g->st;
    const char *target = json_get_str(body, "targetResource");
    const char *topic = json_get_str(json_object_get(body, "notificationEndpoint"), "pubsubTopic");
    const char *space_id = target && strncmp(target, GEMU_CHAT_TARGET, strlen(GEMU_CHAT_TARGET)) == 0
                               ? target + strlen(GEMU_CHAT_TARGET) : NULL;
    struct gemu_space *space = space_id && strcmp(space_id, "-") ? gemu_space_find(st, space_id)
                                                                 : NULL;

    if (!space_id || (strcmp(space_id, "-") != 0 && (!space || !gemu_space_member(space, t->subject)))) {
        gemu_reply_bad_field(req, "target_resource", "Invalid target resource.");
        goto out;
    }
    if (check_types(req, t, json_object_get(body, "eventTypes")))
        goto out;
    if (!topic || !json_object_get(st->topics, topic)) {
        gemu_reply_bad_field(req, "notification_endpoint.pubsub_topic",
                             "The Pub/Sub topic does not exist.");
        goto out;
    }
    const char *name;
    json_t *other;
    json_object_foreach(st->event_subs, name, other) {
        json_t *res = json_object_get(other, "resource");
        if (strcmp(json_get_str(other, "authority"), t->subject->id) == 0 &&
            strcmp(json_get_str(res, "targetResource"), target) == 0) {
            gemu_reply_error(req, A, 409, NULL,
                             "A subscription for this target and user already exists.");
            goto out;
        }
    }

    char uid[EMU_GUID_LEN], hex[25], created[32];
    emu_ids_guid_random(uid);
    emu_ids_hex_random(hex, 12);
    emu_ids_time_iso(clock_now_ms(), created);
    char *sub_name = xasprintf("subscriptions/chat-spaces-%s", hex);
    char *authority = xasprintf("users/%s", t->subject->id);
    const json_t *options = json_object_get(body, "payloadOptions");
    json_t *res = json_pack(
        "{s:s, s:s, s:s, s:O, s:o, s:{s:s}, s:s, s:b, s:s, s:s}", "name", sub_name, "uid", uid,
        "targetResource", target, "eventTypes", json_object_get(body, "eventTypes"),
        "payloadOptions", options ? json_deep_copy(options) : json_object(),
        "notificationEndpoint", "pubsubTopic", topic, "state", "ACTIVE", "reconciling", 0,
        "authority", authority, "createTime", created);
    free(authority);
    entry = json_pack("{s:o, s:s, s:b, s:b}", "resource", res, "authority", t->subject->id,
                      "reminded_12h", 0, "reminded_1h", 0);
    touch(res);
    if (set_expiry(req, entry, body) == 0) {
        if (!validate || strcmp(validate, "true") != 0)
            json_object_set(st->event_subs, sub_name, entry);
        reply_operation(req, st, json_deep_copy(res));
    }
    free(sub_name);
out:
    gemu_state_unlock(g->st);
    json_decref(entry);
    json_decref(body);
}

/* The subscription of the :id parameter ("name" or "name:verb"), or NULL
 * after a 404 unless ALLOW_MISSING.  *verb gets the custom method or NULL. */
static json_t *sub_param(struct http_req *req, struct gemu_state *st, const char **verb,
                         int allow_missing)
{
    const char *id = http_req_param(req, "id");
    const char *colon = strchr(id, ':');
    char *name = xasprintf("subscriptions/%.*s", colon ? (int)(colon - id) : (int)strlen(id), id);
    json_t *entry = json_object_get(st->event_subs, name);
    *verb = colon ? colon + 1 : NULL;
    free(name);
    if (!entry && !allow_missing)
        gemu_reply_error(req, A, 404, NULL, "Subscription not found.");
    return entry;
}

static void on_get(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *verb;
    if (!begin(req, g))
        return;
    json_t *entry = sub_param(req, g->st, &verb, 0);
    if (entry && verb)
        gemu_reply_error(req, A, 404, NULL, "Method not found.");
    else if (entry)
        emu_reply_json(req, 200, json_deep_copy(json_object_get(entry, "resource")));
    gemu_state_unlock(g->st);
}

/* The quoted value after KEY in FILTER (`event_types:"..."`), or NULL;
 * the caller frees it.  *from advances past it for repeated keys. */
static char *filter_value(const char **from, const char *key)
{
    const char *p = strstr(*from, key);
    if (!p)
        return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == ':' || *p == '=')
        p++;
    if (*p != '"')
        return NULL;
    const char *end = strchr(p + 1, '"');
    if (!end)
        return NULL;
    *from = end + 1;
    return xstrndup(p + 1, (size_t)(end - p - 1));
}

/* Whether RES matches FILTER: any of its event_types, and its target_resource. */
static int filter_match(const char *filter, const json_t *res)
{
    const char *p = filter;
    char *target = filter_value(&p, "target_resource");
    int ok = !target || strcmp(target, json_get_str(res, "targetResource")) == 0;
    int any_type = 0, type_hit = 0;
    free(target);
    p = filter;
    for (char *type; ok && (type = filter_value(&p, "event_types"));) {
        size_t i;
        json_t *v;
        any_type = 1;
        json_array_foreach(json_object_get(res, "eventTypes"), i, v)
            type_hit |= strcmp(json_string_value(v), type) == 0;
        free(type);
    }
    return ok && (!any_type || type_hit);
}

static void on_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    const char *filter = http_req_query(req, "filter");
    json_t *hits = json_array();
    const struct gemu_token *t = begin(req, g);
    if (!t)
        goto done;
    if (!filter || !*filter) {
        gemu_reply_bad_field(req, "filter", "Filter is required.");
        goto out;
    }
    if (gemu_page_parse(req, A, "pageSize", 50, LIST_MAX, 1, &page))
        goto out;
    const char *name;
    json_t *entry;
    json_object_foreach(g->st->event_subs, name, entry) {
        json_t *res = json_object_get(entry, "resource");
        if (strcmp(json_get_str(entry, "authority"), t->subject->id) == 0 &&
            filter_match(filter, res))
            json_array_append(hits, res);
    }
    json_t *resp = json_object();
    if (page.offset < json_array_size(hits)) {
        json_t *list = json_array();
        for (size_t i = page.offset; i < json_array_size(hits) && i < page.offset + page.limit; i++)
            json_array_append_new(list, json_deep_copy(json_array_get(hits, i)));
        json_object_set_new(resp, "subscriptions", list);
    }
    gemu_page_next(resp, &page, json_array_size(hits));
    emu_reply_json(req, 200, resp);
out:
    gemu_state_unlock(g->st);
done:
    json_decref(hits);
}

static void on_patch(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *mask = http_req_query(req, "updateMask");
    const char *verb;
    json_t *body = http_req_json_or_400(req);
    if (!body)
        return;
    const struct gemu_token *t = begin(req, g);
    if (!t) {
        json_decref(body);
        return;
    }
    json_t *entry = sub_param(req, g->st, &verb, 0);
    json_t *res = entry ? json_object_get(entry, "resource") : NULL;
    if (!res)
        goto out;
    if (!mask || (strcmp(mask, "ttl") && strcmp(mask, "expire_time") && strcmp(mask, "expireTime") &&
                  strcmp(mask, "event_types") && strcmp(mask, "eventTypes"))) {
        gemu_reply_bad_field(req, "update_mask", "Invalid update mask.");
        goto out;
    }
    if (strstr(mask, "ttl") || strstr(mask, "xpire")) {
        if (set_expiry(req, entry, body))
            goto out;
        json_object_set_new(entry, "reminded_12h", json_false());
        json_object_set_new(entry, "reminded_1h", json_false());
    } else {
        if (check_types(req, t, json_object_get(body, "eventTypes")))
            goto out;
        json_object_set(res, "eventTypes", json_object_get(body, "eventTypes"));
    }
    touch(res);
    reply_operation(req, g->st, json_deep_copy(res));
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_delete(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *missing = http_req_query(req, "allowMissing");
    const char *verb;
    if (!begin(req, g))
        return;
    json_t *entry = sub_param(req, g->st, &verb, missing && strcmp(missing, "true") == 0);
    if (entry)
        json_object_del(g->st->event_subs,
                        json_get_str(json_object_get(entry, "resource"), "name"));
    if (!http_req_replied(req))
        reply_operation(req, g->st, NULL);
    gemu_state_unlock(g->st);
}

static void on_reactivate(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *verb;
    if (!begin(req, g))
        return;
    json_t *entry = sub_param(req, g->st, &verb, 0);
    json_t *res = entry ? json_object_get(entry, "resource") : NULL;
    if (res && (!verb || strcmp(verb, "reactivate") != 0)) {
        gemu_reply_error(req, A, 404, NULL, "Method not found.");
    } else if (res) {
        json_object_set_new(res, "state", json_string("ACTIVE"));
        json_object_del(res, "suspensionReason");
        touch(res);
        reply_operation(req, g->st, json_deep_copy(res));
    }
    gemu_state_unlock(g->st);
}

static void on_operation(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    if (!begin(req, g))
        return;
    char *name = xasprintf("operations/%s", http_req_param(req, "id"));
    json_t *op = json_object_get(g->st->operations, name);
    if (op)
        emu_reply_json(req, 200, json_deep_copy(op));
    else
        gemu_reply_error(req, A, 404, NULL, "Operation not found.");
    free(name);
    gemu_state_unlock(g->st);
}

void gemu_events_routes(struct emu_google *g)
{
    struct emu_frame *f = g->frame;
    emu_frame_route(f, "POST", "/v1/subscriptions", on_create, g);
    emu_frame_route(f, "GET", "/v1/subscriptions", on_list, g);
    emu_frame_route(f, "GET", "/v1/subscriptions/:id", on_get, g);
    emu_frame_route(f, "PATCH", "/v1/subscriptions/:id", on_patch, g);
    emu_frame_route(f, "DELETE", "/v1/subscriptions/:id", on_delete, g);
    emu_frame_route(f, "POST", "/v1/subscriptions/:id", on_reactivate, g);
    emu_frame_route(f, "GET", "/v1/operations/:id", on_operation, g);
}
