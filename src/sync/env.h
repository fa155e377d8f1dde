/* env.h - what the sync engines are given to work with.
 *
 * The engines never read settings or decrypt secrets themselves: whoever
 * starts them (parley serve) hands over the store and a function that opens
 * an org's connection to a platform.  The hub passes
 * platform_conn_cache_acquire / _release (platform/conn_cache.h), one shared
 * connection per org and platform; tests pass a fake connector.  User sync also gets the
 * master key, to keep guest account passwords encrypted. */
#ifndef PARLEY_SYNC_ENV_H
#define PARLEY_SYNC_ENV_H

#include "platform/platform.h"
#include "util/err.h"

struct secret_key;
struct store;

struct sync_env {
    struct store *st;               /* borrowed; outlives the engines */
    /* Open ORG_ID's connection to KIND: *ops and *conn on success (given
     * back with sync_env_close_conn); on failure ERR says what the admin
     * should do and whether retrying may help.  Called from worker threads. */
    enum parley_err (*open_conn)(void *ctx, long long org_id, enum platform_kind kind,
                                 const struct platform_ops **ops, struct platform_conn **conn,
                                 struct platform_error *err);
    /* Give back a connection from open_conn; NULL: (*ops)->close(conn).
     * The hub shares one connection per org and platform among its workers
     * (platform/conn_cache.h), so "give back" need not mean "close". */
    void (*close_conn)(void *ctx, const struct platform_ops *ops, struct platform_conn *conn);
    void *ctx;                      /* handed to open_conn and close_conn */
    /* The master key (util/secret.h) under which user sync keeps the
     * passwords of Microsoft guest accounts; borrowed.  Needed by
     * sync_provision_register, not by the imports. */
    const struct secret_key *key;
};

/* Give back CONN (from ENV's open_conn) as ENV says.  NULL CONN: no-op. */
void sync_env_close_conn(const struct sync_env *env, const struct platform_ops *ops,
                         struct platform_conn *conn);

#endif
