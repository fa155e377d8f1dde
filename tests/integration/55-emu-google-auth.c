/* 55-emu-google-auth.c - build/parley-emu's Google side over real HTTP:
 * seed errors (exit 2 naming the JSON path), the service-account key file
 * and endpoints.json entry, the JWT-bearer token grant and its refusals,
 * the certs and OpenID configuration, and access-token checks (401 / 403). */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <pthread.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "http/router.h"
#include "http/server.h"
#include "lib/google_client.h"
#include "lib/google_fixture.h"
#include "lib/harness.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* ---- seed, key file, endpoints ---- */

/* Run parley-emu on SEED_TEXT, which must be refused: exit 2 and a message
 * naming PATH. */
static void expect_bad_seed(const char *seed_text, const char *path)
{
    char *dir = harness_tmpdir("parley-gemu-bad");
    char *seed = write_seed(dir, "seed.json", seed_text);
    char *out = xasprintf("%s/out", dir);
    char *log_path = xasprintf("%s/emu.log", dir);
    const char *argv[] = {harness_bin("parley-emu"), "--seed", seed, "--dir", out,
                          "--listen-microsoft", "127.0.0.1:0", "--listen-google", "127.0.0.1:0",
                          NULL};
    struct harness_proc *p = harness_proc_start(argv, NULL, log_path);
    assert_non_null(p);
    int status = harness_proc_stop(p, 0, 10000);
    harness_proc_free(p);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    char *log = harness_read_file(log_path);
    assert_non_null(log);
    assert_non_null(strstr(log, path));
    free(log);
    free(log_path);
    free(out);
    free(seed);
    harness_rmrf(dir);
    free(dir);
}

static void test_bad_seed_names_the_path(void **state)
{
    (void)state;
    expect_bad_seed("{\"google\": {\"users\": [{\"primaryEmail\": \"a@example.com\"},"
                    " {\"primaryEmail\": 7}]}}",
                    "google.users[1].primaryEmail");
    expect_bad_seed("{\"google\": {\"groups\": [{\"email\": \"g@example.com\","
                    " \"members\": [\"x\"]}]}}",
                    "google.groups[0].members[0]");
    expect_bad_seed("{\"google\": {\"service_account\": {\"client_mail\": \"x\"}}}",
                    "google.service_account.client_mail");
    expect_bad_seed("{\"google\": {\"generate\": {\"users\": -1}}}", "google.generate.users");
}

static void test_key_file_and_endpoints(void **state)
{
    (void)state;
    json_t *g = E.google;
    assert_string_equal(json_string_value(json_object_get(g, "customer_id")), "C0test01");
    assert_string_equal(json_string_value(json_object_get(g, "domain")), "example.com");
    assert_string_equal(json_string_value(json_object_get(g, "admin_email")), "admin@example.com");
    char *token_uri = xasprintf("%stoken", E.root);
    assert_string_equal(json_string_value(json_object_get(g, "token_uri")), token_uri);
    assert_string_equal(json_string_value(json_object_get(E.key, "token_uri")), token_uri);
    free(token_uri);
    assert_string_equal(json_string_value(json_object_get(E.key, "type")), "service_account");
    assert_string_equal(json_string_value(json_object_get(E.key, "client_email")), SA_EMAIL);
    assert_string_equal(json_string_value(json_object_get(E.key, "project_id")), "parley-test");
    assert_int_equal(strlen(json_string_value(json_object_get(E.key, "private_key_id"))), 40);
}

/* ---- the token endpoint ---- */

static void expect_token_error(char *jwt, long status, const char *error, const char *text)
{
    struct harness_resp r;
    assert_int_equal(google_client_token_request(&E, jwt, &r), 0);
    assert_int_equal(r.status, status);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), error);
    if (text)
        assert_non_null(strstr(json_string_value(json_object_get(r.json, "error_description")),
                               text));
    harness_resp_clear(&r);
}

static void test_token_grant_and_refusals(void **state)
{
    (void)state;
    const char *dir_scope = SCOPE "admin.directory.user.readonly";
    struct harness_resp r = {0};

    /* Our own token URI is an accepted audience too. */
    char *own = xasprintf("%stoken", E.root);
    assert_int_equal(google_client_token_request(
                         &E, assertion(NULL, "admin@example.com", dir_scope, own, 3600), &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 3599);
    harness_resp_clear(&r);
    free(own);

    EVP_PKEY *other = EVP_RSA_gen(2048);
    expect_token_error(assertion(other, "admin@example.com", dir_scope, GOOGLE_AUD, 3600),
                       400, "invalid_grant", "Invalid JWT Signature.");
    EVP_PKEY_free(other);
    expect_token_error(assertion(NULL, "admin@example.com", dir_scope, GOOGLE_AUD, 3601),
                       400, "invalid_grant", "short-lived token");
    expect_token_error(assertion(NULL, "admin@example.com", dir_scope, "https://example.com/token",
                                 3600),
                       400, "invalid_grant", "audience");
    expect_token_error(assertion(NULL, "nobody@example.com", dir_scope, GOOGLE_AUD, 3600),
                       400, "invalid_grant", "Invalid email or User ID");
    expect_token_error(assertion(NULL, "bob@example.com", dir_scope, GOOGLE_AUD, 3600),
                       400, "invalid_grant", "Invalid email or User ID");
    expect_token_error(assertion(NULL, "admin@example.com", SCOPE "admin.directory.group", GOOGLE_AUD,
                                 3600),
                       401, "unauthorized_client", "not authorized for any of the scopes");
    expect_token_error(assertion(NULL, "admin@example.com", "", GOOGLE_AUD, 3600), 400,
                       "invalid_scope", NULL);

    char *url = xasprintf("%stoken", E.root);
    assert_int_equal(harness_http_do(E.http, "POST", url, NULL, "grant_type=client_credentials", &r),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                        "unsupported_grant_type");
    harness_resp_clear(&r);
    free(url);
}

static void test_certs_and_openid_configuration(void **state)
{
    (void)state;
    struct harness_resp r;
    call("GET", NULL, NULL, &r, "/oauth2/v3/certs");
    assert_int_equal(r.status, 200);
    json_t *jwk = json_array_get(json_object_get(r.json, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(jwk, "alg")), "RS256");
    char *kid = xstrdup(json_string_value(json_object_get(jwk, "kid")));
    harness_resp_clear(&r);

    call("GET", NULL, NULL, &r, "/oauth2/v1/certs");
    assert_int_equal(r.status, 200);
    const char *pem = json_string_value(json_object_get(r.json, kid));
    assert_non_null(pem);
    assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----"));
    harness_resp_clear(&r);
    free(kid);

    call("GET", NULL, NULL, &r, "/.well-known/openid-configuration");
    assert_int_equal(r.status, 200);
    char *jwks = xasprintf("%soauth2/v3/certs", E.root);
    assert_string_equal(json_string_value(json_object_get(r.json, "jwks_uri")), jwks);
    free(jwks);
    harness_resp_clear(&r);
}

static void test_access_token_checks(void **state)
{
    (void)state;
    struct harness_resp r;
    call("GET", NULL, NULL, &r, "/admin/directory/v1/users?customer=my_customer");
    assert_int_equal(r.status, 401);
    assert_string_equal(err_status(&r), "UNAUTHENTICATED");
    harness_resp_clear(&r);

    call("GET", "ya29.bogus", NULL, &r, "/v1/spaces");
    assert_int_equal(r.status, 401);
    assert_string_equal(err_status(&r), "UNAUTHENTICATED");
    harness_resp_clear(&r);

    char *chat_only = token_for(&E, "admin@example.com", "chat.spaces");
    call("GET", chat_only, NULL, &r, "/admin/directory/v1/users?customer=my_customer");
    assert_int_equal(r.status, 403);
    assert_string_equal(err_status(&r), "PERMISSION_DENIED");
    harness_resp_clear(&r);
    call("GET", chat_only, NULL, &r, "/v1/spaces/AAAAnone/messages");
    assert_int_equal(r.status, 403);
    json_t *detail = json_array_get(json_object_get(json_object_get(r.json, "error"), "details"), 0);
    assert_string_equal(json_string_value(json_object_get(detail, "reason")),
                        "ACCESS_TOKEN_SCOPE_INSUFFICIENT");
    harness_resp_clear(&r);
    free(chat_only);

    /* A user who is not an admin cannot use the Directory. */
    char *ann = token_for(&E, "ann@example.com", "admin.directory.user.readonly");
    call("GET", ann, NULL, &r, "/admin/directory/v1/users?customer=my_customer");
    assert_int_equal(r.status, 403);
    assert_string_equal(err_reason(&r), "forbidden");
    harness_resp_clear(&r);
    free(ann);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_seed_names_the_path),
        cmocka_unit_test(test_key_file_and_endpoints),
        cmocka_unit_test(test_token_grant_and_refusals),
        cmocka_unit_test(test_certs_and_openid_configuration),
        cmocka_unit_test(test_access_token_checks),
    };
    return cmocka_run_group_tests_name("integration/emu-google-auth", tests, setup, teardown);
}
