/* test_role.c - role names and ordering (src/auth/role.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/role.h"

static void test_parse_and_name_round_trip(void **state)
{
    (void)state;
    const char *names[] = { "viewer", "admin", "owner" };
    for (int i = 0; i < 3; i++) {
        enum auth_role r = AUTH_ROLE_NONE;
        assert_int_equal(auth_role_parse(names[i], &r), PARLEY_OK);
        assert_string_equal(auth_role_name(r), names[i]);
    }
    assert_string_equal(auth_role_name(AUTH_ROLE_NONE), "none");
}

static void test_parse_rejects_unknown(void **state)
{
    (void)state;
    enum auth_role r = AUTH_ROLE_OWNER;
    assert_int_equal(auth_role_parse("Owner", &r), PARLEY_ERR_INVALID);
    assert_int_equal(auth_role_parse("none", &r), PARLEY_ERR_INVALID);
    assert_int_equal(auth_role_parse("", &r), PARLEY_ERR_INVALID);
    assert_int_equal(auth_role_parse(NULL, &r), PARLEY_ERR_INVALID);
    assert_int_equal(r, AUTH_ROLE_OWNER);      /* untouched on failure */
}

static void test_ordering(void **state)
{
    (void)state;
    assert_true(auth_role_allows(AUTH_ROLE_OWNER, AUTH_ROLE_ADMIN));
    assert_true(auth_role_allows(AUTH_ROLE_OWNER, AUTH_ROLE_OWNER));
    assert_true(auth_role_allows(AUTH_ROLE_ADMIN, AUTH_ROLE_VIEWER));
    assert_true(auth_role_allows(AUTH_ROLE_VIEWER, AUTH_ROLE_VIEWER));
    assert_false(auth_role_allows(AUTH_ROLE_VIEWER, AUTH_ROLE_ADMIN));
    assert_false(auth_role_allows(AUTH_ROLE_ADMIN, AUTH_ROLE_OWNER));
}

static void test_no_role_allows_nothing(void **state)
{
    (void)state;
    assert_false(auth_role_allows(AUTH_ROLE_NONE, AUTH_ROLE_NONE));
    assert_false(auth_role_allows(AUTH_ROLE_NONE, AUTH_ROLE_VIEWER));
    assert_true(auth_role_allows(AUTH_ROLE_VIEWER, AUTH_ROLE_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_name_round_trip),
        cmocka_unit_test(test_parse_rejects_unknown),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_no_role_allows_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
