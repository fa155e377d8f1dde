/* 10-hub-auth.c - the Hub's sign-in, session and access rules over HTTP,
 * against a real `parley serve` (started through tests/lib/harness.h):
 * login and its failures, throttling, session cookie and CSRF token,
 * roles, logout, request limits, health endpoints and the UI's files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/harness.h"

#define OWNER    "owner@example.com"
#define VIEWER   "viewer@example.com"
#define THROTTLE "throttled@example.com"
#define PASSWORD "correct horse battery staple"

static struct harness_hub hub;

/* Perform METHOD PATH on the hub with H; the response goes to *resp. */
static void call(struct harness_http *h, const char *method, const char *path,
                 const char *const headers[], const char *body, struct harness_resp *resp)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", hub.url, path);
    assert_int_equal(harness_http_do(h, method, url, headers, body, resp), 0);
}

/* The "error.code" of a JSON error body ("" when absent). */
static const char *error_code(const struct harness_resp *resp)
{
    const char *code = json_string_value(json_object_get(json_object_get(resp->json, "error"), "code"));
    return code ? code : "";
}

static void assert_status_code(const struct harness_resp *resp, long status, const char *code)
{
    if (resp->status != status)
        fprintf(stderr, "unexpected %ld: %s\n", resp->status, resp->body);
    assert_int_equal(resp->status, status);
    if (code)
        assert_string_equal(error_code(resp), code);
}

static int group_setup(void **state)
{
    (void)state;
    const char *env[] = { "PARLEY_ENABLE_TEST_JOBS=1", NULL };
    char *dir = harness_tmpdir("parley-10-auth");

    if (!dir || harness_admin_create(dir, OWNER, "acme", "owner", PASSWORD) ||
        harness_admin_create(dir, VIEWER, "acme", "viewer", PASSWORD) ||
        harness_admin_create(dir, THROTTLE, "acme", "admin", PASSWORD) ||
        harness_hub_start(&hub, dir, NULL, env)) {
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return harness_hub_discard(&hub) == 0 ? 0 : -1;
}

static void test_health_endpoints(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;

    call(h, "GET", "/healthz", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    assert_string_equal(json_string_value(json_object_get(resp.json, "status")), "ok");
    harness_resp_clear(&resp);
    call(h, "GET", "/readyz", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    harness_resp_clear(&resp);
    harness_http_free(h);
}

static void test_login_sets_a_safe_cookie(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;

    call(h, "POST", "/api/login", NULL, "{\"email\":\"Owner@Example.com\",\"password\":\"" PASSWORD "\"}",
         &resp);
    assert_status_code(&resp, 200, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(resp.json, "admin"), "email")),
                        OWNER);
    assert_true(strlen(json_string_value(json_object_get(resp.json, "csrf_token"))) >= 32);
    json_t *org = json_array_get(json_object_get(resp.json, "orgs"), 0);
    assert_string_equal(json_string_value(json_object_get(org, "name")), "acme");
    assert_string_equal(json_string_value(json_object_get(org, "role")), "owner");
    assert_true(json_integer_value(json_object_get(org, "id")) > 0);

    char *cookie = harness_resp_header(&resp, "Set-Cookie");
    assert_non_null(cookie);
    assert_true(strncmp(cookie, "parley_session=", 15) == 0);
    assert_non_null(strstr(cookie, "; HttpOnly"));
    assert_non_null(strstr(cookie, "; SameSite=Strict"));
    assert_non_null(strstr(cookie, "; Path=/"));
    assert_null(strstr(cookie, "Secure"));          /* plain HTTP here */
    free(cookie);
    harness_resp_clear(&resp);
    harness_http_free(h);
}

static void test_bad_credentials_look_the_same(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp wrong, unknown;

    call(h, "POST", "/api/login", NULL, "{\"email\":\"" OWNER "\",\"password\":\"not it at all\"}", &wrong);
    call(h, "POST", "/api/login", NULL, "{\"email\":\"nobody@example.com\",\"password\":\"not it\"}", &unknown);
    assert_status_code(&wrong, 401, "invalid_credentials");
    assert_status_code(&unknown, 401, "invalid_credentials");
    const char *m1 = json_string_value(json_object_get(json_object_get(wrong.json, "error"), "message"));
    const char *m2 = json_string_value(json_object_get(json_object_get(unknown.json, "error"), "message"));
    assert_string_equal(m1, m2);
    harness_resp_clear(&wrong);
    harness_resp_clear(&unknown);
    harness_http_free(h);
}

static void test_session_endpoint(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;

    call(h, "GET", "/api/session", NULL, NULL, &resp);
    assert_status_code(&resp, 401, "unauthenticated");
    harness_resp_clear(&resp);

    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);
    assert_non_null(csrf);
    call(h, "GET", "/api/session", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    assert_string_equal(json_string_value(json_object_get(resp.json, "csrf_token")), csrf);
    assert_string_equal(json_string_value(json_object_get(json_object_get(resp.json, "admin"), "email")),
                        OWNER);
    harness_resp_clear(&resp);
    free(csrf);
    harness_http_free(h);
}

static void test_csrf_is_required_for_changes(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);
    const char *wrong[] = { "X-CSRF-Token: not-the-token", NULL };

    assert_non_null(csrf);
    call(h, "POST", "/api/orgs/acme/jobs/test-sleep", NULL, "{\"ms\":1}", &resp);
    assert_status_code(&resp, 403, "csrf");
    harness_resp_clear(&resp);
    call(h, "POST", "/api/orgs/acme/jobs/test-sleep", wrong, "{\"ms\":1}", &resp);
    assert_status_code(&resp, 403, "csrf");
    harness_resp_clear(&resp);
    call(h, "POST", "/api/logout", NULL, NULL, &resp);
    assert_status_code(&resp, 403, "csrf");
    harness_resp_clear(&resp);

    /* The refused logout did not end the session. */
    call(h, "GET", "/api/session", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    harness_resp_clear(&resp);
    free(csrf);
    harness_http_free(h);
}

/* Enqueue a test job in acme as the owner; returns its id. */
static long long owner_enqueues_job(void)
{
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);
    char header[200];

    assert_non_null(csrf);
    snprintf(header, sizeof header, "X-CSRF-Token: %s", csrf);
    const char *headers[] = { header, NULL };
    call(h, "POST", "/api/orgs/acme/jobs/test-sleep", headers, "{\"ms\":1}", &resp);
    assert_status_code(&resp, 202, NULL);
    long long id = json_integer_value(json_object_get(resp.json, "id"));
    assert_true(id > 0);
    harness_resp_clear(&resp);
    free(csrf);
    harness_http_free(h);
    return id;
}

static void test_viewer_cannot_change_anything(void **state)
{
    (void)state;
    long long job = owner_enqueues_job();
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *csrf = harness_hub_login(h, hub.url, VIEWER, PASSWORD);
    char header[200], path[64];

    assert_non_null(csrf);
    snprintf(header, sizeof header, "X-CSRF-Token: %s", csrf);
    const char *headers[] = { header, NULL };
    call(h, "POST", "/api/orgs/acme/jobs/test-sleep", headers, "{\"ms\":1}", &resp);
    assert_status_code(&resp, 403, "forbidden");
    harness_resp_clear(&resp);
    snprintf(path, sizeof path, "/api/jobs/%lld/retry", job);
    call(h, "POST", path, headers, NULL, &resp);
    assert_status_code(&resp, 403, "forbidden");
    harness_resp_clear(&resp);

    /* Reading is allowed: the job, the org's jobs and its activity. */
    snprintf(path, sizeof path, "/api/jobs/%lld", job);
    call(h, "GET", path, NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    assert_string_equal(json_string_value(json_object_get(resp.json, "kind")), "test.sleep");
    harness_resp_clear(&resp);
    call(h, "GET", "/api/orgs/acme/jobs", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    assert_true(json_array_size(json_object_get(resp.json, "jobs")) >= 1);
    harness_resp_clear(&resp);
    call(h, "GET", "/api/orgs/acme/audit", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    harness_resp_clear(&resp);
    free(csrf);
    harness_http_free(h);
}

static void test_unknown_org_is_not_found(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);

    call(h, "GET", "/api/orgs/globex/audit", NULL, NULL, &resp);
    assert_status_code(&resp, 404, "not_found");
    harness_resp_clear(&resp);
    call(h, "GET", "/api/orgs/999999/audit", NULL, NULL, &resp);
    assert_status_code(&resp, 404, "not_found");
    harness_resp_clear(&resp);
    free(csrf);
    harness_http_free(h);
}

static void test_audit_records_logins(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);
    int logins = 0, failures = 0;

    call(h, "GET", "/api/orgs/acme/audit?limit=200", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    json_t *events = json_object_get(resp.json, "events");
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *e = json_array_get(events, i);
        const char *action = json_string_value(json_object_get(e, "action"));
        const char *actor = json_string_value(json_object_get(e, "actor"));
        logins += strcmp(action, "admin.login") == 0 && strcmp(actor, "admin:" OWNER) == 0;
        failures += strcmp(action, "admin.login_failed") == 0;
    }
    assert_true(logins >= 1);
    assert_true(failures >= 1);
    harness_resp_clear(&resp);

    call(h, "GET", "/api/orgs/acme/audit?limit=0", NULL, NULL, &resp);
    assert_status_code(&resp, 400, "invalid");
    harness_resp_clear(&resp);
    free(csrf);
    harness_http_free(h);
}

static void test_request_limits_and_errors(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    size_t big_len = 1024 * 1024 + 100;
    char *big = malloc(big_len + 1);

    /* A body over 1 MiB.  With "Expect: 100-continue" (what curl sends for
     * big bodies) the hub refuses before the body is sent; without it the
     * client may still be sending when the hub closes, and see a reset
     * instead of the answer. */
    static const char *const expect[] = { "Expect: 100-continue", NULL };
    memset(big, ' ', big_len);
    memcpy(big, "{\"email\":\"", 10);
    big[big_len - 1] = '}';
    big[big_len] = '\0';
    call(h, "POST", "/api/login", expect, big, &resp);
    assert_status_code(&resp, 413, NULL);
    harness_resp_clear(&resp);
    free(big);

    call(h, "POST", "/api/login", NULL, "{\"email\": oops", &resp);
    assert_status_code(&resp, 400, "bad_json");
    harness_resp_clear(&resp);
    call(h, "POST", "/api/login", NULL, "{\"email\":\"" OWNER "\"}", &resp);
    assert_status_code(&resp, 400, "invalid");
    harness_resp_clear(&resp);

    call(h, "GET", "/api/no-such-thing", NULL, NULL, &resp);
    assert_status_code(&resp, 404, "not_found");
    harness_resp_clear(&resp);
    call(h, "GET", "/api/login", NULL, NULL, &resp);
    assert_status_code(&resp, 405, "method_not_allowed");
    char *allow = harness_resp_header(&resp, "Allow");
    assert_non_null(allow);
    assert_non_null(strstr(allow, "POST"));
    free(allow);
    harness_resp_clear(&resp);
    call(h, "DELETE", "/api/session", NULL, NULL, &resp);
    assert_status_code(&resp, 405, NULL);
    harness_resp_clear(&resp);
    harness_http_free(h);
}

static void test_login_throttling(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    const char *wrong = "{\"email\":\"" THROTTLE "\",\"password\":\"guess guess guess\"}";

    for (int i = 0; i < 5; i++) {
        call(h, "POST", "/api/login", NULL, wrong, &resp);
        assert_status_code(&resp, 401, "invalid_credentials");
        harness_resp_clear(&resp);
    }
    /* Now even the right password is refused for a while. */
    call(h, "POST", "/api/login", NULL, "{\"email\":\"" THROTTLE "\",\"password\":\"" PASSWORD "\"}",
         &resp);
    assert_status_code(&resp, 429, "throttled");
    char *retry = harness_resp_header(&resp, "Retry-After");
    assert_non_null(retry);
    assert_true(atoi(retry) > 0);
    free(retry);
    harness_resp_clear(&resp);

    /* Other accounts from the same address still sign in. */
    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);
    assert_non_null(csrf);
    free(csrf);
    harness_http_free(h);
}

static void test_logout_invalidates_the_cookie(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_http *thief = harness_http_new(NULL);
    struct harness_resp resp;
    char cookie_header[200], csrf_header[200];

    call(h, "POST", "/api/login", NULL, "{\"email\":\"" OWNER "\",\"password\":\"" PASSWORD "\"}", &resp);
    assert_status_code(&resp, 200, NULL);
    char *set_cookie = harness_resp_header(&resp, "Set-Cookie");
    *strchr(set_cookie, ';') = '\0';
    snprintf(cookie_header, sizeof cookie_header, "Cookie: %s", set_cookie);
    snprintf(csrf_header, sizeof csrf_header, "X-CSRF-Token: %s",
             json_string_value(json_object_get(resp.json, "csrf_token")));
    free(set_cookie);
    harness_resp_clear(&resp);

    /* The same cookie, replayed from elsewhere, works until logout ... */
    const char *replay[] = { cookie_header, NULL };
    call(thief, "GET", "/api/session", replay, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    harness_resp_clear(&resp);

    const char *headers[] = { csrf_header, NULL };
    call(h, "POST", "/api/logout", headers, NULL, &resp);
    assert_status_code(&resp, 204, NULL);
    char *cleared = harness_resp_header(&resp, "Set-Cookie");
    assert_non_null(cleared);
    assert_non_null(strstr(cleared, "Max-Age=0"));
    free(cleared);
    harness_resp_clear(&resp);

    /* ... and not after. */
    call(thief, "GET", "/api/session", replay, NULL, &resp);
    assert_status_code(&resp, 401, "unauthenticated");
    harness_resp_clear(&resp);
    call(h, "GET", "/api/session", NULL, NULL, &resp);
    assert_status_code(&resp, 401, "unauthenticated");
    harness_resp_clear(&resp);
    harness_http_free(thief);
    harness_http_free(h);
}

static void test_ui_files(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *v;

    call(h, "GET", "/", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    assert_non_null(strstr(resp.body, "/js/app.js"));
    v = harness_resp_header(&resp, "Content-Type");
    assert_true(strncmp(v, "text/html", 9) == 0);
    free(v);
    v = harness_resp_header(&resp, "Content-Security-Policy");
    assert_non_null(v);
    assert_non_null(strstr(v, "default-src 'self'"));
    free(v);
    v = harness_resp_header(&resp, "X-Frame-Options");
    assert_string_equal(v, "DENY");
    free(v);
    v = harness_resp_header(&resp, "X-Content-Type-Options");
    assert_string_equal(v, "nosniff");
    free(v);
    v = harness_resp_header(&resp, "Cache-Control");
    assert_string_equal(v, "no-cache");
    free(v);
    harness_resp_clear(&resp);

    call(h, "GET", "/js/app.js", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    v = harness_resp_header(&resp, "Content-Type");
    assert_non_null(strstr(v, "javascript"));
    free(v);
    harness_resp_clear(&resp);

    /* UI routes fall back to the page; missing files do not. */
    call(h, "GET", "/users/import", NULL, NULL, &resp);
    assert_status_code(&resp, 200, NULL);
    assert_non_null(strstr(resp.body, "/js/app.js"));
    harness_resp_clear(&resp);
    call(h, "GET", "/js/missing.js", NULL, NULL, &resp);
    assert_status_code(&resp, 404, NULL);
    harness_resp_clear(&resp);
    call(h, "POST", "/", NULL, "{}", &resp);
    assert_status_code(&resp, 405, NULL);
    harness_resp_clear(&resp);
    harness_http_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_endpoints),
        cmocka_unit_test(test_login_sets_a_safe_cookie),
        cmocka_unit_test(test_bad_credentials_look_the_same),
        cmocka_unit_test(test_session_endpoint),
        cmocka_unit_test(test_csrf_is_required_for_changes),
        cmocka_unit_test(test_viewer_cannot_change_anything),
        cmocka_unit_test(test_unknown_org_is_not_found),
        cmocka_unit_test(test_audit_records_logins),
        cmocka_unit_test(test_request_limits_and_errors),
        cmocka_unit_test(test_login_throttling),
        cmocka_unit_test(test_logout_invalidates_the_cookie),
        cmocka_unit_test(test_ui_files),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
