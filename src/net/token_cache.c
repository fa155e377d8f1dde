/* token_cache.c - per-key OAuth token cache with single-flight refresh
 * (see token_cache.h).
 *
 * One mutex guards the table; one condition variable is broadcast whenever
 * any fetch finishes.  Each entry counts its finished fetches (round): a
 * caller that finds a fetch running notes the round and waits until it
 * moves on, then takes that fetch's outcome.  Entries live until the cache
 * is freed, so a pointer to one stays valid while the lock is dropped for
 * the fetch. */
#include "net/token_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/clock.h"
#include "util/xmalloc.h"

#define NBUCKETS 64

struct entry {
    struct entry *next;
    char *key;
    char *token;                 /* NULL: none cached */
    long long fetched_at_ms;
    long long expires_at_ms;
    int fetching;                /* a caller is fetching right now */
    unsigned long round;         /* fetches finished so far */
    enum parley_err last_err;    /* outcome of the last finished fetch */
    char *last_why;
};

struct net_token_cache {
    pthread_mutex_t lock;
    pthread_cond_t fetched;      /* broadcast at the end of every fetch */
    struct entry *buckets[NBUCKETS];
    long long (*now_ms)(void *ctx);
    void *now_ctx;
};

void net_token_free_string(char *token)
{
    if (!token)
        return;
    sodium_memzero(token, strlen(token));
    free(token);
}

void net_token_clear(struct net_token *token)
{
    if (!token)
        return;
    net_token_free_string(token->access_token);
    memset(token, 0, sizeof *token);
}

static long long default_now(void *ctx)
{
    (void)ctx;
    return clock_now_ms();
}

struct net_token_cache *net_token_cache_new(long long (*now_ms)(void *ctx), void *now_ctx)
{
    struct net_token_cache *cache = xcalloc(1, sizeof *cache);

    if (sodium_init() < 0) {        /* for sodium_memzero */
        free(cache);
        return NULL;
    }
    pthread_mutex_init(&cache->lock, NULL);
    pthread_cond_init(&cache->fetched, NULL);
    cache->now_ms = now_ms ? now_ms : default_now;
    cache->now_ctx = now_ctx;
    return cache;
}

void net_token_cache_free(struct net_token_cache *cache)
{
    if (!cache)
        return;
    for (int i = 0; i < NBUCKETS; i++) {
        struct entry *e = cache->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            net_token_free_string(e->token);
            free(e->last_why);
            free(e->key);
            free(e);
        }
    }
    pthread_cond_destroy(&cache->fetched);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* FNV-1a. */
static unsigned bucket_of(const char *key)
{
    uint32_t h = 2166136261u;

    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % NBUCKETS;
}

/* KEY's entry, created empty if needed.  Called with the lock held. */
static struct entry *entry_get(struct net_token_cache *cache, const char *key, int create)
{
    unsigned b = bucket_of(key);
    struct entry *e;

    for (e = cache->buckets[b]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    if (!create)
        return NULL;
    e = xcalloc(1, sizeof *e);
    e->key = xstrdup(key);
    e->next = cache->buckets[b];
    cache->buckets[b] = e;
    return e;
}

/* Whether E's token has more than min(60 s, lifetime / 10) left. */
static int is_fresh(const struct entry *e, long long now)
{
    long long skew = (e->expires_at_ms - e->fetched_at_ms) / 10;

    if (skew > NET_TOKEN_MAX_SKEW_MS)
        skew = NET_TOKEN_MAX_SKEW_MS;
    return e->token && e->expires_at_ms - now > skew;
}

/* Run FETCH for E with the lock dropped, record the outcome and wake the
 * waiters.  Called and returns with the lock held. */
static void fetch_round(struct net_token_cache *cache, struct entry *e, net_token_fetch_fn fetch,
                        void *ctx)
{
    struct net_token got = { NULL, 0 };
    char *why = NULL;
    enum parley_err rc;

    e->fetching = 1;
    pthread_mutex_unlock(&cache->lock);
    rc = fetch(ctx, &got, &why);
    if (rc == PARLEY_OK && (!got.access_token || !*got.access_token)) {
        rc = PARLEY_ERR_PLATFORM;
        free(why);
        why = xstrdup("the token endpoint returned an empty access token");
    }
    pthread_mutex_lock(&cache->lock);

    e->fetching = 0;
    e->round++;
    e->last_err = rc;
    free(e->last_why);
    e->last_why = why;
    /* A failed refresh drops the old token too: it was about to expire. */
    net_token_free_string(e->token);
    e->token = NULL;
    if (rc == PARLEY_OK) {
        e->token = got.access_token;
        e->expires_at_ms = got.expires_at_ms;
        e->fetched_at_ms = cache->now_ms(cache->now_ctx);
        got.access_token = NULL;
    }
    net_token_clear(&got);
    pthread_cond_broadcast(&cache->fetched);
}

enum parley_err net_token_cache_get(struct net_token_cache *cache, const char *key,
                                    net_token_fetch_fn fetch, void *ctx, char **token, char **why)
{
    enum parley_err rc = PARLEY_OK;
    struct entry *e;
    unsigned long round;

    if (why)
        *why = NULL;
    if (!cache || !key || !fetch || !token)
        return PARLEY_ERR_INVALID;
    *token = NULL;

    pthread_mutex_lock(&cache->lock);
    e = entry_get(cache, key, 1);
    for (;;) {
        if (is_fresh(e, cache->now_ms(cache->now_ctx))) {
            *token = xstrdup(e->token);
            break;
        }
        if (!e->fetching) {
            fetch_round(cache, e, fetch, ctx);
        } else {
            round = e->round;
            while (e->round == round)
                pthread_cond_wait(&cache->fetched, &cache->lock);
        }
        /* Take the outcome of the fetch that just finished - even a token
         * too short-lived to count as fresh: one fetch per round. */
        if (e->last_err != PARLEY_OK) {
            rc = e->last_err;
            if (why)
                *why = xstrdup(e->last_why);
            break;
        }
        if (e->token) {
            *token = xstrdup(e->token);
            break;
        }
        /* Invalidated between the fetch and our wake-up: go round again. */
    }
    pthread_mutex_unlock(&cache->lock);
    return rc;
}

void net_token_cache_invalidate(struct net_token_cache *cache, const char *key)
{
    struct entry *e;

    if (!cache || !key)
        return;
    pthread_mutex_lock(&cache->lock);
    e = entry_get(cache, key, 0);
    if (e) {
        net_token_free_string(e->token);
        e->token = NULL;
    }
    pthread_mutex_unlock(&cache->lock);
}
