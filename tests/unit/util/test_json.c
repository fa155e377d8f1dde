/* test_json.c - unit tests for src/util/json.c: the strict parser front end
 * (empty input, NUL bytes, depth limit, invalid UTF-8, jansson's errors) and
 * the borrowed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/json.h"

/* Parse TEXT (LEN bytes) and expect a failure whose message contains WANT. */
static void expect_bad(const char *text, size_t len, const char *want)
{
    json_t *v = (json_t *)1;
    char *why = NULL;

    assert_int_equal(json_parse(text, len, &v, &why), PARLEY_ERR_BAD_JSON);
    assert_null(v);
    assert_non_null(why);
    if (!strstr(why, want))
        fail_msg("message \"%s\" lacks \"%s\"", why, want);
    free(why);
}

/* "[[...]]" nested DEPTH deep; the caller frees it. */
static char *nested_arrays(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);
    memset(s, '[', (size_t)depth);
    memset(s + depth, ']', (size_t)depth);
    s[depth * 2] = '\0';
    return s;
}

static void test_json_parse_object(void **state)
{
    (void)state;
    const char *text = "{\"a\":1,\"b\":\"x\",\"a\":2}";
    json_t *v = NULL;
    char *why = (char *)"unchanged";

    assert_int_equal(json_parse(text, strlen(text), &v, &why), PARLEY_OK);
    assert_null(why);
    /* Duplicate keys are accepted; the last one wins. */
    assert_int_equal(json_get_int(v, "a", 0), 2);
    assert_string_equal(json_get_str(v, "b"), "x");
    json_decref(v);
}

static void test_json_parse_scalar_and_length(void **state)
{
    (void)state;
    json_t *v = NULL;

    /* Only LEN bytes are read: the trailing garbage is outside. */
    assert_int_equal(json_parse("42xyz", 2, &v, NULL), PARLEY_OK);
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), 42);
    json_decref(v);
}

static void test_json_parse_empty(void **state)
{
    (void)state;
    expect_bad("", 0, "empty");
    expect_bad(" \r\n\t ", 5, "empty");
    expect_bad(NULL, 0, "empty");
}

static void test_json_parse_malformed(void **state)
{
    (void)state;
    expect_bad("{\"a\":}", 6, "line 1, column");
    expect_bad("{\"a\":1}\n}", 9, "line 2");
    expect_bad("[1,]", 4, "column");
}

static void test_json_parse_nul(void **state)
{
    (void)state;
    expect_bad("{\"a\":\"x\0y\"}", 11, "NUL byte at offset 7");
    /* An escaped NUL inside a string is refused by jansson too. */
    expect_bad("{\"a\":\"x\\u0000y\"}", 16, "NUL");
}

static void test_json_parse_invalid_utf8(void **state)
{
    (void)state;
    expect_bad("{\"a\":\"\xc3\x28\"}", 10, "unable to decode byte 0xc3");
    expect_bad("\"\xff\"", 3, "unable to decode byte 0xff");
}

static void test_json_parse_depth_limit(void **state)
{
    (void)state;
    char *at = nested_arrays(JSON_MAX_DEPTH);
    char *over = nested_arrays(JSON_MAX_DEPTH + 1);
    json_t *v = NULL;

    assert_int_equal(json_parse(at, strlen(at), &v, NULL), PARLEY_OK);
    json_decref(v);
    expect_bad(over, strlen(over), "nesting deeper than 64");
    free(at);
    free(over);
}

static void test_json_parse_depth_ignores_strings(void **state)
{
    (void)state;
    /* Brackets inside strings (and escaped quotes) do not count. */
    char text[256];
    json_t *v = NULL;
    char *brackets = nested_arrays(100);

    snprintf(text, sizeof text, "{\"s\":\"\\\"%s\"}", brackets);
    assert_int_equal(json_parse(text, strlen(text), &v, NULL), PARLEY_OK);
    json_decref(v);
    free(brackets);
}

static void test_json_getters(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:s, s:I, s:b, s:f, s:n}", "s", "text", "i", (json_int_t)1LL << 40,
                          "b", 1, "f", 1.5, "n");

    assert_string_equal(json_get_str(o, "s"), "text");
    assert_null(json_get_str(o, "i"));
    assert_null(json_get_str(o, "missing"));
    assert_int_equal(json_get_int(o, "i", -1), 1LL << 40);
    assert_int_equal(json_get_int(o, "f", -1), -1);       /* a real is not an integer */
    assert_int_equal(json_get_int(o, "s", 7), 7);
    assert_int_equal(json_get_bool(o, "b", 0), 1);
    assert_int_equal(json_get_bool(o, "n", -1), -1);
    assert_int_equal(json_get_bool(o, "missing", 0), 0);
    /* Not an object: everything is absent. */
    json_t *arr = json_array();
    assert_null(json_get_str(arr, "s"));
    assert_int_equal(json_get_int(NULL, "i", 3), 3);
    json_decref(arr);
    json_decref(o);
}

static void test_json_to_string(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:[i,i], s:s}", "a", 1, 2, "b", "é");
    char *s = json_to_string(o);

    assert_string_equal(s, "{\"a\":[1,2],\"b\":\"é\"}");
    free(s);
    json_decref(o);
    assert_null(json_to_string(NULL));
    json_t *n = json_integer(5);
    s = json_to_string(n);
    assert_string_equal(s, "5");
    free(s);
    json_decref(n);
}

/* Arrays are unions (old order first, no duplicates), other members kept. */
static void test_json_union_arrays(void **state)
{
    json_t *old = json_loads("{\"team_ids\":[\"a\",\"b\"],\"requested_by\":\"x\","
                             "\"n\":1,\"tags\":\"t\"}", 0, NULL);
    json_t *add = json_loads("{\"team_ids\":[\"c\",\"a\",\"c\"],\"requested_by\":\"y\","
                             "\"more\":[1],\"tags\":[2]}", 0, NULL);
    json_t *want = json_loads("{\"team_ids\":[\"a\",\"b\",\"c\"],\"requested_by\":\"x\","
                              "\"n\":1,\"tags\":\"t\",\"more\":[1]}", 0, NULL);
    json_t *got = json_union_arrays(old, add);

    (void)state;
    assert_true(json_equal(got, want));
    assert_int_equal(json_array_size(json_object_get(old, "team_ids")), 2);  /* OLD untouched */
    json_decref(got);
    got = json_union_arrays(old, NULL);                 /* nothing to add: a copy */
    assert_true(json_equal(got, old));
    json_decref(got);
    assert_null(json_union_arrays(NULL, add));
    json_decref(want);
    json_decref(add);
    json_decref(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_parse_object),
        cmocka_unit_test(test_json_parse_scalar_and_length),
        cmocka_unit_test(test_json_parse_empty),
        cmocka_unit_test(test_json_parse_malformed),
        cmocka_unit_test(test_json_parse_nul),
        cmocka_unit_test(test_json_parse_invalid_utf8),
        cmocka_unit_test(test_json_parse_depth_limit),
        cmocka_unit_test(test_json_parse_depth_ignores_strings),
        cmocka_unit_test(test_json_getters),
        cmocka_unit_test(test_json_to_string),
        cmocka_unit_test(test_json_union_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
