/* identity.c - the identity platform endpoints MSAL uses: the token endpoint
 * (client_credentials, password / ROPC, refresh_token), the v2.0 OpenID
 * configuration, its JWKS and cloud instance discovery.  Errors carry the
 * identity platform's body with real AADSTS codes. */
#include "microsoft/ms.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/form.h"
#include "frame/ids.h"
#include "microsoft/auth.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* ---- errors ---- */

static void token_error(struct http_req *req, int status, const char *error, int code,
                        const char *text)
{
    char trace[EMU_GUID_LEN], corr[EMU_GUID_LEN], stamp[32];
    const char *client_req = emu_req_client_id(req);

    emu_ids_guid_random(trace);
    if (client_req)
        snprintf(corr, sizeof corr, "%s", client_req);
    else
        emu_ids_guid_random(corr);
    emu_ids_time_iso(clock_now_ms(), stamp);
    stamp[10] = ' ';
    stamp[19] = 'Z';
    stamp[20] = '\0';
    char *desc = xasprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
                           code, text, trace, corr, stamp);
    char *uri = xasprintf("https://login.microsoftonline.com/error?code=%d", code);
    emu_reply_json(req, status,
                   json_pack("{s:s, s:s, s:[i], s:s, s:s, s:s, s:s}", "error", error,
                             "error_description", desc, "error_codes", code, "timestamp", stamp,
                             "trace_id", trace, "correlation_id", corr, "error_uri", uri));
    free(desc);
    free(uri);
}

/* ---- tenants ---- */

/* Whether PATH_TENANT names our tenant (GUID or domain) or, when ALIASES,
 * "organizations" / "common". */
static int our_tenant(struct ms *ms, const char *tenant, int aliases)
{
    if (strcasecmp(tenant, ms->st->tenant_id) == 0 || strcasecmp(tenant, ms->st->domain) == 0)
        return 1;
    return aliases && (strcasecmp(tenant, "organizations") == 0 ||
                       strcasecmp(tenant, "common") == 0);
}

/* ---- the token endpoint ---- */

struct token_req {
    const char *body;
    size_t len;
    char *grant_type, *client_id, *client_secret, *scope;
};

static void token_req_clear(struct token_req *t)
{
    free(t->grant_type);
    free(t->client_id);
    free(t->client_secret);
    free(t->scope);
}

/* Whether the space-separated SCOPES contain WORD. */
static int has_scope(const char *scopes, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = scopes; p && *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == n && strncasecmp(p, word, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* The delegated scp for requested SCOPES: the Graph scopes' short names, or
 * the default set for ".default" or none.  The caller frees it. */
static char *delegated_scp(const char *scopes)
{
    static const char prefix[] = "https://graph.microsoft.com/";
    struct buf b = BUF_INIT;
    for (const char *p = scopes; p && *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        char *one = xstrndup(p, len);
        const char *name = strncasecmp(one, prefix, sizeof prefix - 1) == 0
                               ? one + sizeof prefix - 1 : one;
        if (*name && strcmp(name, ".default") != 0 && !has_scope("openid profile offline_access email", name))
            buf_printf(&b, "%s%s", b.len ? " " : "", name);
        free(one);
        p += len;
    }
    if (!b.len)
        buf_puts(&b, MS_DEFAULT_SCP);
    return buf_steal(&b);
}

/* The app named by the request, its secret checked when REQUIRE_SECRET or
 * when one was sent.  Answers the error and returns NULL otherwise.  Lock held. */
static struct ms_app *client_auth(struct ms *ms, struct http_req *req, struct token_req *t,
                                  int require_secret)
{
    if (!t->client_id) {
        token_error(req, 400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'client_id'.");
        return NULL;
    }
    struct ms_app *app = ms_state_app(ms->st, t->client_id);
    if (!app) {
        char *text = xasprintf("Application with identifier '%s' was not found in the directory "
                               "'%s'.", t->client_id, ms->st->domain);
        token_error(req, 400, "unauthorized_client", 700016, text);
        free(text);
        return NULL;
    }
    if (!t->client_secret && require_secret) {
        token_error(req, 401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' "
                    "or 'client_secret'.");
        return NULL;
    }
    if (t->client_secret && strcmp(t->client_secret, app->client_secret) != 0) {
        char *text = xasprintf("Invalid client secret provided. Ensure the secret being sent in "
                               "the request is the client secret value, not the client secret "
                               "ID, for a secret added to app '%s'.", app->client_id);
        token_error(req, 401, "invalid_client", 7000215, text);
        free(text);
        return NULL;
    }
    return app;
}

static void grant_client_credentials(struct ms *ms, struct http_req *req, struct token_req *t)
{
    const char *scope = t->scope;
    if (!scope) {
        token_error(req, 400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'scope'.");
        return;
    }
    if (strcasecmp(scope, "https://graph.microsoft.com/.default") != 0 &&
        strcasecmp(scope, "00000003-0000-0000-c000-000000000000/.default") != 0) {
        token_error(req, 400, "invalid_scope", 70011,
                    "The provided value for the input parameter 'scope' is not valid. The scope "
                    "must be https://graph.microsoft.com/.default for the client credentials flow.");
        return;
    }
    ms_state_lock(ms->st);
    struct ms_app *app = client_auth(ms, req, t, 1);
    char *token = app ? ms_auth_mint_app(ms, app) : NULL;
    ms_state_unlock(ms->st);
    if (!token)
        return;
    emu_reply_json(req, 200, json_pack("{s:s, s:i, s:i, s:s}", "token_type", "Bearer",
                                       "expires_in", MS_TOKEN_LIFETIME_S, "ext_expires_in",
                                       MS_TOKEN_LIFETIME_S, "access_token", token));
    free(token);
}

/* An unsigned-by-MSAL's-standards but well-formed id_token for USER. */
static char *id_token(struct ms *ms, const struct ms_app *app, const struct ms_user *user)
{
    long long now = clock_now_ms() / 1000;
    char *iss = xasprintf("%s/%s/v2.0", emu_frame_origin(ms->frame), ms->st->tenant_id);
    json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "aud",
                               app->client_id, "iss", iss, "tid", ms->st->tenant_id, "oid",
                               user->id, "sub", user->id, "preferred_username", user->upn,
                               "name", user->display_name, "iat", (json_int_t)now, "nbf",
                               (json_int_t)now, "exp", (json_int_t)(now + MS_TOKEN_LIFETIME_S),
                               "ver", "2.0");
    char *token = emu_jwt_sign(ms->key, claims);
    json_decref(claims);
    free(iss);
    return token;
}

/* The user-grant reply: access token, and id_token / refresh_token /
 * client_info as MSAL asks.  Lock held. */
static void reply_user_tokens(struct ms *ms, struct http_req *req, struct token_req *t,
                              const struct ms_app *app, const struct ms_user *user,
                              const char *scope)
{
    char *scp = delegated_scp(scope);
    char *access = ms_auth_mint(ms, app, user, scp);
    json_t *body = json_pack("{s:s, s:s, s:i, s:i, s:s}", "token_type", "Bearer", "scope",
                             scope && *scope ? scope : scp, "expires_in", MS_TOKEN_LIFETIME_S,
                             "ext_expires_in", MS_TOKEN_LIFETIME_S, "access_token", access);
    if (has_scope(scope, "offline_access"))
        json_object_set_new(body, "refresh_token",
                            json_string(ms_refresh_issue(ms->st, user->id, app->client_id, scope)));
    if (has_scope(scope, "openid")) {
        char *idt = id_token(ms, app, user);
        json_object_set_new(body, "id_token", json_string(idt));
        free(idt);
    }
    char *client_info_flag = emu_form_get(t->body, t->len, "client_info");
    if (client_info_flag && strcmp(client_info_flag, "1") == 0) {
        char *info = xasprintf("{\"uid\":\"%s\",\"utid\":\"%s\"}", user->id, ms->st->tenant_id);
        char *b64 = emu_ids_base64url((const unsigned char *)info, strlen(info));
        json_object_set_new(body, "client_info", json_string(b64));
        free(b64);
        free(info);
    }
    free(client_info_flag);
    free(access);
    free(scp);
    emu_reply_json(req, 200, body);
}

static void grant_password(struct ms *ms, struct http_req *req, struct token_req *t)
{
    char *username = emu_form_get(t->body, t->len, "username");
    char *password = emu_form_get(t->body, t->len, "password");

    ms_state_lock(ms->st);
    const struct ms_app *app = client_auth(ms, req, t, 0);
    if (!app)
        goto out;
    if (!username || !password) {
        token_error(req, 400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'username' and "
                    "'password'.");
        goto out;
    }
    const struct ms_user *user = ms_user_find(ms->st, username);
    if (!user) {
        char *text = xasprintf("The user account %s does not exist in the %s directory. To sign "
                               "into this application, the account must be added to the directory.",
                               username, ms->st->domain);
        token_error(req, 400, "invalid_grant", 50034, text);
        free(text);
        goto out;
    }
    if (!user->account_enabled) {
        token_error(req, 400, "invalid_grant", 50057, "The user account is disabled.");
        goto out;
    }
    if (!user->password || strcmp(user->password, password) != 0) {
        token_error(req, 400, "invalid_grant", 50126,
                    "Error validating credentials due to invalid username or password.");
        goto out;
    }
    reply_user_tokens(ms, req, t, app, user, t->scope);
out:
    ms_state_unlock(ms->st);
    free(username);
    free(password);
}

static void grant_refresh(struct ms *ms, struct http_req *req, struct token_req *t)
{
    char *rt = emu_form_get(t->body, t->len, "refresh_token");

    ms_state_lock(ms->st);
    const struct ms_app *app = client_auth(ms, req, t, 0);
    struct ms_refresh *r = (app && rt) ? ms_refresh_find(ms->st, rt) : NULL;
    const struct ms_user *user = r ? ms_user_find(ms->st, r->user_id) : NULL;
    if (!app)
        goto out;
    if (!r || strcasecmp(r->client_id, app->client_id) != 0 || !user) {
        token_error(req, 400, "invalid_grant", 9002313,
                    "Invalid request. Request is malformed or invalid: the refresh token is "
                    "unknown, revoked or was issued to another client.");
        goto out;
    }
    if (!user->account_enabled) {
        token_error(req, 400, "invalid_grant", 50057, "The user account is disabled.");
        goto out;
    }
    reply_user_tokens(ms, req, t, app, user, t->scope ? t->scope : r->scope);
out:
    ms_state_unlock(ms->st);
    free(rt);
}

static void on_token(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct token_req t = {0};
    char *basic_user = NULL, *basic_pass = NULL;

    t.body = http_req_body(req, &t.len);
    if (!our_tenant(ms, http_req_param(req, "tenant"), 1)) {
        char *text = xasprintf("Tenant '%s' not found. Check to make sure you have the correct "
                               "tenant ID and are signing into the correct cloud.",
                               http_req_param(req, "tenant"));
        token_error(req, 400, "invalid_request", 90002, text);
        free(text);
        return;
    }
    t.grant_type = emu_form_get(t.body, t.len, "grant_type");
    t.client_id = emu_form_get(t.body, t.len, "client_id");
    t.client_secret = emu_form_get(t.body, t.len, "client_secret");
    t.scope = emu_form_get(t.body, t.len, "scope");
    if (emu_form_basic(http_req_header(req, "Authorization"), &basic_user, &basic_pass) == 0) {
        if (!t.client_id) {
            t.client_id = basic_user;
            basic_user = NULL;
        }
        if (!t.client_secret) {
            t.client_secret = basic_pass;
            basic_pass = NULL;
        }
    }
    if (!t.grant_type)
        token_error(req, 400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'grant_type'.");
    else if (strcmp(t.grant_type, "client_credentials") == 0)
        grant_client_credentials(ms, req, &t);
    else if (strcmp(t.grant_type, "password") == 0)
        grant_password(ms, req, &t);
    else if (strcmp(t.grant_type, "refresh_token") == 0)
        grant_refresh(ms, req, &t);
    else
        token_error(req, 400, "unsupported_grant_type", 70003,
                    "The app requested an unsupported grant type.");
    token_req_clear(&t);
    free(basic_user);
    free(basic_pass);
}

/* ---- metadata ---- */

static void on_openid_configuration(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    const char *tenant = http_req_param(req, "tenant");
    if (!our_tenant(ms, tenant, 1)) {
        token_error(req, 400, "invalid_tenant", 90002, "Tenant not found.");
        return;
    }
    const char *origin = emu_frame_origin(ms->frame);
    const char *tid = ms->st->tenant_id;
    char *base = xasprintf("%s/%s", origin, tid);
    char *iss = xasprintf("%s/v2.0", base);
    char *authz = xasprintf("%s/oauth2/v2.0/authorize", base);
    char *token = xasprintf("%s/oauth2/v2.0/token", base);
    char *device = xasprintf("%s/oauth2/v2.0/devicecode", base);
    char *logout = xasprintf("%s/oauth2/v2.0/logout", base);
    char *jwks = xasprintf("%s/discovery/v2.0/keys", base);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s], s:[s,s,s], s:[s,s,s,s], s:[s,s,s,s],"
        " s:[s], s:[s], s:b, s:b, s:b, s:s, s:s, s:s, s:s}",
        "issuer", iss, "authorization_endpoint", authz, "token_endpoint", token,
        "device_authorization_endpoint", device, "end_session_endpoint", logout, "jwks_uri", jwks,
        "token_endpoint_auth_methods_supported", "client_secret_post", "private_key_jwt",
        "client_secret_basic", "response_modes_supported", "query", "fragment", "form_post",
        "response_types_supported", "code", "id_token", "code id_token", "id_token token",
        "scopes_supported", "openid", "profile", "email", "offline_access",
        "subject_types_supported", "pairwise", "id_token_signing_alg_values_supported", "RS256",
        "request_uri_parameter_supported", 0, "http_logout_supported", 1,
        "frontchannel_logout_supported", 1, "tenant_region_scope", "NA", "cloud_instance_name",
        "microsoftonline.com", "cloud_graph_host_name", "graph.windows.net", "msgraph_host",
        "graph.microsoft.com");
    emu_reply_json(req, 200, doc);
    free(base);
    free(iss);
    free(authz);
    free(token);
    free(device);
    free(logout);
    free(jwks);
}

static void on_jwks(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    json_t *jwk = emu_jwt_key_jwk(ms->key);
    char *iss = xasprintf("%s/%s/v2.0", emu_frame_origin(ms->frame), ms->st->tenant_id);
    json_object_set_new(jwk, "issuer", json_string(iss));
    free(iss);
    emu_reply_json(req, 200, json_pack("{s:[o]}", "keys", jwk));
}

/* GET /common/discovery/instance: the metadata MSAL asks for when the
 * authority is not in knownAuthorities. */
static void on_instance_discovery(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    const char *origin = emu_frame_origin(ms->frame);
    const char *host = strstr(origin, "://") + 3;
    char *tde = xasprintf("%s/%s/v2.0/.well-known/openid-configuration", origin,
                          ms->st->tenant_id);
    emu_reply_json(req, 200,
                   json_pack("{s:s, s:s, s:[{s:s, s:s, s:[s]}]}", "tenant_discovery_endpoint", tde,
                             "api-version", "1.1", "metadata", "preferred_network", host,
                             "preferred_cache", host, "aliases", host));
    free(tde);
}

void ms_identity_routes(struct ms *ms)
{
    struct emu_frame *f = ms->frame;
    emu_frame_route(f, "POST", "/:tenant/oauth2/v2.0/token", on_token, ms);
    emu_frame_route(f, "GET", "/:tenant/v2.0/.well-known/openid-configuration",
                    on_openid_configuration, ms);
    emu_frame_route(f, "GET", "/:tenant/.well-known/openid-configuration",
                    on_openid_configuration, ms);
    emu_frame_route(f, "GET", "/:tenant/discovery/v2.0/keys", on_jwks, ms);
    emu_frame_route(f, "GET", "/:tenant/discovery/keys", on_jwks, ms);
    emu_frame_route(f, "GET", "/:tenant/discovery/instance", on_instance_discovery, ms);
}
