/* batch.c - Graph JSON batching, POST /v1.0/$batch (microsoft.md §2.6).
 *
 * The payload is checked as a whole first (at most 20 requests; ids unique,
 * case-insensitively; method and relative url present; a body needs a
 * Content-Type header; dependsOn names other requests and makes no cycle):
 * any fault there is a 400 for the batch.  Then the requests run in waves:
 * every request whose dependencies have answered goes out concurrently,
 * through the frame's loopback (frame/loopback.h) with the batch's
 * Authorization header, so each one meets the same routing, authentication,
 * faults, rate limits and error bodies as a direct call.  A request whose
 * dependency failed (non-2xx) is not sent and answers 424. */
#include "microsoft/ms.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/loopback.h"
#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define BATCH_MAX 20
#define STEP_HEADERS 32

struct step {
    const char *id;                  /* borrowed from the payload */
    const char *method;
    char *target;                    /* "/v1.0" + url */
    char *headers[STEP_HEADERS + 1]; /* "Name: value", NULL-terminated, owned */
    char *body;                      /* serialised JSON or text, owned; NULL: none */
    size_t deps[BATCH_MAX];
    size_t ndeps;
    int done;
    json_t *response;                /* the responses[] entry once answered */
};

struct batch {
    struct step steps[BATCH_MAX];
    size_t n;
};

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct step *s = &b->steps[i];
        free(s->target);
        for (size_t h = 0; s->headers[h]; h++)
            free(s->headers[h]);
        free(s->body);
        json_decref(s->response);
    }
    b->n = 0;
}

static long find_step(const struct batch *b, const char *id)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcasecmp(b->steps[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* Headers of step S: the batch's Authorization, then the request's own
 * (an inner Authorization is ignored: the batch's token applies).
 * *CONTENT_TYPE tells whether one is Content-Type.  The message on failure. */
static const char *read_headers(struct http_req *req, struct step *s, json_t *headers,
                                int *content_type)
{
    const char *auth = http_req_header(req, "Authorization");
    size_t n = 0;
    const char *name;
    json_t *value;

    *content_type = 0;
    if (auth)
        s->headers[n++] = xasprintf("Authorization: %s", auth);
    json_object_foreach(headers, name, value) {
        if (!json_is_string(value))
            return "Header values must be strings.";
        if (n == STEP_HEADERS)
            return "Too many headers on one request.";
        if (strcasecmp(name, "Authorization") == 0)
            continue;
        *content_type |= strcasecmp(name, "Content-Type") == 0;
        s->headers[n++] = xasprintf("%s: %s", name, json_string_value(value));
    }
    return NULL;
}

/* Parse request I of the payload into B->steps[I]; the message on failure. */
static const char *parse_step(struct http_req *req, struct batch *b, size_t i, const json_t *r)
{
    struct step *s = &b->steps[i];
    const char *url = json_get_str(r, "url");
    json_t *headers = json_object_get(r, "headers");
    const json_t *body = json_object_get(r, "body");
    int has_type = 0;

    s->id = json_get_str(r, "id");
    s->method = json_get_str(r, "method");
    if (!json_is_object(r) || !s->id || !*s->id || !s->method || !url)
        return "Each request needs a string id, method and url.";
    if (find_step(b, s->id) != (long)i)
        return "The batch request ids must be unique.";
    if (strstr(url, "://"))
        return "A batch request url must be relative to the version, e.g. /users.";
    s->target = xasprintf("/v1.0%s%s", url[0] == '/' ? "" : "/", url);
    if (strncasecmp(s->target, "/v1.0/$batch", 12) == 0)
        return "A batch cannot contain a batch.";
    if (headers && !json_is_object(headers))
        return "headers must be an object.";
    const char *why = read_headers(req, s, headers, &has_type);
    if (why)
        return why;
    if (body && !json_is_null(body)) {
        if (!has_type)
            return "A request with a body needs a Content-Type header.";
        s->body = json_is_string(body) ? xstrdup(json_string_value(body)) : json_to_string(body);
    }
    return NULL;
}

/* Resolve dependsOn (after all ids are known); the message on failure. */
static const char *parse_deps(struct batch *b, size_t i, const json_t *r)
{
    const json_t *deps = json_object_get(r, "dependsOn"), *d;
    size_t k;
    if (deps && !json_is_array(deps))
        return "dependsOn must be an array of request ids.";
    json_array_foreach(deps, k, d) {
        long at = json_is_string(d) ? find_step(b, json_string_value(d)) : -1;
        if (at < 0 || (size_t)at == i)
            return "dependsOn must name other requests of the batch.";
        b->steps[i].deps[b->steps[i].ndeps++] = (size_t)at;
    }
    return NULL;
}

static int deps_done(const struct step *s, const char *marks)
{
    for (size_t k = 0; k < s->ndeps; k++)
        if (!marks[s->deps[k]])
            return 0;
    return 1;
}

/* Whether the dependencies make a cycle (some request could never run). */
static int has_cycle(const struct batch *b)
{
    char marks[BATCH_MAX] = {0};
    size_t placed = 0, progress = 1;
    while (progress) {
        progress = 0;
        for (size_t i = 0; i < b->n; i++) {
            if (!marks[i] && deps_done(&b->steps[i], marks)) {
                marks[i] = 1;
                placed++;
                progress = 1;
            }
        }
    }
    return placed != b->n;
}

/* Parse and check the whole payload; answers 400 and returns -1 when bad. */
static int parse_batch(struct http_req *req, const json_t *payload, struct batch *b)
{
    const json_t *requests = json_object_get(payload, "requests"), *r;
    const char *why = NULL;
    size_t i;

    if (!json_is_array(requests) || json_array_size(requests) == 0)
        why = "Invalid batch payload format: requests must be a non-empty array.";
    else if (json_array_size(requests) > BATCH_MAX)
        why = "Number of batch request steps exceeds the maximum of 20.";
    json_array_foreach(requests, i, r) {
        if (why)
            break;
        b->n = i + 1;
        why = parse_step(req, b, i, r);
    }
    json_array_foreach(requests, i, r) {
        if (why)
            break;
        why = parse_deps(b, i, r);
    }
    if (!why && has_cycle(b))
        why = "The dependsOn chain of the batch has a cycle.";
    if (why)
        emu_reply_error(req, 400, "BadRequest", why);
    return why ? -1 : 0;
}

/* The responses[] entry for an answer that never came from the listener. */
static json_t *local_response(struct http_req *req, const struct step *s, int status,
                              const char *code, const char *message)
{
    return json_pack("{s:s, s:i, s:{s:s}, s:o}", "id", s->id, "status", status, "headers",
                     "Content-Type", "application/json", "body",
                     ms_graph_error_body(req, status, code, message, NULL));
}

static json_t *reply_body(const struct emu_loopback_call *c)
{
    const char *type = c->content_type ? c->content_type : "";
    json_t *parsed = NULL;
    char *why = NULL;
    if (c->reply_body.len == 0)
        return NULL;
    if (strncasecmp(type, "application/json", 16) == 0 &&
        json_parse(c->reply_body.data, c->reply_body.len, &parsed, &why) == PARLEY_OK)
        return parsed;
    free(why);
    if (strncasecmp(type, "text/", 5) == 0)
        return json_stringn(c->reply_body.data, c->reply_body.len);
    size_t size = sodium_base64_ENCODED_LEN(c->reply_body.len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(size);
    sodium_bin2base64(b64, size, (const unsigned char *)c->reply_body.data, c->reply_body.len,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *text = json_string(b64);
    free(b64);
    return text;
}

static json_t *call_response(struct http_req *req, const struct step *s,
                             const struct emu_loopback_call *c)
{
    if (c->status == 0)
        return local_response(req, s, 502, "BadGateway", "The request got no answer.");
    json_t *entry = json_pack("{s:s, s:i, s:O}", "id", s->id, "status", (int)c->status,
                              "headers", c->reply_headers);
    json_t *body = reply_body(c);
    if (body)
        json_object_set_new(entry, "body", body);
    return entry;
}

static int failed(const struct step *s)
{
    int status = (int)json_integer_value(json_object_get(s->response, "status"));
    return status < 200 || status > 299;
}

/* Answer the steps that can go now: 424 for those behind a failed
 * dependency, the loopback for the rest.  Returns how many were answered. */
static size_t run_wave(struct ms *ms, struct http_req *req, struct batch *b)
{
    struct emu_loopback_call calls[BATCH_MAX];
    size_t which[BATCH_MAX], n = 0, answered = 0;

    for (size_t i = 0; i < b->n; i++) {
        struct step *s = &b->steps[i];
        int ready = !s->done, dep_failed = 0;
        for (size_t k = 0; ready && k < s->ndeps; k++) {
            ready = b->steps[s->deps[k]].done;
            dep_failed |= ready && failed(&b->steps[s->deps[k]]);
        }
        if (!ready)
            continue;
        if (dep_failed) {
            s->response = local_response(req, s, 424, "FailedDependency",
                                         "A request this one depends on failed.");
            s->done = 1;
            answered++;
            continue;
        }
        calls[n] = (struct emu_loopback_call){.method = s->method, .target = s->target,
                                              .headers = (const char *const *)s->headers,
                                              .body = s->body,
                                              .body_len = s->body ? strlen(s->body) : 0};
        which[n++] = i;
    }
    if (n)
        emu_loopback_run(ms->frame, calls, n);
    for (size_t k = 0; k < n; k++) {
        struct step *s = &b->steps[which[k]];
        s->response = call_response(req, s, &calls[k]);
        s->done = 1;
        emu_loopback_call_clear(&calls[k]);
    }
    return answered + n;
}

static void on_batch(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    struct batch b = {.n = 0};
    json_t *payload = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(payload = ms_body_object(req)) ||
        parse_batch(req, payload, &b))
        goto out;
    for (size_t left = b.n; left > 0;)
        left -= run_wave(ms, req, &b);
    json_t *responses = json_array();
    for (size_t i = 0; i < b.n; i++)
        json_array_append(responses, b.steps[i].response);
    emu_reply_json(req, 200, json_pack("{s:o}", "responses", responses));
out:
    batch_clear(&b);
    json_decref(payload);
}

void ms_batch_routes(struct ms *ms)
{
    emu_frame_route(ms->frame, "POST", "/v1.0/$batch", on_batch, ms);
}
