/* errors.c - Google's error bodies (see internal.h): AIP-193 google.rpc.Status
 * over HTTP for Chat, Events and Pub/Sub; the same plus the legacy errors[]
 * array for the Admin SDK Directory; RFC 6749 for the token endpoint. */
#include "google/internal.h"

#include <stdio.h>
#include <string.h>

#include "frame/frame.h"

const char *gemu_status_name(int http)
{
    switch (http) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 405: return "UNIMPLEMENTED";
    case 409: return "ALREADY_EXISTS";
    case 412: return "FAILED_PRECONDITION";
    case 413: return "INVALID_ARGUMENT";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 501: return "NOT_IMPLEMENTED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return http >= 500 ? "INTERNAL" : "UNKNOWN";
    }
}

/* The Directory's errors[0].reason for an HTTP status, when none is given. */
static const char *default_reason(int http)
{
    switch (http) {
    case 400: return "invalid";
    case 401: return "required";
    case 403: return "forbidden";
    case 404: return "notFound";
    case 409: return "duplicate";
    case 429: return "rateLimitExceeded";
    default: return http >= 500 ? "backendError" : "invalid";
    }
}

static json_t *status_body(int http, const char *message, json_t *details)
{
    json_t *error = json_pack("{s:i, s:s, s:s}", "code", http, "message", message, "status",
                              gemu_status_name(http));
    if (details)
        json_object_set_new(error, "details", details);
    return json_pack("{s:o}", "error", error);
}

/* {"@type": ...ErrorInfo, reason, domain} as a one-element details array. */
static json_t *error_info(const char *reason)
{
    return json_pack("[{s:s, s:s, s:s}]", "@type", "type.googleapis.com/google.rpc.ErrorInfo",
                     "reason", reason, "domain", "googleapis.com");
}

void gemu_reply_error(struct http_req *req, enum gemu_dialect d, int http, const char *reason,
                      const char *message)
{
    json_t *details = NULL;
    if (http == 403 && reason && strcmp(reason, "ACCESS_TOKEN_SCOPE_INSUFFICIENT") == 0)
        details = error_info(reason);
    else if (http == 429)
        details = error_info("RATE_LIMIT_EXCEEDED");
    json_t *body = status_body(http, message, d == GEMU_AIP193 ? details : NULL);
    if (d == GEMU_DIRECTORY) {
        json_decref(details);
        const char *r = reason && strcmp(reason, "ACCESS_TOKEN_SCOPE_INSUFFICIENT") != 0
                            ? reason
                            : (http == 403 ? "insufficientPermissions" : default_reason(http));
        json_object_set_new(json_object_get(body, "error"), "errors",
                            json_pack("[{s:s, s:s, s:s}]", "message", message, "domain", "global",
                                      "reason", r));
    }
    if (http == 401)
        http_reply_header(req, "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
    emu_reply_json(req, http, body);
}

void gemu_reply_quota(struct http_req *req, int wait_s, const char *message)
{
    char delay[24];
    snprintf(delay, sizeof delay, "%ds", wait_s);
    json_t *details = error_info("RATE_LIMIT_EXCEEDED");
    json_array_append_new(details, json_pack("{s:s, s:s}", "@type",
                                             "type.googleapis.com/google.rpc.RetryInfo",
                                             "retryDelay", delay));
    emu_reply_json(req, 429, status_body(429, message, details));
}

void gemu_reply_bad_field(struct http_req *req, const char *field, const char *message)
{
    json_t *details = json_pack("[{s:s, s:[{s:s, s:s}]}]", "@type",
                                "type.googleapis.com/google.rpc.BadRequest", "fieldViolations",
                                "field", field, "description", message);
    emu_reply_json(req, 400, status_body(400, message, details));
}

void gemu_reply_oauth_error(struct http_req *req, int http, const char *error,
                            const char *description)
{
    emu_reply_json(req, http,
                   json_pack("{s:s, s:s}", "error", error, "error_description", description));
}

json_t *gemu_error_body(struct http_req *req, int status, const char *code, const char *message,
                        void *ctx)
{
    (void)req;
    (void)code;
    (void)ctx;
    return status_body(status, message ? message : gemu_status_name(status),
                       status == 429 ? error_info("RATE_LIMIT_EXCEEDED") : NULL);
}
