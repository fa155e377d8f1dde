/* test_pool.c - unit tests for src/jobs/pool.c: handlers by kind, progress
 * and results, no double execution across pools, retries, permanent
 * failure, lease keeping, a request folded into a running job (it runs
 * again, and the log says so), wake-ups and graceful stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/pool.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "unit/store_fixture.h"

static int setup(void **state)
{
    *state = store_fixture_open("pool");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    store_fixture_close(*state);
    return 0;
}

static long long enqueue(struct jobs_pool *pool, const char *kind, const char *payload)
{
    struct store_job_new spec = { .kind = kind, .payload_json = payload };
    long long id = 0;

    assert_int_equal(jobs_pool_enqueue(pool, &spec, &id, NULL), PARLEY_OK);
    return id;
}

/* Wait up to 5 s for job ID to reach STATE; fills *out (cleared by the caller). */
static void wait_state(struct store *st, long long id, enum store_job_state state,
                       struct store_job *out)
{
    for (int i = 0; i < 500; i++) {
        assert_int_equal(store_job_get(st, id, out), PARLEY_OK);
        if (out->state == state)
            return;
        store_job_clear(out);
        clock_sleep_ms(10);
    }
    fail_msg("job %lld never reached state %s", id, store_job_state_name(state));
}

/* ---- handlers by kind, payload, progress, result ---- */

static enum parley_err run_import(struct job_run *run, void *arg)
{
    json_t *counts = json_pack("{s:i, s:i}", "imported", 7, "skipped", 1);
    json_t *group = json_object_get(job_run_payload(run), "group");
    json_t *result = json_pack("{s:O}", "group", group);
    enum parley_err rc;

    (void)arg;
    assert_string_equal(job_run_kind(run), "import.google");
    assert_int_equal(job_run_attempt(run), 1);
    assert_non_null(job_run_store(run));
    assert_false(job_run_should_stop(run));
    rc = job_run_progress(run, 8, 10, counts);
    json_decref(counts);
    if (rc == PARLEY_OK)
        rc = job_run_heartbeat(run);
    job_run_set_result(run, result);
    json_decref(result);
    return rc;
}

static enum parley_err run_echo(struct job_run *run, void *arg)
{
    atomic_int *calls = arg;

    atomic_fetch_add(calls, 1);
    job_run_set_result(run, job_run_payload(run));
    return PARLEY_OK;
}

static void test_pool_runs_handlers_by_kind(void **state)
{
    struct store_fixture *f = *state;
    atomic_int echo_calls = 0;
    struct jobs_pool *pool = jobs_pool_new(f->st, &(struct jobs_pool_config){ .threads = 2 });
    struct store_job job = { 0 };
    long long import_id, echo_id, other_id;

    assert_non_null(pool);
    assert_int_equal(jobs_pool_start(pool), PARLEY_ERR_INVALID);        /* no handlers */
    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "import.google", run_import,
                                                                     NULL, 0 }), PARLEY_OK);
    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "echo", run_echo,
                                                                     &echo_calls, 0 }), PARLEY_OK);
    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "echo", run_echo, NULL, 0 }),
                     PARLEY_ERR_EXISTS);

    import_id = enqueue(pool, "import.google", "{\"group\":\"eng@acme.com\"}");
    echo_id = enqueue(pool, "echo", "{\"n\":42}");
    other_id = enqueue(pool, "not.registered", NULL);
    assert_int_equal(jobs_pool_start(pool), PARLEY_OK);
    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "late", run_echo, NULL, 0 }),
                     PARLEY_ERR_BUSY);

    wait_state(f->st, import_id, STORE_JOB_DONE, &job);
    assert_int_equal(job.progress_done, 8);
    assert_int_equal(job.progress_total, 10);
    assert_string_equal(job.progress_json, "{\"imported\":7,\"skipped\":1}");
    assert_string_equal(job.result_json, "{\"group\":\"eng@acme.com\"}");
    assert_int_equal(job.attempts, 1);
    store_job_clear(&job);
    wait_state(f->st, echo_id, STORE_JOB_DONE, &job);
    assert_string_equal(job.result_json, "{\"n\":42}");
    store_job_clear(&job);
    jobs_pool_free(pool);

    assert_int_equal(atomic_load(&echo_calls), 1);
    /* A kind nobody handles is left alone for a node that can run it. */
    assert_int_equal(store_job_get(f->st, other_id, &job), PARLEY_OK);
    assert_int_equal(job.state, STORE_JOB_QUEUED);
    assert_int_equal(job.attempts, 0);
    store_job_clear(&job);
}

/* ---- no job runs twice across pools ---- */

#define MANY_JOBS 200

struct slots {
    atomic_int count[MANY_JOBS];
    atomic_int total;
};

static enum parley_err run_count(struct job_run *run, void *arg)
{
    struct slots *slots = arg;
    json_int_t slot = json_integer_value(json_object_get(job_run_payload(run), "slot"));

    if (slot < 0 || slot >= MANY_JOBS)
        return PARLEY_ERR_INVALID;
    atomic_fetch_add(&slots->count[slot], 1);
    atomic_fetch_add(&slots->total, 1);
    return PARLEY_OK;
}

static enum parley_err count_done(const struct store_job *job, void *arg)
{
    if (job->state == STORE_JOB_DONE)
        (*(int *)arg)++;
    return PARLEY_OK;
}

static void test_pool_two_pools_never_run_a_job_twice(void **state)
{
    struct store_fixture *f = *state;
    static struct slots slots;
    struct jobs_pool_config cfg = { .threads = 4, .poll_ms = 20 };
    struct job_handler h = { "count", run_count, &slots, 0 };
    struct store *other = NULL;
    struct jobs_pool *p1, *p2;
    int done = 0;

    memset(&slots, 0, sizeof slots);
    /* A second store handle on the same file stands for a second node. */
    assert_int_equal(store_open(f->path, &other), PARLEY_OK);
    p1 = jobs_pool_new(f->st, &cfg);
    p2 = jobs_pool_new(other, &cfg);
    assert_int_equal(jobs_pool_register(p1, &h), PARLEY_OK);
    assert_int_equal(jobs_pool_register(p2, &h), PARLEY_OK);
    assert_int_equal(jobs_pool_start(p1), PARLEY_OK);
    assert_int_equal(jobs_pool_start(p2), PARLEY_OK);

    for (int i = 0; i < MANY_JOBS; i++) {
        char payload[32];
        snprintf(payload, sizeof payload, "{\"slot\":%d}", i);
        enqueue(i % 2 ? p1 : p2, "count", payload);
    }
    for (int i = 0; i < 1000 && atomic_load(&slots.total) < MANY_JOBS; i++)
        clock_sleep_ms(10);
    jobs_pool_free(p1);
    jobs_pool_free(p2);
    store_close(other);

    assert_int_equal(atomic_load(&slots.total), MANY_JOBS);
    for (int i = 0; i < MANY_JOBS; i++)
        assert_int_equal(atomic_load(&slots.count[i]), 1);
    assert_int_equal(store_job_list(f->st, 0, "count", 1000, count_done, &done), PARLEY_OK);
    assert_int_equal(done, MANY_JOBS);
}

/* ---- failures ---- */

static enum parley_err run_flaky(struct job_run *run, void *arg)
{
    (void)arg;
    if (job_run_attempt(run) == 1) {
        job_run_retry_after(run, 30);
        job_run_set_error(run, "graph: 503 service unavailable");
        return PARLEY_ERR_PLATFORM;
    }
    return PARLEY_OK;
}

static enum parley_err run_doomed(struct job_run *run, void *arg)
{
    (void)arg;
    job_run_fail_permanently(run, "user does not exist in the tenant");
    return PARLEY_OK;       /* ignored: the failure was declared permanent */
}

static void test_pool_retries_and_permanent_failure(void **state)
{
    struct store_fixture *f = *state;
    struct jobs_pool_config cfg = { .threads = 2, .backoff = { .base_ms = 1, .cap_ms = 5 } };
    struct jobs_pool *pool = jobs_pool_new(f->st, &cfg);
    struct store_job job = { 0 };
    long long flaky, doomed, started = clock_mono_ms();

    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "flaky", run_flaky, NULL, 0 }),
                     PARLEY_OK);
    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "doomed", run_doomed, NULL,
                                                                     0 }), PARLEY_OK);
    assert_int_equal(jobs_pool_start(pool), PARLEY_OK);
    flaky = enqueue(pool, "flaky", NULL);
    doomed = enqueue(pool, "doomed", NULL);

    wait_state(f->st, flaky, STORE_JOB_DONE, &job);
    assert_int_equal(job.attempts, 2);
    assert_string_equal(job.last_error, "graph: 503 service unavailable");
    assert_true(clock_mono_ms() - started >= 30);             /* Retry-After honoured */
    store_job_clear(&job);

    wait_state(f->st, doomed, STORE_JOB_DEAD, &job);
    assert_int_equal(job.attempts, 1);
    assert_string_equal(job.last_error, "user does not exist in the tenant");
    store_job_clear(&job);
    jobs_pool_free(pool);
}

/* ---- leases, wake-ups, stopping ---- */

struct gate {
    atomic_int started;
    atomic_int finished;
    long long run_ms;           /* 0: until the pool stops */
    enum parley_err on_stop;    /* returned when stopped */
};

static enum parley_err run_slow(struct job_run *run, void *arg)
{
    struct gate *g = arg;
    long long until = clock_mono_ms() + (g->run_ms ? g->run_ms : 5000);

    atomic_store(&g->started, 1);
    while (clock_mono_ms() < until && !(g->run_ms == 0 && job_run_should_stop(run)))
        clock_sleep_ms(5);
    if (g->run_ms == 0 && g->on_stop != PARLEY_OK)
        return g->on_stop;
    clock_sleep_ms(50);         /* wind down after the stop request */
    atomic_store(&g->finished, 1);
    return PARLEY_OK;
}

static void wait_started(struct gate *g)
{
    for (int i = 0; i < 500 && !atomic_load(&g->started); i++)
        clock_sleep_ms(10);
    assert_true(atomic_load(&g->started));
}

/* A pool of THREADS running one "slow" job of GATE (lease LEASE_MS, 0: the
 * default), started: the job's id in *id. */
static struct jobs_pool *start_slow(struct store *st, int threads, struct gate *gate,
                                    long long lease_ms, long long *id)
{
    struct jobs_pool *pool = jobs_pool_new(st, &(struct jobs_pool_config){ .threads = threads });

    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "slow", run_slow, gate,
                                                                      lease_ms }),
                     PARLEY_OK);
    assert_int_equal(jobs_pool_start(pool), PARLEY_OK);
    *id = enqueue(pool, "slow", NULL);
    wait_started(gate);
    return pool;
}

static void test_pool_lease_kept_while_handler_runs(void **state)
{
    struct store_fixture *f = *state;
    struct gate gate = { .run_ms = 400 };
    struct store_job job = { 0 };
    long long id;
    /* A 60 ms lease on a 400 ms handler: the keeper must renew it. */
    struct jobs_pool *pool = start_slow(f->st, 1, &gate, 60, &id);

    while (!atomic_load(&gate.finished)) {
        enum parley_err rc = store_job_claim(f->st, "thief", clock_now_ms(), 1000, NULL, &job);
        store_job_clear(&job);
        assert_int_equal(rc, PARLEY_ERR_NOT_FOUND);
        clock_sleep_ms(20);
    }
    wait_state(f->st, id, STORE_JOB_DONE, &job);
    assert_int_equal(job.attempts, 1);
    store_job_clear(&job);
    jobs_pool_free(pool);
}

/* The whole of file PATH as a new string. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = xcalloc(1, 1 << 16);
    size_t n;

    assert_non_null(f);
    n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* A run held open until RELEASE; counts its runs. */
struct held {
    atomic_int runs;
    atomic_int release;
};

static enum parley_err run_held(struct job_run *run, void *arg)
{
    struct held *h = arg;

    (void)run;
    if (atomic_fetch_add(&h->runs, 1) == 0)
        while (!atomic_load(&h->release))
            clock_sleep_ms(5);
    return PARLEY_OK;
}

/* A request folded into a running job makes it run again, and the log says
 * so instead of a plain "job done". */
static void test_pool_folded_request_logged(void **state)
{
    struct store_fixture *f = *state;
    struct held held = { 0 };
    struct jobs_pool *pool = jobs_pool_new(f->st, &(struct jobs_pool_config){ .threads = 1 });
    struct store_job_new spec = { .kind = "held", .dedup_key = "held:1" };
    struct store_job job = { 0 };
    char path[] = "/tmp/parley-test-pool-log-XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO), created = 1;
    long long id, again;
    char *text;

    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, STDERR_FILENO);
    log_set_level(LOG_INFO);
    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "held", run_held, &held, 0 }),
                     PARLEY_OK);
    assert_int_equal(jobs_pool_start(pool), PARLEY_OK);
    assert_int_equal(jobs_pool_enqueue(pool, &spec, &id, NULL), PARLEY_OK);
    while (atomic_load(&held.runs) == 0)
        clock_sleep_ms(5);
    assert_int_equal(jobs_pool_enqueue(pool, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 0);
    assert_int_equal(again, id);
    atomic_store(&held.release, 1);
    while (atomic_load(&held.runs) < 2)
        clock_sleep_ms(5);
    wait_state(f->st, id, STORE_JOB_DONE, &job);
    store_job_clear(&job);
    jobs_pool_free(pool);
    fflush(stderr);
    log_set_level(LOG_WARN);                    /* as store_fixture_open left it */
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    text = read_all(path);
    unlink(path);
    assert_non_null(strstr(text, "job done; queued again for a request that came in while it ran"));
    assert_non_null(strstr(text, "\"msg\":\"job done\""));            /* the second run */
    free(text);
}

static void test_pool_wake_starts_work_at_once(void **state)
{
    struct store_fixture *f = *state;
    atomic_int calls = 0;
    struct jobs_pool *pool = jobs_pool_new(f->st, &(struct jobs_pool_config){ .threads = 2,
                                                                              .poll_ms = 60000 });
    struct store_job job = { 0 };
    long long id, started;

    assert_int_equal(jobs_pool_register(pool, &(struct job_handler){ "echo", run_echo, &calls, 0 }),
                     PARLEY_OK);
    assert_int_equal(jobs_pool_start(pool), PARLEY_OK);
    clock_sleep_ms(50);                         /* let the workers go idle */
    started = clock_mono_ms();
    id = enqueue(pool, "echo", NULL);
    wait_state(f->st, id, STORE_JOB_DONE, &job);
    store_job_clear(&job);
    assert_true(clock_mono_ms() - started < 2000);   /* not the 60 s poll */
    jobs_pool_free(pool);
}

static void test_pool_graceful_stop_waits_for_running_job(void **state)
{
    struct store_fixture *f = *state;
    struct gate gate = { .run_ms = 0, .on_stop = PARLEY_OK };
    struct store_job job = { 0 };
    long long id;
    struct jobs_pool *pool = start_slow(f->st, 2, &gate, 0, &id);

    jobs_pool_stop(pool);
    assert_true(atomic_load(&gate.finished));           /* stop waited for it */
    assert_int_equal(store_job_get(f->st, id, &job), PARLEY_OK);
    assert_int_equal(job.state, STORE_JOB_DONE);
    store_job_clear(&job);
    jobs_pool_stop(pool);                               /* idempotent */
    jobs_pool_free(pool);
}

static void test_pool_cancelled_on_stop_runs_again_later(void **state)
{
    struct store_fixture *f = *state;
    struct gate gate = { .run_ms = 0, .on_stop = PARLEY_ERR_CANCELLED };
    struct store_job job = { 0 };
    long long id;
    struct jobs_pool *pool = start_slow(f->st, 1, &gate, 0, &id);

    jobs_pool_free(pool);
    assert_int_equal(store_job_get(f->st, id, &job), PARLEY_OK);
    assert_int_equal(job.state, STORE_JOB_QUEUED);
    assert_true(job.not_before <= clock_now_ms());
    assert_string_equal(job.last_error, "interrupted by shutdown");
    store_job_clear(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pool_runs_handlers_by_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_two_pools_never_run_a_job_twice, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pool_retries_and_permanent_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_lease_kept_while_handler_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_folded_request_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_wake_starts_work_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_graceful_stop_waits_for_running_job, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pool_cancelled_on_stop_runs_again_later, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
