/* internal.h - what the files of emulators/google/ share: the platform object
 * handed to every route, the route tables of each API, and the helpers that
 * speak Google's error shapes and check access tokens. */
#ifndef EMU_GOOGLE_INTERNAL_H
#define EMU_GOOGLE_INTERNAL_H

#include <pthread.h>
#include <jansson.h>

#include "google/state.h"
#include "http/server.h"

struct emu_frame;
struct emu_ratelimit;

/* The platform object (the frame's PLAT). */
struct emu_google {
    struct emu_frame *frame;
    struct gemu_state *st;
    /* --real-quotas (NULL without): Chat's documented limits. */
    struct emu_ratelimit *quota_space_writes;     /* per space: 1 write/s */
    struct emu_ratelimit *quota_message_writes;   /* per project: 3000/min */
    struct emu_ratelimit *quota_space_setup;      /* per project: 60/min */
    /* The lifecycle thread (gemu_events_tick every GEMU_TICK_MS). */
    pthread_t ticker;
    pthread_mutex_t ticker_lock;
    pthread_cond_t ticker_wake;
    int ticker_started, stopping;
};

#define GEMU_TICK_MS 250

#define GEMU_SCOPE_PREFIX "https://www.googleapis.com/auth/"
#define GEMU_CHAT_TARGET "//chat.googleapis.com/spaces/"     /* + space id or "-" */
#define GEMU_GOOGLE_TOKEN_URL "https://oauth2.googleapis.com/token"
#define GEMU_TOKEN_LIFETIME_S 3600

/* The origin clients reach us at ("http://127.0.0.1:8402"). */
const char *gemu_origin(const struct emu_google *g);

/* ---- route tables ---- */
void gemu_oauth_routes(struct emu_google *g);
void gemu_directory_routes(struct emu_google *g);
void gemu_chat_routes(struct emu_google *g);
void gemu_pubsub_routes(struct emu_google *g);
void gemu_events_routes(struct emu_google *g);
void gemu_watch_routes(struct emu_google *g);
void gemu_client_api_routes(struct emu_google *g);

/* ---- outbound events (state locked) ---- */
#define GEMU_MESSAGE_ID_LEN 24
/* Publish one message to TOPIC (a full name): push it to every push
 * subscription of the topic.  DATA is the raw payload (LEN bytes),
 * ATTRIBUTES (borrowed, may be NULL) string pairs.  Returns 0 with the
 * messageId in ID, or -1 when the topic does not exist. */
int gemu_pubsub_publish(struct emu_google *g, const char *topic, const char *data, size_t len,
                        const json_t *attributes, const char *ordering_key,
                        char id[GEMU_MESSAGE_ID_LEN]);
/* Pull mode (pubsub_pull.c): queue MESSAGE (borrowed) for subscription
 * NAME; answer :pull {"maxMessages"} and :acknowledge {"ackIds"}. */
void gemu_pull_enqueue(struct gemu_state *st, const char *name, const json_t *message);
void gemu_pull(struct http_req *req, struct gemu_state *st, const char *name, const json_t *sub,
               const json_t *body);
void gemu_pull_acknowledge(struct http_req *req, struct gemu_state *st, const char *name,
                           const json_t *body);
/* A Chat change: deliver a CloudEvent of TYPE ("google.workspace.chat.message.v1.created")
 * about space S to every matching Workspace Events subscription.  RESOURCE
 * (stolen) is the message / membership / space resource, KIND its data key
 * ("message", "membership", "space"); subscriptions without includeResource
 * get only its name. */
void gemu_events_emit(struct emu_google *g, const struct gemu_space *s, const char *type,
                      const char *kind, json_t *resource);
/* Send due subscription lifecycle events and drop expired subscriptions
 * (locks the state itself; called by the lifecycle thread). */
void gemu_events_tick(struct emu_google *g);
/* A Directory user change: notify the users.watch channels of EVENT
 * ("add", "update", "delete"). */
void gemu_watch_notify(struct emu_google *g, const char *event, const struct gemu_user *u);

/* ---- errors (errors.c) ---- */
/* Which error dialect an API speaks. */
enum gemu_dialect {
    GEMU_AIP193,        /* Chat, Workspace Events, Pub/Sub: status + details */
    GEMU_DIRECTORY      /* Admin SDK: also the legacy errors[] array */
};
/* "INVALID_ARGUMENT" etc. for an HTTP status. */
const char *gemu_status_name(int http);
/* Reply with Google's error body for HTTP status HTTP.  REASON is the
 * Directory errors[0].reason ("notFound", "duplicate"...), ignored for AIP-193. */
void gemu_reply_error(struct http_req *req, enum gemu_dialect d, int http, const char *reason,
                      const char *message);
/* 429 RESOURCE_EXHAUSTED with RetryInfo {retryDelay: WAIT_S} (AIP-193). */
void gemu_reply_quota(struct http_req *req, int wait_s, const char *message);
/* 400 INVALID_ARGUMENT with a BadRequest field violation on FIELD. */
void gemu_reply_bad_field(struct http_req *req, const char *field, const char *message);
/* RFC 6749 error of the token endpoint: {"error", "error_description"}. */
void gemu_reply_oauth_error(struct http_req *req, int http, const char *error,
                            const char *description);
/* The frame's error_body slot. */
json_t *gemu_error_body(struct http_req *req, int status, const char *code, const char *message,
                        void *ctx);

/* ---- access tokens (auth.c) ---- */
/* Check the request's bearer token (state locked): it must be live and carry
 * one of SCOPES (short names without the prefix, NULL-terminated).  Returns
 * the token, or NULL after answering 401 UNAUTHENTICATED / 403
 * PERMISSION_DENIED in dialect D. */
const struct gemu_token *gemu_auth(struct http_req *req, struct gemu_state *st,
                                   enum gemu_dialect d, const char *const scopes[]);

/* ---- paging (paging.c) ---- */
struct gemu_page {
    size_t offset;                   /* first item of this page */
    size_t limit;                    /* page size */
};
/* Read the page size query parameter SIZE_PARAM ("maxResults", "pageSize";
 * 0 or absent = DEF; above MAX: clamped when CLAMP, else 400) and pageToken.
 * Returns 0, or -1 after answering 400 in dialect D. */
int gemu_page_parse(struct http_req *req, enum gemu_dialect d, const char *size_param, long def,
                    long max, int clamp, struct gemu_page *page);
/* Set "nextPageToken" in RESP when TOTAL items go beyond this page. */
void gemu_page_next(json_t *resp, const struct gemu_page *page, size_t total);
/* That token (the caller frees it), or NULL when this page is the last. */
char *gemu_page_next_token(const struct gemu_page *page, size_t total);

#endif
