/* request.c - the admin's user sync requests (request.h): for each chosen
 * person, decide whether the request applies, move their status and
 * enqueue their job, a batch of people per store transaction (the status
 * read, its move and the job insert of a person can never be interleaved
 * with a worker's move), then wake the workers.  One audit event records
 * each request with its counts; the jobs record each person's outcome. */
#include "sync/request.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/pool.h"
#include "sync/provision.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum op { OP_SYNC, OP_UNSYNC, OP_PRIMARY };

struct request {
    struct store *st;
    struct jobs_pool *pool;
    long long org_id;
    enum op op;
    const char *platform;                 /* OP_PRIMARY: the new primary */
    const char *actor;
    const long long *ids;                 /* the batch */
    size_t n;
    long long now;
    struct sync_request_counts batch;     /* the batch's; added to TOTAL once committed */
    struct sync_request_counts total;
};

#define BIT(s) STORE_SYNC_BIT(STORE_SYNC_##s)

/* Does P have an account of their own on PLATFORM? */
static int has_native(const struct store_person *p, const char *platform)
{
    for (size_t i = 0; platform && i < p->identity_count; i++)
        if (strcmp(p->identities[i].platform, platform) == 0 &&
            strcmp(p->identities[i].kind, "native") == 0)
            return 1;
    return 0;
}

static enum parley_err move(struct request *r, long long person_id, unsigned from,
                            enum store_sync_status to, const char *reason)
{
    struct store_sync_move m = { .org_id = r->org_id, .person_id = person_id, .from = from,
                                 .to = to, .reason = reason, .actor = r->actor };

    return store_person_sync_move(r->st, &m, r->now, NULL);
}

/* Enqueue the person's job of KIND (a live one of theirs is kept instead). */
static enum parley_err enqueue(struct request *r, const char *kind, long long person_id)
{
    json_t *payload = json_pack("{s:I, s:s}", "person_id", (json_int_t)person_id,
                                "requested_by", r->actor);
    char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    char dedup[48];
    long long job_id;
    enum parley_err rc = PARLEY_ERR_INVALID;        /* ACTOR is not UTF-8 */

    snprintf(dedup, sizeof dedup, "sync:%lld", person_id);
    if (text) {
        struct store_job_new spec = { .org_id = r->org_id, .kind = kind, .dedup_key = dedup,
                                      .payload_json = text,
                                      .max_attempts = SYNC_JOB_MAX_ATTEMPTS };
        rc = store_job_enqueue(r->st, &spec, r->now, &job_id, NULL);
    }
    if (rc == PARLEY_OK)
        r->batch.jobs++;
    free(text);
    json_decref(payload);
    return rc;
}

/* What the request does to P (status STATUS): the job to enqueue, or NULL
 * when it does not apply. */
static enum parley_err apply(struct request *r, const struct store_person *p,
                             enum store_sync_status status, const char **job)
{
    char reason[80];
    int changed = 0;
    enum parley_err rc;

    *job = NULL;
    switch (r->op) {
    case OP_SYNC:
        if (status == STORE_SYNC_SYNCED || !has_native(p, p->primary_platform))
            return PARLEY_OK;
        *job = SYNC_PROVISION_KIND;
        if (status == STORE_SYNC_PROVISIONING)
            return PARLEY_OK;                       /* on its way: only make sure of the job */
        return move(r, p->id, BIT(NOT_SYNCED) | BIT(ERROR) | BIT(UNSYNCING) | BIT(PENDING),
                    STORE_SYNC_PENDING, NULL);
    case OP_UNSYNC:
        if (status == STORE_SYNC_NOT_SYNCED)
            return PARLEY_OK;
        *job = SYNC_UNSYNC_KIND;
        return move(r, p->id, STORE_SYNC_ANY, STORE_SYNC_UNSYNCING, NULL);
    case OP_PRIMARY:
        if (!has_native(p, r->platform))
            return PARLEY_OK;
        rc = store_person_set_primary(r->st, r->org_id, p->id, r->platform, r->now, &changed);
        if (rc != PARLEY_OK || !changed)
            return rc;
        *job = "";                                  /* applied, no job yet */
        if (status != STORE_SYNC_SYNCED && status != STORE_SYNC_PENDING &&
            status != STORE_SYNC_PROVISIONING)
            return PARLEY_OK;
        *job = SYNC_PROVISION_KIND;                 /* a switch */
        snprintf(reason, sizeof reason, "primary platform changed to %s", r->platform);
        return move(r, p->id, BIT(SYNCED) | BIT(PENDING) | BIT(PROVISIONING),
                    STORE_SYNC_PENDING, reason);
    }
    return PARLEY_ERR_INVALID;
}

/* The batch, in one transaction. */
static enum parley_err write_batch(struct store *st, void *arg)
{
    struct request *r = arg;
    enum parley_err rc = PARLEY_OK;

    memset(&r->batch, 0, sizeof r->batch);
    for (size_t i = 0; i < r->n && rc == PARLEY_OK; i++) {
        struct store_person p = { 0 };
        enum store_sync_status status = STORE_SYNC_NOT_SYNCED;
        const char *job = NULL;

        r->batch.selected++;
        rc = store_person_get(st, r->org_id, r->ids[i], &p);
        if (rc == PARLEY_OK) {
            store_sync_status_parse(p.sync_status, &status);
            rc = apply(r, &p, status, &job);
        } else if (rc == PARLEY_ERR_NOT_FOUND) {
            rc = PARLEY_OK;                         /* gone, or another org's: skipped */
        }
        if (rc == PARLEY_OK && job && *job)
            rc = enqueue(r, job, p.id);
        if (job)
            r->batch.changed++;
        else
            r->batch.skipped++;
        store_person_clear(&p);
    }
    return rc;
}

static enum parley_err run_batch(struct request *r, const long long *ids, size_t n)
{
    enum parley_err rc;

    r->ids = ids;
    r->n = n;
    r->now = clock_now_ms();
    rc = store_tx(r->st, write_batch, r);
    if (rc != PARLEY_OK)
        return rc;
    r->total.selected += r->batch.selected;
    r->total.changed += r->batch.changed;
    r->total.skipped += r->batch.skipped;
    r->total.jobs += r->batch.jobs;
    if (r->pool && r->batch.jobs)
        jobs_pool_wake(r->pool);
    return PARLEY_OK;
}

/* A page of the filter's people, by email. */
struct page {
    long long ids[SYNC_REQUEST_BATCH];
    size_t n;
    char *last_email;
    long long last_id;
};

static enum parley_err on_person(const struct store_person *p, void *arg)
{
    struct page *page = arg;

    page->ids[page->n++] = p->id;
    free(page->last_email);
    page->last_email = xstrdup(p->email);
    page->last_id = p->id;
    return PARLEY_OK;
}

/* Everyone matching FILTER, a page at a time.  Keyset paging by email is
 * not disturbed by the statuses the batches change. */
static enum parley_err run_filter(struct request *r, const struct store_people_query *filter)
{
    struct page *page = xcalloc(1, sizeof *page);
    enum parley_err rc;

    do {
        struct store_people_query q = *filter;

        q.org_id = r->org_id;
        q.sort = STORE_PEOPLE_BY_EMAIL;
        q.after_key = page->last_email;
        q.after_id = page->last_id;
        q.limit = SYNC_REQUEST_BATCH;
        page->n = 0;
        rc = store_people_list(r->st, &q, on_person, page);
        if (rc == PARLEY_OK && page->n > 0)
            rc = run_batch(r, page->ids, page->n);
    } while (rc == PARLEY_OK && page->n == SYNC_REQUEST_BATCH);
    free(page->last_email);
    free(page);
    return rc;
}

static const char *op_action(enum op op)
{
    switch (op) {
    case OP_SYNC:    return "sync.request.sync";
    case OP_UNSYNC:  return "sync.request.unsync";
    case OP_PRIMARY: break;
    }
    return "sync.request.primary";
}

/* Run the request over SEL, then audit it with its counts. */
static enum parley_err run(struct request *r, const struct sync_selection *sel,
                           struct sync_request_counts *out)
{
    enum parley_err rc = PARLEY_OK;
    json_t *details;
    char *text;

    if (out)
        memset(out, 0, sizeof *out);
    if (!r->st || !sel || sel->org_id <= 0 || (!sel->ids && !sel->filter) || !r->actor)
        return PARLEY_ERR_INVALID;
    r->org_id = sel->org_id;
    if (sel->ids) {
        for (size_t off = 0; off < sel->count && rc == PARLEY_OK; off += SYNC_REQUEST_BATCH) {
            size_t n = sel->count - off;
            rc = run_batch(r, sel->ids + off, n < SYNC_REQUEST_BATCH ? n : SYNC_REQUEST_BATCH);
        }
    } else {
        rc = run_filter(r, sel->filter);
    }
    if (out)
        *out = r->total;
    details = json_pack("{s:I, s:I, s:I}", "selected", (json_int_t)r->total.selected,
                        "changed", (json_int_t)r->total.changed,
                        "skipped", (json_int_t)r->total.skipped);
    if (r->platform)
        json_object_set_new(details, "platform", json_string(r->platform));
    if (rc != PARLEY_OK)
        json_object_set_new(details, "error", json_string(parley_strerror(rc)));
    text = json_dumps(details, JSON_COMPACT);
    if (r->total.selected > 0) {
        enum parley_err audit_rc = store_audit_add(r->st, r->org_id, r->actor, op_action(r->op),
                                                   NULL, text);
        if (rc == PARLEY_OK)
            rc = audit_rc;
    }
    free(text);
    json_decref(details);
    return rc;
}

enum parley_err sync_request_sync(struct store *st, struct jobs_pool *pool,
                                  const struct sync_selection *sel, const char *actor,
                                  struct sync_request_counts *out)
{
    struct request r = { .st = st, .pool = pool, .op = OP_SYNC, .actor = actor };

    return run(&r, sel, out);
}

enum parley_err sync_request_unsync(struct store *st, struct jobs_pool *pool,
                                    const struct sync_selection *sel, const char *actor,
                                    struct sync_request_counts *out)
{
    struct request r = { .st = st, .pool = pool, .op = OP_UNSYNC, .actor = actor };

    return run(&r, sel, out);
}

enum parley_err sync_request_primary(struct store *st, struct jobs_pool *pool,
                                     const struct sync_selection *sel, const char *platform,
                                     const char *actor, struct sync_request_counts *out)
{
    struct request r = { .st = st, .pool = pool, .op = OP_PRIMARY, .platform = platform,
                         .actor = actor };
    enum platform_kind kind;

    if (!platform || platform_kind_parse(platform, &kind) != 0) {
        if (out)
            memset(out, 0, sizeof *out);
        return PARLEY_ERR_INVALID;
    }
    return run(&r, sel, out);
}
