/* provision.c - the "sync.provision" and "sync.unsync" job handler: brings
 * one person to the state their sync status asks for, moving the status as
 * it goes, and turns the outcome into a retry (status kept, reason says
 * why), an error status (permanent failures and the last attempt), and an
 * audit event.  The platform work is in provision_account.c.
 *
 * The store is the source of truth, not the job kind: pending or
 * provisioning means "have the secondary account", unsyncing means "have
 * none", anything else means nothing to do (a stale job).  Each status
 * move checks where it comes from; when an admin changed the status while
 * this attempt worked (e.g. asked for an unsync mid-provisioning), the move
 * is refused, and the attempt reads the person again and converges to the
 * new request, which the dedup key ("sync:PERSON") had folded into this
 * job. */
#include "sync/provision.h"

#include <stdio.h>
#include <string.h>

#include "jobs/pool.h"
#include "store/store.h"
#include "sync/job.h"
#include "sync/provision_run.h"
#include "util/clock.h"
#include "util/log.h"

/* Re-reads of a person whose status keeps changing under one attempt. */
#define MAX_PASSES 4

enum action { ACT_NONE, ACT_PROVISION, ACT_UNSYNC };

static enum platform_kind other_platform(enum platform_kind kind)
{
    return kind == PLATFORM_MICROSOFT ? PLATFORM_GOOGLE : PLATFORM_MICROSOFT;
}

/* Move the person's status from one of FROM to TO, with REASON. */
static enum parley_err move(struct provision_run *pr, unsigned from, enum store_sync_status to,
                            const char *reason)
{
    struct store_sync_move m = { .org_id = pr->org_id, .person_id = pr->person.id,
                                 .from = from, .to = to, .reason = reason,
                                 .actor = sync_job_actor(pr->job) };

    return store_person_sync_move(pr->st, &m, clock_now_ms(), NULL);
}

static const char *action_name(enum action action)
{
    return action == ACT_UNSYNC ? SYNC_UNSYNC_KIND : SYNC_PROVISION_KIND;
}

struct settle {
    struct provision_run *pr;
    unsigned from;
    enum store_sync_status to;
    const char *reason;
    enum action action;
};

static enum parley_err write_settle(struct store *st, void *arg)
{
    struct settle *s = arg;
    enum parley_err rc = move(s->pr, s->from, s->to, s->reason);

    (void)st;
    if (rc == PARLEY_OK)
        rc = sync_job_audit(s->pr->job, action_name(s->action), s->pr->person.email,
                            s->pr->details);
    return rc;
}

/* The last move of an attempt (synced, not synced, error) and its audit
 * event, in one transaction: the Hub never sees one without the other. */
static enum parley_err settle(struct provision_run *pr, unsigned from, enum store_sync_status to,
                              const char *reason, enum action action)
{
    struct settle s = { pr, from, to, reason, action };

    return store_tx(pr->st, write_settle, &s);
}

/* Pending / provisioning -> synced: a secondary account left on the
 * primary platform (the primary was switched) is removed first, then the
 * account on the other platform is made sure of. */
static enum parley_err provision(struct provision_run *pr)
{
    enum platform_kind primary;
    enum parley_err rc = move(pr, STORE_SYNC_BIT(STORE_SYNC_PENDING) |
                                      STORE_SYNC_BIT(STORE_SYNC_PROVISIONING),
                              STORE_SYNC_PROVISIONING, NULL);

    if (rc != PARLEY_OK)
        return rc;
    if (platform_kind_parse(pr->person.primary_platform, &primary) != 0) {
        sync_run_error(pr, "no primary platform is chosen for %s", pr->person.email);
        return PARLEY_ERR_INVALID;
    }
    rc = sync_account_remove(pr, primary, 0);
    if (rc == PARLEY_OK)
        rc = sync_account_ensure(pr, other_platform(primary));
    if (rc == PARLEY_OK)
        rc = settle(pr, STORE_SYNC_BIT(STORE_SYNC_PROVISIONING), STORE_SYNC_SYNCED, NULL,
                    ACT_PROVISION);
    return rc;
}

/* Unsyncing -> not synced: every secondary account goes, including one on
 * the secondary platform that an interrupted attempt created unrecorded. */
static enum parley_err unsync(struct provision_run *pr)
{
    enum platform_kind primary;
    int has_primary = platform_kind_parse(pr->person.primary_platform, &primary) == 0;
    enum parley_err rc;

    rc = sync_account_remove(pr, PLATFORM_MICROSOFT, has_primary && primary == PLATFORM_GOOGLE);
    if (rc == PARLEY_OK)
        rc = sync_account_remove(pr, PLATFORM_GOOGLE,
                                 has_primary && primary == PLATFORM_MICROSOFT);
    if (rc == PARLEY_OK)
        rc = settle(pr, STORE_SYNC_BIT(STORE_SYNC_UNSYNCING), STORE_SYNC_NOT_SYNCED, NULL,
                    ACT_UNSYNC);
    return rc;
}

static enum action action_for(const char *status_name)
{
    enum store_sync_status status;

    if (store_sync_status_parse(status_name, &status) != PARLEY_OK)
        return ACT_NONE;
    if (status == STORE_SYNC_PENDING || status == STORE_SYNC_PROVISIONING)
        return ACT_PROVISION;
    return status == STORE_SYNC_UNSYNCING ? ACT_UNSYNC : ACT_NONE;
}

/* Forget what the previous pass read and did. */
static void pass_reset(struct provision_run *pr)
{
    store_person_clear(&pr->person);
    json_decref(pr->details);
    pr->details = json_pack("{s:[]}", "deleted");
    memset(&pr->err, 0, sizeof pr->err);
    pr->message[0] = '\0';
}

/* One pass: read the person and do what their status asks.  *action says
 * what that was; PARLEY_ERR_CONFLICT: the status changed meanwhile. */
static enum parley_err pass(struct provision_run *pr, long long person_id, enum action *action)
{
    enum parley_err rc;

    pass_reset(pr);
    *action = ACT_NONE;
    if (job_run_should_stop(pr->job))
        return PARLEY_ERR_CANCELLED;
    rc = store_person_get(pr->st, pr->org_id, person_id, &pr->person);
    if (rc == PARLEY_ERR_NOT_FOUND)
        return PARLEY_OK;                           /* the person is gone: nothing to do */
    if (rc != PARLEY_OK)
        return rc;
    *action = action_for(pr->person.sync_status);
    switch (*action) {
    case ACT_PROVISION: return provision(pr);
    case ACT_UNSYNC:    return unsync(pr);
    case ACT_NONE:      break;
    }
    return PARLEY_OK;
}

/* Decide the job's outcome after RC; returns what the handler returns. */
static enum parley_err finish(struct provision_run *pr, enum action action, enum parley_err rc)
{
    enum store_sync_status working =
        action == ACT_UNSYNC ? STORE_SYNC_UNSYNCING : STORE_SYNC_PROVISIONING;
    const char *message = pr->err.message[0] ? pr->err.message
                          : pr->message[0]   ? pr->message
                                             : parley_strerror(rc);
    char reason[600];

    if (rc == PARLEY_ERR_CANCELLED)
        return rc;
    if (sync_job_retryable(&pr->err, rc) && job_run_attempt(pr->job) < SYNC_JOB_MAX_ATTEMPTS) {
        if (pr->err.retry_after_ms > 0)
            job_run_retry_after(pr->job, pr->err.retry_after_ms);
        job_run_set_error(pr->job, message);
        snprintf(reason, sizeof reason, "retrying: %s", message);
        if (action != ACT_NONE)
            move(pr, STORE_SYNC_BIT(working), working, reason);     /* the status stays */
        return rc;
    }
    if (action != ACT_NONE) {
        json_object_set_new(pr->details, "error", json_string(message));
        if (settle(pr, STORE_SYNC_BIT(STORE_SYNC_PENDING) | STORE_SYNC_BIT(working),
                   STORE_SYNC_ERROR, message, action) == PARLEY_ERR_CONFLICT) {
            /* The admin asked again meanwhile: run again for that request. */
            job_run_set_error(pr->job, message);
            return PARLEY_ERR_CONFLICT;
        }
    }
    job_run_fail_permanently(pr->job, message);
    log_warn("sync", "sync failed", "l:person", pr->person.id, "s:error", message);
    return rc;
}

static enum parley_err run(struct job_run *job, void *arg)
{
    struct provision_run pr = { .job = job, .env = arg, .st = job_run_store(job),
                                .org_id = job_run_org_id(job) };
    json_t *id = json_object_get(job_run_payload(job), "person_id");
    enum action action = ACT_NONE;
    enum parley_err rc;

    if (pr.org_id <= 0 || !json_is_integer(id) || json_integer_value(id) <= 0) {
        job_run_fail_permanently(job, "the sync job names no person");
        return PARLEY_ERR_INVALID;
    }
    /* Pass until the person needs nothing more: a request made while a
     * pass worked (folded into this job by the dedup key) is done too. */
    for (int i = 0; i < MAX_PASSES; i++) {
        rc = pass(&pr, json_integer_value(id), &action);
        if (rc == PARLEY_ERR_CONFLICT)
            continue;
        if (rc != PARLEY_OK || action == ACT_NONE)
            break;
        log_info("sync", action == ACT_UNSYNC ? "person unsynced" : "person synced",
                 "l:person", pr.person.id);
    }
    if (rc != PARLEY_OK)
        rc = finish(&pr, action, rc);
    for (int k = 0; k < 2; k++)
        sync_env_close_conn(pr.env, pr.ops[k], pr.conn[k]);
    store_person_clear(&pr.person);
    json_decref(pr.details);
    return rc;
}

enum parley_err sync_provision_register(struct jobs_pool *pool, struct sync_env *env)
{
    enum parley_err rc;

    if (!pool || !env || !env->st || !env->open_conn || !env->key)
        return PARLEY_ERR_INVALID;
    rc = jobs_pool_register(pool, &(struct job_handler){ SYNC_PROVISION_KIND, run, env, 0 });
    if (rc == PARLEY_OK)
        rc = jobs_pool_register(pool, &(struct job_handler){ SYNC_UNSYNC_KIND, run, env, 0 });
    return rc;
}
