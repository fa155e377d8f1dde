/* 50-emu-identity.c - parley-emu's identity platform and Graph token checks
 * over HTTPS with its own CA: the three grants, AADSTS error bodies, OpenID
 * metadata and JWKS, and Graph's 401 / 403 answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "lib/emu_client.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define SEED "emulators/seeds/demo.json"
#define PASSWORD "Demo-Passw0rd!"

static struct emu_client emu;

static int setup(void **state)
{
    (void)state;
    return emu_client_start(&emu, SEED, 1, NULL);
}

static int teardown(void **state)
{
    (void)state;
    int status = emu_client_stop(&emu);
    return (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

/* POST the token endpoint with the printf-formatted form; returns the status. */
static long token(struct harness_resp *resp, const char *fmt, ...)
{
    char form[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(form, sizeof form, fmt, ap);
    va_end(ap);
    assert_int_equal(emu_client_token_request(&emu, form, resp), 0);
    return resp->status;
}

static void assert_aadsts(const struct harness_resp *resp, const char *error, int code)
{
    char prefix[32];
    assert_non_null(resp->json);
    assert_string_equal(json_get_str(resp->json, "error"), error);
    snprintf(prefix, sizeof prefix, "AADSTS%d:", code);
    assert_memory_equal(json_get_str(resp->json, "error_description"), prefix, strlen(prefix));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(resp->json, "error_codes"), 0)),
                     code);
    assert_non_null(json_get_str(resp->json, "trace_id"));
    assert_non_null(json_get_str(resp->json, "correlation_id"));
}

static void test_client_credentials(void **state)
{
    struct harness_resp resp = {0};
    (void)state;
    assert_int_equal(token(&resp, "grant_type=client_credentials&client_id=%s&client_secret=%s"
                           "&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default",
                           emu.client_id, emu.client_secret), 200);
    assert_string_equal(json_get_str(resp.json, "token_type"), "Bearer");
    assert_true(json_get_int(resp.json, "expires_in", 0) > 3000);
    assert_null(json_object_get(resp.json, "refresh_token"));
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=client_credentials&client_id=%s&client_secret=nope"
                           "&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default",
                           emu.client_id), 401);
    assert_aadsts(&resp, "invalid_client", 7000215);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=client_credentials&client_id=00000000-0000-0000-0000-"
                           "000000000001&client_secret=x&scope=https%%3A%%2F%%2Fgraph.microsoft.com"
                           "%%2F.default"), 400);
    assert_aadsts(&resp, "unauthorized_client", 700016);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=client_credentials&client_id=%s&client_secret=%s"
                           "&scope=User.Read", emu.client_id, emu.client_secret), 400);
    assert_aadsts(&resp, "invalid_scope", 70011);
    harness_resp_clear(&resp);
}

static void test_password_and_refresh(void **state)
{
    struct harness_resp resp = {0};
    (void)state;
    assert_int_equal(token(&resp, "grant_type=password&client_id=%s&username=alice%%40"
                           "parleydemo.onmicrosoft.com&password=wrong&scope=openid", emu.client_id),
                     400);
    assert_aadsts(&resp, "invalid_grant", 50126);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=password&client_id=%s&username=nobody%%40"
                           "parleydemo.onmicrosoft.com&password=x&scope=openid", emu.client_id), 400);
    assert_aadsts(&resp, "invalid_grant", 50034);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=password&client_id=%s&username=olga%%40"
                           "parleydemo.onmicrosoft.com&password=%s&scope=openid", emu.client_id,
                           PASSWORD), 400);
    assert_aadsts(&resp, "invalid_grant", 50057);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=password&client_id=%s&username=alice%%40"
                           "parleydemo.onmicrosoft.com&password=%s&client_info=1&scope="
                           "https%%3A%%2F%%2Fgraph.microsoft.com%%2FChatMessage.Send%%20openid"
                           "%%20profile%%20offline_access", emu.client_id, PASSWORD), 200);
    assert_non_null(json_get_str(resp.json, "id_token"));
    assert_non_null(json_get_str(resp.json, "client_info"));
    char *rt = xstrdup(json_get_str(resp.json, "refresh_token"));
    assert_non_null(rt);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=refresh_token&client_id=%s&refresh_token=%s"
                           "&scope=openid%%20offline_access", emu.client_id, rt), 200);
    const char *rotated = json_get_str(resp.json, "refresh_token");
    assert_non_null(rotated);
    assert_string_not_equal(rotated, rt);
    harness_resp_clear(&resp);

    assert_int_equal(token(&resp, "grant_type=refresh_token&client_id=%s&refresh_token=bogus",
                           emu.client_id), 400);
    assert_string_equal(json_get_str(resp.json, "error"), "invalid_grant");
    harness_resp_clear(&resp);
    free(rt);
}

static void test_metadata(void **state)
{
    struct harness_resp resp = {0};
    char *url = xasprintf("%s/%s/v2.0/.well-known/openid-configuration", emu.origin, emu.tenant_id);
    (void)state;
    assert_int_equal(harness_http_do(emu.http, "GET", url, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    static const char *const keys[] = {"issuer", "authorization_endpoint", "token_endpoint",
                                       "jwks_uri", "end_session_endpoint", NULL};
    for (size_t i = 0; keys[i]; i++) {
        const char *v = json_get_str(resp.json, keys[i]);
        assert_non_null(v);
        assert_memory_equal(v, emu.origin, strlen(emu.origin));
    }
    char *jwks = xstrdup(json_get_str(resp.json, "jwks_uri"));
    harness_resp_clear(&resp);
    assert_int_equal(harness_http_do(emu.http, "GET", jwks, NULL, NULL, &resp), 0);
    json_t *key = json_array_get(json_object_get(resp.json, "keys"), 0);
    assert_string_equal(json_get_str(key, "kty"), "RSA");
    assert_non_null(json_get_str(key, "kid"));
    assert_non_null(json_get_str(key, "n"));
    harness_resp_clear(&resp);
    free(jwks);
    free(url);
}

static void assert_graph_401(const char *token, const char *why)
{
    struct harness_resp resp = {0};
    assert_int_equal(emu_client_graph(&emu, token, "GET", "/users", NULL, NULL, &resp), 0);
    if (resp.status != 401)
        fail_msg("%s: expected 401, got %ld %s", why, resp.status, resp.body);
    json_t *err = json_object_get(resp.json, "error");
    assert_string_equal(json_get_str(err, "code"), "InvalidAuthenticationToken");
    assert_non_null(json_get_str(json_object_get(err, "innerError"), "request-id"));
    char *rid = harness_resp_header(&resp, "request-id");
    assert_non_null(rid);
    free(rid);
    harness_resp_clear(&resp);
}

static void test_graph_rejects_bad_tokens(void **state)
{
    struct harness_resp resp = {0};
    (void)state;
    assert_graph_401(NULL, "missing");
    assert_graph_401("not-a-jwt", "malformed");

    char *good = emu_client_app_token(&emu);
    assert_non_null(good);
    char *tampered = xstrdup(good);
    char *last = tampered + strlen(tampered) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    assert_graph_401(tampered, "wrong signature");

    /* An id_token is signed by the same key but its audience is the app. */
    assert_int_equal(token(&resp, "grant_type=password&client_id=%s&username=alice%%40"
                           "parleydemo.onmicrosoft.com&password=%s&scope=openid", emu.client_id,
                           PASSWORD), 200);
    char *id_token = xstrdup(json_get_str(resp.json, "id_token"));
    harness_resp_clear(&resp);
    assert_graph_401(id_token, "wrong audience");

    /* An app token on a delegated-only operation. */
    assert_int_equal(emu_client_graph(&emu, good, "POST", "/chats/19:x@thread.v2/messages",
                                      "{\"body\":{\"content\":\"hi\"}}", NULL, &resp), 0);
    assert_int_equal(resp.status, 403);
    harness_resp_clear(&resp);
    free(id_token);
    free(tampered);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_credentials),
        cmocka_unit_test(test_password_and_refresh),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_graph_rejects_bad_tokens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
