/* pubsub.c - a minimal Cloud Pub/Sub under /v1/projects/{project} (the
 * project of the service account), enough to carry Workspace Events to a
 * push endpoint:
 *
 *   PUT    /topics/:topic                 create (409 ALREADY_EXISTS)
 *   GET    /topics/:topic, DELETE ...
 *   POST   /topics/:topic:publish         {"messages":[{data, attributes, orderingKey}]}
 *   PUT    /subscriptions/:sub            create with pushConfig (topic must exist)
 *   GET    /subscriptions/:sub, DELETE ...
 *   POST   /subscriptions/:sub:modifyPushConfig
 *   POST   /subscriptions/:sub:pull, :acknowledge
 *
 * Push delivery (google.md 6.1): POST {"message": {attributes, data (base64),
 * messageId, message_id, publishTime, publish_time, orderingKey},
 * "subscription"} with, when pushConfig.oidcToken is set, an OIDC ID token
 * signed by the emulator's key (iss = the emulator's origin, aud = the
 * configured audience or the endpoint, email = the push service account).
 * The frame's delivery thread retries non-2xx answers with backoff.
 * Subscriptions without a push endpoint queue their messages for
 * :pull / :acknowledge (pubsub_pull.c). */
#include "google/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "frame/jwt.h"
#include "frame/notify.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define A GEMU_AIP193
#define DEFAULT_ACK_DEADLINE 10

static const char *const PUBSUB_SCOPES[] = {"pubsub", "cloud-platform", NULL};

/* Standard base64 with padding (Pub/Sub's bytes encoding); caller frees. */
static char *base64(const char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
    return out;
}

/* Decode standard base64; NULL when malformed.  *len gets the size. */
static char *unbase64(const char *text, size_t *len)
{
    size_t n = strlen(text);
    if (n % 4)
        return NULL;
    unsigned char *out = xmalloc(n / 4 * 3 + 1);
    int got = n ? EVP_DecodeBlock(out, (const unsigned char *)text, (int)n) : 0;
    if (got < 0) {
        free(out);
        return NULL;
    }
    while (n && text[n - 1] == '=' && got > 0) {
        got--;
        n--;
    }
    out[got] = '\0';
    *len = (size_t)got;
    return (char *)out;
}

/* The emulator-signed OIDC token of a push to ENDPOINT. */
static char *push_token(struct emu_google *g, const json_t *oidc, const char *endpoint)
{
    const char *audience = json_get_str(oidc, "audience");
    const char *email = json_get_str(oidc, "serviceAccountEmail");
    const char *id = g->st->sa_client_id;
    long long now = clock_now_ms() / 1000;
    json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I}", "iss", gemu_origin(g),
                               "aud", audience && *audience ? audience : endpoint, "azp", id,
                               "sub", id, "email", email ? email : g->st->sa_email,
                               "email_verified", 1, "iat", (json_int_t)now, "exp",
                               (json_int_t)(now + GEMU_TOKEN_LIFETIME_S));
    char *token = emu_jwt_sign(g->st->google_key, claims);
    json_decref(claims);
    return token;
}

static void push(struct emu_google *g, const char *sub_name, const json_t *sub,
                 const json_t *message)
{
    const json_t *config = json_object_get(sub, "pushConfig");
    const char *endpoint = json_get_str(config, "pushEndpoint");
    const json_t *oidc = json_object_get(config, "oidcToken");
    char *token = NULL, *auth = NULL;

    if (!endpoint || !*endpoint)
        return;
    if (oidc) {
        token = push_token(g, oidc, endpoint);
        auth = xasprintf("Authorization: Bearer %s", token);
    }
    const char *headers[] = {"User-Agent: APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
                             auth, NULL};
    json_t *body = json_pack("{s:O, s:s}", "message", message, "subscription", sub_name);
    emu_notify_post_with_headers(emu_frame_notify(g->frame), endpoint, body, headers, "pubsub");
    free(auth);
    free(token);
}

int gemu_pubsub_publish(struct emu_google *g, const char *topic, const char *data, size_t len,
                        const json_t *attributes, const char *ordering_key,
                        char id[GEMU_MESSAGE_ID_LEN])
{
    struct gemu_state *st = g->st;
    char when[32];
    const char *name;
    json_t *sub;

    if (!json_object_get(st->topics, topic))
        return -1;
    snprintf(id, GEMU_MESSAGE_ID_LEN, "%lld", 2070443601311540LL + ++st->publish_seq);
    emu_ids_time_iso(clock_now_ms(), when);
    char *b64 = base64(data, len);
    json_t *message = json_pack("{s:s, s:s, s:s, s:s, s:s}", "data", b64, "messageId", id,
                                "message_id", id, "publishTime", when, "publish_time", when);
    free(b64);
    if (attributes && json_object_size(attributes))
        json_object_set(message, "attributes", (json_t *)attributes);
    if (ordering_key && *ordering_key)
        json_object_set_new(message, "orderingKey", json_string(ordering_key));
    json_object_foreach(st->pubsub_subs, name, sub) {
        if (strcmp(json_get_str(sub, "topic"), topic) != 0)
            continue;
        if (json_get_str(json_object_get(sub, "pushConfig"), "pushEndpoint"))
            push(g, name, sub, message);
        else
            gemu_pull_enqueue(st, name, message);
    }
    json_decref(message);
    return 0;
}

/* ---- routes ---- */

/* Lock and check the token and project; returns 0 with the state locked. */
static int begin(struct http_req *req, struct emu_google *g)
{
    gemu_state_lock(g->st);
    if (!gemu_auth(req, g->st, A, PUBSUB_SCOPES)) {
        gemu_state_unlock(g->st);
        return -1;
    }
    if (strcmp(http_req_param(req, "project"), g->st->project_id) != 0) {
        gemu_reply_error(req, A, 404, NULL,
                         "Requested project not found or user does not have access to it.");
        gemu_state_unlock(g->st);
        return -1;
    }
    return 0;
}

/* "projects/P/KIND/NAME" for the route's :project and NAME; caller frees. */
static char *full_name(struct http_req *req, const char *kind, const char *name)
{
    return xasprintf("projects/%s/%s/%s", http_req_param(req, "project"), kind, name);
}

/* Split "name:verb" (a custom method); *verb is NULL for a plain name. */
static char *split_verb(const char *segment, const char **verb)
{
    const char *colon = strchr(segment, ':');
    *verb = colon ? colon + 1 : NULL;
    return colon ? xstrndup(segment, (size_t)(colon - segment)) : xstrdup(segment);
}

/* Makes a resource NAME for a PUT with BODY; NULL after a 4xx. */
typedef json_t *make_fn(struct http_req *req, struct gemu_state *st, const char *name,
                        const json_t *body);

/* The methods topics and subscriptions share, on the resource NAME in MAP:
 * PUT creates it with MAKE (409 when it exists), GET returns it, DELETE
 * removes it (and NAME from ALSO, when not NULL); a missing one is 404
 * NOT_FOUND.  Returns the resource when REQ is another method (a custom VERB)
 * for the caller to answer, NULL when REQ is answered.  State locked. */
static json_t *common_method(struct http_req *req, struct gemu_state *st, json_t *map,
                             json_t *also, const char *name, const char *verb,
                             const json_t *body, make_fn *make, const char *not_found)
{
    const char *method = http_req_method(req);
    json_t *res = json_object_get(map, name);

    if (strcmp(method, "PUT") == 0 && !verb) {
        if (res) {
            gemu_reply_error(req, A, 409, NULL, "Resource already exists in the project.");
        } else if ((res = make(req, st, name, body))) {
            json_object_set_new(map, name, res);
            emu_reply_json(req, 200, json_incref(res));
        }
    } else if (!res) {
        gemu_reply_error(req, A, 404, NULL, not_found);
    } else if (strcmp(method, "GET") == 0 && !verb) {
        emu_reply_json(req, 200, json_incref(res));
    } else if (strcmp(method, "DELETE") == 0 && !verb) {
        json_object_del(map, name);
        if (also)
            json_object_del(also, name);
        emu_reply_json(req, 200, json_object());
    } else {
        return res;
    }
    return NULL;
}

static json_t *new_topic(struct http_req *req, struct gemu_state *st, const char *name,
                         const json_t *body)
{
    (void)req;
    (void)st;
    (void)body;
    return json_pack("{s:s}", "name", name);
}

static void on_topic(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *verb;
    char *short_name = split_verb(http_req_param(req, "topic"), &verb);
    char *name = full_name(req, "topics", short_name);
    json_t *body = NULL;

    if (begin(req, g))
        goto done;
    json_t *topic = common_method(req, g->st, g->st->topics, NULL, name, verb, NULL, new_topic,
                                  "Resource not found");
    if (!topic) {
        /* answered */
    } else if (strcmp(http_req_method(req), "POST") == 0 && verb && strcmp(verb, "publish") == 0 &&
               (body = http_req_json_or_400(req))) {
        json_t *ids = json_array(), *m;
        size_t i;
        json_array_foreach(json_object_get(body, "messages"), i, m) {
            size_t len = 0;
            char *data = unbase64(json_get_str(m, "data") ? json_get_str(m, "data") : "", &len);
            if (!data) {
                gemu_reply_error(req, A, 400, NULL, "Invalid data: expected base64.");
                break;
            }
            char id[GEMU_MESSAGE_ID_LEN];
            gemu_pubsub_publish(g, name, data, len, json_object_get(m, "attributes"),
                                json_get_str(m, "orderingKey"), id);
            json_array_append_new(ids, json_string(id));
            free(data);
        }
        if (!http_req_replied(req))
            emu_reply_json(req, 200, json_pack("{s:O}", "messageIds", ids));
        json_decref(ids);
    } else if (!http_req_replied(req)) {
        gemu_reply_error(req, A, 404, NULL, "Method not found.");
    }
    gemu_state_unlock(g->st);
done:
    json_decref(body);
    free(name);
    free(short_name);
}

/* A Subscription resource for NAME from the request BODY; NULL after a 4xx. */
static json_t *new_subscription(struct http_req *req, struct gemu_state *st, const char *name,
                                const json_t *body)
{
    const char *topic = json_get_str(body, "topic");
    json_t *ack = json_object_get(body, "ackDeadlineSeconds");
    if (!topic || !json_object_get(st->topics, topic)) {
        gemu_reply_error(req, A, 404, NULL, "Resource not found (resource=topic).");
        return NULL;
    }
    if (ack && (!json_is_integer(ack) || json_integer_value(ack) < 10 ||
                json_integer_value(ack) > 600)) {
        gemu_reply_bad_field(req, "ack_deadline_seconds",
                             "Invalid ack deadline: must be from 10 to 600 seconds.");
        return NULL;
    }
    const json_t *config = json_object_get(body, "pushConfig");
    json_t *sub = json_pack("{s:s, s:s, s:o, s:I, s:s, s:s, s:{}}", "name", name, "topic", topic,
                            "pushConfig", config ? json_deep_copy(config) : json_object(),
                            "ackDeadlineSeconds",
                            (json_int_t)(ack ? json_integer_value(ack) : DEFAULT_ACK_DEADLINE),
                            "messageRetentionDuration", "604800s", "state", "ACTIVE",
                            "expirationPolicy");
    if (json_object_get(body, "retryPolicy"))
        json_object_set(sub, "retryPolicy", json_object_get(body, "retryPolicy"));
    return sub;
}

static void on_subscription(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *method = http_req_method(req);
    const char *verb;
    char *short_name = split_verb(http_req_param(req, "sub"), &verb);
    char *name = full_name(req, "subscriptions", short_name);
    json_t *body = NULL;
    int wants_body = strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0;

    if (wants_body && !(body = http_req_json_or_400(req)))
        goto done;
    if (begin(req, g))
        goto done;
    json_t *sub = common_method(req, g->st, g->st->pubsub_subs, g->st->pull_queues, name, verb,
                                body, new_subscription,
                                "Resource not found (resource=subscription).");
    if (!sub) {
        /* answered */
    } else if (strcmp(method, "POST") == 0 && verb && strcmp(verb, "modifyPushConfig") == 0) {
        json_t *config = json_object_get(body, "pushConfig");
        json_object_set_new(sub, "pushConfig", config ? json_deep_copy(config) : json_object());
        emu_reply_json(req, 200, json_object());
    } else if (strcmp(method, "POST") == 0 && verb && strcmp(verb, "pull") == 0) {
        gemu_pull(req, g->st, name, sub, body);
    } else if (strcmp(method, "POST") == 0 && verb && strcmp(verb, "acknowledge") == 0) {
        gemu_pull_acknowledge(req, g->st, name, body);
    } else {
        gemu_reply_error(req, A, 404, NULL, "Method not found.");
    }
    gemu_state_unlock(g->st);
done:
    json_decref(body);
    free(name);
    free(short_name);
}

void gemu_pubsub_routes(struct emu_google *g)
{
    static const char *const methods[] = {"GET", "PUT", "DELETE", "POST"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        emu_frame_route(g->frame, methods[i], "/v1/projects/:project/topics/:topic", on_topic, g);
        emu_frame_route(g->frame, methods[i], "/v1/projects/:project/subscriptions/:sub",
                        on_subscription, g);
    }
}
