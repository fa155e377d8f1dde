/* test_import.c - unit tests for the import jobs (src/sync/import*.c) run
 * through a real worker pool on a temporary SQLite store, against a fake
 * connector: an in-memory directory per platform, served in pages, with
 * suspended users, Microsoft guests, and retryable or permanent errors
 * injected on demand.
 *
 * Checked: exact counts in progress, result and audit; idempotent
 * re-imports; one person per email across teams and platforms; membership
 * refresh; retries after throttling; permanent failures (dead with the
 * platform's message, nothing duplicated when retried); thousands of users
 * over many pages; enqueue dedup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/pool.h"
#include "store/store.h"
#include "sync/import.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define ACTOR "admin:root@acme.com"

/* ---- the fake connector ---- */

struct fake_user {
    char id[32];
    char email[64];
    char name[64];
    int suspended;
    int guest;
};

struct fake_team {
    const char *id;
    const char *name;
    size_t members[16];        /* indexes into the platform's users */
    size_t nmembers;
};

struct fake_platform {
    struct fake_user *users;
    size_t nusers;
    struct fake_team teams[4];
    size_t nteams;
    size_t page_size;
    /* Faults: the next FAIL_LISTINGS listings of people fail with FAIL_ERR
     * after delivering FAIL_AFTER_PAGES pages; OPEN_ERR.code fails opening. */
    atomic_int fail_listings;
    int fail_after_pages;
    struct platform_error fail_err;
    struct platform_error open_err;
    const char *deleted_team;  /* listed with the teams, gone when its members are asked for */
    atomic_int opens;
    atomic_int closes;
};

struct platform_conn {
    struct fake_platform *fp;
};

/* Users 0..N-1: "user00000@acme.com", ids PREFIX + index. */
static void fake_users(struct fake_platform *fp, size_t n, const char *prefix)
{
    fp->users = xcalloc(n, sizeof *fp->users);
    fp->nusers = n;
    fp->page_size = 100;
    for (size_t i = 0; i < n; i++) {
        snprintf(fp->users[i].id, sizeof fp->users[i].id, "%s-%05zu", prefix, i);
        snprintf(fp->users[i].email, sizeof fp->users[i].email, "User%05zu@Acme.com", i);
        snprintf(fp->users[i].name, sizeof fp->users[i].name, "User %05zu", i);
    }
}

static void fake_fail(struct fake_platform *fp, int listings, int after_pages,
                      enum parley_err code, int retryable, long long retry_after_ms,
                      const char *message)
{
    memset(&fp->fail_err, 0, sizeof fp->fail_err);
    fp->fail_err.code = code;
    fp->fail_err.retryable = retryable;
    fp->fail_err.retry_after_ms = retry_after_ms;
    fp->fail_err.http_status = retryable ? 429 : 401;
    snprintf(fp->fail_err.message, sizeof fp->fail_err.message, "%s", message);
    fp->fail_after_pages = after_pages;
    atomic_store(&fp->fail_listings, listings);
}

static void fill_person(struct platform_person *p, const struct fake_user *u)
{
    *p = (struct platform_person){ .external_id = u->id, .email = u->email,
                                   .display_name = u->name, .given_name = "User",
                                   .suspended = u->suspended, .guest = u->guest };
}

/* Serve the users at INDEX[0..N) (INDEX NULL: all users) page by page. */
static enum parley_err serve_people(struct fake_platform *fp, const size_t *index, size_t n,
                                    platform_people_fn fn, void *arg, struct platform_error *err)
{
    struct platform_person *page = xcalloc(fp->page_size, sizeof *page);
    int fail = atomic_fetch_sub(&fp->fail_listings, 1) > 0;
    enum parley_err rc = PARLEY_OK;

    for (size_t start = 0, pages = 0; rc == PARLEY_OK; start += fp->page_size, pages++) {
        size_t count = 0;
        if (fail && pages == (size_t)fp->fail_after_pages) {
            *err = fp->fail_err;
            rc = err->code;
            break;
        }
        if (start >= n)
            break;
        for (; count < fp->page_size && start + count < n; count++)
            fill_person(&page[count], &fp->users[index ? index[start + count] : start + count]);
        rc = fn(page, count, arg);
    }
    free(page);
    return rc;
}

static enum parley_err fake_open(const struct platform_settings *settings,
                                 struct platform_conn **out, struct platform_error *err)
{
    (void)settings;
    (void)out;
    (void)err;
    return PARLEY_ERR_UNSUPPORTED;          /* the engine opens through sync_env */
}

static void fake_close(struct platform_conn *conn)
{
    atomic_fetch_add(&conn->fp->closes, 1);
    free(conn);
}

static enum parley_err fake_test(struct platform_conn *conn, struct platform_error *err)
{
    (void)conn;
    (void)err;
    return PARLEY_OK;
}

static enum parley_err fake_list_teams(struct platform_conn *conn, platform_teams_fn fn,
                                       void *arg, struct platform_error *err)
{
    struct fake_platform *fp = conn->fp;
    struct platform_team teams[4];

    (void)err;
    for (size_t i = 0; i < fp->nteams; i++)
        teams[i] = (struct platform_team){ .external_id = fp->teams[i].id,
                                           .name = fp->teams[i].name,
                                           .member_count = (long long)fp->teams[i].nmembers };
    return fn(teams, fp->nteams, arg);
}

static enum parley_err fake_list_team_members(struct platform_conn *conn, const char *team_id,
                                              platform_people_fn fn, void *arg,
                                              struct platform_error *err)
{
    struct fake_platform *fp = conn->fp;

    for (size_t i = 0; i < fp->nteams; i++)
        if (strcmp(fp->teams[i].id, team_id) == 0 &&
            !(fp->deleted_team && strcmp(fp->deleted_team, team_id) == 0))
            return serve_people(fp, fp->teams[i].members, fp->teams[i].nmembers, fn, arg, err);
    err->code = PARLEY_ERR_NOT_FOUND;
    snprintf(err->message, sizeof err->message, "no team %s", team_id);
    return PARLEY_ERR_NOT_FOUND;
}

static enum parley_err fake_list_users(struct platform_conn *conn, platform_people_fn fn,
                                       void *arg, struct platform_error *err)
{
    return serve_people(conn->fp, NULL, conn->fp->nusers, fn, arg, err);
}

static const struct platform_ops fake_ops = {
    .kind = PLATFORM_GOOGLE,             /* the engine does not look */
    .open = fake_open,
    .close = fake_close,
    .test = fake_test,
    .list_teams = fake_list_teams,
    .list_team_members = fake_list_team_members,
    .list_users = fake_list_users,
};

struct fake_world {
    struct fake_platform microsoft;
    struct fake_platform google;
};

/* sync_env.open_conn over a struct fake_world. */
static enum parley_err fake_open_conn(void *ctx, long long org_id, enum platform_kind kind,
                                      const struct platform_ops **ops,
                                      struct platform_conn **conn, struct platform_error *err)
{
    struct fake_world *world = ctx;
    struct fake_platform *fp = kind == PLATFORM_MICROSOFT ? &world->microsoft : &world->google;

    assert_true(org_id > 0);
    if (fp->open_err.code != PARLEY_OK) {
        *err = fp->open_err;
        return err->code;
    }
    atomic_fetch_add(&fp->opens, 1);
    *ops = &fake_ops;
    *conn = xcalloc(1, sizeof **conn);
    (*conn)->fp = fp;
    return PARLEY_OK;
}

/* ---- fixture ---- */

struct fixture {
    char dir[64];
    char *path;
    struct store *st;
    long long org;
    struct fake_world world;
    struct sync_env env;
    struct jobs_pool *pool;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    struct jobs_pool_config cfg = { .threads = 2, .poll_ms = 20,
                                    .backoff = { .base_ms = 1, .cap_ms = 10 } };

    snprintf(f->dir, sizeof f->dir, "/tmp/parley-import-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->path = xasprintf("%s/import.db", f->dir);
    if (store_open(f->path, &f->st) != PARLEY_OK || store_migrate(f->st, NULL) != PARLEY_OK ||
        store_org_ensure(f->st, "acme", &f->org, NULL) != PARLEY_OK)
        return -1;
    f->env = (struct sync_env){ .st = f->st, .open_conn = fake_open_conn, .ctx = &f->world };
    f->pool = jobs_pool_new(f->st, &cfg);
    if (sync_import_register(f->pool, &f->env) != PARLEY_OK ||
        jobs_pool_start(f->pool) != PARLEY_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    const char *suffixes[] = { "", "-wal", "-shm" };

    jobs_pool_free(f->pool);
    store_close(f->st);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *p = xasprintf("%s%s", f->path, suffixes[i]);
        unlink(p);
        free(p);
    }
    rmdir(f->dir);
    free(f->world.microsoft.users);
    free(f->world.google.users);
    free(f->path);
    free(f);
    return 0;
}

/* ---- helpers ---- */

/* Wait (up to a minute) until job ID is done or dead; fills *out. */
static void wait_finished(struct fixture *f, long long id, struct store_job *out)
{
    for (int i = 0; i < 6000; i++) {
        assert_int_equal(store_job_get(f->st, id, out), PARLEY_OK);
        if (out->state == STORE_JOB_DONE || out->state == STORE_JOB_DEAD)
            return;
        store_job_clear(out);
        clock_sleep_ms(10);
    }
    fail_msg("job %lld never finished", id);
}

static void import_google(struct fixture *f, enum store_job_state expect, struct store_job *out)
{
    long long id = 0;
    int created = 0;

    assert_int_equal(sync_import_enqueue_google(f->pool, f->org, ACTOR, &id, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    wait_finished(f, id, out);
    assert_string_equal(store_job_state_name(out->state), store_job_state_name(expect));
}

static void import_teams(struct fixture *f, const char *const *team_ids, size_t n,
                         enum store_job_state expect, struct store_job *out)
{
    long long id = 0;

    assert_int_equal(sync_import_enqueue_microsoft(f->pool, f->org, team_ids, n, ACTOR, &id, NULL),
                     PARLEY_OK);
    wait_finished(f, id, out);
    assert_string_equal(store_job_state_name(out->state), store_job_state_name(expect));
}

/* Compare the counts in JSON text with the expected ones. */
static void assert_counts(const char *text, long long fetched, long long created,
                          long long updated, long long unchanged, long long skipped,
                          long long failed)
{
    json_t *json = json_loads(text, 0, NULL);

    assert_non_null(json);
    assert_int_equal(json_integer_value(json_object_get(json, "fetched")), fetched);
    assert_int_equal(json_integer_value(json_object_get(json, "new")), created);
    assert_int_equal(json_integer_value(json_object_get(json, "updated")), updated);
    assert_int_equal(json_integer_value(json_object_get(json, "unchanged")), unchanged);
    assert_int_equal(json_integer_value(json_object_get(json, "skipped")), skipped);
    assert_int_equal(json_integer_value(json_object_get(json, "failed")), failed);
    json_decref(json);
}

static long long json_field(const char *text, const char *key)
{
    json_t *json = json_loads(text, 0, NULL);
    long long v;

    assert_non_null(json);
    v = json_integer_value(json_object_get(json, key));
    json_decref(json);
    return v;
}

static int has_field(const char *text, const char *key)
{
    json_t *json = json_loads(text, 0, NULL);
    int has;

    assert_non_null(json);
    has = json_object_get(json, key) != NULL;
    json_decref(json);
    return has;
}

static long long people_count(struct fixture *f, const char *platform, long long team_id)
{
    struct store_people_query q = { .org_id = f->org, .platform = platform, .team_id = team_id };
    long long n = -1;

    assert_int_equal(store_people_count(f->st, &q, &n), PARLEY_OK);
    return n;
}

static long long team_id_of(struct fixture *f, const char *external_id)
{
    struct store_team team = { 0 };
    long long id;

    assert_int_equal(store_team_get_by_external(f->st, f->org, "microsoft", external_id, &team),
                     PARLEY_OK);
    assert_int_equal(team.imported, 1);
    assert_true(team.last_imported_at > 0);
    id = team.id;
    store_team_clear(&team);
    return id;
}

struct audit_log {
    char *actions[8];
    char *actors[8];
    char *details[8];
    size_t n;
};

static enum parley_err on_audit(const struct store_audit_event *e, void *arg)
{
    struct audit_log *log = arg;

    log->actions[log->n] = xstrdup(e->action);
    log->actors[log->n] = xstrdup(e->actor);
    log->details[log->n++] = xstrdup(e->details_json);
    return PARLEY_OK;
}

/* The org's audit events, newest first. */
static void audit_read(struct fixture *f, struct audit_log *log)
{
    memset(log, 0, sizeof *log);
    assert_int_equal(store_audit_list(f->st, f->org, 0, 8, on_audit, log), PARLEY_OK);
}

static void audit_clear(struct audit_log *log)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->actions[i]);
        free(log->actors[i]);
        free(log->details[i]);
    }
    memset(log, 0, sizeof *log);
}

/* ---- Google ---- */

static void test_google_import_counts(void **state)
{
    struct fixture *f = *state;
    struct store_person alice = { 0 };
    struct store_job job = { 0 };
    struct audit_log log;

    fake_users(&f->world.google, 250, "g");
    for (size_t i = 0; i < 250; i += 25)
        f->world.google.users[i].suspended = 1;                    /* 10 suspended */

    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 250, 240, 0, 0, 10, 0);
    assert_counts(job.progress_json, 250, 240, 0, 0, 10, 0);
    assert_int_equal(job.progress_done, 250);
    assert_int_equal(job.attempts, 1);
    assert_false(has_field(job.result_json, "teams_total"));
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, 0), 240);
    assert_int_equal(people_count(f, "google", 0), 240);
    assert_int_equal(people_count(f, "microsoft", 0), 0);
    assert_int_equal(atomic_load(&f->world.google.opens), 1);
    assert_int_equal(atomic_load(&f->world.google.closes), 1);

    /* Email folded to lower case; one native Google identity. */
    assert_int_equal(store_person_get_by_email(f->st, f->org, "user00001@acme.com", &alice),
                     PARLEY_OK);
    assert_string_equal(alice.email, "user00001@acme.com");
    assert_string_equal(alice.display_name, "User 00001");
    assert_string_equal(alice.given_name, "User");
    assert_int_equal(alice.identity_count, 1);
    assert_string_equal(alice.identities[0].platform, "google");
    assert_string_equal(alice.identities[0].kind, "native");
    assert_string_equal(alice.identities[0].external_id, "g-00001");
    assert_string_equal(alice.identities[0].email, "User00001@Acme.com");
    store_person_clear(&alice);
    assert_int_equal(store_person_get_by_email(f->st, f->org, "user00025@acme.com", &alice),
                     PARLEY_ERR_NOT_FOUND);                         /* suspended */

    audit_read(f, &log);
    assert_int_equal(log.n, 1);
    assert_string_equal(log.actions[0], "import.google.users");
    assert_string_equal(log.actors[0], ACTOR);
    assert_counts(log.details[0], 250, 240, 0, 0, 10, 0);
    audit_clear(&log);
}

static void test_google_reimport_is_idempotent(void **state)
{
    struct fixture *f = *state;
    struct store_person p = { 0 };
    struct store_job job = { 0 };

    fake_users(&f->world.google, 120, "g");
    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 120, 120, 0, 0, 0, 0);
    store_job_clear(&job);

    import_google(f, STORE_JOB_DONE, &job);                          /* nothing changed */
    assert_counts(job.result_json, 120, 0, 0, 120, 0, 0);
    store_job_clear(&job);

    /* Two renamed, one account re-created under a new id, one suspended. */
    snprintf(f->world.google.users[3].name, sizeof f->world.google.users[3].name, "Zoe Three");
    snprintf(f->world.google.users[4].name, sizeof f->world.google.users[4].name, "Zed Four");
    snprintf(f->world.google.users[5].id, sizeof f->world.google.users[5].id, "g-new-5");
    f->world.google.users[6].suspended = 1;
    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 120, 0, 3, 116, 1, 0);
    store_job_clear(&job);

    assert_int_equal(people_count(f, NULL, 0), 120);                 /* no duplicates */
    assert_int_equal(store_person_get_by_email(f->st, f->org, "user00003@acme.com", &p), PARLEY_OK);
    assert_string_equal(p.display_name, "Zoe Three");
    store_person_clear(&p);
    assert_int_equal(store_person_get_by_email(f->st, f->org, "user00005@acme.com", &p), PARLEY_OK);
    assert_int_equal(p.identity_count, 1);
    assert_string_equal(p.identities[0].external_id, "g-new-5");
    store_person_clear(&p);
}

static void test_google_many_pages(void **state)
{
    struct fixture *f = *state;
    struct store_job job = { 0 };

    fake_users(&f->world.google, 2500, "g");                        /* 25 pages of 100 */
    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 2500, 2500, 0, 0, 0, 0);
    store_job_clear(&job);
    assert_int_equal(people_count(f, "google", 0), 2500);

    f->world.google.page_size = 999;                               /* other page boundaries */
    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 2500, 0, 0, 2500, 0, 0);
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, 0), 2500);
}

/* An account the store refuses in the middle of a group of pages (it
 * belongs to another org): that person alone is counted failed and leaves
 * nothing behind; everyone else is written, and a re-import changes nothing. */
static void test_refused_person_in_a_group(void **state)
{
    struct fixture *f = *state;
    struct store_job job = { 0 };
    struct store_person_new other = { .email = "user00100@globex.com", .source = "google" };
    struct store_identity_new taken = { .platform = "google", .kind = "native",
                                        .external_id = "g-00100",
                                        .email = "user00100@globex.com" };
    long long other_org, other_person, ident;

    assert_int_equal(store_org_ensure(f->st, "globex", &other_org, NULL), PARLEY_OK);
    other.org_id = other_org;
    assert_int_equal(store_person_upsert(f->st, &other, 1, &other_person, NULL), PARLEY_OK);
    taken.person_id = other_person;
    assert_int_equal(store_identity_upsert(f->st, &taken, 1, &ident, NULL), PARLEY_OK);

    fake_users(&f->world.google, 250, "g");
    f->world.google.page_size = 20;                                 /* 13 pages */
    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 250, 249, 0, 0, 0, 1);
    store_job_clear(&job);
    assert_int_equal(people_count(f, "google", 0), 249);
    assert_int_equal(people_count(f, NULL, 0), 249);                /* acme only */

    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 250, 0, 0, 249, 0, 1);
    store_job_clear(&job);
    assert_int_equal(people_count(f, "google", 0), 249);
}

/* ---- Microsoft ---- */

static void seed_teams(struct fake_platform *ms)
{
    fake_users(ms, 10, "aad");
    ms->page_size = 2;
    ms->users[9].guest = 1;                                          /* another org's guest */
    ms->teams[0] = (struct fake_team){ "team-sales", "Sales", { 0, 1, 2, 3, 9 }, 5 };
    ms->teams[1] = (struct fake_team){ "team-eng", "Engineering", { 3, 4, 5 }, 3 };
    ms->teams[2] = (struct fake_team){ "team-hr", "HR", { 6 }, 1 };
    ms->nteams = 3;
}

/* A team with no members is imported too (its end alone starts the writer). */
static void test_microsoft_empty_team(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-empty" };
    struct store_job job = { 0 };

    seed_teams(&f->world.microsoft);
    f->world.microsoft.teams[3] = (struct fake_team){ "team-empty", "Empty", { 0 }, 0 };
    f->world.microsoft.nteams = 4;
    import_teams(f, ids, 1, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 0, 0, 0, 0, 0, 0);
    assert_int_equal(json_field(job.result_json, "teams_done"), 1);
    assert_int_equal(people_count(f, NULL, team_id_of(f, "team-empty")), 0);
    store_job_clear(&job);
}

/* A team deleted between the listing of teams and the listing of its
 * members is reported missing; the other teams are imported. */
static void test_microsoft_team_deleted_meanwhile(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-sales", "team-eng", "team-hr" };
    struct store_job job = { 0 };
    json_t *result, *missing;

    seed_teams(&f->world.microsoft);
    f->world.microsoft.deleted_team = "team-eng";
    import_teams(f, ids, 3, STORE_JOB_DONE, &job);
    assert_int_equal(json_field(job.result_json, "teams_done"), 2);
    assert_int_equal(json_field(job.result_json, "teams_total"), 2);
    result = json_loads(job.result_json, 0, NULL);
    missing = json_object_get(result, "missing_teams");
    assert_int_equal(json_array_size(missing), 1);
    assert_string_equal(json_string_value(json_array_get(missing, 0)), "team-eng");
    json_decref(result);
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, team_id_of(f, "team-sales")), 4);
    assert_int_equal(people_count(f, NULL, team_id_of(f, "team-hr")), 1);
    {
        struct store_team eng = { 0 };
        assert_int_equal(store_team_get_by_external(f->st, f->org, "microsoft", "team-eng", &eng),
                         PARLEY_OK);
        assert_int_equal(eng.imported, 0);                          /* saved, never imported */
        store_team_clear(&eng);
    }
}

static void test_microsoft_teams_import(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-sales", "team-eng", "team-gone", "team-sales" };
    struct store_job job = { 0 };
    struct store_team hr = { 0 };
    json_t *result, *missing;
    struct audit_log log;

    seed_teams(&f->world.microsoft);
    import_teams(f, ids, 4, STORE_JOB_DONE, &job);
    /* 8 memberships listed: the guest skipped, user 3 (in both teams) new once. */
    assert_counts(job.result_json, 8, 6, 0, 1, 1, 0);
    assert_int_equal(json_field(job.result_json, "teams_done"), 2);
    assert_int_equal(json_field(job.result_json, "teams_total"), 2);
    assert_int_equal(job.progress_done, 2);
    assert_int_equal(job.progress_total, 2);
    result = json_loads(job.result_json, 0, NULL);
    missing = json_object_get(result, "missing_teams");
    assert_int_equal(json_array_size(missing), 1);
    assert_string_equal(json_string_value(json_array_get(missing, 0)), "team-gone");
    json_decref(result);
    store_job_clear(&job);

    assert_int_equal(people_count(f, NULL, 0), 6);
    assert_int_equal(people_count(f, "microsoft", 0), 6);
    assert_int_equal(people_count(f, NULL, team_id_of(f, "team-sales")), 4);
    assert_int_equal(people_count(f, NULL, team_id_of(f, "team-eng")), 3);
    assert_int_equal(store_team_get_by_external(f->st, f->org, "microsoft", "team-hr", &hr),
                     PARLEY_ERR_NOT_FOUND);                         /* not chosen */

    audit_read(f, &log);
    assert_int_equal(log.n, 1);
    assert_string_equal(log.actions[0], "import.microsoft.teams");
    assert_counts(log.details[0], 8, 6, 0, 1, 1, 0);
    audit_clear(&log);
}

static void test_microsoft_membership_refresh(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-eng" };
    struct store_job job = { 0 };
    struct fake_platform *ms = &f->world.microsoft;

    seed_teams(ms);
    import_teams(f, ids, 1, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 3, 3, 0, 0, 0, 0);
    store_job_clear(&job);

    /* User 4 left Engineering and user 7 joined. */
    ms->teams[1] = (struct fake_team){ "team-eng", "Engineering", { 3, 5, 7 }, 3 };
    import_teams(f, ids, 1, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 3, 1, 0, 2, 0, 0);
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, team_id_of(f, "team-eng")), 3);
    assert_int_equal(people_count(f, NULL, 0), 4);                  /* user 4 is still a person */
}

/* ---- both platforms ---- */

static void test_same_email_both_platforms(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-sales" };
    struct store_person p = { 0 };
    struct store_job job = { 0 };

    seed_teams(&f->world.microsoft);                                 /* users 0-3 in Sales */
    snprintf(f->world.microsoft.users[0].name, sizeof f->world.microsoft.users[0].name,
             "Alice Teams");
    fake_users(&f->world.google, 6, "g");                            /* users 0-5 */
    import_teams(f, ids, 1, STORE_JOB_DONE, &job);
    store_job_clear(&job);

    import_google(f, STORE_JOB_DONE, &job);
    /* Users 0-3 gain a Google identity (updated); 4 and 5 are new. */
    assert_counts(job.result_json, 6, 2, 4, 0, 0, 0);
    store_job_clear(&job);
    import_google(f, STORE_JOB_DONE, &job);
    assert_counts(job.result_json, 6, 0, 0, 6, 0, 0);
    store_job_clear(&job);

    assert_int_equal(people_count(f, NULL, 0), 6);
    assert_int_equal(people_count(f, "microsoft", 0), 4);
    assert_int_equal(people_count(f, "google", 0), 6);
    assert_int_equal(store_person_get_by_email(f->st, f->org, "user00000@acme.com", &p), PARLEY_OK);
    assert_string_equal(p.display_name, "Alice Teams");             /* Microsoft's name kept */
    assert_int_equal(p.identity_count, 2);
    assert_string_equal(p.identities[0].platform, "microsoft");
    assert_string_equal(p.identities[0].external_id, "aad-00000");
    assert_string_equal(p.identities[1].platform, "google");
    assert_string_equal(p.identities[1].external_id, "g-00000");
    store_person_clear(&p);
}

/* ---- errors ---- */

static void test_retryable_error_is_retried(void **state)
{
    struct fixture *f = *state;
    struct store_job job = { 0 };

    fake_users(&f->world.google, 500, "g");
    /* The first listing is throttled after 2 pages (200 people written). */
    fake_fail(&f->world.google, 1, 2, PARLEY_ERR_THROTTLED, 1, 20,
              "Google asked to slow down (429)");
    import_google(f, STORE_JOB_DONE, &job);
    assert_int_equal(job.attempts, 2);
    assert_string_equal(job.last_error, "Google asked to slow down (429)");
    /* The counts are the successful attempt's: the first one's work is unchanged. */
    assert_counts(job.result_json, 500, 300, 0, 200, 0, 0);
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, 0), 500);
    assert_int_equal(atomic_load(&f->world.google.opens), 2);
    assert_int_equal(atomic_load(&f->world.google.closes), 2);
}

static void test_permanent_error_then_admin_retry(void **state)
{
    struct fixture *f = *state;
    struct store_job job = { 0 };
    struct audit_log log;
    long long id;

    fake_users(&f->world.google, 500, "g");
    fake_fail(&f->world.google, 1, 3, PARLEY_ERR_AUTH, 0, 0,
              "The service account key was revoked");
    import_google(f, STORE_JOB_DEAD, &job);
    assert_int_equal(job.attempts, 1);
    assert_string_equal(job.last_error, "The service account key was revoked");
    assert_null(job.result_json);
    id = job.id;
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, 0), 300);                 /* 3 committed pages */

    audit_read(f, &log);
    assert_int_equal(log.n, 1);
    assert_string_equal(log.actions[0], "import.google.users");
    assert_non_null(strstr(log.details[0], "The service account key was revoked"));
    audit_clear(&log);

    /* The admin fixes the key and retries: nothing is duplicated. */
    assert_int_equal(store_job_retry(f->st, id, clock_now_ms()), PARLEY_OK);
    jobs_pool_wake(f->pool);
    wait_finished(f, id, &job);
    assert_int_equal(job.state, STORE_JOB_DONE);
    assert_counts(job.result_json, 500, 200, 0, 300, 0, 0);
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, 0), 500);
}

static void test_permanent_error_when_opening(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-sales" };
    struct store_job job = { 0 };
    struct audit_log log;

    seed_teams(&f->world.microsoft);
    f->world.microsoft.open_err = (struct platform_error){
        .code = PARLEY_ERR_AUTH, .http_status = 401,
        .message = "The client secret is wrong (AADSTS7000215)" };
    import_teams(f, ids, 1, STORE_JOB_DEAD, &job);
    assert_int_equal(job.attempts, 1);
    assert_string_equal(job.last_error, "The client secret is wrong (AADSTS7000215)");
    store_job_clear(&job);
    assert_int_equal(people_count(f, NULL, 0), 0);

    audit_read(f, &log);
    assert_int_equal(log.n, 1);
    assert_string_equal(log.actions[0], "import.microsoft.teams");
    assert_string_equal(log.actors[0], ACTOR);
    audit_clear(&log);
}

/* ---- enqueueing ---- */

static void test_enqueue_dedup_and_payload(void **state)
{
    struct fixture *f = *state;
    const char *const ids[] = { "team-a", "team-b" };
    const char *const bad[] = { "team-a", "" };
    struct sync_import_job job = { 0 };
    char dedup[64];
    json_t *payload;
    long long id1, id2, id3;
    int created;

    assert_int_equal(sync_import_job_microsoft(&job, f->org, ids, 2, ACTOR), PARLEY_OK);
    assert_string_equal(job.spec.kind, SYNC_IMPORT_MICROSOFT_KIND);
    assert_int_equal(job.spec.org_id, f->org);
    snprintf(dedup, sizeof dedup, "import:microsoft:%lld", f->org);
    assert_string_equal(job.spec.dedup_key, dedup);
    payload = json_loads(job.spec.payload_json, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(payload, "team_ids")), 2);
    assert_string_equal(json_string_value(json_object_get(payload, "requested_by")), ACTOR);
    json_decref(payload);
    sync_import_job_clear(&job);

    assert_int_equal(sync_import_job_microsoft(&job, f->org, ids, 0, ACTOR), PARLEY_ERR_INVALID);
    assert_int_equal(sync_import_job_microsoft(&job, f->org, bad, 2, ACTOR), PARLEY_ERR_INVALID);
    assert_int_equal(sync_import_job_google(&job, 0, ACTOR), PARLEY_ERR_INVALID);
    sync_import_job_clear(&job);

    /* Stop the workers so the first job stays queued: the second is the same job. */
    jobs_pool_stop(f->pool);
    fake_users(&f->world.google, 1, "g");
    assert_int_equal(sync_import_enqueue_google(f->pool, f->org, ACTOR, &id1, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    assert_int_equal(sync_import_enqueue_google(f->pool, f->org, NULL, &id2, &created), PARLEY_OK);
    assert_int_equal(created, 0);
    assert_int_equal(id2, id1);
    assert_int_equal(sync_import_enqueue_microsoft(f->pool, f->org, ids, 2, NULL, &id3, &created),
                     PARLEY_OK);
    assert_int_equal(created, 1);                                    /* another platform */
    assert_true(id3 != id1);

    /* Other teams asked for while that import waits: the same job, which
     * now imports every team asked for (none lost, none twice). */
    {
        const char *const more[] = { "team-c", "team-a" };
        struct store_job got = { 0 };
        const json_t *teams;
        long long id4;

        assert_int_equal(sync_import_enqueue_microsoft(f->pool, f->org, more, 2, NULL, &id4,
                                                       &created), PARLEY_OK);
        assert_int_equal(created, 0);
        assert_int_equal(id4, id3);
        assert_int_equal(store_job_get(f->st, id3, &got), PARLEY_OK);
        payload = json_loads(got.payload_json, 0, NULL);
        teams = json_object_get(payload, "team_ids");
        assert_int_equal(json_array_size(teams), 3);
        assert_string_equal(json_string_value(json_array_get(teams, 0)), "team-a");
        assert_string_equal(json_string_value(json_array_get(teams, 1)), "team-b");
        assert_string_equal(json_string_value(json_array_get(teams, 2)), "team-c");
        json_decref(payload);
        store_job_clear(&got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_google_import_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_google_reimport_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_google_many_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_person_in_a_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_microsoft_teams_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_microsoft_membership_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_microsoft_team_deleted_meanwhile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_microsoft_empty_team, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_email_both_platforms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retryable_error_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent_error_then_admin_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent_error_when_opening, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enqueue_dedup_and_payload, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
