/* import.c - the import job kinds: registering their handlers with the
 * worker pool, and building (payload + dedup key) and enqueuing the jobs
 * the admin API starts.  The handlers are import_microsoft.c and
 * import_google.c. */
#include "sync/import.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/pool.h"
#include "sync/import_run.h"
#include "util/xmalloc.h"

enum parley_err sync_import_register(struct jobs_pool *pool, struct sync_env *env)
{
    enum parley_err rc;

    if (!pool || !env || !env->st || !env->open_conn)
        return PARLEY_ERR_INVALID;
    rc = jobs_pool_register(pool, &(struct job_handler){ SYNC_IMPORT_MICROSOFT_KIND,
                                                         sync_import_microsoft_run, env, 0 });
    if (rc == PARLEY_OK)
        rc = jobs_pool_register(pool, &(struct job_handler){ SYNC_IMPORT_GOOGLE_KIND,
                                                             sync_import_google_run, env, 0 });
    return rc;
}

void sync_import_job_clear(struct sync_import_job *job)
{
    if (!job)
        return;
    free(job->payload);
    free(job->dedup_key);
    memset(job, 0, sizeof *job);
}

/* Fill JOB (zeroed) of KIND for ORG_ID from PAYLOAD (stolen; NULL fails);
 * DEDUP names the platform. */
static enum parley_err job_build(struct sync_import_job *job, const char *kind, const char *dedup,
                                 long long org_id, json_t *payload, const char *requested_by)
{
    if (requested_by && json_object_set_new(payload, "requested_by", json_string(requested_by)))
        goto invalid;              /* not UTF-8 */
    job->payload = json_dumps(payload, JSON_COMPACT);
    if (!job->payload)
        goto invalid;
    json_decref(payload);
    job->dedup_key = xasprintf("import:%s:%lld", dedup, org_id);
    job->spec = (struct store_job_new){ .org_id = org_id, .kind = kind,
                                        .dedup_key = job->dedup_key,
                                        .payload_json = job->payload,
                                        .merge_payload = 1 };
    return PARLEY_OK;
invalid:
    json_decref(payload);
    return PARLEY_ERR_INVALID;
}

enum parley_err sync_import_job_microsoft(struct sync_import_job *job, long long org_id,
                                          const char *const *team_ids, size_t n,
                                          const char *requested_by)
{
    json_t *ids;

    if (!job)
        return PARLEY_ERR_INVALID;
    memset(job, 0, sizeof *job);
    if (org_id <= 0 || !team_ids || n == 0)
        return PARLEY_ERR_INVALID;
    ids = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!team_ids[i] || !*team_ids[i] ||
            json_array_append_new(ids, json_string(team_ids[i])) != 0) {
            json_decref(ids);
            return PARLEY_ERR_INVALID;
        }
    }
    return job_build(job, SYNC_IMPORT_MICROSOFT_KIND, "microsoft", org_id,
                     json_pack("{s:o}", "team_ids", ids), requested_by);
}

enum parley_err sync_import_job_google(struct sync_import_job *job, long long org_id,
                                       const char *requested_by)
{
    if (!job)
        return PARLEY_ERR_INVALID;
    memset(job, 0, sizeof *job);
    if (org_id <= 0)
        return PARLEY_ERR_INVALID;
    return job_build(job, SYNC_IMPORT_GOOGLE_KIND, "google", org_id, json_object(),
                     requested_by);
}

static enum parley_err enqueue(struct jobs_pool *pool, struct sync_import_job *job,
                               enum parley_err rc, long long *job_id, int *created)
{
    if (rc == PARLEY_OK)
        rc = jobs_pool_enqueue(pool, &job->spec, job_id, created);
    sync_import_job_clear(job);
    return rc;
}

enum parley_err sync_import_enqueue_microsoft(struct jobs_pool *pool, long long org_id,
                                              const char *const *team_ids, size_t n,
                                              const char *requested_by, long long *job_id,
                                              int *created)
{
    struct sync_import_job job = { 0 };
    enum parley_err rc;

    if (!pool || !job_id)
        return PARLEY_ERR_INVALID;
    rc = sync_import_job_microsoft(&job, org_id, team_ids, n, requested_by);
    return enqueue(pool, &job, rc, job_id, created);
}

enum parley_err sync_import_enqueue_google(struct jobs_pool *pool, long long org_id,
                                           const char *requested_by, long long *job_id,
                                           int *created)
{
    struct sync_import_job job = { 0 };
    enum parley_err rc;

    if (!pool || !job_id)
        return PARLEY_ERR_INVALID;
    rc = sync_import_job_google(&job, org_id, requested_by);
    return enqueue(pool, &job, rc, job_id, created);
}
