/* conn_cache.c - one shared connection per (org, platform) for the job
 * workers (see conn_cache.h). */
#include "platform/conn_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/xmalloc.h"

struct entry {
    long long org_id;
    enum platform_kind kind;
    long long version;                  /* the settings' updated_at */
    const struct platform_ops *ops;
    struct platform_conn *conn;
    int users;
    int replaced;                       /* newer settings: close when unused */
};

struct platform_conn_cache {
    const struct platform_source *source;
    pthread_mutex_t lock;
    struct entry *entries;
    size_t count;
};

struct platform_conn_cache *platform_conn_cache_new(const struct platform_source *source)
{
    struct platform_conn_cache *cache = xcalloc(1, sizeof *cache);

    cache->source = source;
    pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

/* Close entry I and remove it; the lock is held. */
static void drop(struct platform_conn_cache *cache, size_t i)
{
    cache->entries[i].ops->close(cache->entries[i].conn);
    cache->entries[i] = cache->entries[--cache->count];
}

void platform_conn_cache_free(struct platform_conn_cache *cache)
{
    if (!cache)
        return;
    while (cache->count)
        drop(cache, cache->count - 1);
    free(cache->entries);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* The stored settings' version, or 0 when there are none (the open then
 * fails with the admin's message). */
static long long settings_version(const struct platform_source *source, long long org_id,
                                  enum platform_kind kind)
{
    struct store_connection row = { 0 };
    long long version = 0;

    if (store_connection_get(source->store, org_id, platform_kind_name(kind), &row) == PARLEY_OK)
        version = row.updated_at;
    store_connection_clear(&row);
    return version;
}

enum parley_err platform_conn_cache_acquire(void *ctx, long long org_id, enum platform_kind kind,
                                            const struct platform_ops **ops,
                                            struct platform_conn **conn,
                                            struct platform_error *err)
{
    struct platform_conn_cache *cache = ctx;
    long long version = settings_version(cache->source, org_id, kind);
    enum parley_err rc = PARLEY_OK;

    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < cache->count; i++) {
        struct entry *e = &cache->entries[i];
        if (e->org_id != org_id || e->kind != kind || e->replaced)
            continue;
        if (e->version == version) {
            e->users++;
            *ops = e->ops;
            *conn = e->conn;
            goto out;
        }
        e->replaced = 1;                /* the admin changed the settings */
        if (e->users == 0)
            drop(cache, i);
        break;
    }
    /* Opening copies settings and parses keys: no network, so under the lock. */
    rc = platform_connection_open(cache->source, org_id, kind, ops, conn, err);
    if (rc == PARLEY_OK) {
        cache->entries = xrealloc(cache->entries, (cache->count + 1) * sizeof *cache->entries);
        cache->entries[cache->count++] = (struct entry){ org_id, kind, version, *ops, *conn, 1, 0 };
    }
out:
    pthread_mutex_unlock(&cache->lock);
    return rc;
}

void platform_conn_cache_release(void *ctx, const struct platform_ops *ops,
                                 struct platform_conn *conn)
{
    struct platform_conn_cache *cache = ctx;

    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < cache->count; i++) {
        struct entry *e = &cache->entries[i];
        if (e->conn != conn)
            continue;
        if (--e->users == 0 && e->replaced)
            drop(cache, i);
        pthread_mutex_unlock(&cache->lock);
        return;
    }
    pthread_mutex_unlock(&cache->lock);
    ops->close(conn);                   /* not one of ours */
}
