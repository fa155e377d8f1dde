/* 20-connectors-microsoft.c - the Microsoft Graph connector against
 * build/parley-emu over HTTPS: test ok; a bad secret (AADSTS7000215), a
 * wrong CA (TLS), an unreachable host (NETWORK), plain http refused off
 * loopback; teams with member counts, a team's members, users across pages
 * with exact counts; 429 + Retry-After and a 503 storm injected through the
 * control API, retried (the request log shows it) until the listing
 * completes; a 401 makes the connector fetch a new token once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/connectors_fixture.h"

/* ---- Microsoft ---- */

static void test_ms_test_ok(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;

    (void)state;
    assert_int_equal(test_settings(&s, &err), PARLEY_OK);
}

static void test_ms_bad_secret(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;

    (void)state;
    s.client_secret = "not-the-secret";
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_AUTH);
    assert_int_equal(err.code, PARLEY_ERR_AUTH);
    assert_false(err.retryable);
    assert_non_null(strstr(err.message, "AADSTS7000215"));
    assert_non_null(strstr(err.message, "client secret is wrong"));
    assert_null(strstr(err.message, "not-the-secret"));
}

static void test_ms_wrong_ca(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;
    char *other = write_other_ca();

    (void)state;
    s.ca_file = other;
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_TLS);
    assert_non_null(strstr(err.message, "TLS verification failed"));
    assert_non_null(strstr(err.message, "ca_file"));
    assert_int_equal(nwaits, 0);                /* a TLS failure is not retried */
    free(other);
}

static void test_ms_unreachable(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;
    char *authority = xasprintf("https://127.0.0.1:%d", harness_free_port());

    (void)state;
    s.authority_host = authority;
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_NETWORK);
    assert_true(err.retryable);
    assert_non_null(strstr(err.message, "unreachable"));
    assert_true(nwaits > 0);                    /* retried by the shared policy */
    free(authority);
}

static void test_ms_plain_http_refused(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = NULL;
    struct platform_error err;

    (void)state;
    s.graph_base = "http://graph.example.com/v1.0";
    assert_int_equal(platform_ops_for(PLATFORM_MICROSOFT)->open(&s, &conn, &err),
                     PARLEY_ERR_INVALID);
    assert_null(conn);
    assert_non_null(strstr(err.message, "graph_base"));
    assert_non_null(strstr(err.message, "https://"));
}

static void test_ms_teams_and_members(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct teams_seen teams = { 0 };
    struct people_seen members = { 0 };
    struct platform_error err;

    (void)state;
    assert_int_equal(ops->list_teams(conn, on_teams, &teams, &err), PARLEY_OK);
    assert_int_equal(teams.count, 3 + MS_GENERATED_TEAMS);
    assert_int_equal(teams.demo_found, 3);
    assert_true(teams.engineering_id[0]);

    assert_int_equal(ops->list_team_members(conn, teams.engineering_id, on_people, &members,
                                            &err), PARLEY_OK);
    assert_int_equal(members.people, 6);
    assert_true(seen_email(&members, "alice@parleydemo.onmicrosoft.com"));
    assert_true(seen_email(&members, "ivan@parleydemo.onmicrosoft.com"));
    /* No mailbox, so no email in the member listing: her UPN, from her account. */
    assert_true(seen_email(&members, "hana@parleydemo.onmicrosoft.com"));
    assert_false(seen_email(&members, "erin@parleydemo.onmicrosoft.com"));

    assert_int_equal(ops->list_team_members(conn, "no-such-team", on_people, &members, &err),
                     PARLEY_ERR_NOT_FOUND);
    assert_int_equal(err.http_status, 404);
    assert_non_null(strstr(err.message, "list the team's members"));
    close_conn(conn);
}

static void test_ms_users_paged(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    struct people_seen users = { 0 };

    (void)state;
    list_ms_users(conn, &users);
    assert_int_equal(users.pages, 3);            /* 999 a page */
    assert_int_equal(users.suspended, MS_DEMO_DISABLED);
    assert_int_equal(users.guests, 0);
    assert_true(seen_email(&users, "alice@parleydemo.onmicrosoft.com"));
    close_conn(conn);
}

/* 429 + Retry-After twice: the listing completes, having waited at least
 * what the server asked each time. */
static void test_ms_throttled_then_done(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    struct people_seen users = { 0 };

    (void)state;
    clear_request_log();
    inject_fault("GET", 2, 429, 2);
    list_ms_users(conn, &users);
    assert_int_equal(logged(429, "/v1.0/users"), 2);
    assert_int_equal(logged(200, "/v1.0/users"), 3);
    assert_int_equal(nwaits, 2);
    assert_true(waits[0] >= 2000 && waits[1] >= 2000);
    close_conn(conn);
}

/* A run of 503s, then the platform recovers: retried with backoff. */
static void test_ms_5xx_storm_then_recovery(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    struct people_seen users = { 0 };
    struct platform_error err;

    (void)state;
    clear_request_log();
    inject_fault("GET", 4, 503, 0);
    list_ms_users(conn, &users);
    assert_int_equal(logged(503, "/v1.0/users"), 4);
    assert_int_equal(nwaits, 4);

    /* More failures than the policy's attempts: a retryable PLATFORM error. */
    inject_fault("GET", 6, 503, 0);
    assert_int_equal(platform_ops_for(PLATFORM_MICROSOFT)->test(conn, &err), PARLEY_ERR_PLATFORM);
    assert_int_equal(err.http_status, 503);
    assert_true(err.retryable);
    assert_non_null(strstr(err.message, "Microsoft Graph refused to read the tenant's users"));
    close_conn(conn);
}

/* A 401 from Graph: the token is fetched again and the call made once more. */
static void test_ms_401_refetches_token(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_error err;
    const char *tenant = json_get_str(endpoint("microsoft"), "tenant_id");
    char *token_path = xasprintf("/%s/oauth2/v2.0/token", tenant);

    (void)state;
    assert_int_equal(ops->test(conn, &err), PARLEY_OK);
    clear_request_log();
    inject_fault("GET", 1, 401, 0);
    assert_int_equal(ops->test(conn, &err), PARLEY_OK);
    assert_int_equal(logged(401, "/v1.0/users"), 1);
    assert_int_equal(logged(200, token_path), 1);
    assert_int_equal(logged(200, "/v1.0/users"), 1);

    /* 401 twice: an AUTH error, not a loop. */
    inject_fault("GET", 2, 401, 0);
    assert_int_equal(ops->test(conn, &err), PARLEY_ERR_AUTH);
    assert_int_equal(err.http_status, 401);
    free(token_path);
    close_conn(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_test_ok),
        cmocka_unit_test(test_ms_bad_secret),
        cmocka_unit_test(test_ms_wrong_ca),
        cmocka_unit_test(test_ms_unreachable),
        cmocka_unit_test(test_ms_plain_http_refused),
        cmocka_unit_test(test_ms_teams_and_members),
        cmocka_unit_test(test_ms_users_paged),
        cmocka_unit_test(test_ms_throttled_then_done),
        cmocka_unit_test(test_ms_5xx_storm_then_recovery),
        cmocka_unit_test(test_ms_401_refetches_token),
    };
    return cmocka_run_group_tests_name("integration/connectors-microsoft", tests, setup, teardown);
}
