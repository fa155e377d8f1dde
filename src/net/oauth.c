/* oauth.c - Microsoft client-credentials and password grants, and Google's
 * service-account JWT-bearer grant (see oauth.h). */
#include "net/oauth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "net/jwt.h"
#include "net/oauth_error.h"
#include "net/url.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

static const char *const accept_json[] = { "Accept: application/json", NULL };

/* Zero a buffer that held a secret or a token, then free it. */
static void buf_wipe_free(struct buf *b)
{
    if (b->data)
        sodium_memzero(b->data, b->cap);
    buf_free(b);
}

static const char *endpoint_name(enum net_oauth_provider provider)
{
    return provider == NET_OAUTH_MICROSOFT ? "Microsoft token endpoint" : "Google token endpoint";
}

/* expires_in as a number of seconds: an integer, or a numeric string (which
 * MSAL also accepts).  -1 when absent or malformed. */
static long long expires_in_seconds(const json_t *doc)
{
    const json_t *v = json_object_get(doc, "expires_in");
    char *end;
    long long s;

    if (json_is_integer(v))
        return json_integer_value(v);
    if (!json_is_string(v))
        return -1;
    s = strtoll(json_string_value(v), &end, 10);
    return *end == '\0' && end != json_string_value(v) ? s : -1;
}

/* Parse a 200 answer {access_token, expires_in, token_type} into *OUT. */
static enum parley_err parse_token(enum net_oauth_provider provider, const struct buf *body,
                                   struct net_token *out, char **why)
{
    json_t *doc = NULL;
    char *parse_why = NULL;
    const char *token, *type;
    long long expires_in;
    enum parley_err rc = PARLEY_ERR_PLATFORM;

    if (json_parse(body->data, body->len, &doc, &parse_why) != PARLEY_OK || !json_is_object(doc)) {
        *why = xasprintf("%s answered 200 without a JSON object", endpoint_name(provider));
        goto out;
    }
    token = json_get_str(doc, "access_token");
    type = json_get_str(doc, "token_type");
    expires_in = expires_in_seconds(doc);
    if (!token || !*token || (type && strcasecmp(type, "Bearer") != 0) || expires_in < 0) {
        *why = xasprintf("%s answered 200 without a Bearer access_token and expires_in",
                         endpoint_name(provider));
        goto out;
    }
    out->access_token = xstrdup(token);
    out->expires_at_ms = clock_now_ms() + expires_in * 1000;
    rc = PARLEY_OK;

out:
    free(parse_why);
    json_decref(doc);
    return rc;
}

/* POST FORM to the token endpoint URL and read the token or the refusal. */
static enum parley_err token_request(struct net_http_client *client,
                                     const struct net_retry_policy *policy,
                                     enum net_oauth_provider provider, const char *url,
                                     const struct buf *form, struct net_token *out, char **why)
{
    struct net_http_request req = {
        .method = "POST",
        .url = url,
        .headers = accept_json,
        .body = buf_str(form),
        .body_len = form->len,
        .content_type = "application/x-www-form-urlencoded",
    };
    struct net_http_response resp = { 0 };
    enum parley_err rc;

    *why = NULL;
    memset(out, 0, sizeof *out);
    rc = net_retry_send(client, policy, &req, &resp);
    if (rc != PARLEY_OK) {
        *why = xasprintf("%s: %s", endpoint_name(provider),
                         resp.error ? resp.error : parley_strerror(rc));
        goto out;
    }
    if (resp.status != 200) {
        rc = net_oauth_error_describe(provider, resp.status, resp.body.data, resp.body.len, why);
        goto out;
    }
    rc = parse_token(provider, &resp.body, out, why);

out:
    buf_wipe_free(&resp.body);      /* it held the token */
    net_http_response_free(&resp);
    return rc;
}

/* {authority}/{tenant}/oauth2/v2.0/token */
static char *ms_token_url(const struct net_oauth_ms_app *app)
{
    const char *authority = app->authority ? app->authority : NET_OAUTH_MS_AUTHORITY;
    size_t len = strlen(authority);
    struct buf url = BUF_INIT;

    while (len && authority[len - 1] == '/')
        len--;
    buf_append(&url, authority, len);
    buf_puts(&url, "/");
    net_url_encode(&url, app->tenant);
    buf_puts(&url, "/oauth2/v2.0/token");
    return buf_steal(&url);
}

static int ms_app_valid(const struct net_oauth_ms_app *app)
{
    return app && app->tenant && *app->tenant && app->client_id && *app->client_id;
}

/* Send the Microsoft grant whose own fields are already in FORM. */
static enum parley_err ms_grant(struct net_http_client *client, const struct net_retry_policy *policy,
                                const struct net_oauth_ms_app *app, const char *scope,
                                struct buf *form, struct net_token *out, char **why)
{
    char *url = ms_token_url(app);
    enum parley_err rc;

    net_url_form_add(form, "client_id", app->client_id);
    net_url_form_add(form, "scope", scope ? scope : NET_OAUTH_GRAPH_SCOPE);
    if (app->client_secret)
        net_url_form_add(form, "client_secret", app->client_secret);
    rc = token_request(client, policy, NET_OAUTH_MICROSOFT, url, form, out, why);
    free(url);
    return rc;
}

enum parley_err net_oauth_ms_client_credentials(struct net_http_client *client,
                                                const struct net_retry_policy *policy,
                                                const struct net_oauth_ms_app *app,
                                                const char *scope, struct net_token *out,
                                                char **why)
{
    struct buf form = BUF_INIT;
    enum parley_err rc;

    *why = NULL;
    if (!ms_app_valid(app) || !app->client_secret || !out)
        return PARLEY_ERR_INVALID;
    net_url_form_add(&form, "grant_type", "client_credentials");
    rc = ms_grant(client, policy, app, scope, &form, out, why);
    buf_wipe_free(&form);
    return rc;
}

enum parley_err net_oauth_ms_password(struct net_http_client *client,
                                      const struct net_retry_policy *policy,
                                      const struct net_oauth_ms_app *app, const char *username,
                                      const char *password, const char *scope,
                                      struct net_token *out, char **why)
{
    struct buf form = BUF_INIT;
    enum parley_err rc;

    *why = NULL;
    if (!ms_app_valid(app) || !username || !password || !out)
        return PARLEY_ERR_INVALID;
    net_url_form_add(&form, "grant_type", "password");
    net_url_form_add(&form, "username", username);
    net_url_form_add(&form, "password", password);
    rc = ms_grant(client, policy, app, scope, &form, out, why);
    buf_wipe_free(&form);
    return rc;
}

static const char *google_token_uri(const struct net_oauth_google_sa *sa)
{
    return sa->token_uri ? sa->token_uri : NET_OAUTH_GOOGLE_TOKEN_URI;
}

enum parley_err net_oauth_google_assertion(const struct net_oauth_google_sa *sa, const char *subject,
                                           const char *scope, long long now_s, char **jwt,
                                           char **why)
{
    json_t *header = NULL, *claims = NULL;
    enum parley_err rc;

    *jwt = NULL;
    *why = NULL;
    if (!sa || !sa->client_email || !sa->private_key_pem || !scope)
        return PARLEY_ERR_INVALID;
    header = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
    if (sa->private_key_id)
        json_object_set_new(header, "kid", json_string(sa->private_key_id));
    claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", sa->client_email, "scope", scope,
                       "aud", google_token_uri(sa), "iat", (json_int_t)now_s, "exp",
                       (json_int_t)(now_s + NET_OAUTH_ASSERTION_LIFETIME_S));
    if (!header || !claims) {
        *why = xstrdup("the service account's email or the scope is not valid UTF-8");
        rc = PARLEY_ERR_INVALID;
        goto out;
    }
    if (subject && json_object_set_new(claims, "sub", json_string(subject)) != 0) {
        *why = xstrdup("the subject is not valid UTF-8");
        rc = PARLEY_ERR_INVALID;
        goto out;
    }
    rc = net_jwt_sign_rs256(header, claims, sa->private_key_pem, jwt, why);

out:
    json_decref(header);
    json_decref(claims);
    return rc;
}

enum parley_err net_oauth_google_jwt_bearer(struct net_http_client *client,
                                            const struct net_retry_policy *policy,
                                            const struct net_oauth_google_sa *sa,
                                            const char *subject, const char *scope,
                                            struct net_token *out, char **why)
{
    struct buf form = BUF_INIT;
    char *jwt = NULL;
    enum parley_err rc;

    *why = NULL;
    if (!out)
        return PARLEY_ERR_INVALID;
    rc = net_oauth_google_assertion(sa, subject, scope, clock_now_ms() / 1000, &jwt, why);
    if (rc != PARLEY_OK)
        goto out;
    net_url_form_add(&form, "grant_type", NET_OAUTH_JWT_BEARER);
    net_url_form_add(&form, "assertion", jwt);
    rc = token_request(client, policy, NET_OAUTH_GOOGLE, google_token_uri(sa), &form, out, why);

out:
    free(jwt);
    buf_wipe_free(&form);
    return rc;
}
