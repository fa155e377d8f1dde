/* import.h - "Import users": durable jobs that copy the people of a
 * platform into the hub (see docs/import.md).
 *
 *   "import.microsoft.teams"  payload {"team_ids": ["..."], "requested_by": "admin:a@x"}
 *       the members of the chosen Microsoft teams, with their membership
 *   "import.google.users"     payload {"requested_by": "admin:a@x"}
 *       every active user of the Google customer
 *
 * Each person is keyed by email within the org: someone on both platforms
 * is one person with two native identities.  Imports are idempotent, report
 * counts as they go (job progress) and at the end (job result and an audit
 * event), retry what the platform says is temporary and fail at once, with
 * the platform's message, on what is not.
 *
 *   static struct sync_env env = { store, platform_source_open_conn, &source };
 *   sync_import_register(pool, &env);                 // before jobs_pool_start
 *   sync_import_enqueue_google(pool, org_id, "admin:a@x", &job_id, &created);
 */
#ifndef PARLEY_SYNC_IMPORT_H
#define PARLEY_SYNC_IMPORT_H

#include <stddef.h>

#include "store/store.h"
#include "sync/env.h"
#include "util/err.h"

struct jobs_pool;

#define SYNC_IMPORT_MICROSOFT_KIND "import.microsoft.teams"
#define SYNC_IMPORT_GOOGLE_KIND    "import.google.users"

/* Register both import kinds with POOL.  ENV is borrowed and must outlive
 * the pool's workers. */
enum parley_err sync_import_register(struct jobs_pool *pool, struct sync_env *env);

/* An import job ready to enqueue: SPEC points into the owned strings.
 * The dedup key is "import:microsoft:ORG" / "import:google:ORG", so asking
 * again while an import of that org and platform is queued or running
 * gives the running job instead of a second one. */
struct sync_import_job {
    struct store_job_new spec;
    char *payload;
    char *dedup_key;
};
void sync_import_job_clear(struct sync_import_job *job);   /* NULL-safe */

/* Build the job importing the members of TEAM_IDS (N > 0 Microsoft team
 * ids) into ORG_ID; REQUESTED_BY (may be NULL) is recorded in the audit
 * log, e.g. "admin:alice@acme.com".  PARLEY_ERR_INVALID on bad arguments. */
enum parley_err sync_import_job_microsoft(struct sync_import_job *job, long long org_id,
                                          const char *const *team_ids, size_t n,
                                          const char *requested_by);
/* Build the job importing every Google user of ORG_ID's customer. */
enum parley_err sync_import_job_google(struct sync_import_job *job, long long org_id,
                                       const char *requested_by);

/* Build and enqueue through POOL (workers wake at once).  *job_id gets the
 * job (the live one when deduplicated: *created (may be NULL) is then 0). */
enum parley_err sync_import_enqueue_microsoft(struct jobs_pool *pool, long long org_id,
                                              const char *const *team_ids, size_t n,
                                              const char *requested_by, long long *job_id,
                                              int *created);
enum parley_err sync_import_enqueue_google(struct jobs_pool *pool, long long org_id,
                                           const char *requested_by, long long *job_id,
                                           int *created);

#endif
