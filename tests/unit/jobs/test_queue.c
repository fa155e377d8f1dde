/* test_queue.c - unit tests for src/jobs/queue.c: dedup and "run again",
 * leases and reclaim, backoff bounds, retry-after, dead jobs and their retry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/queue.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#include "unit/store_fixture.h"

static int setup(void **state)
{
    *state = store_fixture_open("queue");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    store_fixture_close(*state);
    return 0;
}

static void claim_ok(struct store *st, const char *owner, long long lease_ms, long long want_id,
                     struct store_job *job)
{
    assert_int_equal(jobs_queue_claim(st, owner, lease_ms, NULL, job), PARLEY_OK);
    assert_int_equal(job->id, want_id);
    assert_string_equal(job->lease_owner, owner);
}

static void expect_state(struct store *st, long long id, enum store_job_state state, int attempts)
{
    struct store_job job = { 0 };

    assert_int_equal(store_job_get(st, id, &job), PARLEY_OK);
    assert_string_equal(store_job_state_name(job.state), store_job_state_name(state));
    assert_int_equal(job.attempts, attempts);
    store_job_clear(&job);
}

static void test_queue_dedup(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "relay", .dedup_key = "relay:google:spaces/A/messages/B",
                                  .payload_json = "{\"space\":\"A\"}" };
    struct store_job job = { 0 };
    long long first, second, third;
    int created = -1;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &first, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &second, &created), PARLEY_OK);
    assert_int_equal(created, 0);                       /* duplicate while queued */
    assert_int_equal(second, first);

    claim_ok(f->st, "w1", 10000, first, &job);
    assert_int_equal(jobs_queue_complete(f->st, &job, "{\"posted\":true}", NULL), PARLEY_OK);
    store_job_clear(&job);

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &third, &created), PARLEY_OK);
    assert_int_equal(created, 1);                       /* done: the key is free again */
    assert_int_not_equal(third, first);
    assert_int_equal(store_job_get(f->st, first, &job), PARLEY_OK);
    assert_int_equal(job.state, STORE_JOB_DONE);
    assert_string_equal(job.result_json, "{\"posted\":true}");
    assert_null(job.lease_owner);
    store_job_clear(&job);

    /* Jobs without a key never collide. */
    spec.dedup_key = NULL;
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &first, &created), PARLEY_OK);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &second, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    assert_int_not_equal(first, second);
}

/* An enqueue folded into a RUNNING job makes it run once more. */
static void test_queue_dedup_while_running_runs_again(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "sync.provision", .dedup_key = "sync:7" };
    struct store_job job = { 0 };
    enum store_job_state left = STORE_JOB_DEAD;
    long long first, again;
    int created = -1;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &first, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    claim_ok(f->st, "w1", 10000, first, &job);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 0);                       /* folded into the running job */
    assert_int_equal(again, first);
    expect_state(f->st, first, STORE_JOB_RUNNING, 1);

    /* Completing it queues it again (due now, fresh attempts), not done. */
    assert_int_equal(jobs_queue_complete(f->st, &job, "{\"pass\":1}", &left), PARLEY_OK);
    assert_int_equal(left, STORE_JOB_QUEUED);
    store_job_clear(&job);
    expect_state(f->st, first, STORE_JOB_QUEUED, 0);
    assert_int_equal(store_job_get(f->st, first, &job), PARLEY_OK);
    assert_null(job.lease_owner);
    assert_true(job.not_before <= clock_now_ms());
    assert_string_equal(job.result_json, "{\"pass\":1}");
    store_job_clear(&job);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 0);                       /* still live; queued: no mark */
    assert_int_equal(again, first);

    /* The second run is claimable and, with nothing new, ends done. */
    claim_ok(f->st, "w2", 10000, first, &job);
    assert_int_equal(job.attempts, 1);
    assert_int_equal(jobs_queue_complete(f->st, &job, "{\"pass\":2}", &left), PARLEY_OK);
    assert_int_equal(left, STORE_JOB_DONE);
    store_job_clear(&job);
    expect_state(f->st, first, STORE_JOB_DONE, 1);
    assert_int_equal(jobs_queue_claim(f->st, "w3", 10000, NULL, &job), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 1);                       /* done: the key is free again */
    assert_int_not_equal(again, first);
}

/* An enqueue folded into a job that is merely QUEUED sets no mark: the one
 * run that follows sees the request, and the job ends done. */
static void test_queue_dedup_while_queued_runs_once(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "sync.provision", .dedup_key = "sync:8" };
    struct store_job job = { 0 };
    long long first, again;
    int created = -1;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &first, &created), PARLEY_OK);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 0);
    assert_int_equal(again, first);
    claim_ok(f->st, "w1", 10000, first, &job);
    assert_int_equal(jobs_queue_complete(f->st, &job, NULL, NULL), PARLEY_OK);
    store_job_clear(&job);
    expect_state(f->st, first, STORE_JOB_DONE, 1);
    assert_int_equal(jobs_queue_claim(f->st, "w2", 10000, NULL, &job), PARLEY_ERR_NOT_FOUND);
}

/* A marked job is not made dead by its final failure, nor buried when its
 * worker vanishes during the final attempt: it runs again, fresh. */
static void test_queue_rerun_outlives_final_attempt(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "sync.unsync", .dedup_key = "sync:9",
                                  .max_attempts = 1 };
    struct store_job a = { 0 }, b = { 0 };
    long long id, again;
    int created = -1;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_OK);
    claim_ok(f->st, "w1", 10000, id, &a);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 0);
    assert_int_equal(jobs_queue_fail(f->st, &a, "boom", 1, 0, NULL, NULL, NULL), PARLEY_OK);
    store_job_clear(&a);
    expect_state(f->st, id, STORE_JOB_QUEUED, 0);

    /* Final attempt again, marked again, and the worker is lost. */
    claim_ok(f->st, "w2", 60, id, &a);
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &again, &created), PARLEY_OK);
    assert_int_equal(created, 0);
    clock_sleep_ms(100);
    claim_ok(f->st, "w3", 10000, id, &b);
    assert_int_equal(b.attempts, 1);                    /* a fresh run, not buried */
    assert_int_equal(jobs_queue_fail(f->st, &b, "boom again", 1, 0, NULL, NULL, NULL), PARLEY_OK);
    expect_state(f->st, id, STORE_JOB_DEAD, 1);         /* no new request: dead */
    store_job_clear(&a);
    store_job_clear(&b);
}

static void test_queue_rejects_bad_payload(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "relay", .payload_json = "{\"a\":" };
    long long id;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_ERR_BAD_JSON);
    spec.payload_json = "[1,2]";
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_ERR_BAD_JSON);
    spec.payload_json = NULL;
    spec.kind = "";
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_ERR_INVALID);
}

static void test_queue_lease_expiry_and_reclaim(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "provision" };
    struct store_job a = { 0 }, b = { 0 };
    long long id;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_OK);
    claim_ok(f->st, "worker-a", 60, id, &a);
    assert_int_equal(a.attempts, 1);
    assert_int_equal(jobs_queue_claim(f->st, "worker-b", 60, NULL, &b), PARLEY_ERR_NOT_FOUND);

    clock_sleep_ms(100);                                /* worker-a "crashed" */
    claim_ok(f->st, "worker-b", 10000, id, &b);
    assert_int_equal(b.attempts, 2);
    /* worker-a comes back: it no longer owns the job. */
    assert_int_equal(jobs_queue_complete(f->st, &a, NULL, NULL), PARLEY_ERR_CONFLICT);
    assert_int_equal(jobs_queue_fail(f->st, &a, "late", 0, 0, NULL, NULL, NULL),
                     PARLEY_ERR_CONFLICT);
    assert_int_equal(store_job_extend_lease(f->st, id, "worker-a", clock_now_ms() + 1000),
                     PARLEY_ERR_CONFLICT);
    assert_int_equal(jobs_queue_complete(f->st, &b, NULL, NULL), PARLEY_OK);
    expect_state(f->st, id, STORE_JOB_DONE, 2);
    store_job_clear(&a);
    store_job_clear(&b);
}

static void test_queue_extended_lease_is_kept(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "import.google" };
    struct store_job a = { 0 }, b = { 0 };
    long long id;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_OK);
    claim_ok(f->st, "worker-a", 60, id, &a);
    assert_int_equal(store_job_extend_lease(f->st, id, "worker-a", clock_now_ms() + 10000),
                     PARLEY_OK);
    clock_sleep_ms(100);
    assert_int_equal(jobs_queue_claim(f->st, "worker-b", 60, NULL, &b), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(jobs_queue_complete(f->st, &a, NULL, NULL), PARLEY_OK);
    store_job_clear(&a);
}

static void test_queue_dead_after_max_attempts_then_retry(void **state)
{
    struct store_fixture *f = *state;
    struct jobs_backoff quick = { .base_ms = 1, .cap_ms = 1 };
    struct store_job_new spec = { .kind = "provision", .max_attempts = 2 };
    struct store_job job = { 0 };
    long long id, retry_in = -7;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_OK);
    claim_ok(f->st, "w", 10000, id, &job);
    assert_int_equal(jobs_queue_fail(f->st, &job, "boom 1", 0, 0, &quick, &retry_in, NULL),
                     PARLEY_OK);
    assert_in_range(retry_in, 0, 1);
    store_job_clear(&job);
    expect_state(f->st, id, STORE_JOB_QUEUED, 1);

    clock_sleep_ms(5);
    claim_ok(f->st, "w", 10000, id, &job);
    assert_int_equal(job.attempts, 2);
    assert_string_equal(job.last_error, "boom 1");
    assert_int_equal(jobs_queue_fail(f->st, &job, "boom 2", 0, 0, &quick, &retry_in, NULL),
                     PARLEY_OK);
    assert_int_equal(retry_in, -1);
    store_job_clear(&job);

    assert_int_equal(store_job_get(f->st, id, &job), PARLEY_OK);
    assert_int_equal(job.state, STORE_JOB_DEAD);
    assert_int_equal(job.attempts, 2);
    assert_string_equal(job.last_error, "boom 2");
    store_job_clear(&job);
    clock_sleep_ms(5);
    assert_int_equal(jobs_queue_claim(f->st, "w", 10000, NULL, &job), PARLEY_ERR_NOT_FOUND);

    /* An admin retries it: fresh attempts, due now. */
    assert_int_equal(jobs_queue_retry(f->st, id), PARLEY_OK);
    expect_state(f->st, id, STORE_JOB_QUEUED, 0);
    assert_int_equal(jobs_queue_retry(f->st, id), PARLEY_ERR_CONFLICT);   /* not dead */
    assert_int_equal(jobs_queue_retry(f->st, id + 1000), PARLEY_ERR_NOT_FOUND);
    claim_ok(f->st, "w", 10000, id, &job);
    assert_int_equal(job.attempts, 1);
    assert_int_equal(jobs_queue_complete(f->st, &job, NULL, NULL), PARLEY_OK);
    store_job_clear(&job);
}

static void test_queue_permanent_failure_and_retry_after(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "relay", .dedup_key = "relay:1" };
    struct store_job job = { 0 };
    long long id, other, retry_in, due;
    long long before = clock_now_ms();

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_OK);
    claim_ok(f->st, "w", 10000, id, &job);
    /* Throttled: Retry-After 60 s wins over a tiny backoff. */
    assert_int_equal(jobs_queue_fail(f->st, &job, "429", 0, 60000,
                                     &(struct jobs_backoff){ 1, 1 }, &retry_in, NULL), PARLEY_OK);
    assert_int_equal(retry_in, 60000);
    store_job_clear(&job);
    assert_int_equal(store_job_get(f->st, id, &job), PARLEY_OK);
    assert_true(job.not_before >= before + 60000);
    due = job.not_before;
    store_job_clear(&job);
    assert_int_equal(jobs_queue_claim(f->st, "w", 10000, NULL, &job), PARLEY_ERR_NOT_FOUND);

    /* Permanent: dead on the first attempt of eight. */
    assert_int_equal(store_job_claim(f->st, "w", due, 10000, NULL, &job), PARLEY_OK);
    assert_int_equal(job.id, id);
    assert_int_equal(jobs_queue_fail(f->st, &job, "no such user", 1, 0, NULL, &retry_in, NULL),
                     PARLEY_OK);
    assert_int_equal(retry_in, -1);
    store_job_clear(&job);
    expect_state(f->st, id, STORE_JOB_DEAD, 2);

    /* A dead job's key is free; retrying it while a new live job holds the key is refused. */
    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &other, NULL), PARLEY_OK);
    assert_int_not_equal(other, id);
    assert_int_equal(jobs_queue_retry(f->st, id), PARLEY_ERR_EXISTS);
}

static void test_queue_release_is_not_a_failure(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "reconcile", .max_attempts = 1 };
    struct store_job job = { 0 };
    long long id;

    assert_int_equal(jobs_queue_enqueue(f->st, &spec, &id, NULL), PARLEY_OK);
    claim_ok(f->st, "w", 10000, id, &job);
    assert_int_equal(jobs_queue_release(f->st, &job, "interrupted by shutdown"), PARLEY_OK);
    store_job_clear(&job);
    expect_state(f->st, id, STORE_JOB_QUEUED, 1);
    claim_ok(f->st, "w2", 10000, id, &job);                  /* due at once */
    store_job_clear(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_dedup_while_running_runs_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_dedup_while_queued_runs_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_rerun_outlives_final_attempt, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_rejects_bad_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_lease_expiry_and_reclaim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_extended_lease_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_dead_after_max_attempts_then_retry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_permanent_failure_and_retry_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_release_is_not_a_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
