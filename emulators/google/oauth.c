/* oauth.c - Google's OAuth 2.0 endpoints for service accounts:
 *
 *   POST /token                       JWT-bearer grant (domain-wide delegation
 *                                     with sub), or an ID token for
 *                                     target_audience
 *   GET  /.well-known/openid-configuration
 *   GET  /oauth2/v3/certs             JWKS of the emulator's signing key
 *   GET  /oauth2/v1/certs             {kid: X.509 PEM}
 *   GET  /service_accounts/v1/metadata/x509/:email and .../jwk/:email
 *                                     the service account's public key
 *
 * The assertion is checked as Google does: RS256 signature by the key of the
 * service account named by iss (gtoken sends no kid), aud = Google's token
 * URL or ours, exp - iat <= 1 h within a 5 min skew, a scope (or
 * target_audience), sub an active user of the customer, and the scopes in
 * the domain-wide delegation grant.  Errors use the bodies of google.md 1.2. */
#include "google/internal.h"

#include <stdlib.h>
#include <string.h>

#include "frame/form.h"
#include "frame/frame.h"
#include "frame/jwt.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define SKEW_S 300
#define MAX_LIFETIME_S 3600
#define CERTS_MAX_AGE "public, max-age=3600"

/* What a token request asks for, once its assertion passed the checks. */
struct grant {
    json_t *claims;
    const char *scope;               /* borrowed from claims; NULL with target_audience */
    const char *target_audience;
    struct gemu_user *subject;       /* NULL: the service account itself */
};

/* Every scope of SCOPES is in the DWD grant (a NULL grant allows all). */
static int scopes_granted(const struct gemu_state *st, const char *scopes)
{
    if (!st->sa_scopes)
        return 1;
    char *copy = xstrdup(scopes);
    int ok = 1;
    for (char *save = NULL, *s = strtok_r(copy, " ", &save); s && ok;
         s = strtok_r(NULL, " ", &save)) {
        int found = 0;
        size_t i;
        json_t *v;
        json_array_foreach(st->sa_scopes, i, v) {
            found |= strcmp(json_string_value(v), s) == 0;
        }
        ok = found;
    }
    free(copy);
    return ok;
}

/* Check the assertion (state locked); on failure answer and return -1. */
static int check_assertion(struct http_req *req, struct emu_google *g, const char *assertion,
                           struct grant *out)
{
    struct gemu_state *st = g->st;
    long long now = clock_now_ms() / 1000;
    char *own_aud = xasprintf("%s/token", gemu_origin(g));
    int rc = -1;

    if (emu_jwt_verify_signature(st->sa_key, assertion, &out->claims) != PARLEY_OK) {
        gemu_reply_oauth_error(req, 400, "invalid_grant", "Invalid JWT Signature.");
        goto out;
    }
    const char *iss = json_get_str(out->claims, "iss");
    const char *aud = json_get_str(out->claims, "aud");
    const char *sub = json_get_str(out->claims, "sub");
    json_t *iat = json_object_get(out->claims, "iat"), *exp = json_object_get(out->claims, "exp");
    out->scope = json_get_str(out->claims, "scope");
    out->target_audience = json_get_str(out->claims, "target_audience");

    if (!iss || strcmp(iss, st->sa_email) != 0) {
        gemu_reply_oauth_error(req, 401, "invalid_client", "The OAuth client was not found.");
        goto out;
    }
    if (!aud || (strcmp(aud, GEMU_GOOGLE_TOKEN_URL) != 0 && strcmp(aud, own_aud) != 0)) {
        gemu_reply_oauth_error(req, 400, "invalid_grant",
                               "Invalid JWT: Failed audience check. The expected value was "
                               GEMU_GOOGLE_TOKEN_URL);
        goto out;
    }
    if (!json_is_integer(iat) || !json_is_integer(exp) ||
        json_integer_value(exp) - json_integer_value(iat) > MAX_LIFETIME_S ||
        json_integer_value(exp) <= json_integer_value(iat) ||
        json_integer_value(iat) > now + SKEW_S || json_integer_value(exp) < now - SKEW_S) {
        gemu_reply_oauth_error(req, 400, "invalid_grant",
                               "Invalid JWT: Token must be a short-lived token (60 minutes) and in "
                               "a reasonable timeframe. Check your iat and exp values in the JWT "
                               "claim.");
        goto out;
    }
    if ((!out->scope || !*out->scope) && !out->target_audience) {
        gemu_reply_oauth_error(req, 400, "invalid_scope",
                               "Invalid OAuth scope or ID token audience provided.");
        goto out;
    }
    if (sub && strcmp(sub, st->sa_email) != 0) {
        out->subject = gemu_user_find(st, sub);
        if (!out->subject || out->subject->suspended) {
            gemu_reply_oauth_error(req, 400, "invalid_grant", "Invalid email or User ID");
            goto out;
        }
        if (!out->scope || !scopes_granted(st, out->scope)) {
            gemu_reply_oauth_error(req, 401, "unauthorized_client",
                                   "Client is unauthorized to retrieve access tokens using this "
                                   "method, or client not authorized for any of the scopes "
                                   "requested.");
            goto out;
        }
    }
    rc = 0;
out:
    free(own_aud);
    return rc;
}

/* A Google-style ID token for the service account, audience AUDIENCE. */
static char *id_token(struct emu_google *g, const char *audience)
{
    long long now = clock_now_ms() / 1000;
    struct gemu_state *st = g->st;
    json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I}", "iss", gemu_origin(g),
                               "aud", audience, "azp", st->sa_client_id, "sub", st->sa_client_id,
                               "email", st->sa_email, "email_verified", 1, "iat", (json_int_t)now,
                               "exp", (json_int_t)(now + GEMU_TOKEN_LIFETIME_S));
    char *token = emu_jwt_sign(st->google_key, claims);
    json_decref(claims);
    return token;
}

static void on_token(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    size_t len = 0;
    const char *body = http_req_body(req, &len);
    char *grant_type = emu_form_get(body, len, "grant_type");
    char *assertion = emu_form_get(body, len, "assertion");
    struct grant grant = {0};

    if (!grant_type || strcmp(grant_type, JWT_BEARER) != 0) {
        char *msg = xasprintf("Invalid grant_type: %s", grant_type ? grant_type : "");
        gemu_reply_oauth_error(req, 400, "unsupported_grant_type", msg);
        free(msg);
        goto out;
    }
    if (!assertion || !*assertion) {
        gemu_reply_oauth_error(req, 400, "invalid_request", "Missing required parameter: assertion");
        goto out;
    }
    gemu_state_lock(g->st);
    if (check_assertion(req, g, assertion, &grant) == 0) {
        if (grant.target_audience && !grant.scope) {
            char *token = id_token(g, grant.target_audience);
            emu_reply_json(req, 200, json_pack("{s:s}", "id_token", token));
            free(token);
        } else {
            const struct gemu_token *t =
                gemu_token_issue(g->st, grant.subject, grant.scope, GEMU_TOKEN_LIFETIME_S);
            emu_reply_json(req, 200, json_pack("{s:s, s:i, s:s}", "access_token", t->token,
                                               "expires_in", GEMU_TOKEN_LIFETIME_S - 1,
                                               "token_type", "Bearer"));
        }
    }
    gemu_state_unlock(g->st);
out:
    json_decref(grant.claims);
    free(grant_type);
    free(assertion);
}

static void on_openid_config(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *o = gemu_origin(g);
    char *jwks = xasprintf("%s/oauth2/v3/certs", o);
    char *token = xasprintf("%s/token", o);
    char *auth = xasprintf("%s/o/oauth2/v2/auth", o);
    emu_reply_json(req, 200,
                   json_pack("{s:s, s:s, s:s, s:s, s:[s], s:[s], s:[s], s:[s]}", "issuer", o,
                             "jwks_uri", jwks, "token_endpoint", token, "authorization_endpoint",
                             auth, "id_token_signing_alg_values_supported", "RS256",
                             "subject_types_supported", "public", "response_types_supported",
                             "id_token", "grant_types_supported", JWT_BEARER));
    free(auth);
    free(token);
    free(jwks);
}

static json_t *jwks_of(const struct emu_jwt_key *key)
{
    json_t *jwk = emu_jwt_key_jwk(key);
    json_object_set_new(jwk, "alg", json_string("RS256"));
    return json_pack("{s:[o]}", "keys", jwk);
}

static json_t *pem_map_of(const struct emu_jwt_key *key, const char *cn)
{
    char *pem = emu_jwt_key_cert_pem(key, cn);
    json_t *map = json_object();
    if (pem)
        json_object_set_new(map, emu_jwt_key_id(key), json_string(pem));
    free(pem);
    return map;
}

static void on_certs_v3(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    http_reply_header(req, "Cache-Control", CERTS_MAX_AGE);
    emu_reply_json(req, 200, jwks_of(g->st->google_key));
}

static void on_certs_v1(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    http_reply_header(req, "Cache-Control", CERTS_MAX_AGE);
    emu_reply_json(req, 200, pem_map_of(g->st->google_key, "federated-signon.system.gserviceaccount.com"));
}

/* The service account's published keys; 404 for another account. */
static void on_sa_keys(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *email = http_req_param(req, "email");
    if (!email || strcmp(email, g->st->sa_email) != 0) {
        gemu_reply_error(req, GEMU_AIP193, 404, NULL, "Service account not found.");
        return;
    }
    if (strstr(http_req_path(req), "/jwk/"))
        emu_reply_json(req, 200, jwks_of(g->st->sa_key));
    else
        emu_reply_json(req, 200, pem_map_of(g->st->sa_key, g->st->sa_email));
}

void gemu_oauth_routes(struct emu_google *g)
{
    emu_frame_route(g->frame, "POST", "/token", on_token, g);
    emu_frame_route(g->frame, "GET", "/.well-known/openid-configuration", on_openid_config, g);
    emu_frame_route(g->frame, "GET", "/oauth2/v3/certs", on_certs_v3, g);
    emu_frame_route(g->frame, "GET", "/oauth2/v1/certs", on_certs_v1, g);
    emu_frame_route(g->frame, "GET", "/service_accounts/v1/metadata/x509/:email", on_sa_keys, g);
    emu_frame_route(g->frame, "GET", "/service_accounts/v1/jwk/:email", on_sa_keys, g);
}
