/* test_errors.c - tests for src/platform/google/errors.c: Google API error
 * answers (AIP-193 and the Directory's legacy "errors") -> platform_error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "platform/google/google.h"

static const struct platform_token token = { "google/admin@example.com/s", NULL, NULL };
static const struct platform_call users_call = {
    .what = "list the directory's users", .needs = GOOGLE_SCOPE_USERS_READ,
    .subject = "admin@example.com", .token = &token,
};

static struct platform_error describe(int status, const char *body, long long retry_ms)
{
    struct platform_answer answer = {
        .status = status, .body = body, .len = body ? strlen(body) : 0,
        .retry_after_ms = retry_ms,
    };
    struct platform_error err;

    google_describe(&answer, &users_call, &err);
    return err;
}

/* The Directory's 403 for a subject who is not an admin. */
static void test_not_admin(void **state)
{
    struct platform_error err = describe(403,
        "{\"error\":{\"code\":403,\"message\":\"Not Authorized to access this resource/api\","
        "\"errors\":[{\"message\":\"Not Authorized to access this resource/api\","
        "\"domain\":\"global\",\"reason\":\"forbidden\"}]}}", -1);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_FORBIDDEN);
    assert_int_equal(err.http_status, 403);
    assert_false(err.retryable);
    assert_non_null(strstr(err.message, "Google refused to list the directory's users "
                                        "(HTTP 403, forbidden)"));
    assert_non_null(strstr(err.message, "admin@example.com"));
    assert_non_null(strstr(err.message, "super admin"));
}

/* A token without the scope (AIP-193 ErrorInfo). */
static void test_scope_insufficient(void **state)
{
    struct platform_error err = describe(403,
        "{\"error\":{\"code\":403,\"message\":\"Request had insufficient authentication scopes.\","
        "\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":"
        "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"ACCESS_TOKEN_SCOPE_INSUFFICIENT\","
        "\"domain\":\"googleapis.com\"}]}}", -1);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "ACCESS_TOKEN_SCOPE_INSUFFICIENT"));
    assert_non_null(strstr(err.message, GOOGLE_SCOPE_USERS_READ));
    assert_non_null(strstr(err.message, "Domain-wide delegation"));
}

/* Rate limits: the Directory's 403 reasons and 429 with RetryInfo. */
static void test_rate_limits(void **state)
{
    struct platform_error err = describe(403,
        "{\"error\":{\"code\":403,\"message\":\"Quota exceeded\",\"errors\":[{\"reason\":"
        "\"userRateLimitExceeded\"}]}}", -1);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_THROTTLED);
    assert_true(err.retryable);
    err = describe(429,
        "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\",\"status\":"
        "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
        "\"retryDelay\":\"2.5s\"}]}}", -1);
    assert_int_equal(err.code, PARLEY_ERR_THROTTLED);
    assert_int_equal(err.retry_after_ms, 2500);
    assert_non_null(strstr(err.message, "RESOURCE_EXHAUSTED"));
    /* Retry-After, when sent, wins over RetryInfo. */
    err = describe(429, "{\"error\":{\"code\":429,\"details\":[{\"@type\":"
                        "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"9s\"}]}}",
                   4000);
    assert_int_equal(err.retry_after_ms, 4000);
}

static void test_statuses(void **state)
{
    static const struct {
        int status;
        const char *status_name;
        enum parley_err want;
        int retryable;
    } cases[] = {
        { 401, "UNAUTHENTICATED", PARLEY_ERR_AUTH, 0 },
        { 404, "NOT_FOUND", PARLEY_ERR_NOT_FOUND, 0 },
        { 400, "INVALID_ARGUMENT", PARLEY_ERR_INVALID, 0 },
        { 409, "ALREADY_EXISTS", PARLEY_ERR_EXISTS, 0 },
        { 500, "INTERNAL", PARLEY_ERR_PLATFORM, 1 },
        { 503, "UNAVAILABLE", PARLEY_ERR_PLATFORM, 1 },
    };
    char body[160];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, "{\"error\":{\"code\":%d,\"message\":\"m\",\"status\":\"%s\"}}",
                 cases[i].status, cases[i].status_name);
        struct platform_error err = describe(cases[i].status, body, -1);
        assert_int_equal(err.code, cases[i].want);
        assert_int_equal(err.retryable, cases[i].retryable);
        assert_non_null(strstr(err.message, cases[i].status_name));
    }
}

static void test_foreign_body(void **state)
{
    struct platform_error err = describe(502, "Bad Gateway", -1);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_PLATFORM);
    assert_true(err.retryable);
    assert_non_null(strstr(err.message, "(HTTP 502)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_admin),
        cmocka_unit_test(test_scope_insufficient),
        cmocka_unit_test(test_rate_limits),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_foreign_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
