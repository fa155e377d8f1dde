/* events_deliver.c - Workspace Events delivery (see events.c for the API):
 * each Chat change reported by gemu_events_emit becomes, for every matching
 * subscription, a CloudEvent in binary content mode (ce-* attributes, data =
 * the event payload JSON) published to the subscription's Pub/Sub topic.
 * gemu_events_tick, run by the platform's lifecycle thread, sends the
 * expirationReminder events (12 h and 1 h before expiry) and, at expiry, the
 * expired event before deleting the subscription. */
#include "google/internal.h"

#include <stdlib.h>
#include <string.h>

#include "frame/ids.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define LIFECYCLE_PREFIX "google.workspace.events.subscription.v1."
#define HOUR_MS (3600LL * 1000)

/* Whether subscription ENTRY wants event TYPE about space S now. */
static int wants(struct gemu_state *st, const json_t *entry, const struct gemu_space *s,
                 const char *type)
{
    const json_t *res = json_object_get(entry, "resource");
    const char *target = json_get_str(res, "targetResource");
    struct gemu_user *authority = gemu_user_find(st, json_get_str(entry, "authority"));
    size_t i;
    json_t *v;
    int listed = 0;

    if (strcmp(json_get_str(res, "state"), "ACTIVE") != 0 ||
        json_integer_value(json_object_get(entry, "expire_ms")) <= clock_now_ms() || !authority ||
        !gemu_space_member(s, authority))
        return 0;
    json_array_foreach(json_object_get(res, "eventTypes"), i, v)
        listed |= strcmp(json_string_value(v), type) == 0;
    if (!listed)
        return 0;
    const char *space = target + strlen(GEMU_CHAT_TARGET);
    return strcmp(space, "-") == 0 || strcmp(space, s->id) == 0;
}

/* Publish one CloudEvent (binary content mode) of subscription RES to its
 * topic: DATA (borrowed) becomes the message data, the rest ce-* attributes. */
static void publish(struct emu_google *g, const json_t *res, const char *type, const char *ce_id,
                    const char *subject, const json_t *data)
{
    char when[32], id[GEMU_MESSAGE_ID_LEN];
    char *text = json_to_string(data);
    char *source = xasprintf("//workspaceevents.googleapis.com/%s", json_get_str(res, "name"));
    emu_ids_time_iso(clock_now_ms(), when);
    json_t *attributes = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ce-datacontenttype",
                                   "application/json", "ce-id", ce_id, "ce-source", source,
                                   "ce-specversion", "1.0", "ce-subject", subject, "ce-time",
                                   when, "ce-type", type);
    gemu_pubsub_publish(g, json_get_str(json_object_get(res, "notificationEndpoint"), "pubsubTopic"),
                        text, strlen(text), attributes, source, id);
    json_decref(attributes);
    free(source);
    free(text);
}

void gemu_events_emit(struct emu_google *g, const struct gemu_space *s, const char *type,
                      const char *kind, json_t *resource)
{
    struct gemu_state *st = g->st;
    char hex[25];
    const char *name;
    json_t *entry;

    emu_ids_hex_random(hex, 12);
    char *ce_id = xasprintf("spaces/%s/spaceEvents/%s", s->id, hex);
    char *subject = xasprintf(GEMU_CHAT_TARGET "%s", s->id);
    json_t *name_only = json_pack("{s:O}", "name", json_object_get(resource, "name"));

    json_object_foreach(st->event_subs, name, entry) {
        if (!wants(st, entry, s, type))
            continue;
        const json_t *res = json_object_get(entry, "resource");
        int full = json_is_true(json_object_get(json_object_get(res, "payloadOptions"),
                                                "includeResource"));
        json_t *data = json_pack("{s:O}", kind, full ? resource : name_only);
        publish(g, res, type, ce_id, subject, data);
        json_decref(data);
    }
    json_decref(name_only);
    json_decref(resource);
    free(subject);
    free(ce_id);
}

/* A lifecycle event ("expirationReminder", "expired") about subscription RES. */
static void lifecycle_event(struct emu_google *g, const json_t *res, const char *what)
{
    char hex[25];
    emu_ids_hex_random(hex, 12);
    char *type = xasprintf(LIFECYCLE_PREFIX "%s", what);
    char *subject = xasprintf("//workspaceevents.googleapis.com/%s", json_get_str(res, "name"));
    char *ce_id = xasprintf("%s/lifecycle/%s", json_get_str(res, "name"), hex);
    json_t *data = json_pack("{s:O}", "subscription", res);
    publish(g, res, type, ce_id, subject, data);
    json_decref(data);
    free(ce_id);
    free(subject);
    free(type);
}

void gemu_events_tick(struct emu_google *g)
{
    struct gemu_state *st = g->st;
    json_t *expired = json_array();
    long long now = clock_now_ms();
    const char *name;
    json_t *entry;

    gemu_state_lock(st);
    json_object_foreach(st->event_subs, name, entry) {
        json_t *res = json_object_get(entry, "resource");
        long long left = json_integer_value(json_object_get(entry, "expire_ms")) - now;
        if (strcmp(json_get_str(res, "state"), "ACTIVE") != 0)
            continue;
        if (left <= 0) {
            lifecycle_event(g, res, "expired");
            json_array_append_new(expired, json_string(name));
        } else if (left <= HOUR_MS && !json_is_true(json_object_get(entry, "reminded_1h"))) {
            lifecycle_event(g, res, "expirationReminder");
            json_object_set_new(entry, "reminded_1h", json_true());
            json_object_set_new(entry, "reminded_12h", json_true());
        } else if (left <= 12 * HOUR_MS &&
                   !json_is_true(json_object_get(entry, "reminded_12h"))) {
            lifecycle_event(g, res, "expirationReminder");
            json_object_set_new(entry, "reminded_12h", json_true());
        }
    }
    size_t i;
    json_t *v;
    json_array_foreach(expired, i, v) {
        json_object_del(st->event_subs, json_string_value(v));
    }
    gemu_state_unlock(st);
    json_decref(expired);
}
