/* test_errors.c - tests for src/platform/graph/errors.c: Graph error
 * answers -> platform_error (code, status, retryable, Retry-After, the
 * admin's message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "platform/graph/graph.h"

static const struct platform_token token = { "graph/app", NULL, NULL };
static const struct platform_call users_call = {
    .what = "list the tenant's users", .needs = "User.Read.All", .token = &token,
};

/* Describe STATUS + BODY (Retry-After RETRY_MS, -1: none) to users_call. */
static struct platform_error describe(int status, const char *body, long long retry_ms)
{
    struct platform_answer answer = {
        .status = status, .body = body, .len = body ? strlen(body) : 0,
        .retry_after_ms = retry_ms, .request_id = NULL,
    };
    struct platform_error err;

    graph_describe(&answer, &users_call, &err);
    return err;
}

static void test_forbidden_names_permission(void **state)
{
    struct platform_error err = describe(403,
        "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges "
        "to complete the operation.\",\"innerError\":{\"request-id\":\"r-1\"}}}", -1);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_FORBIDDEN);
    assert_int_equal(err.http_status, 403);
    assert_false(err.retryable);
    assert_non_null(strstr(err.message, "Microsoft Graph refused to list the tenant's users "
                                        "(HTTP 403, Authorization_RequestDenied)"));
    assert_non_null(strstr(err.message, "application permission User.Read.All"));
    assert_non_null(strstr(err.message, "Grant admin consent"));
    assert_non_null(strstr(err.message, "Insufficient privileges"));
    assert_non_null(strstr(err.message, "request-id r-1"));
}

static void test_throttled_keeps_retry_after(void **state)
{
    struct platform_error err = describe(429,
        "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Please retry again later.\"}}", 7000);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_THROTTLED);
    assert_true(err.retryable);
    assert_int_equal(err.retry_after_ms, 7000);
    assert_non_null(strstr(err.message, "TooManyRequests"));
}

static void test_statuses(void **state)
{
    static const struct {
        int status;
        const char *code;
        enum parley_err want;
        int retryable;
    } cases[] = {
        { 401, "InvalidAuthenticationToken", PARLEY_ERR_AUTH, 0 },
        { 404, "Request_ResourceNotFound", PARLEY_ERR_NOT_FOUND, 0 },
        { 400, "Request_UnsupportedQuery", PARLEY_ERR_INVALID, 0 },
        { 400, "Request_BadRequest", PARLEY_ERR_INVALID, 0 },
        { 503, "serviceNotAvailable", PARLEY_ERR_PLATFORM, 1 },
        { 504, "gatewayTimeout", PARLEY_ERR_PLATFORM, 1 },
        { 409, "conflict", PARLEY_ERR_PLATFORM, 0 },
    };
    char body[160];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"m\"}}", cases[i].code);
        struct platform_error err = describe(cases[i].status, body, -1);
        assert_int_equal(err.code, cases[i].want);
        assert_int_equal(err.http_status, cases[i].status);
        assert_int_equal(err.retryable, cases[i].retryable);
        assert_non_null(strstr(err.message, cases[i].code));
        assert_int_equal(err.retry_after_ms, 0);
    }
}

/* Not Graph's body (a proxy's HTML page, nothing): the status decides. */
static void test_foreign_or_empty_body(void **state)
{
    struct platform_error err = describe(502, "<html>Bad gateway</html>", -1);

    (void)state;
    assert_int_equal(err.code, PARLEY_ERR_PLATFORM);
    assert_true(err.retryable);
    assert_non_null(strstr(err.message, "(HTTP 502)"));
    err = describe(403, NULL, -1);
    assert_int_equal(err.code, PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "User.Read.All"));
}

/* A long server message is cut, never overflowing the message buffer. */
static void test_long_message_cut(void **state)
{
    char body[4096];
    struct platform_error err;

    (void)state;
    snprintf(body, sizeof body, "{\"error\":{\"code\":\"x\",\"message\":\"%03000d\"}}", 0);
    err = describe(400, body, -1);
    assert_int_equal(err.code, PARLEY_ERR_INVALID);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
}

/* POST /users refusals share Request_BadRequest: the message decides. */
static void test_user_create_refusals(void **state)
{
    struct platform_error err;

    (void)state;
    err = describe(400, "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"Another "
                   "object with the same value for property userPrincipalName already exists.\"}}",
                   -1);
    assert_int_equal(err.code, PARLEY_ERR_EXISTS);
    assert_false(err.retryable);
    err = describe(400, "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"Another "
                   "object with the same value for property proxyAddresses already exists.\"}}",
                   -1);
    assert_int_equal(err.code, PARLEY_ERR_CONFLICT);
    err = describe(400, "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"The "
                   "domain portion of the userPrincipalName property is invalid. You must use one "
                   "of the verified domain names in your organization.\"}}", -1);
    assert_int_equal(err.code, PARLEY_ERR_INVALID);
    assert_non_null(strstr(err.message, "guest domain"));
    err = describe(400, "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"Property "
                   "'displayName' is required.\"}}", -1);
    assert_int_equal(err.code, PARLEY_ERR_INVALID);
    assert_non_null(strstr(err.message, "malformed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forbidden_names_permission),
        cmocka_unit_test(test_throttled_keeps_retry_after),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_foreign_or_empty_body),
        cmocka_unit_test(test_long_message_cut),
        cmocka_unit_test(test_user_create_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
