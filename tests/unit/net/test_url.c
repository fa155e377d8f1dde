/* test_url.c - tests for src/net/url.c: percent-encoding, form bodies,
 * query parameters, URLs cut for logs, and the https-or-loopback rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net/url.h"

static void test_url_encode(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;

    assert_int_equal(net_url_encode(&b, "AZaz09-._~ /:?&=+%\xc3\xa4"), PARLEY_OK);
    assert_string_equal(buf_str(&b), "AZaz09-._~%20%2F%3A%3F%26%3D%2B%25%C3%A4");
    buf_free(&b);
}

static void test_url_form(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;

    net_url_form_add(&b, "grant_type", "client_credentials");
    net_url_form_add(&b, "scope", "https://graph.microsoft.com/.default");
    net_url_form_add(&b, "empty", "");
    assert_string_equal(buf_str(&b), "grant_type=client_credentials&scope=https%3A%2F%2Fgraph."
                                     "microsoft.com%2F.default&empty=");
    buf_free(&b);

    /* A limited buffer refuses to grow. */
    struct buf small = { NULL, 0, 0, 8 };
    assert_int_equal(net_url_form_add(&small, "name", "value!"), PARLEY_ERR_TOO_LARGE);
    buf_free(&small);
}

static void test_url_query(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;

    buf_puts(&b, "https://chat.googleapis.com/v1/spaces");
    net_url_query_add(&b, "pageSize", "100");
    net_url_query_add(&b, "filter", "spaceType = \"DIRECT_MESSAGE\"");
    assert_string_equal(buf_str(&b), "https://chat.googleapis.com/v1/spaces?pageSize=100&filter="
                                     "spaceType%20%3D%20%22DIRECT_MESSAGE%22");
    buf_free(&b);
}

static void test_url_for_log(void **state)
{
    (void)state;
    char *s = net_url_for_log("https://graph.microsoft.com/v1.0/users?$skiptoken=SECRETISH");
    assert_string_equal(s, "https://graph.microsoft.com/v1.0/users");
    free(s);
    s = net_url_for_log("http://h/p#frag");
    assert_string_equal(s, "http://h/p");
    free(s);
}

/* https:// always; http:// only to localhost, 127.0.0.0/8 and ::1. */
static void test_url_check_transport(void **state)
{
    static const char *const allowed[] = {
        "https://graph.microsoft.com/v1.0", "HTTPS://example.com", "http://127.0.0.1:8401/v1.0",
        "http://127.9.8.7/x", "http://localhost:80", "http://LOCALHOST/", "http://[::1]:8402/",
        "http://[0:0:0:0:0:0:0:1]/", "http://user@127.0.0.1/",
    };
    static const char *const refused[] = {
        "http://graph.microsoft.com/v1.0", "http://10.0.0.1/", "http://128.0.0.1/",
        "http://[::2]/", "http://localhost.example.com/", "http://127.0.0.1.evil.test/",
        "http://127.0.0.1@evil.test/", "http://[::1/", "ftp://127.0.0.1/", "", "http://",
    };
    char *why;

    (void)state;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        assert_int_equal(net_url_check_transport(allowed[i], &why), PARLEY_OK);
        assert_null(why);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(net_url_check_transport(refused[i], &why), PARLEY_ERR_INVALID);
        assert_non_null(strstr(why, "must use https://"));
        free(why);
    }
    assert_int_equal(net_url_check_transport("http://example.com/a?secret=1", &why),
                     PARLEY_ERR_INVALID);
    assert_null(strstr(why, "secret"));        /* the query is not shown */
    free(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_url_form),
        cmocka_unit_test(test_url_query),
        cmocka_unit_test(test_url_for_log),
        cmocka_unit_test(test_url_check_transport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
