/* oauth_error.c - the table of token endpoint refusals and what they mean
 * for the admin (see oauth_error.h). */
#include "net/oauth_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/json.h"
#include "util/xmalloc.h"

/* One known refusal.  A row matches when each of its set fields matches;
 * the first matching row wins, so specific rows come before general ones. */
struct refusal {
    enum net_oauth_provider provider;
    const char *error;           /* the "error" field; NULL: any */
    long code;                   /* AADSTS code (Microsoft); 0: any */
    const char *contains;        /* text within error_description; NULL: any */
    enum parley_err err;
    const char *advice;
};

#define MS NET_OAUTH_MICROSOFT
#define G  NET_OAUTH_GOOGLE

static const struct refusal refusals[] = {
    /* Microsoft, by AADSTS code (microsoft.md 1.4). */
    { MS, NULL, 7000215, NULL, PARLEY_ERR_AUTH,
      "the client secret is wrong: enter the secret's Value (not its Secret ID) from the app "
      "registration's Certificates & secrets" },
    { MS, NULL, 7000222, NULL, PARLEY_ERR_AUTH,
      "the client secret has expired: create a new one under Certificates & secrets and enter it" },
    { MS, NULL, 7000218, NULL, PARLEY_ERR_AUTH,
      "the request needs a client secret: enter it, or enable 'Allow public client flows' on the "
      "app registration for the password grant" },
    { MS, NULL, 700016, NULL, PARLEY_ERR_NOT_FOUND,
      "the application (client) ID is not known in this tenant: check the client ID and the tenant "
      "ID, and that an admin has consented to the app" },
    { MS, NULL, 90002, NULL, PARLEY_ERR_NOT_FOUND,
      "the tenant does not exist: check the tenant ID or domain" },
    { MS, NULL, 900144, NULL, PARLEY_ERR_INVALID,
      "a required field is missing from the token request" },
    { MS, NULL, 70011, NULL, PARLEY_ERR_INVALID,
      "the requested scope is not valid for this app" },
    { MS, NULL, 500011, NULL, PARLEY_ERR_NOT_FOUND,
      "the resource (Microsoft Graph) is not available in this tenant" },
    { MS, NULL, 50126, NULL, PARLEY_ERR_AUTH,
      "wrong username or password for the account" },
    { MS, NULL, 50034, NULL, PARLEY_ERR_NOT_FOUND,
      "the user does not exist in this tenant" },
    { MS, NULL, 50053, NULL, PARLEY_ERR_AUTH,
      "the account is locked after too many sign-in attempts: wait, or unlock it" },
    { MS, NULL, 50055, NULL, PARLEY_ERR_AUTH,
      "the account's password has expired: set a new one" },
    { MS, NULL, 50057, NULL, PARLEY_ERR_FORBIDDEN,
      "the account is disabled: enable it in Entra ID" },
    { MS, NULL, 50076, NULL, PARLEY_ERR_FORBIDDEN,
      "the account requires multi-factor authentication, which the password grant cannot do: "
      "exclude it from the MFA policy" },
    { MS, NULL, 50079, NULL, PARLEY_ERR_FORBIDDEN,
      "the account must register for multi-factor authentication, which the password grant cannot "
      "do: exclude it from the MFA policy" },
    { MS, NULL, 53003, NULL, PARLEY_ERR_FORBIDDEN,
      "a Conditional Access policy blocks this sign-in: exclude the account or the app" },
    { MS, NULL, 65001, NULL, PARLEY_ERR_FORBIDDEN,
      "consent is missing: an admin must grant consent for the app's permissions" },
    { MS, NULL, 700082, NULL, PARLEY_ERR_AUTH,
      "the refresh token expired through inactivity: sign in again" },
    { MS, NULL, 50173, NULL, PARLEY_ERR_AUTH,
      "the grant was revoked (password changed?): sign in again" },
    /* Microsoft, by error when the code is not in the table. */
    { MS, "invalid_client", 0, NULL, PARLEY_ERR_AUTH,
      "the client credentials were rejected: check the client ID and secret" },
    { MS, "unauthorized_client", 0, NULL, PARLEY_ERR_FORBIDDEN,
      "the app is not allowed to use this grant in this tenant" },
    { MS, "invalid_grant", 0, NULL, PARLEY_ERR_AUTH,
      "the credentials or grant were refused" },
    { MS, "invalid_scope", 0, NULL, PARLEY_ERR_INVALID, "the requested scope is not valid" },
    { MS, "consent_required", 0, NULL, PARLEY_ERR_FORBIDDEN,
      "consent is missing: an admin must grant consent for the app's permissions" },
    { MS, "interaction_required", 0, NULL, PARLEY_ERR_FORBIDDEN,
      "the sign-in needs user interaction (MFA, terms of use), which Parley cannot do" },
    { MS, "invalid_request", 0, NULL, PARLEY_ERR_INVALID, "the token request was malformed" },
    { MS, "unsupported_grant_type", 0, NULL, PARLEY_ERR_INVALID,
      "the token endpoint does not support this grant" },

    /* Google (google.md 1.2). */
    { G, "invalid_grant", 0, "Invalid JWT Signature", PARLEY_ERR_AUTH,
      "the private key does not belong to the service account (or was deleted): upload a current "
      "JSON key" },
    { G, "invalid_grant", 0, "Invalid email or User ID", PARLEY_ERR_NOT_FOUND,
      "the user to act as is unknown, suspended or outside the domain" },
    { G, "invalid_grant", 0, "reasonable timeframe", PARLEY_ERR_INVALID,
      "the assertion's times were refused: check this server's clock (NTP)" },
    { G, "invalid_grant", 0, NULL, PARLEY_ERR_AUTH, "the service-account grant was refused" },
    { G, "unauthorized_client", 0, NULL, PARLEY_ERR_FORBIDDEN,
      "domain-wide delegation is not granted for these scopes: in the Google Admin console "
      "(Security > API controls > Domain-wide delegation) authorize the service account's client "
      "ID with every scope Parley needs (changes can take up to 24 h)" },
    { G, "invalid_scope", 0, NULL, PARLEY_ERR_INVALID, "the requested scope is not valid" },
    { G, "invalid_client", 0, NULL, PARLEY_ERR_AUTH,
      "the service account or its key is unknown: upload a current JSON key" },
    { G, "disabled_client", 0, NULL, PARLEY_ERR_AUTH,
      "the service account is disabled: enable it in the Google Cloud console" },
    { G, "deleted_client", 0, NULL, PARLEY_ERR_AUTH,
      "the service account was deleted: create one and upload its JSON key" },
    { G, "admin_policy_enforced", 0, NULL, PARLEY_ERR_FORBIDDEN,
      "a Workspace admin policy blocks these scopes for the user" },
    { G, "access_denied", 0, NULL, PARLEY_ERR_FORBIDDEN, "access to these scopes was denied" },
};

#undef MS
#undef G

static const char *provider_name(enum net_oauth_provider provider)
{
    return provider == NET_OAUTH_MICROSOFT ? "Microsoft sign-in" : "Google token request";
}

/* The AADSTS code: error_codes[0], else the number after "AADSTS". */
static long aadsts_code(const json_t *body, const char *description)
{
    const json_t *codes = json_object_get(body, "error_codes");
    const char *p;

    if (json_is_integer(json_array_get(codes, 0)))
        return (long)json_integer_value(json_array_get(codes, 0));
    p = description ? strstr(description, "AADSTS") : NULL;
    return p ? strtol(p + 6, NULL, 10) : 0;
}

static const struct refusal *find_refusal(enum net_oauth_provider provider, const char *error,
                                          long code, const char *description)
{
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *r = &refusals[i];
        if (r->provider != provider)
            continue;
        if (r->error && (!error || strcmp(r->error, error) != 0))
            continue;
        if (r->code && r->code != code)
            continue;
        if (r->contains && (!description || !strstr(description, r->contains)))
            continue;
        return r;
    }
    return NULL;
}

/* The refusal for an answer no row knows, by HTTP status. */
static enum parley_err status_error(int status, const char **advice)
{
    if (status == 429) {
        *advice = "too many token requests; retry later";
        return PARLEY_ERR_THROTTLED;
    }
    if (status >= 500) {
        *advice = "the token endpoint is unavailable; retry later";
        return PARLEY_ERR_PLATFORM;
    }
    *advice = "unexpected answer from the token endpoint";
    return PARLEY_ERR_PLATFORM;
}

enum parley_err net_oauth_error_describe(enum net_oauth_provider provider, int status,
                                         const char *body, size_t len, char **message)
{
    json_t *doc = NULL;
    char *why = NULL, *codebuf = NULL;
    const char *error = NULL, *description = NULL, *advice = NULL;
    const struct refusal *r = NULL;
    enum parley_err err;
    long code = 0;
    int desc_len;

    if (body && len && json_parse(body, len, &doc, &why) == PARLEY_OK && json_is_object(doc)) {
        error = json_get_str(doc, "error");
        description = json_get_str(doc, "error_description");
        if (provider == NET_OAUTH_MICROSOFT)
            code = aadsts_code(doc, description);
        r = find_refusal(provider, error, code, description);
    }
    if (r) {
        err = r->err;
        advice = r->advice;
    } else {
        err = status_error(status, &advice);
    }
    codebuf = code ? xasprintf(", AADSTS%ld", code) : xstrdup("");
    /* Microsoft appends trace and correlation ids on later lines: keep the first. */
    desc_len = description ? (int)strcspn(description, "\r\n") : 0;
    *message = xasprintf("%s refused (HTTP %d%s%s%s): %s%s%.*s", provider_name(provider), status,
                         error ? ", " : "", error ? error : "", codebuf, advice,
                         description ? ". Server: " : "", desc_len, description ? description : "");
    free(codebuf);
    free(why);
    json_decref(doc);
    return err;
}
