/* test_assets.c - unit tests for src/http/assets.c: lookup in an embedded
 * table and Content-Type by extension. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http/assets.h"

static const unsigned char index_html[] = "<!doctype html>";
static const unsigned char app_js[] = "1;";

static const struct embedded_asset table[] = {
    { "/index.html", index_html, sizeof index_html - 1 },
    { "/js/app.js", app_js, sizeof app_js - 1 },
    { NULL, NULL, 0 },
};

static void test_assets_find(void **state)
{
    (void)state;
    const struct embedded_asset *a = assets_find(table, "/js/app.js");

    assert_non_null(a);
    assert_int_equal(a->size, 2);
    assert_memory_equal(a->data, "1;", 2);
    assert_ptr_equal(assets_find(table, "/index.html"), &table[0]);
    assert_null(assets_find(table, "/js/app"));
    assert_null(assets_find(table, "js/app.js"));
    assert_null(assets_find(table, NULL));
    /* The generated table links in and ends with a NULL path. */
    assert_null(assets_find(web_assets, "/no/such/file"));
}

static void test_assets_content_type(void **state)
{
    (void)state;
    assert_string_equal(assets_content_type("/index.html"), "text/html; charset=utf-8");
    assert_string_equal(assets_content_type("/js/app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(assets_content_type("/js/mod.mjs"), "text/javascript; charset=utf-8");
    assert_string_equal(assets_content_type("/a.CSS"), "text/css; charset=utf-8");
    assert_string_equal(assets_content_type("/logo.svg"), "image/svg+xml");
    assert_string_equal(assets_content_type("/logo.png"), "image/png");
    assert_string_equal(assets_content_type("/favicon.ico"), "image/x-icon");
    assert_string_equal(assets_content_type("/m.json"), "application/json; charset=utf-8");
    assert_string_equal(assets_content_type("/robots.txt"), "text/plain; charset=utf-8");
    assert_string_equal(assets_content_type("/f.woff2"), "font/woff2");
    assert_string_equal(assets_content_type("/archive.tar"), "application/octet-stream");
    assert_string_equal(assets_content_type("/v1.2/README"), "application/octet-stream");
    assert_string_equal(assets_content_type("/"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assets_find),
        cmocka_unit_test(test_assets_content_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
