/* sqlite_jobs.c - the jobs table: enqueue with dedup, lease-based claim,
 * completion, failure, progress, listing (SQLite backend).
 *
 * Claim runs in a BEGIN IMMEDIATE transaction: the write lock is held from
 * the SELECT that picks the job to the UPDATE that leases it, so two
 * threads or processes never lease the same job.  Every update made on
 * behalf of a worker checks state = 'running' AND lease_owner = OWNER, so a
 * worker whose lease expired (and was taken over) can no longer touch it.
 *
 * "Run again": an enqueue deduplicated onto a job that is already running
 * sets its rerun flag (in the enqueue's transaction), because the run may
 * have read its inputs before that request.  Whatever ends such a run -
 * completion, failure, or a lost lease taken over - the job is not finished
 * but queued (or leased) once more with fresh attempts, as a job enqueued
 * just after it would have been.  A queued job needs no flag. */
#include "store/sqlite.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEFAULT_MAX_ATTEMPTS 8

#define JOB_COLUMNS                                                                \
    "id, COALESCE(org_id, 0), kind, dedup_key, payload_json, state, attempts,"     \
    " max_attempts, not_before, lease_owner, lease_expires, last_error,"           \
    " progress_done, progress_total, progress_json, result_json, created_at, updated_at"

static const char SQL_LIVE_BY_DEDUP[] =
    "SELECT id FROM jobs WHERE dedup_key = ? AND state IN ('queued', 'running')";
static const char SQL_PAYLOAD[] = "SELECT payload_json FROM jobs WHERE id = ?";
static const char SQL_SET_PAYLOAD[] = "UPDATE jobs SET payload_json = ? WHERE id = ?";
static const char SQL_MARK_RERUN[] =
    "UPDATE jobs SET rerun = 1 WHERE id = ? AND state = 'running'";
static const char SQL_INSERT[] =
    "INSERT INTO jobs (org_id, kind, dedup_key, payload_json, max_attempts, not_before,"
    " created_at, updated_at) VALUES (?, ?, ?, COALESCE(?, '{}'), ?, ?, ?, ?)";
/* A job whose worker vanished during its final attempt has no attempt left
 * (unless it is to run again: SQL_LEASE gives it fresh attempts). */
static const char SQL_BURY_LOST[] =
    "UPDATE jobs SET state = 'dead', lease_owner = NULL, updated_at = ?1,"
    " last_error = 'lease expired during the final attempt (worker lost)'"
    " WHERE state = 'running' AND lease_expires <= ?1 AND attempts >= max_attempts"
    "   AND NOT rerun";
/* ?1 now, ?2 a JSON array of kinds or NULL for any kind.  Each branch is
 * its own indexed scan stopping at the first row ((state, not_before) and
 * (state, lease_expires)); one query with an OR made SQLite read and sort
 * every due job on each claim, quadratic in the queue's length. */
static const char SQL_PICK[] =
    "SELECT id FROM ("
    "  SELECT * FROM (SELECT id, not_before FROM jobs"
    "    WHERE state = 'queued' AND not_before <= ?1"
    "      AND (?2 IS NULL OR kind IN (SELECT value FROM json_each(?2)))"
    "    ORDER BY not_before, id LIMIT 1)"
    "  UNION ALL"
    "  SELECT * FROM (SELECT id, not_before FROM jobs"
    "    WHERE state = 'running' AND lease_expires <= ?1"
    "      AND (?2 IS NULL OR kind IN (SELECT value FROM json_each(?2)))"
    "    ORDER BY not_before, id LIMIT 1))"
    " ORDER BY not_before, id LIMIT 1";
/* The new run starts after every request so far: rerun is cleared.  A lost
 * run that was to run again is taken over as a fresh job (attempt 1). */
static const char SQL_LEASE[] =
    "UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires = ?,"
    " attempts = CASE WHEN rerun THEN 1 ELSE attempts + 1 END, rerun = 0,"
    " updated_at = ? WHERE id = ?";
/* ?1 result, ?2 now, ?3 id, ?4 owner.  Done, or queued again (due now, with
 * fresh attempts) when a request was folded in while it ran. */
static const char SQL_COMPLETE[] =
    "UPDATE jobs SET state = CASE WHEN rerun THEN 'queued' ELSE 'done' END, result_json = ?1,"
    " not_before = CASE WHEN rerun THEN ?2 ELSE not_before END,"
    " attempts = CASE WHEN rerun THEN 0 ELSE attempts END, rerun = 0,"
    " lease_owner = NULL, lease_expires = 0, updated_at = ?2"
    " WHERE id = ?3 AND state = 'running' AND lease_owner = ?4 RETURNING state";
/* ?1 dead flag, ?2 error, ?3 retry_at, ?4 now, ?5 id, ?6 owner.  With rerun
 * set the job is not dead but queued with fresh attempts (due now if it was
 * to die, else at RETRY_AT). */
static const char SQL_FAIL[] =
    "UPDATE jobs SET state = CASE WHEN ?1 AND NOT rerun THEN 'dead' ELSE 'queued' END,"
    " last_error = ?2,"
    " not_before = CASE WHEN NOT ?1 THEN ?3 WHEN rerun THEN ?4 ELSE not_before END,"
    " attempts = CASE WHEN rerun THEN 0 ELSE attempts END, rerun = 0,"
    " lease_owner = NULL, lease_expires = 0, updated_at = ?4"
    " WHERE id = ?5 AND state = 'running' AND lease_owner = ?6 RETURNING state";
static const char SQL_EXTEND[] =
    "UPDATE jobs SET lease_expires = ? WHERE id = ? AND state = 'running' AND lease_owner = ?";
static const char SQL_PROGRESS[] =
    "UPDATE jobs SET progress_done = ?, progress_total = ?,"
    " progress_json = COALESCE(?, progress_json), updated_at = ?"
    " WHERE id = ? AND state = 'running' AND lease_owner = ?";
static const char SQL_GET[] = "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?";
/* ?1 org or NULL, ?2 kind or NULL, ?3 limit. */
static const char SQL_LIST[] =
    "SELECT " JOB_COLUMNS " FROM jobs"
    " WHERE (?1 IS NULL OR org_id = ?1) AND (?2 IS NULL OR kind = ?2)"
    " ORDER BY id DESC LIMIT ?3";
static const char SQL_RETRY[] =
    "UPDATE jobs SET state = 'queued', attempts = 0, not_before = ?1, lease_owner = NULL,"
    " lease_expires = 0, updated_at = ?1 WHERE id = ?2 AND state = 'dead'";

static enum store_job_state parse_state(const unsigned char *text)
{
    static const struct { const char *name; enum store_job_state state; } states[] = {
        { "queued", STORE_JOB_QUEUED }, { "running", STORE_JOB_RUNNING },
        { "done", STORE_JOB_DONE },     { "dead", STORE_JOB_DEAD },
    };

    for (size_t i = 0; text && i < sizeof states / sizeof states[0]; i++)
        if (strcmp((const char *)text, states[i].name) == 0)
            return states[i].state;
    return STORE_JOB_DEAD;          /* unreachable: the column has a CHECK */
}

/* Fill OUT from the current row of a JOB_COLUMNS statement. */
static void job_row(sqlite3_stmt *s, void *row)
{
    struct store_job *out = row;

    out->id = sqlite3_column_int64(s, 0);
    out->org_id = sqlite3_column_int64(s, 1);
    out->kind = store_sqlite_text(s, 2);
    out->dedup_key = store_sqlite_text(s, 3);
    out->payload_json = store_sqlite_text(s, 4);
    out->state = parse_state(sqlite3_column_text(s, 5));
    out->attempts = sqlite3_column_int(s, 6);
    out->max_attempts = sqlite3_column_int(s, 7);
    out->not_before = sqlite3_column_int64(s, 8);
    out->lease_owner = store_sqlite_text(s, 9);
    out->lease_expires = sqlite3_column_int64(s, 10);
    out->last_error = store_sqlite_text(s, 11);
    out->progress_done = sqlite3_column_int64(s, 12);
    out->progress_total = sqlite3_column_int64(s, 13);
    out->progress_json = store_sqlite_text(s, 14);
    out->result_json = store_sqlite_text(s, 15);
    out->created_at = sqlite3_column_int64(s, 16);
    out->updated_at = sqlite3_column_int64(s, 17);
}

static enum parley_err get_job(struct sqlite_conn *c, long long id, struct store_job *out)
{
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, SQL_GET, &s, "l", id);

    return rc == PARLEY_OK ? store_sqlite_one(c, s, job_row, out) : rc;
}

/* Fold the arrays of PAYLOAD (JSON text) into job ID's payload. */
static enum parley_err merge_payload(struct sqlite_conn *c, long long id, const char *payload)
{
    json_t *old = NULL, *add = NULL, *merged = NULL;
    char *text = NULL;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, SQL_PAYLOAD, &s, "l", id);

    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK)
        old = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
    store_sqlite_done(s);
    add = json_loads(payload, 0, NULL);
    merged = json_union_arrays(old, add);
    if (rc == PARLEY_OK && merged && !json_equal(merged, old)) {
        text = json_dumps(merged, JSON_COMPACT);
        rc = text ? store_sqlite_stmt(c, SQL_SET_PAYLOAD, &s, "tl", text, id) : PARLEY_ERR_NOMEM;
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
    }
    free(text);
    json_decref(merged);
    json_decref(add);
    json_decref(old);
    return rc;
}

enum parley_err store_sqlite_job_enqueue(struct store *st, const struct store_job_new *spec,
                                         long long now, long long *id, int *created)
{
    int max_attempts = spec->max_attempts ? spec->max_attempts : DEFAULT_MAX_ATTEMPTS;
    long long not_before = spec->not_before ? spec->not_before : now;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    *created = 0;
    if (rc == PARLEY_OK)
        rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK)
        return rc;
    if (spec->dedup_key) {
        rc = store_sqlite_stmt(c, SQL_LIVE_BY_DEDUP, &s, "t", spec->dedup_key);
        if (rc == PARLEY_OK)
            rc = store_sqlite_scalar(c, s, id);
        if (rc == PARLEY_OK && spec->merge_payload && spec->payload_json)
            rc = merge_payload(c, *id, spec->payload_json);
        if (rc == PARLEY_OK) {
            /* A live job: if it is already running, it runs again after. */
            rc = store_sqlite_stmt(c, SQL_MARK_RERUN, &s, "l", *id);
            if (rc == PARLEY_OK)
                rc = store_sqlite_exec(c, s);
        }
        if (rc != PARLEY_ERR_NOT_FOUND)
            goto out;               /* found a live job (OK), or an error */
    }
    rc = store_sqlite_stmt(c, SQL_INSERT, &s, "ztttilll", spec->org_id, spec->kind,
                           spec->dedup_key, spec->payload_json, max_attempts, not_before, now, now);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK) {
        *id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
        *created = 1;
    }
out:
    return store_sqlite_end(c, rc);
}

/* KINDS as a JSON array text for json_each(), or NULL for any kind. */
static char *kinds_to_json(const char *const *kinds)
{
    json_t *array;
    char *text;

    if (!kinds)
        return NULL;
    array = json_array();
    for (size_t i = 0; kinds[i]; i++)
        json_array_append_new(array, json_string(kinds[i]));
    text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    if (!text)
        abort();                    /* only fails on out of memory */
    return text;
}

enum parley_err store_sqlite_job_claim(struct store *st, const char *owner, long long now,
                                       long long lease_ms, const char *const *kinds,
                                       struct store_job *out)
{
    char *kinds_json = kinds_to_json(kinds);
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    long long id = 0;
    int nothing_due;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK)
        goto done;
    rc = store_sqlite_stmt(c, SQL_BURY_LOST, &s, "l", now);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK && store_sqlite_changes(c) > 0)
        log_warn("store", "jobs lost their worker during the final attempt; now dead",
                 "i:count", store_sqlite_changes(c));
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_PICK, &s, "lt", now, kinds_json);
    if (rc == PARLEY_OK)
        rc = store_sqlite_scalar(c, s, &id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_LEASE, &s, "tlll", owner, now + lease_ms, now, id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        rc = get_job(c, id, out);
    /* Nothing due is no failure: still commit the burial of lost jobs. */
    nothing_due = rc == PARLEY_ERR_NOT_FOUND;
    rc = store_sqlite_end(c, nothing_due ? PARLEY_OK : rc);
    if (rc == PARLEY_OK && nothing_due)
        rc = PARLEY_ERR_NOT_FOUND;
    if (rc != PARLEY_OK)
        store_job_clear(out);
done:
    free(kinds_json);
    return rc;
}

/* Step the UPDATE … RETURNING state S (prepared with RC) that ends a run:
 * the state the job is left in into *left; PARLEY_ERR_CONFLICT when no row
 * matched (the lease is another worker's now). */
static enum parley_err run_end(struct sqlite_conn *c, sqlite3_stmt *s, enum parley_err rc,
                               enum store_job_state *left)
{
    if (rc != PARLEY_OK)
        return rc;
    rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK)
        *left = parse_state(sqlite3_column_text(s, 0));
    store_sqlite_done(s);
    return rc == PARLEY_ERR_NOT_FOUND ? PARLEY_ERR_CONFLICT : rc;
}

enum parley_err store_sqlite_job_complete(struct store *st, long long id, const char *owner,
                                          const char *result_json, long long now,
                                          enum store_job_state *left)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_COMPLETE, "tllt", result_json, now,
                                            id, owner);

    return run_end(c, s, rc, left);
}

enum parley_err store_sqlite_job_fail(struct store *st, long long id, const char *owner,
                                      const char *error, int dead, long long retry_at,
                                      long long now, enum store_job_state *left)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_FAIL, "itlllt", dead ? 1 : 0, error,
                                            retry_at, now, id, owner);

    return run_end(c, s, rc, left);
}

enum parley_err store_sqlite_job_extend_lease(struct store *st, long long id, const char *owner,
                                              long long lease_expires)
{
    return store_sqlite_write(st, PARLEY_ERR_CONFLICT, SQL_EXTEND, "llt", lease_expires, id, owner);
}

enum parley_err store_sqlite_job_progress(struct store *st, long long id, const char *owner,
                                          long long done, long long total,
                                          const char *progress_json, long long now)
{
    return store_sqlite_write(st, PARLEY_ERR_CONFLICT, SQL_PROGRESS, "lltllt", done, total,
                              progress_json, now, id, owner);
}

enum parley_err store_sqlite_job_get(struct store *st, long long id, struct store_job *out)
{
    struct sqlite_conn *c;
    enum parley_err rc = store_sqlite_conn(st, &c);

    return rc == PARLEY_OK ? get_job(c, id, out) : rc;
}

enum parley_err store_sqlite_job_list(struct store *st, long long org_id, const char *kind,
                                      int limit,
                                      enum parley_err (*fn)(const struct store_job *, void *),
                                      void *arg)
{
    struct store_job *jobs;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    size_t n;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_LIST, "zti", org_id, kind, limit);

    if (rc != PARLEY_OK)
        return rc;
    jobs = xcalloc((size_t)limit, sizeof *jobs);
    rc = store_sqlite_page(c, s, limit, jobs, sizeof *jobs, job_row, &n);
    for (size_t i = 0; i < n; i++) {
        if (rc == PARLEY_OK)
            rc = fn(&jobs[i], arg);
        store_job_clear(&jobs[i]);
    }
    free(jobs);
    return rc;
}

enum parley_err store_sqlite_job_retry(struct store *st, long long id, long long now)
{
    struct store_job job = { 0 };
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_RETRY, &s, "ll", now, id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK && store_sqlite_changes(c) == 0) {
        /* Tell "no such job" from "not dead". */
        rc = get_job(c, id, &job);
        if (rc == PARLEY_OK)
            rc = PARLEY_ERR_CONFLICT;
        store_job_clear(&job);
    }
    return rc;
}
