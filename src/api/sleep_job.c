/* sleep_job.c - "test.sleep", a job kind for the integration tests, and
 * POST /api/orgs/:org/jobs/test-sleep to enqueue one.  Both exist only when
 * the API runs with opt.test_jobs (PARLEY_ENABLE_TEST_JOBS=1).
 *
 * The job sleeps payload.ms milliseconds in short steps (so a stopping pool
 * is not kept waiting), reporting progress, then records the audit event
 * "test.sleep.done" with target "job:ID".  Its lease is opt.test_job_lease_ms
 * (PARLEY_TEST_JOB_LEASE_MS), so a crash test need not wait 30 s for a
 * killed hub's lease to expire before another run finishes the job; the
 * event must then exist exactly once (tests/integration/11-hub-lifecycle.c). */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

#include "api/route.h"
#include "http/server.h"
#include "jobs/pool.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define SLEEP_KIND   "test.sleep"
#define DONE_ACTION  "test.sleep.done"
#define MAX_SLEEP_MS 60000
#define STEP_MS      50
#define PROGRESS_MS  250
#define SCAN_LIMIT   1000

struct done_search {
    const char *target;
    int found;
};

static enum parley_err on_audit_event(const struct store_audit_event *e, void *arg)
{
    struct done_search *search = arg;
    if (strcmp(e->action, DONE_ACTION) == 0 && e->target && strcmp(e->target, search->target) == 0)
        search->found = 1;
    return PARLEY_OK;
}

/* Whether an earlier attempt already recorded TARGET's completion (it died
 * between the audit write and marking the job done). */
static enum parley_err already_done(struct store *st, long long org_id, const char *target,
                                    int *done)
{
    struct done_search search = { target, 0 };
    enum parley_err err = store_audit_list(st, org_id, 0, SCAN_LIMIT, on_audit_event, &search);
    *done = search.found;
    return err;
}

static enum parley_err on_run(struct job_run *run, void *arg)
{
    (void)arg;
    struct store *st = job_run_store(run);
    long long ms = json_get_int(job_run_payload(run), "ms", 0);
    long long start = clock_mono_ms(), last_progress = start, elapsed;
    char *target = xasprintf("job:%lld", job_run_id(run));
    enum parley_err err;
    int done = 0;

    while ((elapsed = clock_mono_ms() - start) < ms) {
        if (job_run_should_stop(run)) {
            err = PARLEY_ERR_CANCELLED;
            goto out;
        }
        if (clock_mono_ms() - last_progress >= PROGRESS_MS) {
            last_progress = clock_mono_ms();
            job_run_progress(run, elapsed, ms, NULL);
        }
        clock_sleep_ms(ms - elapsed < STEP_MS ? ms - elapsed : STEP_MS);
    }
    /* Idempotent: a second run of a job whose first run got this far must
     * not record it twice. */
    if ((err = already_done(st, job_run_org_id(run), target, &done)) || done)
        goto out;
    err = store_audit_add(st, job_run_org_id(run), "system", DONE_ACTION, target, NULL);

out:
    free(target);
    return err;
}

static void on_enqueue(struct http_req *req, struct api_ctx *ctx)
{
    struct store_job_new spec = { .org_id = ctx->org_id, .kind = SLEEP_KIND, .max_attempts = 3 };
    long long id = 0;
    int created = 0;
    enum parley_err err;
    json_t *body = http_req_json_or_400(req);
    char *payload = NULL;

    if (!body)
        return;
    long long ms = json_get_int(body, "ms", -1);
    if (ms < 0 || ms > MAX_SLEEP_MS) {
        http_reply_error(req, 400, "invalid", "ms must be an integer from 0 to 60000");
        goto out;
    }
    payload = xasprintf("{\"ms\":%lld}", ms);
    spec.payload_json = payload;
    if ((err = api_enqueue(ctx->api, &spec, &id, &created))) {
        api_reply_err(req, err);
        goto out;
    }
    api_audit_write(ctx->store, ctx->org_id, ctx->admin_email, "job.enqueue", SLEEP_KIND,
                    json_pack("{sI sI}", "job_id", (json_int_t)id, "ms", (json_int_t)ms));
    http_reply_json(req, 202, json_pack("{sI ss}", "id", (json_int_t)id, "kind", SLEEP_KIND));

out:
    free(payload);
    json_decref(body);
}

enum parley_err api_sleep_job_register_kind(struct api *api, struct jobs_pool *pool)
{
    struct job_handler handler = { SLEEP_KIND, on_run, NULL, api->opt.test_job_lease_ms };
    return jobs_pool_register(pool, &handler);
}

void api_sleep_job_register_routes(struct api *api, struct http_router *router)
{
    api_route(api, router, "POST", "/api/orgs/:org/jobs/test-sleep", on_enqueue, AUTH_ROLE_ADMIN);
}
