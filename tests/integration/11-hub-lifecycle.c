/* 11-hub-lifecycle.c - the Hub as a process: SIGTERM stops it cleanly
 * (exit 0), and a job survives a crash: a test.sleep job is running when
 * the hub is killed with SIGKILL; after a restart its lease expires, it runs
 * again and completes, and its effect ("test.sleep.done" in the audit log)
 * happens exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/harness.h"
#include "util/clock.h"

#define OWNER    "owner@example.com"
#define PASSWORD "correct horse battery staple"
#define LEASE_MS "1500"

static const char *const job_env[] = { "PARLEY_ENABLE_TEST_JOBS=1",
                                       "PARLEY_TEST_JOB_LEASE_MS=" LEASE_MS, NULL };

static void test_sigterm_exits_cleanly(void **state)
{
    (void)state;
    struct harness_hub hub;

    assert_int_equal(harness_hub_start(&hub, NULL, NULL, NULL), 0);
    int status = harness_hub_stop(&hub);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    harness_rmrf(hub.data_dir);
    harness_hub_free(&hub);
}

/* GET /api/jobs/ID with H: the job object (a new reference) or NULL. */
static json_t *get_job(struct harness_http *h, const char *hub_url, long long id)
{
    struct harness_resp resp;
    char url[256];
    json_t *job = NULL;

    snprintf(url, sizeof url, "%s/api/jobs/%lld", hub_url, id);
    if (harness_http_do(h, "GET", url, NULL, NULL, &resp) == 0 && resp.status == 200)
        job = json_incref(resp.json);
    harness_resp_clear(&resp);
    return job;
}

/* The job's state ("" when unreadable), in static storage. */
static const char *job_state(struct harness_http *h, const char *hub_url, long long id)
{
    static char state[32];
    json_t *job = get_job(h, hub_url, id);
    const char *s = json_string_value(json_object_get(job, "state"));

    snprintf(state, sizeof state, "%s", s ? s : "");
    json_decref(job);
    return state;
}

/* Poll until job ID is in STATE (or TIMEOUT_MS passes); 0 when it is. */
static int wait_job_state(struct harness_http *h, const char *hub_url, long long id,
                          const char *want, int timeout_ms)
{
    long long deadline = clock_mono_ms() + timeout_ms;
    while (clock_mono_ms() < deadline) {
        if (strcmp(job_state(h, hub_url, id), want) == 0)
            return 0;
        clock_sleep_ms(100);
    }
    fprintf(stderr, "job %lld not %s after %d ms (last: %s)\n", id, want, timeout_ms,
            job_state(h, hub_url, id));
    return -1;
}

/* How many "test.sleep.done" events name job ID in acme's activity. */
static int done_events(struct harness_http *h, const char *hub_url, long long id)
{
    struct harness_resp resp;
    char url[256], target[64];
    int n = 0;

    snprintf(url, sizeof url, "%s/api/orgs/acme/audit?limit=200", hub_url);
    snprintf(target, sizeof target, "job:%lld", id);
    assert_int_equal(harness_http_do(h, "GET", url, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    json_t *events = json_object_get(resp.json, "events");
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *e = json_array_get(events, i);
        const char *t = json_string_value(json_object_get(e, "target"));
        n += strcmp(json_string_value(json_object_get(e, "action")), "test.sleep.done") == 0 &&
             t && strcmp(t, target) == 0;
    }
    harness_resp_clear(&resp);
    return n;
}

static void test_job_survives_a_crash_and_runs_once(void **state)
{
    (void)state;
    struct harness_hub hub;
    struct harness_http *h = harness_http_new(NULL);
    struct harness_resp resp;
    char *dir = harness_tmpdir("parley-11-lifecycle");
    char url[256], header[200];

    assert_int_equal(harness_admin_create(dir, OWNER, "acme", "owner", PASSWORD), 0);
    assert_int_equal(harness_hub_start(&hub, dir, NULL, job_env), 0);
    char *csrf = harness_hub_login(h, hub.url, OWNER, PASSWORD);
    assert_non_null(csrf);
    snprintf(header, sizeof header, "X-CSRF-Token: %s", csrf);
    const char *headers[] = { header, NULL };

    snprintf(url, sizeof url, "%s/api/orgs/acme/jobs/test-sleep", hub.url);
    assert_int_equal(harness_http_do(h, "POST", url, headers, "{\"ms\":3000}", &resp), 0);
    assert_int_equal(resp.status, 202);
    long long id = json_integer_value(json_object_get(resp.json, "id"));
    harness_resp_clear(&resp);

    /* Kill it mid-job: no chance to finish or hand the job back. */
    assert_int_equal(wait_job_state(h, hub.url, id, "running", 5000), 0);
    clock_sleep_ms(500);
    int status = harness_proc_stop(hub.proc, SIGKILL, 5000);
    assert_true(WIFSIGNALED(status));
    harness_hub_free(&hub);

    /* A new hub on the same data: the lease expires, the job runs again. */
    assert_int_equal(harness_hub_start(&hub, dir, NULL, job_env), 0);
    assert_int_equal(wait_job_state(h, hub.url, id, "done", 20000), 0);
    json_t *job = get_job(h, hub.url, id);
    assert_int_equal(json_integer_value(json_object_get(job, "attempts")), 2);
    json_decref(job);
    assert_int_equal(done_events(h, hub.url, id), 1);
    /* Still once a while later: nothing runs it a third time. */
    clock_sleep_ms(2 * atoi(LEASE_MS));
    assert_int_equal(done_events(h, hub.url, id), 1);
    assert_string_equal(job_state(h, hub.url, id), "done");

    status = harness_hub_stop(&hub);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    harness_hub_free(&hub);
    harness_http_free(h);
    free(csrf);
    harness_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_exits_cleanly),
        cmocka_unit_test(test_job_survives_a_crash_and_runs_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
