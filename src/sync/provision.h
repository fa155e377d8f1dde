/* provision.h - "User Sync": the jobs that give a person a secondary account
 * on the platform that is not their primary one, and take it away again
 * (see docs/sync.md).
 *
 *   "sync.provision"  payload {"person_id": N, "requested_by": "admin:a@x"}
 *       a Google-primary person gets a Teams guest account, a Teams-primary
 *       person a Google interop account; a secondary account left on the
 *       person's (new) primary platform is removed first (a primary switch)
 *   "sync.unsync"     payload {"person_id": N, "requested_by": "admin:a@x"}
 *       the secondary accounts are deleted and the identities removed
 *
 * Both share the dedup key "sync:PERSON" and one handler that converges
 * the person to what their status in the store asks for now (pending or
 * provisioning: synced; unsyncing: not synced), so a request that was
 * deduplicated onto a live job of the other kind is still honoured.
 * Every attempt is idempotent: it looks the account up by its
 * deterministic login before creating anything (docs/sync.md, "Crash
 * safety").  Jobs are enqueued by request.h.
 *
 *   static struct sync_env env = { store, platform_source_open_conn, &source, key };
 *   sync_provision_register(pool, &env);             // before jobs_pool_start */
#ifndef PARLEY_SYNC_PROVISION_H
#define PARLEY_SYNC_PROVISION_H

#include "sync/env.h"
#include "util/err.h"

struct jobs_pool;

#define SYNC_PROVISION_KIND "sync.provision"
#define SYNC_UNSYNC_KIND    "sync.unsync"
/* Attempts of a sync job: the last retryable failure becomes an error status. */
#define SYNC_JOB_MAX_ATTEMPTS 8

/* Register both kinds with POOL.  ENV (with its key) is borrowed and must
 * outlive the pool's workers.  PARLEY_ERR_INVALID without a key. */
enum parley_err sync_provision_register(struct jobs_pool *pool, struct sync_env *env);

#endif
