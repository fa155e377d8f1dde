/* test_oauth.c - tests for src/net/oauth.c, oauth_error.c and jwt.c against
 * a fake token endpoint on 127.0.0.1 that checks the form fields as
 * Microsoft and Google do and answers success or their error shapes.  The
 * Google assertion is split, its header and claims decoded and checked, and
 * its signature verified with the service account's public key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "fake_peer.h"
#include "net/oauth.h"
#include "net/oauth_error.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SECRET "s3cret&=+ %x"        /* needs every kind of escaping */

/* ---- form and JWT decoding on the peer's side ---- */

/* The decoded value of NAME in the form BODY, or NULL; the caller frees. */
static char *form_get(const char *body, const char *name)
{
    size_t nlen = strlen(name);

    for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, nlen) != 0 || p[nlen] != '=')
            continue;
        const char *v = p + nlen + 1;
        size_t vlen = strcspn(v, "&");
        char *out = xmalloc(vlen + 1), *o = out;
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] == '%' && i + 2 < vlen) {
                char hex[3] = { v[i + 1], v[i + 2], 0 };
                *o++ = (char)strtol(hex, NULL, 16);
                i += 2;
            } else {
                *o++ = v[i] == '+' ? ' ' : v[i];
            }
        }
        *o = '\0';
        return out;
    }
    return NULL;
}

static unsigned char *b64url_decode(const char *text, size_t len, size_t *out_len)
{
    unsigned char *out = xmalloc(len + 1);
    assert_int_equal(sodium_base642bin(out, len, text, len, NULL, out_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    out[*out_len] = '\0';
    return out;
}

static json_t *decode_part(const char *text, size_t len)
{
    size_t n;
    unsigned char *raw = b64url_decode(text, len, &n);
    json_t *j = json_loadb((const char *)raw, n, 0, NULL);
    free(raw);
    assert_non_null(j);
    return j;
}

/* ---- the fake Microsoft identity platform ---- */

static void ms_error(struct http_req *req, int status, const char *error, int code, const char *text)
{
    char *desc = xasprintf("AADSTS%d: %s\r\nTrace ID: 1234\r\nCorrelation ID: 5678", code, text);
    http_reply_json(req, status, json_pack("{s:s, s:s, s:[i], s:s}", "error", error,
                                           "error_description", desc, "error_codes", code,
                                           "trace_id", "1234"));
    free(desc);
}

static void on_ms_token(struct http_req *req, void *ctx)
{
    (void)ctx;
    size_t len;
    const char *body = http_req_body(req, &len);
    char *grant = form_get(body, "grant_type"), *id = form_get(body, "client_id");
    char *secret = form_get(body, "client_secret"), *scope = form_get(body, "scope");
    char *user = form_get(body, "username"), *pass = form_get(body, "password");
    const char *type = http_req_header(req, "content-type");

    if (strcmp(http_req_param(req, "tenant"), "contoso.example") != 0)
        ms_error(req, 400, "invalid_request", 90002, "Tenant 'nowhere' not found.");
    else if (!type || strcmp(type, "application/x-www-form-urlencoded") != 0 || !scope)
        ms_error(req, 400, "invalid_request", 900144, "The request body must contain 'scope'.");
    else if (!id || strcmp(id, "app-1") != 0)
        ms_error(req, 400, "unauthorized_client", 700016, "Application 'x' was not found.");
    else if (!secret || strcmp(secret, SECRET) != 0)
        ms_error(req, 401, "invalid_client", 7000215, "Invalid client secret provided.");
    else if (strcmp(grant, "client_credentials") == 0 &&
             strcmp(scope, "https://graph.microsoft.com/.default") == 0)
        http_reply_json(req, 200, json_pack("{s:s, s:i, s:i, s:s}", "token_type", "Bearer",
                                            "expires_in", 3599, "ext_expires_in", 3599,
                                            "access_token", "ms-app-token"));
    else if (strcmp(grant, "password") == 0 && user && strcmp(user, "guest@contoso.example") == 0 &&
             pass && strcmp(pass, "pässword 1") == 0)
        /* expires_in as a numeric string, which MSAL accepts too */
        http_reply_json(req, 200, json_pack("{s:s, s:s, s:s, s:s}", "token_type", "Bearer",
                                            "expires_in", "3599", "scope", scope,
                                            "access_token", "ms-user-token"));
    else if (strcmp(grant, "password") == 0)
        ms_error(req, 400, "invalid_grant", 50126, "Error validating credentials due to invalid "
                                                   "username or password.");
    else
        ms_error(req, 400, "invalid_scope", 70011, "The provided value for 'scope' is not valid.");
    free(grant);
    free(id);
    free(secret);
    free(scope);
    free(user);
    free(pass);
}

/* ---- the fake Google token endpoint ---- */

static EVP_PKEY *sa_key;                /* the service account's key pair */
static json_t *last_header, *last_claims;

static int signature_valid(const char *jwt)
{
    const char *dot2 = strrchr(jwt, '.');
    size_t sig_len;
    unsigned char *sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, sa_key) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)jwt,
                              (size_t)(dot2 - jwt)) == 1;
    EVP_MD_CTX_free(md);
    free(sig);
    return ok;
}

static void on_google_token(struct http_req *req, void *ctx)
{
    (void)ctx;
    size_t len;
    const char *body = http_req_body(req, &len);
    char *grant = form_get(body, "grant_type"), *jwt = form_get(body, "assertion");
    const char *dot1 = jwt ? strchr(jwt, '.') : NULL, *dot2 = jwt ? strrchr(jwt, '.') : NULL;
    const char *sub;

    if (!grant || strcmp(grant, NET_OAUTH_JWT_BEARER) != 0 || !dot1 || dot1 == dot2) {
        http_reply_json(req, 400, json_pack("{s:s}", "error", "unsupported_grant_type"));
        goto out;
    }
    json_decref(last_header);
    json_decref(last_claims);
    last_header = decode_part(jwt, (size_t)(dot1 - jwt));
    last_claims = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    sub = json_string_value(json_object_get(last_claims, "sub"));
    if (!signature_valid(jwt))
        http_reply_json(req, 400, json_pack("{s:s, s:s}", "error", "invalid_grant",
                                            "error_description", "Invalid JWT Signature."));
    else if (sub && strcmp(sub, "nobody@example.com") == 0)
        http_reply_json(req, 400, json_pack("{s:s, s:s}", "error", "invalid_grant",
                                            "error_description", "Invalid email or User ID"));
    else if (sub && strcmp(sub, "nodwd@example.com") == 0)
        http_reply_json(req, 401, json_pack("{s:s, s:s}", "error", "unauthorized_client",
                                            "error_description",
                                            "Client is unauthorized to retrieve access tokens "
                                            "using this method, or client not authorized for any "
                                            "of the scopes requested."));
    else
        http_reply_json(req, 200, json_pack("{s:s, s:i, s:s}", "access_token", "ya29.google",
                                            "expires_in", 3599, "token_type", "Bearer"));
out:
    free(grant);
    free(jwt);
}

static void on_broken(struct http_req *req, void *ctx)
{
    (void)ctx;
    http_reply_bytes(req, 502, "text/html", "<html>bad gateway</html>", 24);
}

/* ---- fixture ---- */

struct fixture {
    struct fake_peer *peer;
    struct net_http_client *client;
    struct net_retry_policy policy;
    char token_uri[128];
    char *key_pem;
};

static void on_no_sleep(long long ms, void *ctx)
{
    (void)ms;
    (void)ctx;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    f->peer = fake_peer_new();
    http_router_add(f->peer->router, "POST", "/:tenant/oauth2/v2.0/token", on_ms_token, NULL);
    http_router_add(f->peer->router, "POST", "/token", on_google_token, NULL);
    http_router_add(f->peer->router, "POST", "/broken", on_broken, NULL);
    fake_peer_start(f->peer, 0);
    f->client = net_http_client_new(NULL);
    f->policy = (struct net_retry_policy){ .max_attempts = 2, .sleep_ms = on_no_sleep };
    snprintf(f->token_uri, sizeof f->token_uri, "%s/token", f->peer->base);

    sa_key = EVP_RSA_gen(2048);
    f->key_pem = test_tls_key_pem(sa_key);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    net_http_client_free(f->client);
    fake_peer_free(f->peer);
    EVP_PKEY_free(sa_key);
    json_decref(last_header);
    json_decref(last_claims);
    last_header = last_claims = NULL;
    free(f->key_pem);
    free(f);
    return 0;
}

/* ---- Microsoft ---- */

static enum parley_err ms_app_token(struct fixture *f, const char *tenant, const char *client_id,
                                    const char *secret, struct net_token *tok, char **why)
{
    struct net_oauth_ms_app app = { .authority = f->peer->base, .tenant = tenant,
                                    .client_id = client_id, .client_secret = secret };
    return net_oauth_ms_client_credentials(f->client, &f->policy, &app, NULL, tok, why);
}

static void test_oauth_ms_client_credentials(void **state)
{
    struct fixture *f = *state;
    struct net_token tok = { 0 };
    char *why = NULL;
    long long before = clock_now_ms();

    assert_int_equal(ms_app_token(f, "contoso.example", "app-1", SECRET, &tok, &why), PARLEY_OK);
    assert_null(why);
    assert_string_equal(tok.access_token, "ms-app-token");
    assert_true(tok.expires_at_ms >= before + 3599000);
    assert_true(tok.expires_at_ms <= clock_now_ms() + 3599000);
    net_token_clear(&tok);
    assert_null(tok.access_token);
}

static void test_oauth_ms_errors(void **state)
{
    struct fixture *f = *state;
    struct net_token tok = { 0 };
    char *why = NULL;

    assert_int_equal(ms_app_token(f, "contoso.example", "app-1", "WRONG-SECRET-42", &tok, &why),
                     PARLEY_ERR_AUTH);
    assert_null(tok.access_token);
    assert_non_null(strstr(why, "HTTP 401, invalid_client, AADSTS7000215"));
    assert_non_null(strstr(why, "not its Secret ID"));
    assert_non_null(strstr(why, "Server: AADSTS7000215: Invalid client secret provided."));
    assert_null(strstr(why, "Trace ID"));          /* only the first line of the description */
    assert_null(strstr(why, "WRONG-SECRET-42"));   /* the secret sent never shows */
    free(why);

    assert_int_equal(ms_app_token(f, "nowhere", "app-1", SECRET, &tok, &why), PARLEY_ERR_NOT_FOUND);
    assert_non_null(strstr(why, "AADSTS90002"));
    assert_non_null(strstr(why, "tenant does not exist"));
    free(why);

    assert_int_equal(ms_app_token(f, "contoso.example", "app-9", SECRET, &tok, &why),
                     PARLEY_ERR_NOT_FOUND);
    assert_non_null(strstr(why, "AADSTS700016"));
    assert_non_null(strstr(why, "client) ID is not known"));
    free(why);

    assert_int_equal(ms_app_token(f, "contoso.example", "app-1", NULL, &tok, &why),
                     PARLEY_ERR_INVALID);
    assert_null(why);
}

static void test_oauth_ms_password(void **state)
{
    struct fixture *f = *state;
    struct net_oauth_ms_app app = { .authority = f->peer->base, .tenant = "contoso.example",
                                    .client_id = "app-1", .client_secret = SECRET };
    const char *scope = "https://graph.microsoft.com/ChatMessage.Send offline_access";
    struct net_token tok = { 0 };
    char *why = NULL;

    assert_int_equal(net_oauth_ms_password(f->client, &f->policy, &app, "guest@contoso.example",
                                           "pässword 1", scope, &tok, &why), PARLEY_OK);
    assert_string_equal(tok.access_token, "ms-user-token");
    assert_true(tok.expires_at_ms > clock_now_ms() + 3500000);
    net_token_clear(&tok);

    assert_int_equal(net_oauth_ms_password(f->client, &f->policy, &app, "guest@contoso.example",
                                           "nope", scope, &tok, &why), PARLEY_ERR_AUTH);
    assert_non_null(strstr(why, "AADSTS50126"));
    assert_non_null(strstr(why, "wrong username or password"));
    assert_null(strstr(why, "nope"));
    free(why);
}

/* ---- Google ---- */

static void test_oauth_google_assertion(void **state)
{
    struct fixture *f = *state;
    struct net_oauth_google_sa sa = { .client_email = "parley@p.iam.gserviceaccount.com",
                                      .private_key_pem = f->key_pem, .private_key_id = "kid-1",
                                      .token_uri = f->token_uri };
    const char *scope = "https://www.googleapis.com/auth/chat.messages "
                        "https://www.googleapis.com/auth/admin.directory.user";
    struct net_token tok = { 0 };
    char *why = NULL;
    long long before = clock_now_ms() / 1000;

    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, "alice@example.com",
                                                 scope, &tok, &why), PARLEY_OK);
    assert_null(why);
    assert_string_equal(tok.access_token, "ya29.google");
    net_token_clear(&tok);

    /* What the endpoint received (the signature was verified there). */
    assert_string_equal(json_string_value(json_object_get(last_header, "alg")), "RS256");
    assert_string_equal(json_string_value(json_object_get(last_header, "typ")), "JWT");
    assert_string_equal(json_string_value(json_object_get(last_header, "kid")), "kid-1");
    assert_string_equal(json_string_value(json_object_get(last_claims, "iss")), sa.client_email);
    assert_string_equal(json_string_value(json_object_get(last_claims, "sub")),
                        "alice@example.com");
    assert_string_equal(json_string_value(json_object_get(last_claims, "scope")), scope);
    assert_string_equal(json_string_value(json_object_get(last_claims, "aud")), f->token_uri);
    long long iat = json_integer_value(json_object_get(last_claims, "iat"));
    long long exp = json_integer_value(json_object_get(last_claims, "exp"));
    assert_true(iat >= before && iat <= clock_now_ms() / 1000);
    assert_int_equal(exp - iat, 3600);

    /* Without a subject the service account acts as itself: no "sub". */
    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, NULL, scope, &tok,
                                                 &why), PARLEY_OK);
    assert_null(json_object_get(last_claims, "sub"));
    net_token_clear(&tok);
}

static void test_oauth_google_errors(void **state)
{
    struct fixture *f = *state;
    struct net_oauth_google_sa sa = { .client_email = "parley@p.iam.gserviceaccount.com",
                                      .private_key_pem = f->key_pem, .token_uri = f->token_uri };
    struct net_token tok = { 0 };
    char *why = NULL;

    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, "nodwd@example.com",
                                                 "s", &tok, &why), PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(why, "HTTP 401, unauthorized_client"));
    assert_non_null(strstr(why, "Domain-wide delegation"));
    free(why);

    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, "nobody@example.com",
                                                 "s", &tok, &why), PARLEY_ERR_NOT_FOUND);
    assert_non_null(strstr(why, "user to act as is unknown"));
    free(why);

    /* Signed with another key: the endpoint's signature check refuses it. */
    EVP_PKEY *other = EVP_RSA_gen(2048);
    char *other_key = test_tls_key_pem(other);
    sa.private_key_pem = other_key;
    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, "alice@example.com",
                                                 "s", &tok, &why), PARLEY_ERR_AUTH);
    assert_non_null(strstr(why, "does not belong to the service account"));
    free(why);
    EVP_PKEY_free(other);
    free(other_key);

    /* Not a key at all: the fixture's key PEM with its body cut to four
     * bytes, refused before any request. */
    const char *body = strchr(f->key_pem, '\n') + 1;
    const char *footer = strstr(body, "-----END");
    char *not_a_key = xasprintf("%.*sAAAA\n%s", (int)(body - f->key_pem), f->key_pem, footer);
    sa.private_key_pem = not_a_key;
    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, NULL, "s", &tok,
                                                 &why), PARLEY_ERR_CRYPTO);
    assert_non_null(strstr(why, "not a PEM-encoded RSA private key"));
    free(why);
    free(not_a_key);
}

static void test_oauth_unreadable_answers(void **state)
{
    struct fixture *f = *state;
    struct net_oauth_google_sa sa = { .client_email = "parley@p.iam.gserviceaccount.com",
                                      .private_key_pem = f->key_pem };
    char url[160];
    struct net_token tok = { 0 };
    char *why = NULL;

    /* A 502 with HTML, retried by the policy, then reported. */
    snprintf(url, sizeof url, "%s/broken", f->peer->base);
    sa.token_uri = url;
    assert_int_equal(net_oauth_google_jwt_bearer(f->client, &f->policy, &sa, NULL, "s", &tok,
                                                 &why), PARLEY_ERR_PLATFORM);
    assert_non_null(strstr(why, "HTTP 502"));
    assert_non_null(strstr(why, "unavailable"));
    free(why);
}

static void test_oauth_error_table(void **state)
{
    (void)state;
    char *msg = NULL;
    const char *by_text = "{\"error\":\"invalid_grant\",\"error_description\":"
                          "\"AADSTS50057: The user account is disabled.\"}";
    const char *unknown_code = "{\"error\":\"invalid_client\",\"error_codes\":[12345]}";
    const char *skew = "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT: Token "
                       "must be a short-lived token (60 minutes) and in a reasonable timeframe.\"}";

    /* The AADSTS code read from the description when error_codes is absent. */
    assert_int_equal(net_oauth_error_describe(NET_OAUTH_MICROSOFT, 400, by_text, strlen(by_text),
                                              &msg), PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(msg, "AADSTS50057"));
    assert_non_null(strstr(msg, "disabled"));
    free(msg);
    /* An unknown code falls back to the error's row. */
    assert_int_equal(net_oauth_error_describe(NET_OAUTH_MICROSOFT, 401, unknown_code,
                                              strlen(unknown_code), &msg), PARLEY_ERR_AUTH);
    assert_non_null(strstr(msg, "client credentials were rejected"));
    free(msg);
    assert_int_equal(net_oauth_error_describe(NET_OAUTH_GOOGLE, 400, skew, strlen(skew), &msg),
                     PARLEY_ERR_INVALID);
    assert_non_null(strstr(msg, "clock"));
    free(msg);
    assert_int_equal(net_oauth_error_describe(NET_OAUTH_GOOGLE, 429, "", 0, &msg),
                     PARLEY_ERR_THROTTLED);
    free(msg);
    assert_int_equal(net_oauth_error_describe(NET_OAUTH_GOOGLE, 400, "{\"error\":\"odd\"}", 15,
                                              &msg), PARLEY_ERR_PLATFORM);
    assert_non_null(strstr(msg, "HTTP 400, odd"));
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_oauth_ms_client_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_ms_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_ms_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_google_assertion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_google_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oauth_unreadable_answers, setup, teardown),
        cmocka_unit_test(test_oauth_error_table),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
