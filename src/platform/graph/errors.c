/* errors.c - Graph error answers -> platform_error: one table from HTTP
 * status (and Graph's error code) to a parley error and advice the admin
 * can act on.  Body: {"error": {"code", "message", "innerError":
 * {"request-id", "date"}}} (microsoft.md 2.4).  Directory refusals share
 * the code Request_BadRequest, so a few rows also match a phrase of the
 * message (a taken user principal name is PARLEY_ERR_EXISTS). */
#include "platform/graph/graph.h"

#include <stdio.h>
#include <string.h>

#include "util/json.h"

/* One known refusal; the first row whose fields all match wins. */
struct refusal {
    int status;                 /* exact status; 500 stands for every 5xx */
    const char *code;           /* Graph's error.code; NULL: any */
    const char *phrase;         /* in error.message; NULL: any */
    enum parley_err err;
    const char *advice;         /* NULL: the permission advice (403) */
};

static const struct refusal refusals[] = {
    { 401, NULL, NULL, PARLEY_ERR_AUTH,
      "the access token was refused: check that the app registration still exists in this "
      "tenant and that its secret is current" },
    { 403, NULL, NULL, PARLEY_ERR_FORBIDDEN, NULL },
    { 404, NULL, NULL, PARLEY_ERR_NOT_FOUND, "it does not exist (any more)" },
    { 400, "Request_UnsupportedQuery", NULL, PARLEY_ERR_INVALID,
      "Graph does not support this query here" },
    /* POST /users (microsoft.md 3) */
    { 400, NULL, "property userPrincipalName already exists", PARLEY_ERR_EXISTS,
      "an account with this user principal name already exists" },
    { 400, NULL, "property proxyAddresses already exists", PARLEY_ERR_CONFLICT,
      "the email address is already used by another account of the tenant" },
    { 400, NULL, "domain portion of the userPrincipalName", PARLEY_ERR_INVALID,
      "the domain is not a verified domain of the tenant: set the guest domain to one of the "
      "tenant's domains (Entra admin center > Domain names), or leave it empty for the "
      "tenant's initial domain" },
    { 400, NULL, NULL, PARLEY_ERR_INVALID, "the request was refused as malformed" },
    { 429, NULL, NULL, PARLEY_ERR_THROTTLED,
      "Microsoft Graph is throttling this app; the work is retried later" },
    { 500, NULL, NULL, PARLEY_ERR_PLATFORM,
      "Microsoft Graph is unavailable or failing; the work is retried later" },
};

static const struct refusal *find_refusal(int status, const char *code, const char *message)
{
    int key = status >= 500 && status <= 599 ? 500 : status;

    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *r = &refusals[i];
        if (r->status == key && (!r->code || (code && strcmp(r->code, code) == 0)) &&
            (!r->phrase || (message && strstr(message, r->phrase))))
            return r;
    }
    return NULL;
}

void graph_describe(const struct platform_answer *answer, const struct platform_call *call,
                    struct platform_error *err)
{
    json_t *doc = platform_answer_json(answer);
    const json_t *error = json_object_get(doc, "error");
    const char *code = json_get_str(error, "code");
    const char *server = json_get_str(error, "message");
    const char *request_id = answer->request_id;
    const struct refusal *r = find_refusal(answer->status, code, server);
    enum parley_err perr = r ? r->err : PARLEY_ERR_PLATFORM;
    char advice[256];

    if (!request_id)
        request_id = json_get_str(json_object_get(error, "innerError"), "request-id");
    if (r && r->advice)
        snprintf(advice, sizeof advice, "%s", r->advice);
    else if (r)
        snprintf(advice, sizeof advice,
                 "grant the app registration the Microsoft Graph application permission %s "
                 "(API permissions > Add a permission > Application permissions), then "
                 "'Grant admin consent' for the tenant",
                 call->needs ? call->needs : "this call needs");
    else
        snprintf(advice, sizeof advice, "unexpected answer");
    platform_error_set(err, perr, answer->status,
                       "Microsoft Graph refused to %s (HTTP %d%s%s): %s.%s%s%s%s%s",
                       call->what, answer->status, code ? ", " : "", code ? code : "", advice,
                       server ? " Server: " : "", server ? server : "",
                       request_id ? " (request-id " : "", request_id ? request_id : "",
                       request_id ? ")" : "");
    if (answer->retry_after_ms > 0)
        err->retry_after_ms = answer->retry_after_ms;
    json_decref(doc);
}
