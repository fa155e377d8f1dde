/* errors.c - Google API error answers -> platform_error: one table from HTTP
 * status and reason to a parley error and advice the admin can act on.
 *
 * Bodies (google.md 2.1): AIP-193 {"error": {"code", "message", "status",
 * "details": [{"@type": "...ErrorInfo", "reason"}, {"@type":
 * "...RetryInfo", "retryDelay": "3s"}]}}; the Directory adds or uses instead
 * the legacy "errors": [{"reason", "message", "domain"}].  A row's reason is
 * matched against the ErrorInfo reason, errors[0].reason and status. */
#include "platform/google/google.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

enum advice_kind {
    TEXT,           /* the row's text */
    NOT_ADMIN,      /* the subject must be an admin */
    SCOPE,          /* the token lacks the call's scope */
};

struct refusal {
    int status;                 /* exact status; 500 stands for every 5xx */
    const char *reason;         /* NULL: any */
    enum parley_err err;
    enum advice_kind kind;
    const char *advice;
};

static const struct refusal refusals[] = {
    { 401, NULL, PARLEY_ERR_AUTH, TEXT,
      "the access token was refused: check that the service account and its key still exist" },
    { 403, "ACCESS_TOKEN_SCOPE_INSUFFICIENT", PARLEY_ERR_FORBIDDEN, SCOPE, NULL },
    { 403, "insufficientPermissions", PARLEY_ERR_FORBIDDEN, SCOPE, NULL },
    { 403, "userRateLimitExceeded", PARLEY_ERR_THROTTLED, TEXT,
      "Google's per-user rate limit was reached; the work is retried later" },
    { 403, "rateLimitExceeded", PARLEY_ERR_THROTTLED, TEXT,
      "Google's rate limit was reached; the work is retried later" },
    { 403, "quotaExceeded", PARLEY_ERR_THROTTLED, TEXT,
      "the Google Cloud project's quota is used up; the work is retried later" },
    { 403, "SERVICE_DISABLED", PARLEY_ERR_FORBIDDEN, TEXT,
      "the API is not enabled: enable the Admin SDK API (and the Google Chat API) in the service "
      "account's Google Cloud project" },
    { 403, "accessNotConfigured", PARLEY_ERR_FORBIDDEN, TEXT,
      "the API is not enabled: enable the Admin SDK API (and the Google Chat API) in the service "
      "account's Google Cloud project" },
    { 403, NULL, PARLEY_ERR_FORBIDDEN, NOT_ADMIN, NULL },
    { 404, NULL, PARLEY_ERR_NOT_FOUND, TEXT,
      "it does not exist: check the customer ID and the domain" },
    { 400, NULL, PARLEY_ERR_INVALID, TEXT,
      "the request was refused as invalid: check the customer ID and the domain" },
    { 409, NULL, PARLEY_ERR_EXISTS, TEXT, "it already exists" },
    { 429, NULL, PARLEY_ERR_THROTTLED, TEXT,
      "Google's quota was reached; the work is retried later" },
    { 500, NULL, PARLEY_ERR_PLATFORM, TEXT,
      "Google is unavailable or failing; the work is retried later" },
};

/* The detail of type TYPE ("google.rpc.ErrorInfo") in ERROR, or NULL. */
static const json_t *detail(const json_t *error, const char *type)
{
    const json_t *d;
    size_t i, n = strlen(type);

    json_array_foreach(json_object_get(error, "details"), i, d) {
        const char *t = json_get_str(d, "@type");
        size_t len = t ? strlen(t) : 0;
        if (len >= n && strcmp(t + len - n, type) == 0)
            return d;
    }
    return NULL;
}

static int reason_is(const char *want, const char *const have[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (have[i] && strcmp(want, have[i]) == 0)
            return 1;
    return 0;
}

static const struct refusal *find_refusal(int status, const char *const reasons[], size_t n)
{
    int key = status >= 500 && status <= 599 ? 500 : status;

    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *r = &refusals[i];
        if (r->status == key && (!r->reason || reason_is(r->reason, reasons, n)))
            return r;
    }
    return NULL;
}

/* RetryInfo.retryDelay ("3s", "1.5s") in ms; -1 when absent. */
static long long retry_delay_ms(const json_t *error)
{
    const char *delay = json_get_str(detail(error, "google.rpc.RetryInfo"), "retryDelay");
    char *end;
    double s;

    if (!delay)
        return -1;
    s = strtod(delay, &end);
    return end != delay && strcmp(end, "s") == 0 && s >= 0 ? (long long)(s * 1000) : -1;
}

void google_describe(const struct platform_answer *answer, const struct platform_call *call,
                     struct platform_error *err)
{
    json_t *doc = platform_answer_json(answer);
    const json_t *error = json_object_get(doc, "error");
    const char *reasons[] = {
        json_get_str(detail(error, "google.rpc.ErrorInfo"), "reason"),
        json_get_str(json_array_get(json_object_get(error, "errors"), 0), "reason"),
        json_get_str(error, "status"),
    };
    const char *server = json_get_str(error, "message");
    const char *shown = reasons[0] ? reasons[0] : reasons[1] ? reasons[1] : reasons[2];
    const struct refusal *r = find_refusal(answer->status, reasons, 3);
    const char *who = call->subject ? call->subject : "the service account";
    long long delay = answer->retry_after_ms;
    char advice[320];

    if (!r)
        snprintf(advice, sizeof advice, "unexpected answer");
    else if (r->kind == NOT_ADMIN)
        snprintf(advice, sizeof advice,
                 "%s, whom Parley acts as, is not allowed to do this: admin_email must be a "
                 "Workspace super admin (or hold an admin role with this privilege)", who);
    else if (r->kind == SCOPE)
        snprintf(advice, sizeof advice,
                 "the token lacks the scope %s: add it to the service account's client ID in the "
                 "Google Admin console > Security > API controls > Domain-wide delegation",
                 call->needs ? call->needs : "this call needs");
    else
        snprintf(advice, sizeof advice, "%s", r->advice);
    platform_error_set(err, r ? r->err : PARLEY_ERR_PLATFORM, answer->status,
                       "Google refused to %s (HTTP %d%s%s): %s.%s%s", call->what, answer->status,
                       shown ? ", " : "", shown ? shown : "", advice, server ? " Server: " : "",
                       server ? server : "");
    if (delay < 0)
        delay = retry_delay_ms(error);
    if (delay > 0)
        err->retry_after_ms = delay;
    json_decref(doc);
}
