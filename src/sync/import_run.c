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

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "sync/job.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

static void writer_stop(struct import_run *ir);

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
    writer_stop(ir);
    if (ir->ops && ir->conn)
        sync_env_close_conn(ir->env, ir->ops, ir->conn);
    ir->conn = NULL;
}

/* ---- writing pages ----
 *
 * The connector hands pages over on the job's thread while its own thread
 * fetches the next one.  Each page is copied and queued for a writer thread
 * of the attempt, which writes what is queued in one transaction: one page
 * when the fetch is the slower side, and while pages keep waiting for it,
 * every page queued behind, until the group holds GROUP_PEOPLE people or
 * has been open GROUP_MS.  The writer never waits for the platform with a
 * transaction open: an empty queue ends the group.  When the listing is the
 * slower side, the writer gathers pages before a group instead (gather()),
 * so pages trickling in share a commit.  A large group writes
 * each index leaf its pages share to the WAL once instead of once per page
 * (the keys are random: nearly every leaf of the email and account-id
 * indexes is touched by any thousand people).  The job's progress is part
 * of the same transaction; a page is all there or not at all, and a crash
 * loses at most one group, which the job's next attempt redoes.  The queue
 * holds at most QUEUE_PEOPLE people: handing over waits beyond that, which
 * is how the writer slows the listing down.
 *
 * People are written without a savepoint each (a savepoint journals every
 * database page it touches, which used to cost more than the writes
 * themselves).  That is safe because a person the store refuses is rare and
 * is handled by redoing the group: the first refusal rolls the group back,
 * and its pages are written again one transaction each with a savepoint
 * per person, so the refused person leaves nothing behind and the others
 * are written, exactly as before. */

#define GROUP_PEOPLE 20000
#define GROUP_MS 250
#define QUEUE_PEOPLE 10000
#define GATHER_MS 250

/* A page handed over, copied: its people, what was known before writing,
 * and the team it lists (0: none).  The strings follow the array.  A page
 * with LISTED_TEAM set has no people: it marks the end of that team. */
struct queued_page {
    struct queued_page *next;
    long long team_id;
    long long listed_team;
    struct import_counts checked;       /* fetched, skipped, unusable */
    size_t count;
    struct platform_person people[];
};

struct import_writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;             /* queue, busy, rc or closing changed */
    struct queued_page *head, *tail;    /* handed over, not yet taken */
    size_t queued_people;
    int busy;                           /* the writer holds pages it has taken */
    int closing;                        /* no more pages: write what is queued and exit */
    int flushing;                       /* threads waiting for the queue to be written */
    enum parley_err rc;                 /* the first failure: nothing more is written */
    struct log_context log;             /* the job's, for the writer's log lines */
};

struct person_write {
    struct import_run *ir;
    const struct platform_person *person;
    long long team_id;
    enum store_upsert_result result;    /* of the person and their identity together */
};

/* The person, their native identity and their membership.  Run inside the
 * group's transaction, or inside a savepoint of its own (store_tx) when a
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
    if (rc == PARLEY_OK && pw->team_id)
        rc = store_team_member_upsert(st, pw->team_id, ident.person_id, ir->started_at);
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
    to->teams_done += from->teams_done;
}

/* Count what needs no store (skipped and unusable entries, logged once
 * here, on the job's thread, before any transaction) into PAGE->checked. */
static void check_page(const struct import_run *ir, struct queued_page *page)
{
    memset(&page->checked, 0, sizeof page->checked);
    page->checked.fetched = (long long)page->count;
    for (size_t i = 0; i < page->count; i++) {
        const struct platform_person *p = &page->people[i];
        if (is_skipped(p)) {
            page->checked.skipped++;
        } else if (is_unusable(p)) {
            log_not_imported(ir, p, PARLEY_ERR_INVALID);
            page->checked.failed++;
        }
    }
}

/* Copy S to *AT, advancing it; NULL stays NULL. */
static const char *copy_string(const char *s, char **at)
{
    size_t n;
    char *copy = *at;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    memcpy(copy, s, n);
    *at += n;
    return copy;
}

static size_t string_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* PEOPLE (borrowed from the connector) as a new queued page of one block. */
static struct queued_page *copy_page(const struct platform_person *people, size_t count,
                                     long long team_id)
{
    size_t size = sizeof(struct queued_page) + count * sizeof people[0];
    struct queued_page *page;
    char *strings;

    for (size_t i = 0; i < count; i++)
        size += string_size(people[i].external_id) + string_size(people[i].email) +
                string_size(people[i].display_name) + string_size(people[i].given_name) +
                string_size(people[i].family_name);
    page = xmalloc(size);
    page->next = NULL;
    page->team_id = team_id;
    page->listed_team = 0;
    page->count = count;
    strings = (char *)&page->people[count];
    for (size_t i = 0; i < count; i++) {
        struct platform_person *p = &page->people[i];
        *p = people[i];
        p->external_id = copy_string(people[i].external_id, &strings);
        p->email = copy_string(people[i].email, &strings);
        p->display_name = copy_string(people[i].display_name, &strings);
        p->given_name = copy_string(people[i].given_name, &strings);
        p->family_name = copy_string(people[i].family_name, &strings);
    }
    return page;
}

static void free_pages(struct queued_page *page)
{
    while (page) {
        struct queued_page *next = page->next;
        free(page);
        page = next;
    }
}

/* Take the oldest queued page of W, or NULL when MAX_PEOPLE (0: any) is
 * less than its size or nothing is queued. */
static struct queued_page *take_page(struct import_writer *w, size_t max_people)
{
    struct queued_page *page;

    pthread_mutex_lock(&w->lock);
    page = w->head;
    if (page && max_people && page->count > max_people)
        page = NULL;
    if (page) {
        w->head = page->next;
        if (!w->head)
            w->tail = NULL;
        w->queued_people -= page->count;
        page->next = NULL;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return page;
}

/* Pages written in one transaction: a group taken from the queue, or one
 * page of a refused group being redone with a savepoint per person. */
struct batch {
    struct import_run *ir;
    struct queued_page *pages, **last;  /* in order; freed by the writer */
    size_t people;
    int grow;                           /* take queued pages while there is room */
    int isolate;                        /* a savepoint per person */
    int refused;                        /* the store refused a person without isolation */
    long long opened_at;                /* when its transaction began (clock_now_ms) */
    struct import_counts counts;        /* added to the run's once committed */
};

/* The end of team TEAM_ID: its members not seen by this attempt go, it is
 * marked imported and counted. */
static enum parley_err finish_team(struct store *st, struct batch *b, long long team_id)
{
    enum parley_err rc = store_team_members_prune(st, team_id, b->ir->started_at, NULL);

    if (rc == PARLEY_OK)
        rc = store_team_mark_imported(st, team_id, clock_now_ms());
    if (rc == PARLEY_OK)
        b->counts.teams_done++;
    return rc;
}

/* Write PAGE's usable people into B->counts (or finish its team). */
static enum parley_err write_page(struct store *st, struct batch *b,
                                  const struct queued_page *page)
{
    if (page->listed_team)
        return finish_team(st, b, page->listed_team);
    counts_add(&b->counts, &page->checked);
    for (size_t i = 0; i < page->count; i++) {
        struct person_write pw = { .ir = b->ir, .person = &page->people[i],
                                   .team_id = page->team_id };
        enum parley_err rc;

        if (is_skipped(pw.person) || is_unusable(pw.person))
            continue;
        rc = b->isolate ? store_tx(st, write_person, &pw) : write_person(st, &pw);
        if (is_refusal(rc) && !b->isolate) {
            b->refused = 1;             /* roll the group back; it is redone isolated */
            return rc;
        }
        if (is_refusal(rc)) {
            log_not_imported(b->ir, pw.person, rc);
            b->counts.failed++;
            continue;
        }
        if (rc != PARLEY_OK)
            return rc;
        count_result(&b->counts, pw.result);
    }
    return PARLEY_OK;
}

static enum parley_err report_progress(struct import_run *ir, const struct import_counts *counts);

/* store_tx body: the batch's pages (growing it from the queue when it may),
 * then the job's progress with the batch counted. */
static enum parley_err write_batch(struct store *st, void *arg)
{
    struct batch *b = arg;
    struct import_counts total = b->ir->counts;
    enum parley_err rc = PARLEY_OK;

    memset(&b->counts, 0, sizeof b->counts);
    b->opened_at = clock_now_ms();
    for (struct queued_page *page = b->pages; page && rc == PARLEY_OK; page = page->next)
        rc = write_page(st, b, page);
    while (rc == PARLEY_OK && b->grow && b->people < GROUP_PEOPLE &&
           clock_now_ms() - b->opened_at < GROUP_MS) {
        struct queued_page *page = take_page(b->ir->writer, b->people ? GROUP_PEOPLE - b->people
                                                                      : 0);
        if (!page)
            break;
        *b->last = page;
        b->last = &page->next;
        b->people += page->count;
        rc = write_page(st, b, page);
    }
    if (rc != PARLEY_OK)
        return rc;
    counts_add(&total, &b->counts);
    return report_progress(b->ir, &total);
}

/* Write one group from the queue (the writer thread).  A refused group is
 * redone page by page, each in its own transaction, isolating each person. */
static enum parley_err write_group(struct import_run *ir)
{
    struct batch group = { .ir = ir, .grow = 1 };
    enum parley_err rc = PARLEY_ERR_CANCELLED;

    group.last = &group.pages;
    if (!job_run_should_stop(ir->job))
        rc = store_tx(ir->st, write_batch, &group);
    if (rc == PARLEY_OK)
        counts_add(&ir->counts, &group.counts);
    for (struct queued_page *page = group.pages; page && group.refused; page = page->next) {
        struct queued_page *next = page->next;
        struct batch one = { .ir = ir, .pages = page, .isolate = 1 };

        page->next = NULL;              /* write_batch walks this page only */
        rc = store_tx(ir->st, write_batch, &one);
        page->next = next;
        if (rc != PARLEY_OK)
            break;
        counts_add(&ir->counts, &one.counts);
    }
    free_pages(group.pages);
    return rc;
}

/* Before a group, while the listing is slower than the writer: wait (with
 * no transaction open) until half the queue is full, GATHER_MS have passed,
 * or someone waits for what is queued (a flush, the end), so that pages
 * trickling in share a transaction instead of paying a commit each (each
 * commit rewrites the index leaves the page touched: ~2.5 MB of WAL per
 * page of 500 at 100,000 people).  Called and returns with W->lock held. */
static void gather(struct import_writer *w)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += GATHER_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (!w->closing && !w->flushing && w->rc == PARLEY_OK &&
           w->queued_people < QUEUE_PEOPLE / 2)
        if (pthread_cond_timedwait(&w->changed, &w->lock, &until) != 0)
            break;                      /* timed out */
}

static void *on_writer_thread(void *arg)
{
    struct import_run *ir = arg;
    struct import_writer *w = ir->writer;

    log_context_restore(&w->log);
    if (store_bulk_writer(ir->st) != PARLEY_OK)
        log_warn("sync", "the import's writer runs with the store's default memory");
    pthread_mutex_lock(&w->lock);
    for (;;) {
        enum parley_err rc;

        while (!w->head && !w->closing)
            pthread_cond_wait(&w->changed, &w->lock);
        if (!w->head)
            break;
        gather(w);
        w->busy = 1;
        pthread_mutex_unlock(&w->lock);
        rc = write_group(ir);
        pthread_mutex_lock(&w->lock);
        if (rc != PARLEY_OK && w->rc == PARLEY_OK)
            w->rc = rc;
        if (w->rc != PARLEY_OK) {       /* nothing more is written */
            free_pages(w->head);
            w->head = w->tail = NULL;
            w->queued_people = 0;
        }
        w->busy = 0;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Start IR's writer thread (on the first page). */
static enum parley_err writer_start(struct import_run *ir)
{
    struct import_writer *w = xcalloc(1, sizeof *w);

    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    log_context_save(&w->log);
    ir->writer = w;
    if (pthread_create(&w->thread, NULL, on_writer_thread, ir) != 0) {
        log_error("sync", "cannot start the import's writer thread");
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
        free(w);
        ir->writer = NULL;
        return PARLEY_ERR_NOMEM;
    }
    return PARLEY_OK;
}

/* Write what is queued, stop the writer thread and free it.  Idempotent. */
static void writer_stop(struct import_run *ir)
{
    struct import_writer *w = ir->writer;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->closing = 1;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    free_pages(w->head);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    free(w);
    ir->writer = NULL;
}

/* Queue PAGE for the writer (which owns it from here), waiting while the
 * queue is full.  The writer's failure, if any: then PAGE is dropped. */
static enum parley_err writer_queue(struct import_writer *w, struct queued_page *page)
{
    enum parley_err rc;

    pthread_mutex_lock(&w->lock);
    while (w->rc == PARLEY_OK && w->queued_people > 0 &&
           w->queued_people + page->count > QUEUE_PEOPLE)
        pthread_cond_wait(&w->changed, &w->lock);
    rc = w->rc;
    if (rc == PARLEY_OK) {
        if (w->tail)
            w->tail->next = page;
        else
            w->head = page;
        w->tail = page;
        w->queued_people += page->count;
        pthread_cond_broadcast(&w->changed);
        page = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    free(page);
    return rc;
}

/* Queue PAGE (owned from here) for IR's writer, starting it first if
 * need be; remembers a failure in ir->stop_rc. */
static enum parley_err queue_page(struct import_run *ir, struct queued_page *page)
{
    enum parley_err rc = PARLEY_ERR_CANCELLED;

    if (!job_run_should_stop(ir->job))
        rc = ir->writer ? PARLEY_OK : writer_start(ir);
    if (rc == PARLEY_OK)
        rc = writer_queue(ir->writer, page);
    else
        free(page);
    if (rc != PARLEY_OK)
        ir->stop_rc = rc;
    return rc;
}

enum parley_err sync_import_run_on_people(const struct platform_person *people, size_t count,
                                          void *arg)
{
    struct import_run *ir = arg;
    struct queued_page *page = copy_page(people, count, ir->team_id);

    check_page(ir, page);
    return queue_page(ir, page);
}

enum parley_err sync_import_run_team_listed(struct import_run *ir, long long team_id)
{
    struct queued_page *page = xcalloc(1, sizeof *page);

    page->listed_team = team_id;
    return queue_page(ir, page);
}

enum parley_err sync_import_run_flush(struct import_run *ir, enum parley_err rc)
{
    struct import_writer *w = ir->writer;
    enum parley_err wrc;

    if (!w)
        return rc;
    pthread_mutex_lock(&w->lock);
    w->flushing++;
    pthread_cond_broadcast(&w->changed);        /* a gathering writer: write now */
    while (w->head || w->busy)
        pthread_cond_wait(&w->changed, &w->lock);
    w->flushing--;
    wrc = w->rc;
    pthread_mutex_unlock(&w->lock);
    if (wrc != PARLEY_OK)
        ir->stop_rc = wrc;
    return rc != PARLEY_OK ? rc : wrc;
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
        json_object_set_new(json, "teams_done", json_integer(c->teams_done));
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
        rc = job_run_progress(ir->job, counts->teams_done, ir->teams_total, json);
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
