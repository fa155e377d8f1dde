/* import_run.c - the machinery every import attempt shares: opening the
 * org's connection, writing each page of people in one transaction with
 * the counts the admin sees, progress, and turning the outcome into the
 * job's result, retry or permanent failure, and an audit event.
 *
 * Idempotence: every write is an upsert keyed by what the platform says
 * (email within the org, the account's external id, the team), so an
 * attempt that runs again after a crash or a retry finds its earlier work
 * and writes nothing twice. */
#include "sync/import_run.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "sync/job.h"
#include "util/clock.h"
#include "util/log.h"

/* ---- starting and ending an attempt ---- */

enum parley_err sync_import_run_open(struct import_run *ir, struct job_run *job,
                                     const struct sync_env *env, enum platform_kind kind)
{
    enum parley_err rc;

    memset(ir, 0, sizeof *ir);
    ir->job = job;
    ir->env = env;
    ir->st = env->st;
    ir->org_id = job_run_org_id(job);
    ir->platform = platform_kind_name(kind);
    ir->started_at = clock_now_ms();
    ir->teams_total = -1;
    if (ir->org_id <= 0) {
        job_run_fail_permanently(job, "the import job names no org");
        return PARLEY_ERR_INVALID;
    }
    rc = env->open_conn(env->ctx, ir->org_id, kind, &ir->ops, &ir->conn, &ir->err);
    if (rc != PARLEY_OK) {
        ir->ops = NULL;
        ir->conn = NULL;
        return sync_import_run_fail(ir, rc);
    }
    return PARLEY_OK;
}

void sync_import_run_close(struct import_run *ir)
{
    if (ir->ops && ir->conn)
        sync_env_close_conn(ir->env, ir->ops, ir->conn);
    ir->conn = NULL;
}

/* ---- writing a page ----
 *
 * A page is one transaction: its people, their identities and memberships,
 * and the job's progress, so one commit per page.  People are written
 * without a savepoint each (a savepoint journals every database page it
 * touches, which used to cost more than the writes themselves).  That is
 * safe because a person the store refuses is rare and is handled by
 * redoing the page: the first refusal rolls the page back, and the page is
 * written again with a savepoint per person, so the refused person leaves
 * nothing behind and the others are written, exactly as before. */

struct person_write {
    struct import_run *ir;
    const struct platform_person *person;
    enum store_upsert_result result;    /* of the person and their identity together */
};

/* The person, their native identity and their membership.  Run inside the
 * page's transaction, or inside a savepoint of its own (store_tx) when the
 * page is being redone person by person. */
static enum parley_err write_person(struct store *st, void *arg)
{
    struct person_write *pw = arg;
    struct import_run *ir = pw->ir;
    const struct platform_person *p = pw->person;
    struct store_person_new person = {
        .org_id = ir->org_id, .email = p->email, .display_name = p->display_name,
        .given_name = p->given_name, .family_name = p->family_name, .source = ir->platform,
    };
    struct store_identity_new ident = {
        .platform = ir->platform, .kind = "native", .external_id = p->external_id,
        .email = p->email,
    };
    enum store_upsert_result ident_result = STORE_UPSERT_UNCHANGED;
    long long now = clock_now_ms(), ident_id;
    enum parley_err rc = store_person_upsert(st, &person, now, &ident.person_id, &pw->result);

    if (rc == PARLEY_OK)
        rc = store_identity_upsert(st, &ident, now, &ident_id, &ident_result);
    if (rc == PARLEY_OK && ir->team_id)
        rc = store_team_member_upsert(st, ir->team_id, ident.person_id, ir->started_at);
    if (rc == PARLEY_OK && pw->result == STORE_UPSERT_UNCHANGED &&
        ident_result != STORE_UPSERT_UNCHANGED)
        pw->result = STORE_UPSERT_UPDATED;      /* e.g. a Google account joins a Teams person */
    return rc;
}

/* Suspended and disabled accounts are not imported; neither are Microsoft
 * guests, who are other organisations' people (Parley records its own
 * guest accounts when it provisions them). */
static int is_skipped(const struct platform_person *p)
{
    return p->suspended || p->guest;
}

/* An entry the store cannot key: no email or no account id. */
static int is_unusable(const struct platform_person *p)
{
    return !p->email || !strchr(p->email, '@') || !p->external_id || !*p->external_id;
}

/* Whether the store refused this person (the entry, not the import, is at fault). */
static int is_refusal(enum parley_err rc)
{
    return rc == PARLEY_ERR_INVALID || rc == PARLEY_ERR_CONFLICT;
}

static void log_not_imported(const struct import_run *ir, const struct platform_person *p,
                             enum parley_err rc)
{
    log_warn("sync", "person not imported", "s:platform", ir->platform,
             "s:external_id", p->external_id ? p->external_id : "",
             "s:error", parley_strerror(rc));
}

struct page_write {
    struct import_run *ir;
    const struct platform_person *people;
    size_t count;
    int isolate;                        /* a savepoint per person (the page is being redone) */
    int refused;                        /* the store refused a person without isolation */
    struct import_counts checked;       /* fetched, skipped, unusable: known before writing */
    struct import_counts counts;        /* this page's; added to the run's once committed */
};

static void count_result(struct import_counts *counts, enum store_upsert_result result)
{
    switch (result) {
    case STORE_UPSERT_NEW:       counts->created++;   break;
    case STORE_UPSERT_UPDATED:   counts->updated++;   break;
    case STORE_UPSERT_UNCHANGED: counts->unchanged++; break;
    }
}

static void counts_add(struct import_counts *to, const struct import_counts *from)
{
    to->fetched += from->fetched;
    to->created += from->created;
    to->updated += from->updated;
    to->unchanged += from->unchanged;
    to->skipped += from->skipped;
    to->failed += from->failed;
}

/* Count what needs no store (skipped and unusable entries, logged once
 * here, before any transaction) into PAGE->checked. */
static void check_page(struct page_write *page)
{
    memset(&page->checked, 0, sizeof page->checked);
    page->checked.fetched = (long long)page->count;
    for (size_t i = 0; i < page->count; i++) {
        const struct platform_person *p = &page->people[i];
        if (is_skipped(p)) {
            page->checked.skipped++;
        } else if (is_unusable(p)) {
            log_not_imported(page->ir, p, PARLEY_ERR_INVALID);
            page->checked.failed++;
        }
    }
}

static enum parley_err report_progress(struct import_run *ir, const struct import_counts *counts);

/* store_tx body: the page's usable people, then the job's progress with
 * the page counted. */
static enum parley_err write_page(struct store *st, void *arg)
{
    struct page_write *page = arg;
    struct import_counts total = page->ir->counts;

    page->counts = page->checked;
    for (size_t i = 0; i < page->count; i++) {
        struct person_write pw = { .ir = page->ir, .person = &page->people[i] };
        enum parley_err rc;

        if (is_skipped(pw.person) || is_unusable(pw.person))
            continue;
        rc = page->isolate ? store_tx(st, write_person, &pw) : write_person(st, &pw);
        if (is_refusal(rc) && !page->isolate) {
            page->refused = 1;          /* roll the page back; it is redone isolated */
            return rc;
        }
        if (is_refusal(rc)) {
            log_not_imported(page->ir, pw.person, rc);
            page->counts.failed++;
            continue;
        }
        if (rc != PARLEY_OK)
            return rc;
        count_result(&page->counts, pw.result);
    }
    counts_add(&total, &page->counts);
    return report_progress(page->ir, &total);
}

enum parley_err sync_import_run_on_people(const struct platform_person *people, size_t count,
                                          void *arg)
{
    struct import_run *ir = arg;
    struct page_write page = { .ir = ir, .people = people, .count = count };
    enum parley_err rc = PARLEY_ERR_CANCELLED;

    if (!job_run_should_stop(ir->job)) {
        check_page(&page);
        rc = store_tx(ir->st, write_page, &page);
        if (rc != PARLEY_OK && page.refused) {
            page.isolate = 1;
            rc = store_tx(ir->st, write_page, &page);
        }
    }
    if (rc == PARLEY_OK)
        counts_add(&ir->counts, &page.counts);
    else
        ir->stop_rc = rc;
    return rc;
}

/* ---- progress, result, audit ---- */

/* COUNTS as the Hub shows them, with IR's teams; a new reference. */
static json_t *counts_to_json(const struct import_run *ir, const struct import_counts *c)
{
    json_t *json = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "fetched", (json_int_t)c->fetched,
                             "new", (json_int_t)c->created, "updated", (json_int_t)c->updated,
                             "unchanged", (json_int_t)c->unchanged,
                             "skipped", (json_int_t)c->skipped, "failed", (json_int_t)c->failed);

    if (json && ir->teams_total >= 0) {
        json_object_set_new(json, "teams_done", json_integer(ir->teams_done));
        json_object_set_new(json, "teams_total", json_integer(ir->teams_total));
    }
    return json;
}

/* Report COUNTS (the run's, or the run's with a page not yet committed). */
static enum parley_err report_progress(struct import_run *ir, const struct import_counts *counts)
{
    json_t *json = counts_to_json(ir, counts);
    enum parley_err rc;

    if (ir->teams_total >= 0)
        rc = job_run_progress(ir->job, ir->teams_done, ir->teams_total, json);
    else
        rc = job_run_progress(ir->job, counts->fetched, 0, json);
    json_decref(json);
    return rc;
}

enum parley_err sync_import_run_progress(struct import_run *ir)
{
    return report_progress(ir, &ir->counts);
}

/* One audit event for the import, by whoever asked for it, on the platform. */
static enum parley_err audit(struct import_run *ir, const json_t *details)
{
    return sync_job_audit(ir->job, NULL, ir->platform, details);
}

enum parley_err sync_import_run_finish(struct import_run *ir, const json_t *extra)
{
    json_t *result = counts_to_json(ir, &ir->counts);
    enum parley_err rc;

    if (extra)
        json_object_update(result, (json_t *)extra);
    job_run_set_result(ir->job, result);
    rc = audit(ir, result);
    log_info("sync", "import done", "s:platform", ir->platform, "l:fetched", ir->counts.fetched,
             "l:new", ir->counts.created, "l:updated", ir->counts.updated,
             "l:unchanged", ir->counts.unchanged, "l:skipped", ir->counts.skipped,
             "l:failed", ir->counts.failed);
    json_decref(result);
    return rc;
}

/* ---- failures ---- */

enum parley_err sync_import_run_fail(struct import_run *ir, enum parley_err rc)
{
    const char *message = ir->err.message[0] ? ir->err.message : parley_strerror(rc);
    json_t *details;

    /* Our own stop (shutdown, lost lease, store error): the pool handles it. */
    if (ir->stop_rc != PARLEY_OK)
        return ir->stop_rc;
    if (sync_job_retryable(&ir->err, rc)) {
        if (ir->err.retry_after_ms > 0)
            job_run_retry_after(ir->job, ir->err.retry_after_ms);
        job_run_set_error(ir->job, message);
        return rc;
    }
    job_run_fail_permanently(ir->job, message);
    details = counts_to_json(ir, &ir->counts);
    json_object_set_new(details, "error", json_string(message));
    if (audit(ir, details) != PARLEY_OK)
        log_error("sync", "cannot record the failed import in the audit log");
    json_decref(details);
    return rc;
}
