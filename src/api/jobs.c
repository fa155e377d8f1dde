/* jobs.c - the job endpoints: GET /api/orgs/:org/jobs, GET /api/jobs/:id
 * (progress bars) and POST /api/jobs/:id/retry (a dead job, once more).
 *
 * A job is visible to admins with a role in the job's org; jobs without an
 * org (system work) are not exposed here. */
#include "api/internal.h"

#include <errno.h>
#include <stdlib.h>

#include "api/route.h"
#include "http/server.h"
#include "jobs/queue.h"
#include "store/store.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT     200

/* The API's view of a job: no payload (it may carry platform ids the
 * activity log already shows) and no lease details.  A new reference. */
static json_t *job_json(const struct store_job *j)
{
    return json_pack("{sI sI ss ss si si s{sI sI so} ss? so sI sI sI}",
                     "id", (json_int_t)j->id, "org_id", (json_int_t)j->org_id,
                     "kind", j->kind, "state", store_job_state_name(j->state),
                     "attempts", j->attempts, "max_attempts", j->max_attempts,
                     "progress", "done", (json_int_t)j->progress_done,
                     "total", (json_int_t)j->progress_total,
                     "counts", api_json_from_text(j->progress_json),
                     "last_error", j->last_error, "result", api_json_from_text(j->result_json),
                     "not_before", (json_int_t)j->not_before,
                     "created_at", (json_int_t)j->created_at,
                     "updated_at", (json_int_t)j->updated_at);
}

/* Load job ":id" into *job when the admin has NEED in its org; otherwise
 * answer (400, 404 or 403) and return -1. */
static int load_job(struct http_req *req, struct api_ctx *ctx, enum auth_role need,
                    struct store_job *job)
{
    const char *text = http_req_param(req, "id");
    char *end;
    enum parley_err err;

    errno = 0;
    long long id = strtoll(text, &end, 10);
    if (errno || *end || id <= 0) {
        http_reply_error(req, 400, "invalid", "job id must be a positive integer");
        return -1;
    }
    if ((err = store_job_get(ctx->store, id, job))) {
        api_reply_err(req, err);
        return -1;
    }
    if (job->org_id == 0 || !api_ctx_require(ctx, req, job->org_id, need)) {
        if (!http_req_replied(req))
            http_reply_error(req, 404, "not_found", "no such job");
        store_job_clear(job);
        return -1;
    }
    return 0;
}

static enum parley_err on_job(const struct store_job *j, void *arg)
{
    return json_array_append_new(arg, job_json(j)) == 0 ? PARLEY_OK : PARLEY_ERR_INVALID;
}

static void on_list(struct http_req *req, struct api_ctx *ctx)
{
    long long limit;
    json_t *jobs;
    enum parley_err err;

    if (api_query_int(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, &limit))
        return;
    jobs = json_array();
    err = store_job_list(ctx->store, ctx->org_id, http_req_query(req, "kind"), (int)limit, on_job,
                         jobs);
    if (err) {
        json_decref(jobs);
        api_reply_err(req, err);
        return;
    }
    http_reply_json(req, 200, json_pack("{so}", "jobs", jobs));
}

static void on_get(struct http_req *req, struct api_ctx *ctx)
{
    struct store_job job = { 0 };

    if (load_job(req, ctx, AUTH_ROLE_VIEWER, &job))
        return;
    http_reply_json(req, 200, job_json(&job));
    store_job_clear(&job);
}

static void on_retry(struct http_req *req, struct api_ctx *ctx)
{
    struct store_job job = { 0 };
    enum parley_err err;

    if (load_job(req, ctx, AUTH_ROLE_ADMIN, &job))
        return;
    if (job.state != STORE_JOB_DEAD) {
        http_reply_error(req, 409, "conflict", "only a failed (dead) job can be retried");
        goto out;
    }
    if ((err = jobs_queue_retry(ctx->store, job.id))) {
        api_reply_err(req, err);
        goto out;
    }
    api_audit_write(ctx->store, job.org_id, ctx->admin_email, "job.retry", job.kind,
                    json_pack("{sI}", "job_id", (json_int_t)job.id));
    /* Answer with the job as it is now (queued again). */
    long long id = job.id;
    store_job_clear(&job);
    if ((err = store_job_get(ctx->store, id, &job))) {
        api_reply_err(req, err);
        goto out;
    }
    http_reply_json(req, 200, job_json(&job));

out:
    store_job_clear(&job);
}

void api_jobs_register_routes(struct api *api, struct http_router *router)
{
    api_route(api, router, "GET", "/api/orgs/:org/jobs", on_list, AUTH_ROLE_VIEWER);
    api_route(api, router, "GET", "/api/jobs/:id", on_get, AUTH_ROLE_NONE);
    api_route(api, router, "POST", "/api/jobs/:id/retry", on_retry, AUTH_ROLE_NONE);
}
