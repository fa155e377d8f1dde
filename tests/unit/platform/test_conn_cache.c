/* test_conn_cache.c - unit tests for src/platform/conn_cache.c: workers
 * share one connection per (org, platform); new settings open a new one and
 * the old one is closed only when its last user gives it back; everything
 * left is closed with the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit/platform/source_fixture.h"
#include "platform/conn_cache.h"
#include "util/secret.h"
#include "util/xmalloc.h"

/* ---- a fake connector counting opens and closes ---- */
struct fake_conn {
    char secret[64];
};

static int opens, closes;

static enum parley_err on_open(const struct platform_settings *s, struct platform_conn **out,
                               struct platform_error *err)
{
    (void)err;
    struct fake_conn *c = xcalloc(1, sizeof *c);
    strncpy(c->secret, s->client_secret, sizeof c->secret - 1);
    opens++;
    *out = (struct platform_conn *)c;
    return PARLEY_OK;
}

static void on_close(struct platform_conn *conn)
{
    closes++;
    free(conn);
}

static const struct platform_ops fake_ops = { .kind = PLATFORM_MICROSOFT, .open = on_open,
                                              .close = on_close };

static const struct platform_ops *fake_ops_for(enum platform_kind kind)
{
    (void)kind;
    return &fake_ops;
}

static void save_secret(struct source_fixture *f, const char *secret)
{
    struct platform_connection c = { .kind = PLATFORM_MICROSOFT };
    char why[256];

    c.tenant_id = xstrdup("tenant-1");
    c.client_id = xstrdup("client-1");
    c.secret = xstrdup(secret);
    assert_int_equal(platform_connection_save(&f->src, f->org_id, &c, NULL, why, sizeof why),
                     PARLEY_OK);
    platform_connection_clear(&c);
}

static int setup(void **state)
{
    opens = closes = 0;
    *state = source_fixture_open("conn-cache", fake_ops_for);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    source_fixture_close(*state);
    return 0;
}

static struct platform_conn *acquire(struct platform_conn_cache *cache, struct source_fixture *f)
{
    const struct platform_ops *ops = NULL;
    struct platform_conn *conn = NULL;
    struct platform_error err;

    assert_int_equal(platform_conn_cache_acquire(cache, f->org_id, PLATFORM_MICROSOFT, &ops, &conn,
                                                 &err), PARLEY_OK);
    assert_ptr_equal(ops, &fake_ops);
    return conn;
}

static void test_workers_share_one_connection(void **state)
{
    struct source_fixture *f = *state;
    struct platform_conn_cache *cache = platform_conn_cache_new(&f->src);

    save_secret(f, "one");
    struct platform_conn *a = acquire(cache, f);
    struct platform_conn *b = acquire(cache, f);
    assert_ptr_equal(a, b);
    platform_conn_cache_release(cache, &fake_ops, a);
    platform_conn_cache_release(cache, &fake_ops, b);
    assert_ptr_equal(acquire(cache, f), a);            /* kept open while unused */
    platform_conn_cache_release(cache, &fake_ops, a);
    assert_int_equal(opens, 1);
    assert_int_equal(closes, 0);
    platform_conn_cache_free(cache);
    assert_int_equal(closes, 1);
}

static void test_new_settings_replace_the_connection(void **state)
{
    struct source_fixture *f = *state;
    struct platform_conn_cache *cache = platform_conn_cache_new(&f->src);

    save_secret(f, "one");
    struct platform_conn *old = acquire(cache, f);
    usleep(2000);                                        /* a later updated_at */
    save_secret(f, "two");
    struct platform_conn *fresh = acquire(cache, f);
    assert_ptr_not_equal(fresh, old);
    assert_string_equal(((struct fake_conn *)fresh)->secret, "two");
    assert_string_equal(((struct fake_conn *)old)->secret, "one");   /* still usable */
    assert_int_equal(closes, 0);
    platform_conn_cache_release(cache, &fake_ops, old);  /* its last user: closed */
    assert_int_equal(closes, 1);
    platform_conn_cache_release(cache, &fake_ops, fresh);
    assert_ptr_equal(acquire(cache, f), fresh);
    platform_conn_cache_release(cache, &fake_ops, fresh);
    platform_conn_cache_free(cache);
    assert_int_equal(opens, 2);
    assert_int_equal(closes, 2);
}

static void test_no_settings_is_the_admins_error(void **state)
{
    struct source_fixture *f = *state;
    struct platform_conn_cache *cache = platform_conn_cache_new(&f->src);
    const struct platform_ops *ops = NULL;
    struct platform_conn *conn = NULL;
    struct platform_error err;

    assert_int_equal(platform_conn_cache_acquire(cache, f->org_id, PLATFORM_MICROSOFT, &ops, &conn,
                                                 &err), PARLEY_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "No Microsoft connection"));
    platform_conn_cache_free(cache);
    assert_int_equal(opens, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_workers_share_one_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_settings_replace_the_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_settings_is_the_admins_error, setup, teardown),
    };
    return cmocka_run_group_tests_name("platform/conn_cache", tests, NULL, NULL);
}
