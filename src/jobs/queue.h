/* queue.h - the durable job queue: what enqueue, claim, complete and fail
 * mean, on top of the jobs table of the store.
 *
 *   - Enqueue with a dedup key adds nothing while a job with that key is
 *     queued (a duplicate webhook).  While it is running, the job is marked
 *     to run once more after this run, so work asked for after its start is
 *     never lost (the new payload is not kept: handlers read current state).
 *     Once it is done or dead the key may be used again.
 *   - A claim leases one due job to a worker for lease_ms; a worker that dies
 *     leaves a lease that expires, and the job is claimed again (at-least-once:
 *     handlers must be idempotent).
 *   - A failed attempt is retried after an exponential backoff with full
 *     jitter, never sooner than the platform's Retry-After; after
 *     max_attempts attempts, or on a permanent failure, the job is dead and
 *     keeps its last error until an admin retries it.
 *
 * Times come from clock_now_ms(); the store functions underneath take an
 * explicit NOW for tests that need to control time. */
#ifndef PARLEY_JOBS_QUEUE_H
#define PARLEY_JOBS_QUEUE_H

#include <stdint.h>

#include "jobs/backoff.h"
#include "store/store.h"
#include "util/err.h"

#define JOBS_DEFAULT_LEASE_MS     30000LL

/* Enqueue SPEC now.  The payload must be a JSON object (NULL: {}), else
 * PARLEY_ERR_BAD_JSON.  With a live duplicate, *id is that job and *created 0. */
enum parley_err jobs_queue_enqueue(struct store *st, const struct store_job_new *spec,
                                   long long *id, int *created);

/* Lease the oldest due job of KINDS (NULL-terminated; NULL: any) to OWNER.
 * PARLEY_ERR_NOT_FOUND when nothing is due.  *out is cleared by the caller. */
enum parley_err jobs_queue_claim(struct store *st, const char *owner, long long lease_ms,
                                 const char *const *kinds, struct store_job *out);

/* Finish the claimed JOB (its lease_owner is the worker).  PARLEY_ERR_CONFLICT
 * when the lease was lost to another worker meanwhile.  *left (may be NULL):
 * STORE_JOB_DONE, or STORE_JOB_QUEUED when a request folded into the job
 * while it ran makes it run again. */
enum parley_err jobs_queue_complete(struct store *st, const struct store_job *job,
                                    const char *result_json, enum store_job_state *left);

/* Record a failed attempt of the claimed JOB with ERROR.  The job is dead
 * when PERMANENT or when it has used all its attempts; otherwise it is
 * queued again after jobs_retry_delay_ms.  *retry_in_ms (may be NULL)
 * receives that delay, or -1 when the job was to be dead; *left (may be
 * NULL) the state it is left in (QUEUED instead of DEAD when a request was
 * folded into it while it ran). */
enum parley_err jobs_queue_fail(struct store *st, const struct store_job *job, const char *error,
                                int permanent, long long retry_after_ms,
                                const struct jobs_backoff *backoff, long long *retry_in_ms,
                                enum store_job_state *left);

/* Hand the claimed JOB back unfinished (the pool is shutting down): it is
 * queued again, due now, and this attempt never makes it dead. */
enum parley_err jobs_queue_release(struct store *st, const struct store_job *job,
                                   const char *reason);

/* Give a dead job a fresh set of attempts, due now (admin "retry"). */
enum parley_err jobs_queue_retry(struct store *st, long long id);

#endif
