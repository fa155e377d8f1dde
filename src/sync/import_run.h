/* import_run.h - one attempt of an import job, shared by the Microsoft and
 * Google import handlers (import_microsoft.c, import_google.c).
 *
 *   struct import_run ir;
 *   if ((rc = sync_import_run_open(&ir, job, env, PLATFORM_GOOGLE)) == PARLEY_OK) {
 *       rc = ir.ops->list_users(ir.conn, sync_import_run_on_people, &ir, &ir.err);
 *       rc = sync_import_run_flush(&ir, rc);
 *       rc = rc == PARLEY_OK ? sync_import_run_finish(&ir, NULL) : sync_import_run_fail(&ir, rc);
 *   }
 *   sync_import_run_close(&ir);
 *
 * sync_import_run_on_people copies each page the connector hands over and
 * queues it for the attempt's writer thread, which writes what is queued in
 * one store transaction (one page, or several when the listing is ahead of
 * the writer) with the job's progress; the counts it keeps are what the
 * admin sees.  Nothing here is Microsoft- or Google-specific. */
#ifndef PARLEY_SYNC_IMPORT_RUN_H
#define PARLEY_SYNC_IMPORT_RUN_H

#include <jansson.h>

#include "jobs/pool.h"
#include "platform/platform.h"
#include "sync/env.h"
#include "util/err.h"

/* What one attempt did, person by person (a person listed twice, e.g. in
 * two teams, counts twice: new the first time, unchanged the second), and
 * for Microsoft the teams finished. */
struct import_counts {
    long long fetched;      /* people the platform listed */
    long long created;      /* new people (JSON "new") */
    long long updated;      /* existing people whose names or account changed */
    long long unchanged;
    long long skipped;      /* suspended or disabled accounts, Microsoft guests */
    long long failed;       /* unusable entries (no email or id, another org's account) */
    long long teams_done;   /* Microsoft: teams whose members are written and pruned */
};

struct import_writer;                /* import_run.c: the writer thread and its queue */

struct import_run {
    struct job_run *job;
    const struct sync_env *env;
    struct store *st;
    long long org_id;
    const char *platform;           /* the store's name of the platform */
    const struct platform_ops *ops;
    struct platform_conn *conn;
    struct platform_error err;      /* filled by the connector on failure */
    enum parley_err stop_rc;        /* why on_people stopped a listing; OK: it did not */
    long long started_at;           /* members seen by this attempt carry this mark */
    long long team_id;              /* the team whose members are listed; 0: none */
    struct import_counts counts;
    long long teams_total;          /* Microsoft only; < 0: teams not reported */
    struct import_writer *writer;   /* started by the first page; NULL: none yet */
};

/* Start the attempt: IR is zeroed and filled, the org's connection opened.
 * On failure the job's outcome is already decided (as sync_import_run_fail)
 * and the code is returned; call sync_import_run_close either way. */
enum parley_err sync_import_run_open(struct import_run *ir, struct job_run *job,
                                     const struct sync_env *env, enum platform_kind kind);
/* Stop the writer thread (writing what is still queued) and close the
 * connection.  Idempotent. */
void sync_import_run_close(struct import_run *ir);

/* A platform_people_fn (ARG: the struct import_run): queue a copy of the
 * page for the writer thread, which writes it (alone or with the pages
 * queued after it, up to 20,000 people or 250 ms) in one transaction: each person with
 * their native identity on ir->platform and, when ir->team_id was set at
 * the hand-over, their membership; then the job's progress.  Waits while
 * 10,000 people are queued.  Stops the listing (remembering why in
 * ir->stop_rc) when the pool is stopping, the lease is lost or the store
 * failed. */
enum parley_err sync_import_run_on_people(const struct platform_person *people, size_t count,
                                          void *arg);
/* Every member of TEAM_ID (the store's id) has been handed over: queue its
 * end for the writer, which, in order after the team's pages and in the
 * same transaction as what it writes with them, drops the members this
 * attempt did not see (store_team_members_prune), marks the team imported
 * and counts it in teams_done.  The writer's failure, if any. */
enum parley_err sync_import_run_team_listed(struct import_run *ir, long long team_id);
/* After a listing that returned RC: wait until every page handed over is
 * written (or dropped after a failure), so the run's counts are final and
 * the store holds the pages.  Returns RC unless it is PARLEY_OK, else the
 * writer's failure (also remembered in ir->stop_rc). */
enum parley_err sync_import_run_flush(struct import_run *ir, enum parley_err rc);
/* Report the counts so far to the Hub (job_run_progress). */
enum parley_err sync_import_run_progress(struct import_run *ir);

/* Decide the job's outcome after RC: the platform's retryable errors
 * (throttling, 5xx, network) and the store's are retried with backoff, no
 * sooner than the platform's Retry-After; the others (bad credentials,
 * forbidden, TLS, ...) make the job dead with the platform's message, and
 * are recorded in the audit log.  Returns RC for the handler to return. */
enum parley_err sync_import_run_fail(struct import_run *ir, enum parley_err rc);
/* Success: the counts (plus EXTRA's fields, borrowed, may be NULL) become
 * the job's result and an audit event, actor the payload's "requested_by". */
enum parley_err sync_import_run_finish(struct import_run *ir, const json_t *extra);

/* The job handlers (struct job_handler.run; ARG: the struct sync_env),
 * registered by sync_import_register. */
enum parley_err sync_import_microsoft_run(struct job_run *job, void *arg);   /* import_microsoft.c */
enum parley_err sync_import_google_run(struct job_run *job, void *arg);      /* import_google.c */

#endif
