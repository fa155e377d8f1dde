/* env.h - what the sync engines are given to work with.
 *
 * The engines never read settings or decrypt secrets themselves: whoever
 * starts them (parley serve) hands over the store and a function that opens
 * an org's connection to a platform.  The hub passes
 * platform_source_open_conn (platform/connection.h) with its struct
 * platform_source; tests pass a fake connector.  User sync also gets the
 * master key, to keep guest account passwords encrypted. */
#ifndef PARLEY_SYNC_ENV_H
#define PARLEY_SYNC_ENV_H

#include "platform/platform.h"
#include "util/err.h"

struct secret_key;
struct store;

struct sync_env {
    struct store *st;               /* borrowed; outlives the engines */
    /* Open ORG_ID's connection to KIND: *ops and *conn on success (closed
     * with (*ops)->close(*conn)); on failure ERR says what the admin should
     * do and whether retrying may help.  Called from worker threads. */
    enum parley_err (*open_conn)(void *ctx, long long org_id, enum platform_kind kind,
                                 const struct platform_ops **ops, struct platform_conn **conn,
                                 struct platform_error *err);
    void *ctx;                      /* handed to open_conn */
    /* The master key (util/secret.h) under which user sync keeps the
     * passwords of Microsoft guest accounts; borrowed.  Needed by
     * sync_provision_register, not by the imports. */
    const struct secret_key *key;
};

#endif
