/* pool.h - worker threads that run queued jobs through registered handlers.
 *
 *   struct jobs_pool *pool = jobs_pool_new(st, NULL);
 *   jobs_pool_register(pool, &(struct job_handler){ "import.google", run_import, ctx, 0 });
 *   jobs_pool_start(pool);
 *   ...
 *   jobs_pool_enqueue(pool, &spec, &id, NULL);     // runs at once on an idle worker
 *   ...
 *   jobs_pool_free(pool);                           // graceful stop, then free
 *
 * Each worker claims only the kinds registered here, runs the handler, and
 * records the outcome: PARLEY_OK completes the job; another code is a failed
 * attempt, retried with backoff (queue.h) until max_attempts; a handler that
 * called job_run_fail_permanently makes the job dead at once.
 *
 * Leases: while a handler runs, a lease-keeper thread renews its lease every
 * lease_ms / 3, so a long handler keeps its job as long as the process is
 * alive; if the process dies, the lease runs out within lease_ms and another
 * worker (here or on another node) runs the job again.  Handlers therefore
 * need not call job_run_heartbeat, and must be idempotent.
 *
 * The log context (job_id) is set for the handler's thread during a run. */
#ifndef PARLEY_JOBS_POOL_H
#define PARLEY_JOBS_POOL_H

#include <jansson.h>

#include "jobs/queue.h"
#include "store/store.h"
#include "util/err.h"

struct jobs_pool;
struct job_run;                     /* one attempt of one job, valid during run() */

struct job_handler {
    const char *kind;               /* copied at registration */
    enum parley_err (*run)(struct job_run *run, void *arg);
    void *arg;                      /* handed to run(); not owned */
    long long lease_ms;             /* 0: JOBS_DEFAULT_LEASE_MS */
};

struct jobs_pool_config {
    int threads;                    /* 0: 4 */
    long long poll_ms;              /* idle re-check interval; 0: 200 */
    struct jobs_backoff backoff;    /* zeros: queue.h defaults */
    long long lease_ms;             /* lease of handlers that set none; 0: JOBS_DEFAULT_LEASE_MS */
};

/* A pool over ST (not owned; must outlive the pool).  CFG may be NULL. */
struct jobs_pool *jobs_pool_new(struct store *st, const struct jobs_pool_config *cfg);
/* Add a handler before jobs_pool_start.  PARLEY_ERR_EXISTS for a kind
 * registered twice; PARLEY_ERR_BUSY once started. */
enum parley_err jobs_pool_register(struct jobs_pool *pool, const struct job_handler *handler);
/* How many job kinds have a handler. */
size_t jobs_pool_handler_count(const struct jobs_pool *pool);
/* Start the workers and the lease keeper.  PARLEY_ERR_INVALID without handlers. */
enum parley_err jobs_pool_start(struct jobs_pool *pool);
/* jobs_queue_enqueue, then wake an idle worker of this pool. */
enum parley_err jobs_pool_enqueue(struct jobs_pool *pool, const struct store_job_new *spec,
                                  long long *id, int *created);
/* Make idle workers look for work now instead of at their next poll. */
void jobs_pool_wake(struct jobs_pool *pool);
/* Graceful stop: no new claims; running handlers see job_run_should_stop()
 * and are waited for; then all threads are joined.  Idempotent. */
void jobs_pool_stop(struct jobs_pool *pool);
/* Stop (if running) and free.  NULL is a no-op. */
void jobs_pool_free(struct jobs_pool *pool);

/* ---- for handlers: the current attempt ---- */

long long job_run_id(const struct job_run *run);
long long job_run_org_id(const struct job_run *run);          /* 0: none */
const char *job_run_kind(const struct job_run *run);
int job_run_attempt(const struct job_run *run);               /* 1 = first attempt */
/* The payload object, parsed once (borrowed: valid during run()). */
json_t *job_run_payload(const struct job_run *run);
struct store *job_run_store(const struct job_run *run);
/* 1 once the pool is stopping: finish or give up soon (return
 * PARLEY_ERR_CANCELLED to have the job run again later). */
int job_run_should_stop(const struct job_run *run);

/* Record progress for the Hub UI: DONE of TOTAL units and COUNTS, a JSON
 * object of named counters (borrowed; may be NULL to keep the last).  Also
 * renews the lease.  PARLEY_ERR_CONFLICT: the lease was lost. */
enum parley_err job_run_progress(struct job_run *run, long long done, long long total,
                                 const json_t *counts);
/* Renew the lease now (the lease keeper does this anyway). */
enum parley_err job_run_heartbeat(struct job_run *run);
/* Retry no sooner than MS from now if this attempt fails (e.g. Retry-After). */
void job_run_retry_after(struct job_run *run, long long ms);
/* Make a failure of this attempt final: the job goes dead with MESSAGE,
 * whatever run() returns. */
void job_run_fail_permanently(struct job_run *run, const char *message);
/* The message kept as last_error if this attempt fails (default: the
 * error code's text). */
void job_run_set_error(struct job_run *run, const char *message);
/* The job's result, stored on success (borrowed: the run takes its own
 * reference; a later call replaces it). */
void job_run_set_result(struct job_run *run, json_t *result);

#endif
