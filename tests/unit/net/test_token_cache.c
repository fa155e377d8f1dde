/* test_token_cache.c - tests for src/net/token_cache.c: a token is served
 * from the cache until min(60 s, 10% of its lifetime) before it expires;
 * keys are independent; invalidate forces a fetch; 16 threads asking at once
 * cause exactly one fetch and all get its token; a failed fetch reaches
 * every waiter and is not cached.
 *
 * The clock is the test's.  It also counts its readings: the cache reads it
 * under its lock before deciding to fetch or to wait, which lets the fetch
 * callback hold on until all 16 threads are inside the cache - no sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/token_cache.h"
#include "util/xmalloc.h"

#define NTHREADS 16
#define HOUR_MS (3600LL * 1000)

struct world {
    long long now;                   /* the clock, in ms */
    atomic_int clock_reads;
    atomic_int fetches;
    int hold_until_reads;            /* fetch waits for that many clock reads; 0: no wait */
    enum parley_err fail_with;       /* 0: succeed */
    long long lifetime_ms;
};

static long long on_now(void *ctx)
{
    struct world *w = ctx;
    w->clock_reads++;
    return w->now;
}

static enum parley_err on_fetch(void *ctx, struct net_token *out, char **why)
{
    struct world *w = ctx;
    int n = ++w->fetches;

    while (w->hold_until_reads && w->clock_reads < w->hold_until_reads)
        sched_yield();
    if (w->fail_with) {
        *why = xasprintf("refused #%d", n);
        return w->fail_with;
    }
    out->access_token = xasprintf("token-%d", n);
    out->expires_at_ms = w->now + w->lifetime_ms;
    return PARLEY_OK;
}

static char *get(struct net_token_cache *c, const char *key, struct world *w)
{
    char *token = NULL, *why = NULL;
    assert_int_equal(net_token_cache_get(c, key, on_fetch, w, &token, &why), PARLEY_OK);
    assert_null(why);
    return token;
}

static void expect_token(struct net_token_cache *c, const char *key, struct world *w,
                         const char *want)
{
    char *token = get(c, key, w);
    assert_string_equal(token, want);
    net_token_free_string(token);
}

static void test_token_cache_until_near_expiry(void **state)
{
    (void)state;
    struct world w = { .now = 1000000, .lifetime_ms = HOUR_MS };
    struct net_token_cache *c = net_token_cache_new(on_now, &w);

    expect_token(c, "k", &w, "token-1");
    expect_token(c, "k", &w, "token-1");
    w.now += HOUR_MS - 61000;                  /* 61 s left: still good */
    expect_token(c, "k", &w, "token-1");
    w.now += 2000;                             /* 59 s left: refresh */
    expect_token(c, "k", &w, "token-2");
    assert_int_equal(w.fetches, 2);

    /* A short-lived token keeps a tenth of its lifetime as margin. */
    w.lifetime_ms = 100000;
    w.now += HOUR_MS;
    expect_token(c, "k", &w, "token-3");
    w.now += 89000;                            /* 11 s of 100 left */
    expect_token(c, "k", &w, "token-3");
    w.now += 2000;                             /* 9 s left */
    expect_token(c, "k", &w, "token-4");
    net_token_cache_free(c);
}

static void test_token_cache_keys_and_invalidate(void **state)
{
    (void)state;
    struct world w = { .now = 5, .lifetime_ms = HOUR_MS };
    struct net_token_cache *c = net_token_cache_new(on_now, &w);

    expect_token(c, "org:1/graph", &w, "token-1");
    expect_token(c, "org:1/google/alice", &w, "token-2");
    expect_token(c, "org:1/graph", &w, "token-1");
    net_token_cache_invalidate(c, "org:1/graph");
    net_token_cache_invalidate(c, "never-seen");
    expect_token(c, "org:1/graph", &w, "token-3");
    expect_token(c, "org:1/google/alice", &w, "token-2");
    assert_int_equal(w.fetches, 3);
    net_token_cache_free(c);
}

struct caller {
    pthread_t thread;
    struct net_token_cache *cache;
    struct world *world;
    enum parley_err rc;
    char *token;
    char *why;
};

static void *on_call(void *arg)
{
    struct caller *k = arg;
    k->rc = net_token_cache_get(k->cache, "shared", on_fetch, k->world, &k->token, &k->why);
    return NULL;
}

/* Start NTHREADS callers at once; the fetch holds on until every one of them
 * has read the clock inside the cache (one read each before fetching or
 * waiting). */
static void run_callers(struct net_token_cache *c, struct world *w, struct caller *callers)
{
    w->clock_reads = 0;
    w->hold_until_reads = NTHREADS;
    for (int i = 0; i < NTHREADS; i++) {
        callers[i] = (struct caller){ .cache = c, .world = w };
        assert_int_equal(pthread_create(&callers[i].thread, NULL, on_call, &callers[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(callers[i].thread, NULL);
    w->hold_until_reads = 0;
}

static void test_token_cache_single_flight(void **state)
{
    (void)state;
    struct world w = { .now = 0, .lifetime_ms = HOUR_MS };
    struct net_token_cache *c = net_token_cache_new(on_now, &w);
    struct caller callers[NTHREADS];

    run_callers(c, &w, callers);
    assert_int_equal(w.fetches, 1);
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(callers[i].rc, PARLEY_OK);
        assert_string_equal(callers[i].token, "token-1");
        net_token_free_string(callers[i].token);
    }
    /* Expired: the next crowd again fetches once. */
    w.now += HOUR_MS;
    run_callers(c, &w, callers);
    assert_int_equal(w.fetches, 2);
    for (int i = 0; i < NTHREADS; i++) {
        assert_string_equal(callers[i].token, "token-2");
        net_token_free_string(callers[i].token);
    }
    net_token_cache_free(c);
}

static void test_token_cache_failure_shared_not_cached(void **state)
{
    (void)state;
    struct world w = { .now = 0, .lifetime_ms = HOUR_MS, .fail_with = PARLEY_ERR_AUTH };
    struct net_token_cache *c = net_token_cache_new(on_now, &w);
    struct caller callers[NTHREADS];
    char *token = NULL, *why = NULL;

    run_callers(c, &w, callers);
    assert_int_equal(w.fetches, 1);
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(callers[i].rc, PARLEY_ERR_AUTH);
        assert_null(callers[i].token);
        assert_string_equal(callers[i].why, "refused #1");
        free(callers[i].why);
    }
    /* Not cached: the next caller asks again, and a success then sticks. */
    assert_int_equal(net_token_cache_get(c, "shared", on_fetch, &w, &token, &why), PARLEY_ERR_AUTH);
    assert_string_equal(why, "refused #2");
    free(why);
    w.fail_with = PARLEY_OK;
    expect_token(c, "shared", &w, "token-3");
    expect_token(c, "shared", &w, "token-3");
    assert_int_equal(w.fetches, 3);
    net_token_cache_free(c);
}

static enum parley_err on_fetch_empty(void *ctx, struct net_token *out, char **why)
{
    (void)ctx;
    (void)why;
    out->access_token = xstrdup("");
    out->expires_at_ms = HOUR_MS;
    return PARLEY_OK;
}

static void test_token_cache_rejects_empty_token(void **state)
{
    (void)state;
    struct net_token_cache *c = net_token_cache_new(NULL, NULL);
    char *token = NULL, *why = NULL;

    assert_int_equal(net_token_cache_get(c, "k", on_fetch_empty, NULL, &token, &why),
                     PARLEY_ERR_PLATFORM);
    assert_null(token);
    assert_non_null(strstr(why, "empty access token"));
    free(why);
    assert_int_equal(net_token_cache_get(c, NULL, on_fetch_empty, NULL, &token, NULL),
                     PARLEY_ERR_INVALID);
    net_token_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_cache_until_near_expiry),
        cmocka_unit_test(test_token_cache_keys_and_invalidate),
        cmocka_unit_test(test_token_cache_single_flight),
        cmocka_unit_test(test_token_cache_failure_shared_not_cached),
        cmocka_unit_test(test_token_cache_rejects_empty_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
