/* test_password.c - argon2id hashing, verification and generated passwords
 * (src/auth/password.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "auth/password.h"

static void test_hash_then_verify(void **state)
{
    (void)state;
    char *hash = NULL;

    assert_int_equal(auth_password_hash("correct horse battery", &hash), PARLEY_OK);
    assert_non_null(hash);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_int_equal(auth_password_verify(hash, "correct horse battery"), PARLEY_OK);
    free(hash);
}

static void test_wrong_password_fails(void **state)
{
    (void)state;
    char *hash = NULL;

    assert_int_equal(auth_password_hash("correct horse battery", &hash), PARLEY_OK);
    assert_int_equal(auth_password_verify(hash, "correct horse batterY"), PARLEY_ERR_AUTH);
    assert_int_equal(auth_password_verify(hash, ""), PARLEY_ERR_AUTH);
    assert_int_equal(auth_password_verify(hash, NULL), PARLEY_ERR_AUTH);
    free(hash);
}

static void test_same_password_hashes_differently(void **state)
{
    (void)state;
    char *a = NULL, *b = NULL;

    assert_int_equal(auth_password_hash("same password here", &a), PARLEY_OK);
    assert_int_equal(auth_password_hash("same password here", &b), PARLEY_OK);
    assert_string_not_equal(a, b);     /* a fresh salt each time */
    free(a);
    free(b);
}

static void test_malformed_hash_fails(void **state)
{
    (void)state;
    assert_int_equal(auth_password_verify("not-a-hash", "whatever password"), PARLEY_ERR_AUTH);
    assert_int_equal(auth_password_verify("", "whatever password"), PARLEY_ERR_AUTH);
    assert_int_equal(auth_password_verify(NULL, "whatever password"), PARLEY_ERR_AUTH);
}

static void test_overlong_password_is_refused(void **state)
{
    (void)state;
    char *longpw = malloc(AUTH_PASSWORD_MAX_LEN + 2);
    const char *why = NULL;

    memset(longpw, 'x', AUTH_PASSWORD_MAX_LEN + 1);
    longpw[AUTH_PASSWORD_MAX_LEN + 1] = '\0';
    assert_int_equal(auth_password_check(longpw, &why), PARLEY_ERR_INVALID);
    assert_non_null(why);
    /* Verification refuses it before hashing anything. */
    assert_int_equal(auth_password_verify("$argon2id$v=19$m=65536,t=2,p=1$x$y", longpw),
                     PARLEY_ERR_AUTH);
    free(longpw);
}

static void test_check_lengths(void **state)
{
    (void)state;
    const char *why = "unset";

    assert_int_equal(auth_password_check("short", &why), PARLEY_ERR_INVALID);
    assert_non_null(why);
    assert_int_equal(auth_password_check(NULL, NULL), PARLEY_ERR_INVALID);
    assert_int_equal(auth_password_check("exactly12chr", &why), PARLEY_OK);
    assert_null(why);
}

static void test_generated_passwords(void **state)
{
    (void)state;
    char *a = auth_password_generate();
    char *b = auth_password_generate();

    assert_int_equal(strlen(a), AUTH_PASSWORD_GENERATED_LEN);
    assert_string_not_equal(a, b);
    for (const char *p = a; *p; p++) {
        /* Look-alikes are never used. */
        assert_null(strchr("0O1lI", *p));
        assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '9'));
    }
    assert_int_equal(auth_password_check(a, NULL), PARLEY_OK);
    free(a);
    free(b);
}

static void test_dummy_verify_returns(void **state)
{
    (void)state;
    /* Only its timing matters; it must simply complete, repeatedly. */
    auth_password_verify_dummy("anything at all");
    auth_password_verify_dummy("");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_then_verify),
        cmocka_unit_test(test_wrong_password_fails),
        cmocka_unit_test(test_same_password_hashes_differently),
        cmocka_unit_test(test_malformed_hash_fails),
        cmocka_unit_test(test_overlong_password_is_refused),
        cmocka_unit_test(test_check_lengths),
        cmocka_unit_test(test_generated_passwords),
        cmocka_unit_test(test_dummy_verify_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
