/* test_api.c - tests for the secondary-account rules of
 * src/platform/api.c: the account name derived from a person's email
 * (platform_account_name), the generated password and the UTF-8 cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "platform/api.h"

static void assert_name(const char *email, const char *want)
{
    char *name = platform_account_name(email);

    assert_non_null(name);
    assert_string_equal(name, want);
    free(name);
}

/* Only [a-z0-9._-], no '.' at an end, at most the limit. */
static void assert_legal(const char *name)
{
    size_t len = strlen(name);

    assert_true(len > 0 && len <= PLATFORM_ACCOUNT_NAME_MAX);
    assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-"), len);
    assert_true(name[0] != '.' && name[len - 1] != '.');
    assert_null(strstr(name, ".."));
}

static void test_plain_email(void **state)
{
    (void)state;
    assert_name("Greg@ParleyDemo.example", "greg_parleydemo.example");
    assert_name("ana.lima@contoso.com", "ana.lima_contoso.com");
}

/* Same local part, other domain: other names. */
static void test_domains_disambiguate(void **state)
{
    char *a = platform_account_name("alice@contoso.com");
    char *b = platform_account_name("alice@fabrikam.com");

    (void)state;
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

/* Characters outside the set: replaced, and a hash keeps names apart. */
static void test_illegal_characters_hashed(void **state)
{
    char *plus = platform_account_name("o'neil+chat@example.com");
    char *dash = platform_account_name("o-neil-chat@example.com");
    char *again = platform_account_name("O'Neil+Chat@Example.com");

    (void)state;
    assert_legal(plus);
    assert_int_equal(strncmp(plus, "o-neil-chat_example.com-", 24), 0);
    assert_int_equal(strlen(plus), 24 + 8);
    assert_string_not_equal(plus, dash);            /* the hash tells them apart */
    assert_string_equal(plus, again);               /* case does not matter */
    free(plus);
    free(dash);
    free(again);
}

static void test_dots_at_ends(void **state)
{
    char *name = platform_account_name(".a..b.@example.com");

    (void)state;
    assert_legal(name);
    free(name);
}

static void test_long_email_cut(void **state)
{
    char email[200];
    char *name;

    (void)state;
    memset(email, 'x', 120);
    strcpy(email + 120, "@very-long-domain.example.com");
    name = platform_account_name(email);
    assert_legal(name);
    assert_int_equal(strlen(name), PLATFORM_ACCOUNT_NAME_MAX);
    free(name);
}

static void test_not_an_email(void **state)
{
    (void)state;
    assert_null(platform_account_name(NULL));
    assert_null(platform_account_name("nobody"));
    assert_null(platform_account_name("@example.com"));
    assert_null(platform_account_name("x@"));
}

static void test_password_has_every_class(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        char *pw = platform_random_password();
        int upper = 0, lower = 0, digit = 0, symbol = 0;
        assert_int_equal(strlen(pw), 24);
        for (const char *p = pw; *p; p++) {
            upper += *p >= 'A' && *p <= 'Z';
            lower += *p >= 'a' && *p <= 'z';
            digit += *p >= '0' && *p <= '9';
            symbol += strchr("!#%+-.:=?@^_~", *p) != NULL;
        }
        assert_true(upper && lower && digit && symbol);
        assert_int_equal(upper + lower + digit + symbol, 24);
        platform_secret_free(pw);
    }
}

static void test_passwords_differ(void **state)
{
    char *a = platform_random_password(), *b = platform_random_password();

    (void)state;
    assert_string_not_equal(a, b);
    platform_secret_free(a);
    platform_secret_free(b);
}

static void test_utf8_prefix(void **state)
{
    (void)state;
    assert_int_equal(platform_utf8_prefix("abc", 10), 3);
    assert_int_equal(platform_utf8_prefix("abc", 2), 2);
    /* "é" is 2 bytes: cutting at 2 would split it. */
    assert_int_equal(platform_utf8_prefix("a\xc3\xa9z", 2), 1);
    assert_int_equal(platform_utf8_prefix("a\xc3\xa9z", 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_email),
        cmocka_unit_test(test_domains_disambiguate),
        cmocka_unit_test(test_illegal_characters_hashed),
        cmocka_unit_test(test_dots_at_ends),
        cmocka_unit_test(test_long_email_cut),
        cmocka_unit_test(test_not_an_email),
        cmocka_unit_test(test_password_has_every_class),
        cmocka_unit_test(test_passwords_differ),
        cmocka_unit_test(test_utf8_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
