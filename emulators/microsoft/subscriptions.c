/* subscriptions.c - Graph change-notification subscriptions: create (after
 * the validationToken handshake with each URL), list, get, renew by PATCH,
 * reauthorize, delete; expiry enforced and lifecycle events sent by
 * ms_subscriptions_tick (called every second by the platform). */
#include "microsoft/subscriptions.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/ids.h"
#include "frame/notify.h"
#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "microsoft/notify.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define MINUTE_MS (60LL * 1000)
#define CHAT_MAX_MS (4320 * MINUTE_MS)            /* Teams resources: 3 days */
#define DIRECTORY_MAX_MS (41760 * MINUTE_MS)      /* users, groups: < 29 days */
#define NO_LIFECYCLE_MAX_MS (60 * MINUTE_MS)      /* Teams without lifecycleNotificationUrl */
#define REAUTH_BEFORE_MS (5 * MINUTE_MS)

/* The resources the emulator can notify about (with '*' for one segment). */
static const char *const patterns[] = {
    "chats/getAllMessages", "chats/*/messages", "users/*/chats/getAllMessages", "chats",
    "chats/getAllMembers", "chats/*/members", "users", "users/*", "groups", "groups/*", NULL};

static int segment_match(const char *pattern, const char *resource)
{
    while (*pattern && *resource) {
        if (*pattern == '*') {
            const char *slash = strchr(resource, '/');
            if (slash == resource)
                return 0;
            resource = slash ? slash : resource + strlen(resource);
            pattern++;
            continue;
        }
        if (*pattern != *resource)
            return 0;
        pattern++;
        resource++;
    }
    return !*pattern && !*resource;
}

static int resource_supported(const char *resource)
{
    const char *bare = resource[0] == '/' ? resource + 1 : resource;
    for (size_t i = 0; patterns[i]; i++)
        if (segment_match(patterns[i], bare))
            return 1;
    return 0;
}

static int is_chat_resource(const char *resource)
{
    const char *bare = resource[0] == '/' ? resource + 1 : resource;
    return strncmp(bare, "chats", 5) == 0 || strstr(bare, "/chats/") != NULL;
}

static int valid_change_types(const char *types)
{
    for (const char *p = types; *p;) {
        size_t len = strcspn(p, ",");
        if (!((len == 7 && strncmp(p, "created", 7) == 0) ||
              (len == 7 && strncmp(p, "updated", 7) == 0) ||
              (len == 7 && strncmp(p, "deleted", 7) == 0)))
            return 0;
        p += len;
        if (*p == ',')
            p++;
    }
    return *types != '\0';
}

static json_t *repr(const struct ms_subscription *s)
{
    char expires[32];
    emu_ids_time_iso(s->expires_ms, expires);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:b, s:s, s:s}", "id", s->id,
                     "resource", s->resource, "changeType", s->change_type, "notificationUrl",
                     s->notification_url, "expirationDateTime", expires,
                     "lifecycleNotificationUrl", s->lifecycle_url, "applicationId", s->app_id,
                     "creatorId", s->creator_id, "clientState", s->client_state,
                     "includeResourceData", 0, "latestSupportedTlsVersion", "v1_2",
                     "notificationUrlAppId", "");
}

/* Check a new expiry for RESOURCE; answers 400 and returns -1 when out of range. */
static int check_expiry(struct http_req *req, const char *text, const char *resource,
                        int has_lifecycle, long long *expires_ms)
{
    long long now = clock_now_ms();
    long long max = is_chat_resource(resource)
                        ? (has_lifecycle ? CHAT_MAX_MS : NO_LIFECYCLE_MAX_MS)
                        : DIRECTORY_MAX_MS;
    if (!text || emu_ids_time_parse(text, expires_ms) != 0) {
        emu_reply_error(req, 400, "InvalidRequest",
                        "expirationDateTime is required and must be an ISO 8601 UTC time.");
        return -1;
    }
    if (*expires_ms <= now) {
        emu_reply_error(req, 400, "InvalidRequest",
                        "Subscription expiration can only be in the future.");
        return -1;
    }
    if (*expires_ms > now + max) {
        char *msg = is_chat_resource(resource) && !has_lifecycle
            ? xstrdup("lifecycleNotificationUrl is a required property for subscription creation "
                      "on this resource when the expirationDateTime value is set to greater "
                      "than 1 hour.")
            : xasprintf("Subscription expiration can only be 0-%lld minutes in the future.",
                        max / MINUTE_MS);
        emu_reply_error(req, 400, "InvalidRequest", msg);
        free(msg);
        return -1;
    }
    return 0;
}

static void on_create(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    long long expires = 0;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)))
        goto out;
    const char *resource = json_get_str(body, "resource");
    const char *types = json_get_str(body, "changeType");
    const char *url = json_get_str(body, "notificationUrl");
    const char *lifecycle = json_get_str(body, "lifecycleNotificationUrl");
    const char *state = json_get_str(body, "clientState");
    if (!resource || !types || !url) {
        emu_reply_error(req, 400, "InvalidRequest",
                        "resource, changeType and notificationUrl are required.");
        goto out;
    }
    if (!resource_supported(resource)) {
        emu_reply_error(req, 400, "InvalidRequest", "Resource is not supported for change notifications.");
        goto out;
    }
    if (!valid_change_types(types)) {
        emu_reply_error(req, 400, "InvalidRequest",
                        "changeType must be a comma-separated list of created, updated, deleted.");
        goto out;
    }
    if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
        (lifecycle && strncmp(lifecycle, "https://", 8) != 0 &&
         strncmp(lifecycle, "http://", 7) != 0)) {
        emu_reply_error(req, 400, "InvalidRequest", "The notification URL must be absolute.");
        goto out;
    }
    if (state && strlen(state) > 128) {
        emu_reply_error(req, 400, "InvalidRequest", "clientState must be at most 128 characters.");
        goto out;
    }
    if (check_expiry(req, json_get_str(body, "expirationDateTime"), resource, lifecycle != NULL,
                     &expires))
        goto out;

    /* The handshake, on the delivery thread, with no lock held. */
    char token[160];
    char nonce[33];
    emu_ids_hex_random(nonce, 16);
    snprintf(token, sizeof token, "Validation: Testing client application reachability for "
             "subscription Request-Id: %s", nonce);
    struct emu_notify *out_http = emu_frame_notify(ms->frame);
    if (emu_notify_validate(out_http, url, token) != PARLEY_OK ||
        (lifecycle && emu_notify_validate(out_http, lifecycle, token) != PARLEY_OK)) {
        emu_reply_error(req, 400, "ValidationError",
                        "Subscription validation request failed. Notification endpoint must "
                        "respond with 200 OK to validation request.");
        goto out;
    }
    struct ms_subscription *sub = xcalloc(1, sizeof *sub);
    emu_ids_guid_random(sub->id);
    sub->app_id = xstrdup(caller.client_id);
    sub->creator_id = xstrdup(caller.oid);
    sub->resource = xstrdup(resource);
    sub->change_type = xstrdup(types);
    sub->notification_url = xstrdup(url);
    sub->lifecycle_url = xstrdup(lifecycle);
    sub->client_state = xstrdup(state);
    sub->expires_ms = expires;
    ms_state_lock(ms->st);
    emu_vec_push(&ms->st->subscriptions, sub);
    json_t *entity = repr(sub);
    ms_state_unlock(ms->st);
    ms_reply_entity(ms, req, 201, "subscriptions", entity);
out:
    json_decref(body);
}

/* The caller's subscription named by the path, or NULL after a 404.  Lock held. */
static struct ms_subscription *find_own(struct ms *ms, struct http_req *req,
                                        const struct ms_caller *caller)
{
    const char *id = http_req_param(req, "id");
    struct ms_subscription *sub = ms_subscription_find(ms->st, id);
    if (sub && strcasecmp(sub->app_id, caller->client_id) == 0)
        return sub;
    char *msg = xasprintf("The object was not found: subscription '%s'.", id);
    emu_reply_error(req, 404, "ResourceNotFound", msg);
    free(msg);
    return NULL;
}

static void on_list(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    json_t *values = json_array();
    ms_state_lock(ms->st);
    for (size_t i = 0; i < ms->st->subscriptions.len; i++) {
        struct ms_subscription *s = ms->st->subscriptions.items[i];
        if (strcasecmp(s->app_id, caller.client_id) == 0)
            json_array_append_new(values, repr(s));
    }
    ms_state_unlock(ms->st);
    ms_reply_collection(ms, req, "subscriptions", values, -1, NULL);
}

static void on_patch(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    long long expires;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)))
        goto out;
    ms_state_lock(ms->st);
    struct ms_subscription *sub = find_own(ms, req, &caller);
    json_t *entity = NULL;
    if (sub && json_object_get(body, "lifecycleNotificationUrl")) {
        emu_reply_error(req, 400, "InvalidRequest",
                        "lifecycleNotificationUrl cannot be added or changed by PATCH; delete "
                        "and re-create the subscription.");
    } else if (sub && check_expiry(req, json_get_str(body, "expirationDateTime"), sub->resource,
                                   sub->lifecycle_url != NULL, &expires) == 0) {
        sub->expires_ms = expires;
        sub->lifecycle_sent = 0;
        if (json_get_str(body, "notificationUrl")) {
            free(sub->notification_url);
            sub->notification_url = xstrdup(json_get_str(body, "notificationUrl"));
        }
        entity = repr(sub);
    }
    ms_state_unlock(ms->st);
    if (entity)
        ms_reply_entity(ms, req, 200, "subscriptions", entity);
out:
    json_decref(body);
}

/* GET, reauthorize and DELETE of one of the caller's own subscriptions
 * (404 for anyone else's). */
enum own_op { OWN_GET, OWN_REAUTHORIZE, OWN_DELETE };

static void own_subscription(struct ms *ms, struct http_req *req, enum own_op op)
{
    struct ms_caller caller;
    json_t *entity = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_subscription *sub = find_own(ms, req, &caller);
    if (sub && op == OWN_GET)
        entity = repr(sub);
    else if (sub && op == OWN_REAUTHORIZE)
        sub->lifecycle_sent = 0;
    else if (sub)
        ms_subscription_remove(ms->st, sub);
    ms_state_unlock(ms->st);
    if (entity)
        ms_reply_entity(ms, req, 200, "subscriptions", entity);
    else if (sub)
        emu_reply_empty(req, 204);
}

static void on_get(struct http_req *req, void *ctx)
{
    own_subscription(ctx, req, OWN_GET);
}

static void on_reauthorize(struct http_req *req, void *ctx)
{
    own_subscription(ctx, req, OWN_REAUTHORIZE);
}

static void on_delete(struct http_req *req, void *ctx)
{
    own_subscription(ctx, req, OWN_DELETE);
}

void ms_subscriptions_tick(struct ms *ms)
{
    long long now = clock_now_ms();

    ms_state_lock(ms->st);
    for (size_t i = ms->st->subscriptions.len; i-- > 0;) {
        struct ms_subscription *sub = ms->st->subscriptions.items[i];
        if (sub->expires_ms <= now) {
            /* Graph deletes expired subscriptions silently (Teams ones say so). */
            if (is_chat_resource(sub->resource))
                ms_notify_lifecycle(ms, sub, "subscriptionRemoved");
            ms_subscription_remove(ms->st, sub);
        } else if (!sub->lifecycle_sent && sub->expires_ms - now <= REAUTH_BEFORE_MS) {
            ms_notify_lifecycle(ms, sub, "reauthorizationRequired");
            sub->lifecycle_sent = 1;
        }
    }
    ms_state_unlock(ms->st);
}

json_t *ms_subscriptions_view(struct ms *ms)
{
    json_t *list = json_array();
    ms_state_lock(ms->st);
    for (size_t i = 0; i < ms->st->subscriptions.len; i++)
        json_array_append_new(list, repr(ms->st->subscriptions.items[i]));
    ms_state_unlock(ms->st);
    return json_pack("{s:o}", "subscriptions", list);
}

void ms_subscriptions_routes(struct ms *ms)
{
    struct emu_frame *f = ms->frame;
    emu_frame_route(f, "POST", "/v1.0/subscriptions", on_create, ms);
    emu_frame_route(f, "GET", "/v1.0/subscriptions", on_list, ms);
    emu_frame_route(f, "GET", "/v1.0/subscriptions/:id", on_get, ms);
    emu_frame_route(f, "PATCH", "/v1.0/subscriptions/:id", on_patch, ms);
    emu_frame_route(f, "DELETE", "/v1.0/subscriptions/:id", on_delete, ms);
    emu_frame_route(f, "POST", "/v1.0/subscriptions/:id/reauthorize", on_reauthorize, ms);
}
