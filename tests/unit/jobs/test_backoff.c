/* test_backoff.c - the backoff schedule: full-jitter draws stay within the
 * doubling ceiling, reach it exactly, never overflow, and a Retry-After hint
 * is a floor that jitter never shortens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "jobs/backoff.h"

static void test_backoff_bounds(void **state)
{
    struct jobs_backoff b = { .base_ms = 100, .cap_ms = 10000 };

    (void)state;
    /* base 100 ms, cap 10 s: ceilings 100, 200, 400, ... 6400, then 10000. */
    assert_int_equal(jobs_backoff_ms(1, 100, 10000, 0), 0);
    assert_int_equal(jobs_backoff_ms(1, 100, 10000, 100), 100);
    assert_int_equal(jobs_backoff_ms(1, 100, 10000, 101), 0);     /* wraps: [0, 100] */
    assert_int_equal(jobs_backoff_ms(2, 100, 10000, 200), 200);
    assert_int_equal(jobs_backoff_ms(7, 100, 10000, 6400), 6400);
    assert_int_equal(jobs_backoff_ms(8, 100, 10000, 10000), 10000);
    assert_int_equal(jobs_backoff_ms(8, 100, 10000, 10001), 0);
    assert_int_equal(jobs_backoff_ms(1000000, 100, 10000, 10000), 10000);  /* no overflow */
    assert_int_equal(jobs_backoff_ms(3, 0, 10000, 5), 0);
    for (int attempt = 1; attempt <= 80; attempt++) {
        long long ceiling = attempt >= 8 ? 10000 : 100LL << (attempt - 1);
        for (uint64_t r = 0; r < 64; r++) {
            long long d = jobs_backoff_ms(attempt, 100, 10000, r * 0x9e3779b97f4a7c15ULL);
            assert_in_range(d, 0, ceiling);
        }
        /* The largest draw reaches the ceiling exactly. */
        uint64_t top = (uint64_t)ceiling + (uint64_t)(ceiling + 1) * 987654321ULL;
        assert_int_equal(jobs_backoff_ms(attempt, 100, 10000, top), ceiling);
    }

    /* A Retry-After hint is a floor, never shortened by jitter. */
    assert_int_equal(jobs_retry_delay_ms(1, &b, 5000, 0), 5000);
    assert_int_equal(jobs_retry_delay_ms(1, &b, 5000, 100), 5000);
    assert_int_equal(jobs_retry_delay_ms(8, &b, 50, 10000), 10000);
    assert_in_range(jobs_retry_delay_ms(20, NULL, 0, UINT64_MAX), 0, JOBS_BACKOFF_CAP_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_bounds),
    };
    return cmocka_run_group_tests_name("jobs/backoff", tests, NULL, NULL);
}
