/* pool.c - the worker pool: N worker threads claiming jobs of the
 * registered kinds, a lease-keeper thread renewing the leases of running
 * jobs, and the job_run accessors handlers use (see pool.h).
 *
 * Threads: workers and the keeper share pool->lock, which guards each
 * worker's "current job" slot, wake_seq and keeper_quit.  Idle workers wait
 * on pool->cond for poll_ms or until jobs_pool_wake bumps wake_seq (the
 * sequence number means a wake between a failed claim and the wait is not
 * lost).  Store calls are made without the lock held. */
#include "jobs/pool.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEFAULT_THREADS 4
#define DEFAULT_POLL_MS 200

struct worker {
    struct jobs_pool *pool;
    int index;
    pthread_t thread;
    int started;
    char *owner;                    /* lease owner id: host:pid:index:random */
    /* The running job, for the lease keeper (guarded by pool->lock). */
    long long job_id;               /* 0: idle */
    long long lease_ms;
    long long renew_at;             /* monotonic ms */
};

struct jobs_pool {
    struct store *st;
    struct jobs_pool_config cfg;
    struct job_handler *handlers;   /* kinds are owned copies */
    size_t nhandlers;
    const char **kinds;             /* NULL-terminated, borrowed from handlers */
    long long claim_lease_ms;       /* the longest handler lease */
    long long keeper_tick_ms;
    struct worker *workers;
    pthread_t keeper;
    int keeper_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned wake_seq;
    int keeper_quit;
    atomic_int stopping;
    int started;                    /* 0 new, 1 running, 2 stopped */
};

struct job_run {
    struct jobs_pool *pool;
    struct worker *worker;
    const struct job_handler *handler;
    const struct store_job *job;
    json_t *payload;
    json_t *result;
    char *error;
    long long retry_after_ms;
    int permanent;
};

/* ---- waiting ---- */

/* Wait on pool->cond for up to MS (caller holds pool->lock). */
static void wait_locked(struct jobs_pool *pool, long long ms)
{
    struct timespec until;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&pool->cond, &pool->lock, &until);
}

void jobs_pool_wake(struct jobs_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->wake_seq++;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
}

/* ---- the current job slot, read by the lease keeper ---- */

static void slot_set(struct worker *w, long long job_id, long long lease_ms)
{
    pthread_mutex_lock(&w->pool->lock);
    w->job_id = job_id;
    w->lease_ms = lease_ms;
    w->renew_at = clock_mono_ms() + lease_ms / 3;
    pthread_mutex_unlock(&w->pool->lock);
}

static void *keeper_main(void *arg)
{
    struct jobs_pool *pool = arg;

    pthread_mutex_lock(&pool->lock);
    while (!pool->keeper_quit) {
        for (int i = 0; i < pool->cfg.threads; i++) {
            struct worker *w = &pool->workers[i];
            long long now = clock_mono_ms(), id = w->job_id, lease = w->lease_ms;
            enum parley_err rc;

            if (!id || now < w->renew_at)
                continue;
            w->renew_at = now + lease / 3;
            pthread_mutex_unlock(&pool->lock);
            rc = store_job_extend_lease(pool->st, id, w->owner, clock_now_ms() + lease);
            /* CONFLICT: the attempt ended meanwhile, nothing to renew. */
            if (rc != PARLEY_OK && rc != PARLEY_ERR_CONFLICT)
                log_warn("jobs", "cannot renew a job lease", "l:job", id,
                         "s:error", parley_strerror(rc));
            pthread_mutex_lock(&pool->lock);
        }
        wait_locked(pool, pool->keeper_tick_ms);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* ---- running one attempt ---- */

static const struct job_handler *find_handler(const struct jobs_pool *pool, const char *kind)
{
    for (size_t i = 0; i < pool->nhandlers; i++)
        if (strcmp(pool->handlers[i].kind, kind) == 0)
            return &pool->handlers[i];
    return NULL;
}

/* Store the attempt's outcome and log it. */
static void record_outcome(struct job_run *run, enum parley_err rc, long long ms)
{
    struct jobs_pool *pool = run->pool;
    const struct store_job *job = run->job;
    long long retry_in = -1;
    enum store_job_state left = STORE_JOB_DONE;
    char *result = NULL;
    enum parley_err src;

    if (rc == PARLEY_OK && !run->permanent) {
        result = run->result ? json_dumps(run->result, JSON_COMPACT) : NULL;
        src = jobs_queue_complete(pool->st, job, result, &left);
        if (src == PARLEY_OK && left == STORE_JOB_QUEUED)
            log_info("jobs", "job done; queued again for a request that came in while it ran",
                     "s:kind", job->kind, "i:attempt", job->attempts, "l:ms", ms);
        else if (src == PARLEY_OK)
            log_info("jobs", "job done", "s:kind", job->kind, "i:attempt", job->attempts,
                     "l:ms", ms);
    } else if (rc == PARLEY_ERR_CANCELLED && !run->permanent && atomic_load(&pool->stopping)) {
        src = jobs_queue_release(pool->st, job, "interrupted by shutdown");
        if (src == PARLEY_OK)
            log_info("jobs", "job interrupted by shutdown; it will run again", "s:kind", job->kind,
                     "i:attempt", job->attempts);
    } else {
        const char *error = run->error ? run->error : parley_strerror(rc);
        src = jobs_queue_fail(pool->st, job, error, run->permanent, run->retry_after_ms,
                              &pool->cfg.backoff, &retry_in, &left);
        if (src == PARLEY_OK && retry_in < 0 && left == STORE_JOB_QUEUED)
            log_warn("jobs", "job failed; queued again for a request that came in while it ran",
                     "s:kind", job->kind, "i:attempts", job->attempts, "s:error", error);
        else if (src == PARLEY_OK && retry_in < 0)
            log_error("jobs", "job dead", "s:kind", job->kind, "i:attempts", job->attempts,
                      "s:error", error, "b:permanent", run->permanent);
        else if (src == PARLEY_OK)
            log_warn("jobs", "job attempt failed; will retry", "s:kind", job->kind,
                     "i:attempt", job->attempts, "s:error", error, "l:retry_in_ms", retry_in);
    }
    if (src == PARLEY_ERR_CONFLICT)
        log_warn("jobs", "lease lost before the outcome was recorded; the job may run again",
                 "s:kind", job->kind);
    else if (src != PARLEY_OK)
        log_error("jobs", "cannot record the job outcome", "s:kind", job->kind,
                  "s:error", parley_strerror(src));
    free(result);
}

static void run_attempt(struct worker *w, const struct store_job *job)
{
    struct jobs_pool *pool = w->pool;
    struct job_run run = { .pool = pool, .worker = w, .job = job };
    long long started = clock_mono_ms();
    char job_id[24];
    enum parley_err rc;

    snprintf(job_id, sizeof job_id, "%lld", job->id);
    log_context_set(NULL, job_id);
    run.handler = find_handler(pool, job->kind);
    run.payload = json_loads(job->payload_json ? job->payload_json : "{}", 0, NULL);
    if (!run.handler) {             /* not reached: claims ask for our kinds only */
        job_run_fail_permanently(&run, "no handler for this job kind");
        rc = PARLEY_ERR_UNSUPPORTED;
    } else if (!json_is_object(run.payload)) {
        job_run_fail_permanently(&run, "payload is not a JSON object");
        rc = PARLEY_ERR_BAD_JSON;
    } else {
        long long lease = run.handler->lease_ms;
        /* The claim used the longest lease of the pool; use this kind's. */
        if (lease != pool->claim_lease_ms)
            store_job_extend_lease(pool->st, job->id, job->lease_owner, clock_now_ms() + lease);
        slot_set(w, job->id, lease);
        rc = run.handler->run(&run, run.handler->arg);
        slot_set(w, 0, 0);
    }
    record_outcome(&run, rc, clock_mono_ms() - started);
    json_decref(run.payload);
    json_decref(run.result);
    free(run.error);
    log_context_set(NULL, NULL);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct jobs_pool *pool = w->pool;

    while (!atomic_load(&pool->stopping)) {
        struct store_job job = { 0 };
        unsigned seq;
        enum parley_err rc;

        pthread_mutex_lock(&pool->lock);
        seq = pool->wake_seq;
        pthread_mutex_unlock(&pool->lock);

        rc = jobs_queue_claim(pool->st, w->owner, pool->claim_lease_ms, pool->kinds, &job);
        if (rc == PARLEY_OK) {
            run_attempt(w, &job);
            store_job_clear(&job);
            continue;
        }
        if (rc != PARLEY_ERR_NOT_FOUND)
            log_warn("jobs", "cannot claim a job", "s:error", parley_strerror(rc));
        pthread_mutex_lock(&pool->lock);
        if (seq == pool->wake_seq && !atomic_load(&pool->stopping))
            wait_locked(pool, pool->cfg.poll_ms);
        pthread_mutex_unlock(&pool->lock);
    }
    return NULL;
}

/* ---- life cycle ---- */

static char *make_owner_id(int index)
{
    unsigned char rnd[4];
    char host[256] = "localhost";

    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    randombytes_buf(rnd, sizeof rnd);
    return xasprintf("%s:%ld:%d:%02x%02x%02x%02x", host, (long)getpid(), index, rnd[0], rnd[1],
                     rnd[2], rnd[3]);
}

struct jobs_pool *jobs_pool_new(struct store *st, const struct jobs_pool_config *cfg)
{
    struct jobs_pool *pool;
    pthread_condattr_t attr;

    if (!st || sodium_init() < 0)
        return NULL;
    pool = xcalloc(1, sizeof *pool);
    pool->st = st;
    if (cfg)
        pool->cfg = *cfg;
    if (pool->cfg.threads <= 0)
        pool->cfg.threads = DEFAULT_THREADS;
    if (pool->cfg.poll_ms <= 0)
        pool->cfg.poll_ms = DEFAULT_POLL_MS;
    if (pool->cfg.lease_ms <= 0)
        pool->cfg.lease_ms = JOBS_DEFAULT_LEASE_MS;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->cond, &attr);
    pthread_condattr_destroy(&attr);
    atomic_init(&pool->stopping, 0);
    pool->workers = xcalloc((size_t)pool->cfg.threads, sizeof *pool->workers);
    for (int i = 0; i < pool->cfg.threads; i++) {
        pool->workers[i].pool = pool;
        pool->workers[i].index = i;
        pool->workers[i].owner = make_owner_id(i);
    }
    return pool;
}

enum parley_err jobs_pool_register(struct jobs_pool *pool, const struct job_handler *handler)
{
    struct job_handler *h;

    if (!pool || !handler || !handler->kind || !*handler->kind || !handler->run ||
        handler->lease_ms < 0)
        return PARLEY_ERR_INVALID;
    if (pool->started)
        return PARLEY_ERR_BUSY;
    if (find_handler(pool, handler->kind))
        return PARLEY_ERR_EXISTS;
    pool->handlers = xrealloc(pool->handlers, (pool->nhandlers + 1) * sizeof *pool->handlers);
    h = &pool->handlers[pool->nhandlers++];
    *h = *handler;
    h->kind = xstrdup(handler->kind);
    if (h->lease_ms == 0)
        h->lease_ms = pool->cfg.lease_ms;
    return PARLEY_OK;
}

/* The kinds list for claims and the lease timings, from the handlers. */
static void prepare_claims(struct jobs_pool *pool)
{
    long long shortest = pool->handlers[0].lease_ms;

    pool->kinds = xcalloc(pool->nhandlers + 1, sizeof *pool->kinds);
    for (size_t i = 0; i < pool->nhandlers; i++) {
        pool->kinds[i] = pool->handlers[i].kind;
        if (pool->handlers[i].lease_ms > pool->claim_lease_ms)
            pool->claim_lease_ms = pool->handlers[i].lease_ms;
        if (pool->handlers[i].lease_ms < shortest)
            shortest = pool->handlers[i].lease_ms;
    }
    /* Tick often enough to renew the shortest lease at a third of its life. */
    pool->keeper_tick_ms = shortest / 6;
    if (pool->keeper_tick_ms < 5)
        pool->keeper_tick_ms = 5;
    if (pool->keeper_tick_ms > 1000)
        pool->keeper_tick_ms = 1000;
}

size_t jobs_pool_handler_count(const struct jobs_pool *pool)
{
    return pool ? pool->nhandlers : 0;
}

enum parley_err jobs_pool_start(struct jobs_pool *pool)
{
    if (!pool || pool->nhandlers == 0)
        return PARLEY_ERR_INVALID;
    if (pool->started)
        return PARLEY_ERR_BUSY;
    prepare_claims(pool);
    pool->started = 1;
    if (pthread_create(&pool->keeper, NULL, keeper_main, pool) != 0)
        goto fail;
    pool->keeper_started = 1;
    for (int i = 0; i < pool->cfg.threads; i++) {
        struct worker *w = &pool->workers[i];
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            goto fail;
        w->started = 1;
    }
    log_info("jobs", "worker pool started", "i:threads", pool->cfg.threads,
             "i:kinds", (int)pool->nhandlers);
    return PARLEY_OK;
fail:
    log_error("jobs", "cannot start worker threads");
    jobs_pool_stop(pool);
    return PARLEY_ERR_NOMEM;
}

enum parley_err jobs_pool_enqueue(struct jobs_pool *pool, const struct store_job_new *spec,
                                  long long *id, int *created)
{
    enum parley_err rc;

    if (!pool)
        return PARLEY_ERR_INVALID;
    rc = jobs_queue_enqueue(pool->st, spec, id, created);
    if (rc == PARLEY_OK)
        jobs_pool_wake(pool);
    return rc;
}

void jobs_pool_stop(struct jobs_pool *pool)
{
    if (!pool || pool->started != 1)
        return;
    atomic_store(&pool->stopping, 1);
    jobs_pool_wake(pool);
    for (int i = 0; i < pool->cfg.threads; i++) {
        if (pool->workers[i].started)
            pthread_join(pool->workers[i].thread, NULL);
        pool->workers[i].started = 0;
    }
    /* The keeper outlives the workers so their last attempts keep their leases. */
    pthread_mutex_lock(&pool->lock);
    pool->keeper_quit = 1;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    if (pool->keeper_started)
        pthread_join(pool->keeper, NULL);
    pool->keeper_started = 0;
    pool->started = 2;
    log_info("jobs", "worker pool stopped");
}

void jobs_pool_free(struct jobs_pool *pool)
{
    if (!pool)
        return;
    jobs_pool_stop(pool);
    for (int i = 0; i < pool->cfg.threads; i++)
        free(pool->workers[i].owner);
    for (size_t i = 0; i < pool->nhandlers; i++)
        free((char *)pool->handlers[i].kind);
    free(pool->handlers);
    free(pool->kinds);
    free(pool->workers);
    pthread_cond_destroy(&pool->cond);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

/* ---- job_run accessors ---- */

long long job_run_id(const struct job_run *run)
{
    return run->job->id;
}

long long job_run_org_id(const struct job_run *run)
{
    return run->job->org_id;
}

const char *job_run_kind(const struct job_run *run)
{
    return run->job->kind;
}

int job_run_attempt(const struct job_run *run)
{
    return run->job->attempts;
}

json_t *job_run_payload(const struct job_run *run)
{
    return run->payload;
}

struct store *job_run_store(const struct job_run *run)
{
    return run->pool->st;
}

int job_run_should_stop(const struct job_run *run)
{
    return atomic_load(&run->pool->stopping);
}

enum parley_err job_run_progress(struct job_run *run, long long done, long long total,
                                 const json_t *counts)
{
    char *text = counts ? json_dumps(counts, JSON_COMPACT) : NULL;
    enum parley_err rc;

    if (counts && (!text || !json_is_object(counts))) {
        free(text);
        return PARLEY_ERR_INVALID;
    }
    rc = store_job_progress(run->pool->st, run->job->id, run->job->lease_owner, done, total, text,
                            clock_now_ms());
    free(text);
    return rc == PARLEY_OK ? job_run_heartbeat(run) : rc;
}

enum parley_err job_run_heartbeat(struct job_run *run)
{
    long long lease = run->handler ? run->handler->lease_ms : JOBS_DEFAULT_LEASE_MS;

    return store_job_extend_lease(run->pool->st, run->job->id, run->job->lease_owner,
                                  clock_now_ms() + lease);
}

void job_run_retry_after(struct job_run *run, long long ms)
{
    run->retry_after_ms = ms > 0 ? ms : 0;
}

void job_run_fail_permanently(struct job_run *run, const char *message)
{
    run->permanent = 1;
    job_run_set_error(run, message);
}

void job_run_set_error(struct job_run *run, const char *message)
{
    free(run->error);
    run->error = xstrdup(message);
}

void job_run_set_result(struct job_run *run, json_t *result)
{
    json_decref(run->result);
    run->result = json_incref(result);
}
