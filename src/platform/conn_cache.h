/* conn_cache.h - connections shared by the job workers: one open connection
 * per (org, platform), so every job reuses its token cache, its TCP/TLS
 * connections and what it looked up once (the tenant's guest domain),
 * instead of fetching a new app token and opening new sockets per person.
 *
 * A connection is replaced when the org's stored settings change (their
 * updated_at); the old one is closed once its last user gives it back.
 *
 *   struct platform_conn_cache *cache = platform_conn_cache_new(&source);
 *   env.open_conn = platform_conn_cache_acquire;  env.close_conn = platform_conn_cache_release;
 *   env.ctx = cache;
 *   ...
 *   platform_conn_cache_free(cache);     // after the workers have stopped
 *
 * Connectors are thread-safe (platform.h), so one connection serves many
 * workers at once.  Thread-safe. */
#ifndef PARLEY_PLATFORM_CONN_CACHE_H
#define PARLEY_PLATFORM_CONN_CACHE_H

#include "platform/connection.h"
#include "platform/platform.h"
#include "util/err.h"

struct platform_conn_cache;

/* A cache opening connections from SOURCE (borrowed; must outlive it). */
struct platform_conn_cache *platform_conn_cache_new(const struct platform_source *source);
/* Close every connection; nobody may hold one any more.  NULL is a no-op. */
void platform_conn_cache_free(struct platform_conn_cache *cache);

/* struct sync_env's open_conn with CTX the cache: the org's shared
 * connection to KIND, opened on first use or when its settings changed. */
enum parley_err platform_conn_cache_acquire(void *ctx, long long org_id, enum platform_kind kind,
                                            const struct platform_ops **ops,
                                            struct platform_conn **conn,
                                            struct platform_error *err);
/* struct sync_env's close_conn: give CONN back (closed when replaced and unused). */
void platform_conn_cache_release(void *ctx, const struct platform_ops *ops,
                                 struct platform_conn *conn);

#endif
