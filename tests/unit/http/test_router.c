/* test_router.c - unit tests for src/http/router.c: literal segments,
 * ":name" and "*rest" parameters, percent-decoding, 404 vs 405 vs 400,
 * route order and the Allow list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"

/* Handlers are only compared by address; the ctx tells routes apart. */
static void on_any(struct http_req *req, void *ctx)
{
    (void)req;
    (void)ctx;
}

static int route_ids[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static int setup(void **state)
{
    struct http_router *r = http_router_new();

    http_router_add(r, "GET", "/", on_any, &route_ids[0]);
    http_router_add(r, "GET", "/api/users", on_any, &route_ids[1]);
    http_router_add(r, "POST", "/api/users", on_any, &route_ids[2]);
    http_router_add(r, "GET", "/api/users/:id", on_any, &route_ids[3]);
    http_router_add(r, "DELETE", "/api/users/:id/groups/:group", on_any, &route_ids[4]);
    http_router_add(r, "POST", "/v1/spaces:setup", on_any, &route_ids[5]);
    http_router_add(r, "GET", "/assets/*path", on_any, &route_ids[6]);
    http_router_add(r, "*", "/any/:x", on_any, &route_ids[7]);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    http_router_free(*state);
    return 0;
}

/* Match and return the ctx's route id, or -STATUS when there is no match. */
static int route_of(void **state, const char *method, const char *path,
                    struct http_route_match *m)
{
    int status = http_router_match(*state, method, path, m);
    if (status != 200)
        return -status;
    assert_ptr_equal(m->handler, on_any);
    return *(int *)m->ctx;
}

static const char *param(const struct http_route_match *m, const char *name)
{
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(m->names[i], name) == 0)
            return m->values[i];
    return NULL;
}

static void test_router_literals(void **state)
{
    struct http_route_match m;

    assert_int_equal(route_of(state, "GET", "/", &m), 0);
    assert_int_equal(m.nparams, 0);
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "GET", "/api/users", &m), 1);
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "POST", "/api/users", &m), 2);
    http_route_match_clear(&m);
    /* A colon inside a segment is literal. */
    assert_int_equal(route_of(state, "POST", "/v1/spaces:setup", &m), 5);
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "POST", "/v1/spaces%3Asetup", &m), 5);
    http_route_match_clear(&m);
    /* A trailing slash is another path. */
    assert_int_equal(route_of(state, "GET", "/api/users/", &m), -404);
    assert_int_equal(route_of(state, "GET", "/api", &m), -404);
    assert_int_equal(route_of(state, "GET", "api/users", &m), -404);
}

static void test_router_params(void **state)
{
    struct http_route_match m;

    assert_int_equal(route_of(state, "GET", "/api/users/42", &m), 3);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(param(&m, "id"), "42");
    http_route_match_clear(&m);

    assert_int_equal(route_of(state, "DELETE", "/api/users/u1/groups/g%20two", &m), 4);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(param(&m, "id"), "u1");
    assert_string_equal(param(&m, "group"), "g two");
    http_route_match_clear(&m);
    assert_int_equal(m.nparams, 0);

    /* An empty segment does not bind a parameter. */
    assert_int_equal(route_of(state, "GET", "/api/users//", &m), -404);
}

static void test_router_decoding(void **state)
{
    struct http_route_match m;

    /* An encoded slash stays inside its segment. */
    assert_int_equal(route_of(state, "GET", "/api/users/a%2Fb", &m), 3);
    assert_string_equal(param(&m, "id"), "a/b");
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "GET", "/api/users/caf%C3%A9+x", &m), 3);
    assert_string_equal(param(&m, "id"), "café+x");
    http_route_match_clear(&m);

    assert_int_equal(route_of(state, "GET", "/api/users/a%00b", &m), -400);
    assert_int_equal(route_of(state, "GET", "/api/users/%zz", &m), -400);
    assert_int_equal(route_of(state, "GET", "/api/users/abc%4", &m), -400);
    assert_int_equal(route_of(state, "GET", "/api/users/abc%", &m), -400);
    assert_int_equal(m.nparams, 0);
}

static void test_router_rest(void **state)
{
    struct http_route_match m;

    assert_int_equal(route_of(state, "GET", "/assets/js/app%20x.js", &m), 6);
    assert_string_equal(param(&m, "path"), "js/app x.js");
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "GET", "/assets/", &m), 6);
    assert_string_equal(param(&m, "path"), "");
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "GET", "/assets", &m), 6);
    assert_string_equal(param(&m, "path"), "");
    http_route_match_clear(&m);
}

static void test_router_methods(void **state)
{
    struct http_route_match m;

    assert_int_equal(route_of(state, "PUT", "/api/users", &m), -405);
    assert_int_equal(route_of(state, "POST", "/api/users/7", &m), -405);
    assert_int_equal(route_of(state, "PATCH", "/nowhere", &m), -404);
    /* HEAD is answered by GET routes; "*" takes every method. */
    assert_int_equal(route_of(state, "HEAD", "/api/users/7", &m), 3);
    http_route_match_clear(&m);
    assert_int_equal(route_of(state, "OPTIONS", "/any/thing", &m), 7);
    assert_string_equal(param(&m, "x"), "thing");
    http_route_match_clear(&m);
}

static void test_router_order(void **state)
{
    struct http_router *r = http_router_new();
    struct http_route_match m;
    (void)state;

    http_router_add(r, "GET", "/items/new", on_any, &route_ids[1]);
    http_router_add(r, "GET", "/items/:id", on_any, &route_ids[2]);
    http_router_add(r, "GET", "/items/new", on_any, &route_ids[3]);
    assert_int_equal(http_router_match(r, "GET", "/items/new", &m), 200);
    assert_int_equal(*(int *)m.ctx, 1);
    http_route_match_clear(&m);
    assert_int_equal(http_router_match(r, "GET", "/items/9", &m), 200);
    assert_int_equal(*(int *)m.ctx, 2);
    http_route_match_clear(&m);
    http_router_free(r);
}

static void test_router_allow(void **state)
{
    char *allow = http_router_allow(*state, "/api/users");
    assert_string_equal(allow, "GET, POST");
    free(allow);
    allow = http_router_allow(*state, "/api/users/1");
    assert_string_equal(allow, "GET");
    free(allow);
    assert_null(http_router_allow(*state, "/nowhere"));

    /* A method is listed once, even when several routes give it. */
    struct http_router *r = http_router_new();
    http_router_add(r, "GET", "/x/:id", on_any, NULL);
    http_router_add(r, "GET", "/x/*rest", on_any, NULL);
    http_router_add(r, "PUT", "/x/1", on_any, NULL);
    http_router_add(r, "PUTX", "/x/1", on_any, NULL);
    allow = http_router_allow(r, "/x/1");
    assert_string_equal(allow, "GET, PUT, PUTX");
    free(allow);
    http_router_free(r);
}

static void test_router_many_routes(void **state)
{
    struct http_router *r = http_router_new();
    struct http_route_match m;
    static int ids[200];
    char pattern[64];
    (void)state;

    for (int i = 0; i < 200; i++) {
        ids[i] = i;
        snprintf(pattern, sizeof pattern, "/r%d/:id", i);
        http_router_add(r, "GET", pattern, on_any, &ids[i]);
    }
    assert_int_equal(http_router_match(r, "GET", "/r137/x", &m), 200);
    assert_int_equal(*(int *)m.ctx, 137);
    assert_string_equal(m.values[0], "x");
    http_route_match_clear(&m);
    http_router_free(r);
    http_router_free(NULL);
    http_route_match_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_router_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_router_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_router_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_router_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_router_methods, setup, teardown),
        cmocka_unit_test(test_router_order),
        cmocka_unit_test_setup_teardown(test_router_allow, setup, teardown),
        cmocka_unit_test(test_router_many_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
