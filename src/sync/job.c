/* job.c - the pieces every sync job handler shares: the actor, the
 * retry-or-fail decision, the audit event (see job.h). */
#include "sync/job.h"

#include <stdlib.h>

#include "store/store.h"
#include "sync/env.h"
#include "util/json.h"

const char *sync_job_actor(struct job_run *job)
{
    const char *actor = json_get_str(job_run_payload(job), "requested_by");

    return actor && *actor ? actor : "system";
}

int sync_job_retryable(const struct platform_error *err, enum parley_err rc)
{
    if (err && err->code != PARLEY_OK)
        return err->retryable;
    switch (rc) {
    case PARLEY_ERR_INVALID:
    case PARLEY_ERR_BAD_JSON:
    case PARLEY_ERR_NOT_FOUND:
    case PARLEY_ERR_AUTH:
    case PARLEY_ERR_FORBIDDEN:
    case PARLEY_ERR_TLS:
    case PARLEY_ERR_UNSUPPORTED:
    case PARLEY_ERR_CRYPTO:
        return 0;
    default:
        return 1;
    }
}

enum parley_err sync_job_audit(struct job_run *job, const char *action, const char *target,
                               const json_t *details)
{
    char *text = details ? json_to_string(details) : NULL;
    enum parley_err rc;

    rc = store_audit_add(job_run_store(job), job_run_org_id(job), sync_job_actor(job),
                         action ? action : job_run_kind(job), target, text);
    free(text);
    return rc;
}

void sync_env_close_conn(const struct sync_env *env, const struct platform_ops *ops,
                         struct platform_conn *conn)
{
    if (!conn)
        return;
    if (env->close_conn)
        env->close_conn(env->ctx, ops, conn);
    else
        ops->close(conn);
}
