/* test_url.c - tests for src/util/url.c: percent-encoding with a keep set,
 * form and strict percent-decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/url.h"

static void test_encode_keep(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;

    assert_int_equal(url_encode(&b, "a b/c~'\xff", URL_UNRESERVED), PARLEY_OK);
    assert_string_equal(buf_str(&b), "a%20b%2Fc~%27%FF");
    buf_reset(&b);
    assert_int_equal(url_encode(&b, "/users('x y')", URL_UNRESERVED "/()'"), PARLEY_OK);
    assert_string_equal(buf_str(&b), "/users('x%20y')");
    buf_free(&b);
}

static void expect_decode(const char *in, unsigned flags, const char *want)
{
    char *got = url_decode(in, strlen(in), flags);
    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
    free(got);
}

static void test_decode_form(void **state)
{
    (void)state;
    expect_decode("a+b%2Fc%41", URL_DECODE_FORM, "a b/cA");
    expect_decode("100%", URL_DECODE_FORM, "100%");        /* malformed: kept */
    expect_decode("%zz%4", URL_DECODE_FORM, "%zz%4");
    expect_decode("a+b", 0, "a+b");
}

static void test_decode_strict(void **state)
{
    (void)state;
    expect_decode("caf%C3%A9%2fx", URL_DECODE_STRICT, "caf\xc3\xa9/x");
    expect_decode("a+b", URL_DECODE_STRICT, "a+b");
    expect_decode("100%", URL_DECODE_STRICT, NULL);
    expect_decode("%g1", URL_DECODE_STRICT, NULL);
    expect_decode("a%00b", URL_DECODE_STRICT, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_keep),
        cmocka_unit_test(test_decode_form),
        cmocka_unit_test(test_decode_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
