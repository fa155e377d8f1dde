/* test_throttle.c - failed-login throttling per email and per address
 * (src/auth/throttle.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "auth/throttle.h"
#include "unit/store_fixture.h"

#define NOW 1700000000000LL

static void fail_times(struct store *st, const char *email, const char *ip, int n, long long at)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(auth_throttle_record_failure(st, email, ip, at), PARLEY_OK);
}

static void test_email_limit(void **state)
{
    struct store_fixture *f = *state;
    long long retry = -1;

    fail_times(f->st, "ann@x.com", "10.0.0.1", AUTH_THROTTLE_MAX_PER_EMAIL - 1, NOW);
    assert_int_equal(auth_throttle_check(f->st, "ann@x.com", "10.0.0.1", NOW, &retry), PARLEY_OK);
    assert_int_equal(retry, 0);
    fail_times(f->st, "ann@x.com", "10.0.0.1", 1, NOW);
    assert_int_equal(auth_throttle_check(f->st, "ann@x.com", "10.0.0.1", NOW, &retry),
                     PARLEY_ERR_THROTTLED);
    assert_int_equal(retry, AUTH_THROTTLE_WINDOW_MS / 1000);
    /* Another account from another address is unaffected. */
    assert_int_equal(auth_throttle_check(f->st, "bo@x.com", "10.0.0.2", NOW, &retry), PARLEY_OK);
}

static void test_success_clears_the_email(void **state)
{
    struct store_fixture *f = *state;
    long long retry;

    fail_times(f->st, "ann@x.com", "10.0.0.1", AUTH_THROTTLE_MAX_PER_EMAIL, NOW);
    assert_int_equal(auth_throttle_clear(f->st, "ann@x.com"), PARLEY_OK);
    assert_int_equal(auth_throttle_check(f->st, "ann@x.com", "10.0.0.1", NOW, &retry), PARLEY_OK);
}

static void test_old_failures_leave_the_window(void **state)
{
    struct store_fixture *f = *state;
    long long retry;
    long long then = NOW - AUTH_THROTTLE_WINDOW_MS - 1000;

    fail_times(f->st, "ann@x.com", "10.0.0.1", AUTH_THROTTLE_MAX_PER_EMAIL, then);
    assert_int_equal(auth_throttle_check(f->st, "ann@x.com", "10.0.0.1", NOW, &retry), PARLEY_OK);
}

static void test_address_limit_spans_emails(void **state)
{
    struct store_fixture *f = *state;
    long long retry;
    char email[64];

    /* Guessing across many accounts from one address. */
    for (int i = 0; i < AUTH_THROTTLE_MAX_PER_IP; i++) {
        snprintf(email, sizeof email, "user%d@x.com", i);
        fail_times(f->st, email, "10.9.9.9", 1, NOW);
    }
    assert_int_equal(auth_throttle_check(f->st, "fresh@x.com", "10.9.9.9", NOW, &retry),
                     PARLEY_ERR_THROTTLED);
    assert_int_equal(auth_throttle_check(f->st, "fresh@x.com", "10.0.0.1", NOW, &retry), PARLEY_OK);
    /* A success clears the email, not the address. */
    assert_int_equal(auth_throttle_clear(f->st, "user0@x.com"), PARLEY_OK);
    assert_int_equal(auth_throttle_check(f->st, "fresh@x.com", "10.9.9.9", NOW, &retry),
                     PARLEY_ERR_THROTTLED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_email_limit),
        STORE_TEST(test_success_clears_the_email),
        STORE_TEST(test_old_failures_leave_the_window),
        STORE_TEST(test_address_limit_spans_emails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
