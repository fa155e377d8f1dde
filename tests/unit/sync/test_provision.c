/* test_provision.c - unit tests for user sync (src/sync/provision*.c,
 * request.c) through a real worker pool on a temporary SQLite store, against
 * a fake connector per platform: in-memory secondary accounts, with
 * throttling, permanent errors and "crashes" (the account is created, then
 * the call fails as if the process had died before recording it) injected
 * on demand.  The fake's verify checks the password, so a guest account
 * whose stored password is wrong cannot pass.
 *
 * Checked: Google-primary -> guest account (fields, password encrypted at
 * rest), Teams-primary -> interop account, status history, unsync of both,
 * 1,000 people synced under throttling without duplicates, crash recovery
 * without duplicates, permanent error then admin retry, primary switch,
 * unsync requested while provisioning, audit events, request skips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/pool.h"
#include "store/store.h"
#include "sync/provision.h"
#include "sync/request.h"
#include "util/clock.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#include "unit/store_fixture.h"

#define ACTOR "admin:root@acme.com"

/* ---- the fake connector: one per platform ---- */

struct fake_account {
    char id[32];
    char login[128];
    char password[32];
    char display[64];
    int alive;
};

struct fake_platform {
    enum platform_kind kind;
    pthread_mutex_t lock;
    struct fake_account *accounts;
    size_t n, cap;
    int next_id;
    /* counters */
    int creates, deletes, verifies;
    /* faults, consumed one per call */
    int throttle_creates;          /* 429 with Retry-After 1 ms */
    int crash_creates;             /* create, then fail as if the process died */
    int fail_creates_permanently;  /* "domain does not exist" */
};

struct platform_conn {
    struct fake_platform *fp;
};

static const char *domain_of(const struct fake_platform *fp)
{
    return fp->kind == PLATFORM_MICROSOFT ? "guests.acme.test" : "interop.acme.test";
}

/* Deterministic: the email with '@' as '_', in the secondary domain. */
static char *fake_login(struct platform_conn *conn, const struct platform_account_spec *spec)
{
    char *login = xasprintf("%s@%s", spec->person_email, domain_of(conn->fp));

    *strchr(login, '@') = '_';
    return login;
}

/* The live account LOGIN (lock held), or NULL. */
static struct fake_account *lookup(struct fake_platform *fp, const char *login)
{
    for (size_t i = 0; i < fp->n; i++)
        if (fp->accounts[i].alive && strcmp(fp->accounts[i].login, login) == 0)
            return &fp->accounts[i];
    return NULL;
}

static void fill(const struct fake_platform *fp, const struct fake_account *a,
                 struct platform_account *out, int with_password)
{
    out->external_id = xstrdup(a->id);
    out->login = xstrdup(a->login);
    out->password = with_password && fp->kind == PLATFORM_MICROSOFT ? xstrdup(a->password)
                                                                    : NULL;
}

static enum parley_err fake_find(struct platform_conn *conn, const char *login,
                                 struct platform_account *out, struct platform_error *err)
{
    struct fake_platform *fp = conn->fp;
    struct fake_account *a;

    pthread_mutex_lock(&fp->lock);
    a = lookup(fp, login);
    if (a)
        fill(fp, a, out, 0);                    /* the platform never tells a password */
    pthread_mutex_unlock(&fp->lock);
    if (!a)
        platform_error_set(err, PARLEY_ERR_NOT_FOUND, 404, "no user %s", login);
    return a ? PARLEY_OK : PARLEY_ERR_NOT_FOUND;
}

static enum parley_err fake_create(struct platform_conn *conn,
                                   const struct platform_account_spec *spec,
                                   struct platform_account *out, struct platform_error *err)
{
    struct fake_platform *fp = conn->fp;
    char *login = fake_login(conn, spec);
    enum parley_err rc = PARLEY_OK;
    struct fake_account *a;

    pthread_mutex_lock(&fp->lock);
    if (fp->throttle_creates > 0) {
        fp->throttle_creates--;
        platform_error_set(err, PARLEY_ERR_THROTTLED, 429, "Too many requests");
        err->retry_after_ms = 1;
        rc = err->code;
    } else if (fp->fail_creates_permanently > 0) {
        fp->fail_creates_permanently--;
        platform_error_set(err, PARLEY_ERR_PLATFORM, 400, "Domain does not exist: %s",
                           domain_of(fp));
        rc = err->code;
    } else if (lookup(fp, login)) {
        platform_error_set(err, PARLEY_ERR_EXISTS, 409, "%s exists", login);
        rc = err->code;
    } else {
        if (fp->n == fp->cap) {
            fp->cap = fp->cap ? 2 * fp->cap : 64;
            fp->accounts = xrealloc(fp->accounts, fp->cap * sizeof *fp->accounts);
        }
        a = &fp->accounts[fp->n++];
        memset(a, 0, sizeof *a);
        snprintf(a->id, sizeof a->id, "%c-%d", fp->kind == PLATFORM_MICROSOFT ? 'm' : 'g',
                 ++fp->next_id);
        snprintf(a->login, sizeof a->login, "%s", login);
        snprintf(a->password, sizeof a->password, "pw-%d", fp->next_id);
        snprintf(a->display, sizeof a->display, "%s", spec->display_name);
        a->alive = 1;
        fp->creates++;
        if (fp->crash_creates > 0) {
            /* Created, but the answer never reaches the caller. */
            fp->crash_creates--;
            platform_error_set(err, PARLEY_ERR_NETWORK, 0, "connection reset");
            rc = err->code;
        } else {
            fill(fp, a, out, 1);
        }
    }
    pthread_mutex_unlock(&fp->lock);
    free(login);
    return rc;
}

static enum parley_err fake_verify(struct platform_conn *conn,
                                   const struct platform_account *account,
                                   struct platform_error *err)
{
    struct fake_platform *fp = conn->fp;
    struct fake_account *a;
    int ok;

    pthread_mutex_lock(&fp->lock);
    fp->verifies++;
    a = lookup(fp, account->login);
    ok = a && strcmp(a->id, account->external_id) == 0 &&
         (fp->kind == PLATFORM_GOOGLE ||
          (account->password && strcmp(a->password, account->password) == 0));
    pthread_mutex_unlock(&fp->lock);
    if (!ok)
        platform_error_set(err, PARLEY_ERR_AUTH, 400, "invalid_grant for %s", account->login);
    return ok ? PARLEY_OK : PARLEY_ERR_AUTH;
}

static enum parley_err fake_delete(struct platform_conn *conn, const char *external_id,
                                   struct platform_error *err)
{
    struct fake_platform *fp = conn->fp;

    (void)err;
    pthread_mutex_lock(&fp->lock);
    for (size_t i = 0; i < fp->n; i++) {
        if (fp->accounts[i].alive && strcmp(fp->accounts[i].id, external_id) == 0) {
            fp->accounts[i].alive = 0;
            fp->deletes++;
        }
    }
    pthread_mutex_unlock(&fp->lock);
    return PARLEY_OK;
}

static void fake_close(struct platform_conn *conn)
{
    free(conn);
}

static const struct platform_ops fake_ops = {
    .kind = PLATFORM_GOOGLE,
    .close = fake_close,
    .account_login = fake_login,
    .account_find = fake_find,
    .account_create = fake_create,
    .account_verify = fake_verify,
    .account_delete = fake_delete,
};

struct fake_world {
    struct fake_platform platform[2];      /* by enum platform_kind */
};

static enum parley_err fake_open_conn(void *ctx, long long org_id, enum platform_kind kind,
                                      const struct platform_ops **ops,
                                      struct platform_conn **conn, struct platform_error *err)
{
    struct fake_world *world = ctx;

    (void)err;
    assert_true(org_id > 0);
    *ops = &fake_ops;
    *conn = xcalloc(1, sizeof **conn);
    (*conn)->fp = &world->platform[kind];
    return PARLEY_OK;
}

/* Live accounts of FP. */
static int alive(struct fake_platform *fp)
{
    int n = 0;

    pthread_mutex_lock(&fp->lock);
    for (size_t i = 0; i < fp->n; i++)
        n += fp->accounts[i].alive;
    pthread_mutex_unlock(&fp->lock);
    return n;
}

/* ---- fixture ---- */

struct fixture {
    struct store_fixture *base;
    struct store *st;
    long long org;
    struct secret_key *key;
    struct fake_world world;
    struct sync_env env;
    struct jobs_pool *pool;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    struct jobs_pool_config cfg = { .threads = 4, .poll_ms = 20,
                                    .backoff = { .base_ms = 1, .cap_ms = 5 } };
    char *key_path;

    *state = f;
    if (!(f->base = store_fixture_open("provision")))
        return -1;
    f->st = f->base->st;
    key_path = xasprintf("%s/master.key", f->base->dir);
    if (secret_key_load(key_path, 1, &f->key) != PARLEY_OK)
        return -1;
    free(key_path);
    for (int k = 0; k < 2; k++) {
        f->world.platform[k].kind = (enum platform_kind)k;
        pthread_mutex_init(&f->world.platform[k].lock, NULL);
    }
    if (store_org_ensure(f->st, "acme", &f->org, NULL) != PARLEY_OK)
        return -1;
    f->env = (struct sync_env){ .st = f->st, .open_conn = fake_open_conn, .ctx = &f->world,
                                .key = f->key };
    f->pool = jobs_pool_new(f->st, &cfg);
    if (sync_provision_register(f->pool, &f->env) != PARLEY_OK ||
        jobs_pool_start(f->pool) != PARLEY_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    jobs_pool_free(f->pool);
    for (int k = 0; k < 2; k++) {
        free(f->world.platform[k].accounts);
        pthread_mutex_destroy(&f->world.platform[k].lock);
    }
    secret_key_free(f->key);
    store_fixture_close(f->base);
    free(f);
    return 0;
}

/* ---- helpers ---- */

/* A person imported from PLATFORM with primary PRIMARY (NULL: none chosen). */
static long long person(struct fixture *f, const char *email, const char *platform,
                        const char *primary)
{
    struct store_person_new p = { .org_id = f->org, .email = email, .display_name = email,
                                  .given_name = "Given", .source = platform };
    struct store_identity_new native = { .platform = platform, .kind = "native",
                                         .email = email };
    char *external = xasprintf("native-%s", email);
    long long id = 0, ident = 0;

    assert_int_equal(store_person_upsert(f->st, &p, 1, &id, NULL), PARLEY_OK);
    native.person_id = id;
    native.external_id = external;
    assert_int_equal(store_identity_upsert(f->st, &native, 1, &ident, NULL), PARLEY_OK);
    if (primary)
        assert_int_equal(store_person_set_primary(f->st, f->org, id, primary, 2, NULL),
                         PARLEY_OK);
    free(external);
    return id;
}

static struct sync_selection one(struct fixture *f, const long long *id)
{
    return (struct sync_selection){ .org_id = f->org, .ids = id, .count = 1 };
}

/* The person's status name (a new string). */
static char *status_of(struct fixture *f, long long id)
{
    struct store_person p;
    char *status;

    assert_int_equal(store_person_get(f->st, f->org, id, &p), PARLEY_OK);
    status = xstrdup(p.sync_status);
    store_person_clear(&p);
    return status;
}

static enum parley_err print_job(const struct store_job *job, void *arg)
{
    (void)arg;
    fprintf(stderr, "job %lld %s %s attempts %d/%d not_before %lld lease %s error %s\n",
            job->id, job->kind, store_job_state_name(job->state), job->attempts,
            job->max_attempts, job->not_before, job->lease_owner ? job->lease_owner : "-",
            job->last_error ? job->last_error : "-");
    return PARLEY_OK;
}

/* Wait (up to a minute) until the person's status is one of the settled
 * ones: synced, error or imported. */
static void wait_settled(struct fixture *f, long long id, const char *expect)
{
    for (int i = 0; i < 6000; i++) {
        char *status = status_of(f, id);
        int settled = strcmp(status, "synced") == 0 || strcmp(status, "error") == 0 ||
                      strcmp(status, "imported") == 0;
        if (settled) {
            assert_string_equal(status, expect);
            free(status);
            return;
        }
        free(status);
        clock_sleep_ms(5);
    }
    char *status = status_of(f, id);
    fprintf(stderr, "person %lld is still %s; jobs:\n", id, status);
    free(status);
    store_job_list(f->st, 0, NULL, 50, print_job, NULL);
    fail_msg("person %lld never settled", id);
}

/* Wait until no sync job is queued or running. */
static enum parley_err on_job(const struct store_job *job, void *arg)
{
    int *live = arg;

    *live += job->state == STORE_JOB_QUEUED || job->state == STORE_JOB_RUNNING;
    return PARLEY_OK;
}

static void wait_jobs_idle(struct fixture *f, const char *kind)
{
    for (int i = 0; i < 12000; i++) {
        int live = 0;
        assert_int_equal(store_job_list(f->st, f->org, kind, 1000, on_job, &live), PARLEY_OK);
        if (!live)
            return;
        clock_sleep_ms(5);
    }
    fail_msg("sync jobs never finished");
}

/* The person's secondary identity (PLATFORM, KIND), copied into *out;
 * returns 0 when there is none. */
static int secondary(struct fixture *f, long long id, const char *platform, const char *kind,
                     struct store_identity *out)
{
    struct store_person p;
    int found = 0;

    assert_int_equal(store_person_get(f->st, f->org, id, &p), PARLEY_OK);
    for (size_t i = 0; i < p.identity_count; i++) {
        if (strcmp(p.identities[i].platform, platform) == 0 &&
            strcmp(p.identities[i].kind, kind) == 0) {
            *out = p.identities[i];
            memset(&p.identities[i], 0, sizeof p.identities[i]);
            found = 1;
        }
    }
    store_person_clear(&p);
    return found;
}

/* The password stored for identity IDENT, decrypted (a new string). */
static char *stored_password(struct fixture *f, long long ident)
{
    unsigned char *box = NULL, *plain = NULL;
    size_t len = 0, plain_len = 0;
    char *copy;

    assert_int_equal(store_identity_get_secret(f->st, ident, &box, &len), PARLEY_OK);
    assert_non_null(box);
    assert_int_equal(secret_decrypt(f->key, box, len, &plain, &plain_len), PARLEY_OK);
    copy = xstrdup((const char *)plain);
    secret_wipe_free(plain, plain_len);
    free(box);
    return copy;
}

static void sync_one(struct fixture *f, long long id, const char *expect)
{
    struct sync_selection sel = one(f, &id);
    struct sync_request_counts counts;

    assert_int_equal(sync_request_sync(f->st, f->pool, &sel, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(counts.changed, 1);
    assert_int_equal(counts.jobs, 1);
    wait_settled(f, id, expect);
    wait_jobs_idle(f, NULL);
}

static void unsync_one(struct fixture *f, long long id)
{
    struct sync_selection sel = one(f, &id);
    struct sync_request_counts counts;

    assert_int_equal(sync_request_unsync(f->st, f->pool, &sel, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(counts.changed, 1);
    wait_settled(f, id, "imported");
    wait_jobs_idle(f, NULL);
}

/* How many audit events of ACTION name TARGET (NULL: any) with DETAIL in
 * their details (NULL: any); each must be by ACTOR. */
struct audit_count {
    const char *action;
    const char *target;
    const char *detail;            /* a substring the details must hold, or NULL */
    int n;
    long long last_id;             /* paging */
    int seen;
};

static enum parley_err on_audit(const struct store_audit_event *e, void *arg)
{
    struct audit_count *c = arg;

    c->last_id = e->id;
    c->seen++;

    if (strcmp(e->action, c->action) == 0 && (!c->target || strcmp(e->target, c->target) == 0) &&
        (!c->detail || (e->details_json && strstr(e->details_json, c->detail)))) {
        assert_string_equal(e->actor, ACTOR);
        c->n++;
    }
    return PARLEY_OK;
}

static int audits(struct fixture *f, const char *action, const char *target, const char *detail)
{
    struct audit_count c = { action, target, detail, 0, 0, 0 };

    do {
        c.seen = 0;
        assert_int_equal(store_audit_list(f->st, f->org, c.last_id, 500, on_audit, &c),
                         PARLEY_OK);
    } while (c.seen == 500);
    return c.n;
}

struct history {
    char text[512];
};

static enum parley_err on_event(const struct store_sync_event *e, void *arg)
{
    struct history *h = arg;
    size_t len = strlen(h->text);

    snprintf(h->text + len, sizeof h->text - len, "%s%s", len ? "," : "",
             store_sync_status_name(e->to));
    return PARLEY_OK;
}

/* The person's statuses, newest first, e.g. "synced,provisioning,pending". */
static void assert_history(struct fixture *f, long long id, const char *expect)
{
    struct history h = { "" };

    assert_int_equal(store_person_sync_history(f->st, f->org, id, 0, 100, on_event, &h),
                     PARLEY_OK);
    assert_string_equal(h.text, expect);
}

/* ---- tests ---- */

static void test_google_primary_gets_guest_account(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *ms = &f->world.platform[PLATFORM_MICROSOFT];
    long long id = person(f, "greg@acme.com", "google", "google");
    struct store_identity guest;
    char *password;

    sync_one(f, id, "synced");
    assert_int_equal(ms->creates, 1);
    assert_int_equal(alive(ms), 1);
    assert_int_equal(alive(&f->world.platform[PLATFORM_GOOGLE]), 0);
    assert_string_equal(ms->accounts[0].login, "greg_acme.com@guests.acme.test");
    assert_string_equal(ms->accounts[0].display, "greg@acme.com");
    assert_true(secondary(f, id, "microsoft", "guest", &guest));
    assert_string_equal(guest.external_id, ms->accounts[0].id);
    assert_string_equal(guest.email, "greg_acme.com@guests.acme.test");
    assert_string_equal(guest.state, "active");
    /* The password is stored encrypted: the blob is not the password, and
     * decrypts under the master key to what the platform was given. */
    {
        unsigned char *box = NULL;
        size_t len = 0;
        assert_int_equal(store_identity_get_secret(f->st, guest.id, &box, &len), PARLEY_OK);
        assert_true(len > strlen(ms->accounts[0].password));
        assert_null(memmem(box, len, ms->accounts[0].password,
                           strlen(ms->accounts[0].password)));
        free(box);
    }
    password = stored_password(f, guest.id);
    assert_string_equal(password, ms->accounts[0].password);
    free(password);
    store_identity_clear(&guest);
    assert_history(f, id, "synced,provisioning,pending");
    assert_int_equal(audits(f, SYNC_PROVISION_KIND, "greg@acme.com", "\"created\""), 1);
    assert_int_equal(audits(f, "sync.request.sync", NULL, NULL), 1);

    /* Syncing a synced person again is skipped. */
    {
        struct sync_selection sel = one(f, &id);
        struct sync_request_counts counts;
        assert_int_equal(sync_request_sync(f->st, f->pool, &sel, ACTOR, &counts), PARLEY_OK);
        assert_int_equal(counts.skipped, 1);
        assert_int_equal(counts.jobs, 0);
    }
}

static void test_teams_primary_gets_interop_account_and_unsync(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *g = &f->world.platform[PLATFORM_GOOGLE];
    long long alice = person(f, "alice@acme.com", "microsoft", "microsoft");
    long long greg = person(f, "greg@acme.com", "google", "google");
    struct store_identity ident;
    unsigned char *box = NULL;
    size_t len = 0;

    sync_one(f, alice, "synced");
    sync_one(f, greg, "synced");
    assert_int_equal(g->creates, 1);
    assert_string_equal(g->accounts[0].login, "alice_acme.com@interop.acme.test");
    assert_true(secondary(f, alice, "google", "interop", &ident));
    assert_string_equal(ident.external_id, g->accounts[0].id);
    /* No password for interop accounts: Parley acts through delegation. */
    assert_int_equal(store_identity_get_secret(f->st, ident.id, &box, &len), PARLEY_OK);
    assert_null(box);
    store_identity_clear(&ident);

    unsync_one(f, alice);
    unsync_one(f, greg);
    assert_int_equal(alive(g), 0);
    assert_int_equal(alive(&f->world.platform[PLATFORM_MICROSOFT]), 0);
    assert_false(secondary(f, alice, "google", "interop", &ident));
    assert_false(secondary(f, greg, "microsoft", "guest", &ident));
    /* The native identities stay. */
    assert_true(secondary(f, alice, "microsoft", "native", &ident));
    store_identity_clear(&ident);
    assert_history(f, alice, "imported,unsyncing,synced,provisioning,pending");
    assert_int_equal(audits(f, SYNC_UNSYNC_KIND, "alice@acme.com", "\"deleted\""), 1);
    assert_int_equal(audits(f, SYNC_UNSYNC_KIND, "greg@acme.com", NULL), 1);
}

/* 1,000 people by filter, under throttling: all synced, one account each. */
static void test_bulk_sync_with_throttling(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *ms = &f->world.platform[PLATFORM_MICROSOFT];
    struct fake_platform *g = &f->world.platform[PLATFORM_GOOGLE];
    struct store_people_query q = { .org_id = f->org, .sync_status = "imported" };
    struct sync_selection all = { .org_id = f->org, .filter = &q };
    struct sync_request_counts counts;
    long long status[STORE_SYNC_STATUS_COUNT];
    char email[32];

    for (int i = 0; i < 1000; i++) {
        snprintf(email, sizeof email, "user%04d@acme.com", i);
        person(f, email, i % 2 ? "google" : "microsoft", NULL);
    }
    /* Everyone's primary is the platform they came from. */
    q.platform = "google";
    assert_int_equal(sync_request_primary(f->st, f->pool, &all, "google", ACTOR, &counts),
                     PARLEY_OK);
    assert_int_equal(counts.changed, 500);
    q.platform = "microsoft";
    assert_int_equal(sync_request_primary(f->st, f->pool, &all, "microsoft", ACTOR, &counts),
                     PARLEY_OK);
    assert_int_equal(counts.changed, 500);
    assert_int_equal(counts.jobs, 0);
    q.platform = NULL;

    ms->throttle_creates = 60;
    g->throttle_creates = 60;
    assert_int_equal(sync_request_sync(f->st, f->pool, &all, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(counts.selected, 1000);
    assert_int_equal(counts.changed, 1000);
    assert_int_equal(counts.jobs, 1000);
    wait_jobs_idle(f, SYNC_PROVISION_KIND);

    assert_int_equal(store_sync_counts(f->st, f->org, status), PARLEY_OK);
    assert_int_equal(status[STORE_SYNC_SYNCED], 1000);
    assert_int_equal(ms->throttle_creates, 0);          /* the throttling was met ... */
    assert_int_equal(g->throttle_creates, 0);
    assert_int_equal(ms->creates, 500);                 /* ... and nothing was made twice */
    assert_int_equal(g->creates, 500);
    assert_int_equal(alive(ms), 500);
    assert_int_equal(alive(g), 500);
    assert_int_equal(audits(f, SYNC_PROVISION_KIND, NULL, NULL), 1000);
}

/* The account is created but the attempt dies before recording it: the
 * retry finds it by its login instead of creating a second one. */
static void test_crash_after_create_is_adopted(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *ms = &f->world.platform[PLATFORM_MICROSOFT];
    struct fake_platform *g = &f->world.platform[PLATFORM_GOOGLE];
    long long alice = person(f, "alice@acme.com", "microsoft", "microsoft");
    long long greg = person(f, "greg@acme.com", "google", "google");
    struct store_identity ident;
    char *password;

    /* Google: the interop account is adopted as it is. */
    g->crash_creates = 1;
    sync_one(f, alice, "synced");
    assert_int_equal(g->creates, 1);
    assert_int_equal(alive(g), 1);
    assert_true(secondary(f, alice, "google", "interop", &ident));
    assert_string_equal(ident.external_id, g->accounts[0].id);
    store_identity_clear(&ident);
    assert_int_equal(audits(f, SYNC_PROVISION_KIND, "alice@acme.com", "\"adopted\""), 1);

    /* Microsoft: nobody knows the orphan's password, so it is replaced by
     * one whose password Parley keeps; one account remains. */
    ms->crash_creates = 1;
    sync_one(f, greg, "synced");
    assert_int_equal(ms->creates, 2);
    assert_int_equal(ms->deletes, 1);
    assert_int_equal(alive(ms), 1);
    assert_true(secondary(f, greg, "microsoft", "guest", &ident));
    assert_string_equal(ident.external_id, ms->accounts[1].id);
    password = stored_password(f, ident.id);
    assert_string_equal(password, ms->accounts[1].password);
    free(password);
    store_identity_clear(&ident);
    assert_int_equal(audits(f, SYNC_PROVISION_KIND, "greg@acme.com", "\"recreated\""), 1);

    /* A job that runs again after success (at-least-once) changes nothing. */
    {
        struct store_sync_move m = { .org_id = f->org, .person_id = greg,
                                     .from = STORE_SYNC_ANY, .to = STORE_SYNC_PENDING };
        assert_int_equal(store_person_sync_move(f->st, &m, clock_now_ms(), NULL), PARLEY_OK);
        sync_one(f, greg, "synced");
        assert_int_equal(ms->creates, 2);
        assert_int_equal(alive(ms), 1);
        assert_int_equal(audits(f, SYNC_PROVISION_KIND, "greg@acme.com", "\"adopted\""), 1);
    }
}

static void test_permanent_error_then_retry(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *ms = &f->world.platform[PLATFORM_MICROSOFT];
    long long greg = person(f, "greg@acme.com", "google", "google");
    struct store_person p;

    ms->fail_creates_permanently = 1;
    sync_one(f, greg, "error");
    assert_int_equal(store_person_get(f->st, f->org, greg, &p), PARLEY_OK);
    assert_non_null(strstr(p.status_reason, "Domain does not exist"));
    store_person_clear(&p);
    assert_int_equal(alive(ms), 0);
    assert_int_equal(audits(f, SYNC_PROVISION_KIND, "greg@acme.com", "Domain does not exist"),
                     1);

    /* The admin fixes the tenant and retries. */
    sync_one(f, greg, "synced");
    assert_int_equal(alive(ms), 1);
    assert_history(f, greg, "synced,provisioning,pending,error,provisioning,pending");
}

/* Synced Google-primary; the admin makes them Teams-primary: the guest
 * account goes, an interop account comes. */
static void test_change_primary_platform(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *ms = &f->world.platform[PLATFORM_MICROSOFT];
    struct fake_platform *g = &f->world.platform[PLATFORM_GOOGLE];
    long long sam = person(f, "sam@acme.com", "google", "google");
    struct store_identity_new also_teams = { .person_id = sam, .platform = "microsoft",
                                             .kind = "native", .external_id = "sam-teams",
                                             .email = "sam@acme.com" };
    struct sync_selection sel = one(f, &sam);
    struct sync_request_counts counts;
    struct store_identity ident;
    long long ident_id;

    sync_one(f, sam, "synced");
    assert_int_equal(alive(ms), 1);
    /* Sam also has a Teams account, so Teams can be their primary. */
    assert_int_equal(store_identity_upsert(f->st, &also_teams, 3, &ident_id, NULL), PARLEY_OK);
    assert_int_equal(sync_request_primary(f->st, f->pool, &sel, "microsoft", ACTOR, &counts),
                     PARLEY_OK);
    assert_int_equal(counts.changed, 1);
    assert_int_equal(counts.jobs, 1);
    wait_settled(f, sam, "synced");
    wait_jobs_idle(f, SYNC_PROVISION_KIND);
    assert_int_equal(alive(ms), 0);
    assert_int_equal(alive(g), 1);
    assert_false(secondary(f, sam, "microsoft", "guest", &ident));
    assert_true(secondary(f, sam, "google", "interop", &ident));
    store_identity_clear(&ident);
    assert_history(f, sam, "synced,provisioning,pending,synced,provisioning,pending");

    /* A platform the person has no account on cannot be their primary. */
    {
        long long greg = person(f, "greg@acme.com", "google", "google");
        sel = one(f, &greg);
        assert_int_equal(sync_request_primary(f->st, f->pool, &sel, "microsoft", ACTOR,
                                              &counts), PARLEY_OK);
        assert_int_equal(counts.skipped, 1);
    }
}

/* People without a primary platform, or unknown, are skipped; unsync of
 * a person never synced is skipped. */
static void test_request_skips(void **state)
{
    struct fixture *f = *state;
    long long ids[3] = { person(f, "nobody@acme.com", "google", NULL), 999999, 0 };
    struct sync_selection sel = { .org_id = f->org, .ids = ids, .count = 2 };
    struct sync_request_counts counts;
    char *status;

    ids[2] = person(f, "ana@acme.com", "google", "google");
    assert_int_equal(sync_request_sync(f->st, f->pool, &sel, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(counts.selected, 2);
    assert_int_equal(counts.skipped, 2);
    assert_int_equal(counts.jobs, 0);
    sel = one(f, &ids[2]);
    assert_int_equal(sync_request_unsync(f->st, f->pool, &sel, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(counts.skipped, 1);
    status = status_of(f, ids[2]);
    assert_string_equal(status, "imported");
    free(status);
    assert_int_equal(sync_request_primary(f->st, f->pool, &sel, "slack", ACTOR, &counts),
                     PARLEY_ERR_INVALID);
}

/* An unsync asked for while the provision job is still queued is folded
 * into it (same dedup key): the job converges to "not synced". */
static void test_unsync_while_pending(void **state)
{
    struct fixture *f = *state;
    struct fake_platform *ms = &f->world.platform[PLATFORM_MICROSOFT];
    long long greg = person(f, "greg@acme.com", "google", "google");
    struct sync_selection sel = one(f, &greg);
    struct sync_request_counts counts;

    jobs_pool_stop(f->pool);                        /* hold the jobs in the queue */
    assert_int_equal(sync_request_sync(f->st, NULL, &sel, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(sync_request_unsync(f->st, NULL, &sel, ACTOR, &counts), PARLEY_OK);
    assert_int_equal(counts.jobs, 1);
    jobs_pool_free(f->pool);
    f->pool = jobs_pool_new(f->st, &(struct jobs_pool_config){ .threads = 2, .poll_ms = 10 });
    assert_int_equal(sync_provision_register(f->pool, &f->env), PARLEY_OK);
    assert_int_equal(jobs_pool_start(f->pool), PARLEY_OK);
    wait_settled(f, greg, "imported");
    wait_jobs_idle(f, NULL);
    assert_int_equal(alive(ms), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_google_primary_gets_guest_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_teams_primary_gets_interop_account_and_unsync,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_sync_with_throttling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_create_is_adopted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent_error_then_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_primary_platform, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsync_while_pending, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
