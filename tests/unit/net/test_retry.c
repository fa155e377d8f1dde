/* test_retry.c - tests for src/net/retry.c: Retry-After in its three date
 * forms and as seconds, garbage refused; which statuses and errors are
 * retried; the backoff window growing and capped; Retry-After honoured or
 * making us give up; max attempts; and the send loop's schedule against a
 * port that refuses connections, with the sleep injected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/retry.h"
#include "util/log.h"

/* 1994-11-06 08:49:00 UTC, in ms: 37 s before the RFC 9110 example date. */
static long long example_now_ms(void)
{
    struct tm tm = { .tm_year = 94, .tm_mon = 10, .tm_mday = 6, .tm_hour = 8, .tm_min = 49 };
    return (long long)timegm(&tm) * 1000;
}

static void test_retry_after_seconds(void **state)
{
    (void)state;
    long long d = -1;

    assert_int_equal(net_retry_after_parse("120", 0, &d), PARLEY_OK);
    assert_int_equal(d, 120000);
    assert_int_equal(net_retry_after_parse("  7 ", 0, &d), PARLEY_OK);
    assert_int_equal(d, 7000);
    assert_int_equal(net_retry_after_parse("0", 0, &d), PARLEY_OK);
    assert_int_equal(d, 0);
    /* Absurdly large values are clamped, not overflowed. */
    assert_int_equal(net_retry_after_parse("99999999999999999999999", 0, &d), PARLEY_OK);
    assert_true(d > 0);
}

static void test_retry_after_dates(void **state)
{
    (void)state;
    long long now = example_now_ms(), d = -1;

    assert_int_equal(net_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", now, &d), PARLEY_OK);
    assert_int_equal(d, 37000);
    assert_int_equal(net_retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", now, &d), PARLEY_OK);
    assert_int_equal(d, 37000);
    assert_int_equal(net_retry_after_parse("Sun Nov  6 08:49:37 1994", now, &d), PARLEY_OK);
    assert_int_equal(d, 37000);
    /* A date in the past means "now". */
    assert_int_equal(net_retry_after_parse("Sun, 06 Nov 1994 08:00:00 GMT", now, &d), PARLEY_OK);
    assert_int_equal(d, 0);
    /* Sub-second now: the wait is counted from it exactly. */
    assert_int_equal(net_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", now + 250, &d),
                     PARLEY_OK);
    assert_int_equal(d, 36750);
}

static void test_retry_after_garbage(void **state)
{
    (void)state;
    const char *bad[] = { "", "   ", "soon", "12abc", "-5", "1.5",
                          "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun, 32 Nov 1994 08:49:37 GMT",
                          "06 Nov 1994" };
    long long d = 42;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(net_retry_after_parse(bad[i], 0, &d), PARLEY_ERR_INVALID);
        assert_int_equal(d, 42);
    }
    assert_int_equal(net_retry_after_parse(NULL, 0, &d), PARLEY_ERR_INVALID);
}

static void test_retry_decide_what(void **state)
{
    (void)state;
    const int retried[] = { 408, 429, 500, 502, 503, 504 };
    const int final[] = { 200, 201, 301, 400, 401, 403, 404, 405, 409, 412, 413, 422, 501 };
    long long d;

    for (size_t i = 0; i < sizeof retried / sizeof retried[0]; i++)
        assert_int_equal(net_retry_decide(NULL, 1, retried[i], PARLEY_OK, -1, 5, &d), 1);
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++)
        assert_int_equal(net_retry_decide(NULL, 1, final[i], PARLEY_OK, -1, 5, &d), 0);
    assert_int_equal(net_retry_decide(NULL, 1, 0, PARLEY_ERR_NETWORK, -1, 5, &d), 1);
    assert_int_equal(net_retry_decide(NULL, 1, 0, PARLEY_ERR_TIMEOUT, -1, 5, &d), 1);
    assert_int_equal(net_retry_decide(NULL, 1, 0, PARLEY_ERR_TLS, -1, 5, &d), 0);
    assert_int_equal(net_retry_decide(NULL, 1, 0, PARLEY_ERR_TOO_LARGE, -1, 5, &d), 0);
    assert_int_equal(net_retry_decide(NULL, 1, 0, PARLEY_ERR_INVALID, -1, 5, &d), 0);
}

static void test_retry_decide_schedule(void **state)
{
    (void)state;
    struct net_retry_policy p = { .max_attempts = 20, .base_ms = 100, .max_delay_ms = 5000 };
    long long d, ceiling = 100, prev_top = 0;

    for (int attempt = 1; attempt < 20; attempt++) {
        /* The top of the window (a draw equal to it) doubles until the cap. */
        assert_int_equal(net_retry_decide(&p, attempt, 503, PARLEY_OK, -1, (uint64_t)ceiling, &d), 1);
        assert_int_equal(d, ceiling);
        assert_true(d >= prev_top);
        assert_true(d <= 5000);
        prev_top = d;
        /* Full jitter: the bottom is 0 and any draw stays inside the window. */
        assert_int_equal(net_retry_decide(&p, attempt, 503, PARLEY_OK, -1, 0, &d), 1);
        assert_int_equal(d, 0);
        assert_int_equal(net_retry_decide(&p, attempt, 503, PARLEY_OK, -1, UINT64_MAX - 7, &d), 1);
        assert_true(d >= 0 && d <= ceiling);
        ceiling = ceiling * 2 > 5000 ? 5000 : ceiling * 2;
    }
    assert_int_equal(prev_top, 5000);
}

static void test_retry_decide_retry_after_and_limits(void **state)
{
    (void)state;
    struct net_retry_policy p = { .max_attempts = 4, .base_ms = 100, .max_delay_ms = 60000 };
    long long d = -1;

    /* Retry-After is a floor under the jittered backoff. */
    assert_int_equal(net_retry_decide(&p, 1, 429, PARLEY_OK, 3000, 0, &d), 1);
    assert_int_equal(d, 3000);
    assert_int_equal(net_retry_decide(&p, 1, 503, PARLEY_OK, 0, 0, &d), 1);
    assert_int_equal(d, 0);
    /* More than max_delay: give up and let the job queue wait. */
    d = -1;
    assert_int_equal(net_retry_decide(&p, 1, 429, PARLEY_OK, 60001, 0, &d), 0);
    assert_int_equal(d, -1);
    assert_int_equal(net_retry_decide(&p, 1, 429, PARLEY_OK, 60000, 0, &d), 1);
    assert_int_equal(d, 60000);
    /* Max attempts: after the 4th attempt there is no 5th. */
    assert_int_equal(net_retry_decide(&p, 3, 503, PARLEY_OK, -1, 0, &d), 1);
    assert_int_equal(net_retry_decide(&p, 4, 503, PARLEY_OK, -1, 0, &d), 0);
    /* Defaults: 6 attempts. */
    assert_int_equal(net_retry_decide(NULL, NET_RETRY_DEFAULT_MAX_ATTEMPTS - 1, 503, PARLEY_OK, -1,
                                      0, &d), 1);
    assert_int_equal(net_retry_decide(NULL, NET_RETRY_DEFAULT_MAX_ATTEMPTS, 503, PARLEY_OK, -1, 0,
                                      &d), 0);
}

/* ---- the loop, against a port that refuses connections ---- */

struct schedule {
    long long delays[16];
    int n;
};

static void on_sleep(long long ms, void *ctx)
{
    struct schedule *s = ctx;
    if (s->n < 16)
        s->delays[s->n] = ms;
    s->n++;
}

static uint64_t on_random_top(void *ctx)
{
    (void)ctx;
    return UINT64_MAX;      /* any draw: the test checks the window bounds */
}

static void test_retry_send_connection_refused(void **state)
{
    (void)state;
    /* A bound socket that never listens: connecting to it is refused. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    char url[64];

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", ntohs(addr.sin_port));

    struct schedule sched = { .n = 0 };
    struct net_retry_policy p = { .max_attempts = 4, .base_ms = 1000, .max_delay_ms = 3000,
                                  .sleep_ms = on_sleep, .random = on_random_top, .ctx = &sched };
    struct net_http_client *client = net_http_client_new(NULL);
    struct net_http_request req = { .url = url };
    struct net_http_response resp = { 0 };

    assert_int_equal(net_retry_send(client, &p, &req, &resp), PARLEY_ERR_NETWORK);
    assert_non_null(strstr(resp.error, "host unreachable"));
    assert_int_equal(resp.status, 0);
    assert_int_equal(sched.n, 3);               /* 4 attempts, 3 pauses */
    assert_true(sched.delays[0] <= 1000);
    assert_true(sched.delays[1] <= 2000);
    assert_true(sched.delays[2] <= 3000);
    net_http_response_free(&resp);
    net_http_client_free(client);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_seconds),
        cmocka_unit_test(test_retry_after_dates),
        cmocka_unit_test(test_retry_after_garbage),
        cmocka_unit_test(test_retry_decide_what),
        cmocka_unit_test(test_retry_decide_schedule),
        cmocka_unit_test(test_retry_decide_retry_after_and_limits),
        cmocka_unit_test(test_retry_send_connection_refused),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
