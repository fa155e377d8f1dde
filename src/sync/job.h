/* job.h - what every sync job handler shares (imports, provisioning,
 * unsync): who asked for the job, whether a failure is worth another
 * attempt, and the audit event that records the outcome. */
#ifndef PARLEY_SYNC_JOB_H
#define PARLEY_SYNC_JOB_H

#include <jansson.h>

#include "jobs/pool.h"
#include "platform/platform.h"
#include "util/err.h"

/* The payload's "requested_by" (e.g. "admin:a@x"), else "system"; borrowed
 * from the payload (valid during the run). */
const char *sync_job_actor(struct job_run *job);

/* Is a failure with RC worth another attempt?  The connector says so when
 * it filled ERR (ERR->code set): throttling, 5xx, network.  Otherwise (a
 * store error, say) everything is, but bad input and refusals. */
int sync_job_retryable(const struct platform_error *err, enum parley_err rc);

/* Record an audit event for the job's org: actor sync_job_actor(JOB),
 * action ACTION (NULL: the job's kind), TARGET (may be NULL), DETAILS
 * (borrowed, may be NULL) as JSON text. */
enum parley_err sync_job_audit(struct job_run *job, const char *action, const char *target,
                               const json_t *details);

#endif
