/* test_sqlite.c - unit tests for the SQLite store (src/store/sqlite*.c through store.h):
 * migrations and upgrades, orgs, admins, roles, sessions, login failures,
 * audit paging, connections, transactions, per-thread connections, job rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite.h"
#include "store/store.h"
#include "util/xmalloc.h"

#include "unit/store_fixture.h"

static int setup_raw(void **state)
{
    *state = store_fixture_open_raw("store");
    return *state ? 0 : -1;
}

static int setup(void **state)
{
    *state = store_fixture_open("store");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    store_fixture_close(*state);
    return 0;
}

/* ---- opening and migrations ---- */

static void test_store_open_urls(void **state)
{
    struct store_fixture *f = *state;
    struct store *st = (struct store *)1;
    char *url = xasprintf("sqlite://%s", f->path);

    assert_int_equal(store_open("postgres://u@localhost/parley", &st), PARLEY_ERR_UNSUPPORTED);
    assert_null(st);
    assert_int_equal(store_open("postgresql://localhost/parley", &st), PARLEY_ERR_UNSUPPORTED);
    assert_int_equal(store_open(":memory:", &st), PARLEY_ERR_INVALID);
    assert_int_equal(store_open("sqlite:/nonexistent-dir/x/y.db", &st), PARLEY_ERR_STORE);
    assert_null(st);
    /* sqlite:// and a bare path reach the same database. */
    assert_int_equal(store_open(url, &st), PARLEY_OK);
    assert_int_equal(store_ping(st), PARLEY_OK);
    store_close(st);
    assert_int_equal(store_open(f->path, &st), PARLEY_OK);
    assert_int_equal(store_ping(st), PARLEY_OK);
    store_close(st);
    store_close(NULL);
    free(url);
}

static void test_store_fresh_migrate(void **state)
{
    struct store_fixture *f = *state;
    int current = -1, latest = -1, applied = -1;

    assert_int_equal(store_schema_version(f->st, &current, &latest), PARLEY_OK);
    assert_int_equal(current, 0);
    assert_true(latest >= 2);
    assert_int_equal(store_ping(f->st), PARLEY_ERR_SCHEMA);     /* not migrated yet */

    assert_int_equal(store_migrate(f->st, &applied), PARLEY_OK);
    assert_int_equal(applied, latest);
    assert_int_equal(store_schema_version(f->st, &current, &latest), PARLEY_OK);
    assert_int_equal(current, latest);
    assert_int_equal(store_ping(f->st), PARLEY_OK);

    assert_int_equal(store_migrate(f->st, &applied), PARLEY_OK);  /* idempotent */
    assert_int_equal(applied, 0);
}

static enum parley_err collect_audit_ids(const struct store_audit_event *e, void *arg)
{
    long long *ids = arg;

    ids[++ids[0]] = e->id;
    return PARLEY_OK;
}

static void test_store_upgrade_from_version_1(void **state)
{
    struct store_fixture *f = *state;
    struct store_org org = { 0 };
    long long org_id, ids[8] = { 0 };
    int applied, current, latest;

    assert_int_equal(store_migrate_to(f->st, 1, &applied), PARLEY_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(store_schema_version(f->st, &current, &latest), PARLEY_OK);
    assert_int_equal(current, 1);
    assert_int_equal(store_org_ensure(f->st, "acme", &org_id, NULL), PARLEY_OK);
    assert_int_equal(store_audit_add(f->st, org_id, "system", "org.create", "acme", NULL),
                     PARLEY_OK);

    /* Upgrade a database that a second process already has open. */
    assert_int_equal(store_migrate(f->st, &applied), PARLEY_OK);
    assert_int_equal(applied, latest - 1);
    assert_int_equal(store_ping(f->st), PARLEY_OK);
    assert_int_equal(store_org_get_by_name(f->st, "acme", &org), PARLEY_OK);
    assert_int_equal(org.id, org_id);
    assert_int_equal(store_audit_list(f->st, org_id, 0, 10, collect_audit_ids, ids), PARLEY_OK);
    assert_int_equal(ids[0], 1);
    store_org_clear(&org);
}

static void test_store_refuses_newer_schema(void **state)
{
    struct store_fixture *f = *state;
    sqlite3 *db = NULL;
    int current, latest, applied = -1;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_migrations (version, name, applied_at)"
                                      " VALUES (999, 'from the future', 0)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(store_migrate(f->st, &applied), PARLEY_ERR_SCHEMA);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(f->st, &current, &latest), PARLEY_OK);
    assert_int_equal(current, 999);
    assert_int_equal(store_ping(f->st), PARLEY_ERR_SCHEMA);
}

/* ---- orgs ---- */

static void test_store_orgs(void **state)
{
    struct store_fixture *f = *state;
    struct store_org org = { 0 };
    long long id1, id2, id3;
    int created = -1;

    assert_int_equal(store_org_ensure(f->st, "acme", &id1, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    assert_int_equal(store_org_ensure(f->st, "acme", &id2, &created), PARLEY_OK);
    assert_int_equal(created, 0);
    assert_int_equal(id1, id2);
    assert_int_equal(store_org_ensure(f->st, "globex", &id3, &created), PARLEY_OK);
    assert_int_equal(created, 1);
    assert_int_not_equal(id3, id1);

    assert_int_equal(store_org_get(f->st, id1, &org), PARLEY_OK);
    assert_string_equal(org.name, "acme");
    assert_true(org.created_at > 0);
    store_org_clear(&org);
    store_org_clear(&org);                                      /* idempotent */
    assert_int_equal(store_org_get_by_name(f->st, "globex", &org), PARLEY_OK);
    assert_int_equal(org.id, id3);
    store_org_clear(&org);
    assert_int_equal(store_org_get(f->st, 4242, &org), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_org_get_by_name(f->st, "nope", &org), PARLEY_ERR_NOT_FOUND);
    assert_null(org.name);
    assert_int_equal(store_org_ensure(f->st, "", &id1, NULL), PARLEY_ERR_INVALID);
}

/* ---- admins and roles ---- */

static void test_store_admins(void **state)
{
    struct store_fixture *f = *state;
    struct store_admin a = { 0 };
    long long id, dup;

    assert_int_equal(store_admin_create(f->st, "Alice@Example.COM", "$argon2id$h1", &id), PARLEY_OK);
    assert_int_equal(store_admin_create(f->st, "alice@example.com", "$argon2id$h2", &dup),
                     PARLEY_ERR_EXISTS);
    assert_int_equal(store_admin_get_by_email(f->st, "ALICE@example.com", &a), PARLEY_OK);
    assert_int_equal(a.id, id);
    assert_string_equal(a.email, "alice@example.com");          /* stored lower-case */
    assert_string_equal(a.password_hash, "$argon2id$h1");
    store_admin_clear(&a);

    assert_int_equal(store_admin_set_password(f->st, id, "$argon2id$h3"), PARLEY_OK);
    assert_int_equal(store_admin_get(f->st, id, &a), PARLEY_OK);
    assert_string_equal(a.password_hash, "$argon2id$h3");
    store_admin_clear(&a);
    assert_int_equal(store_admin_set_password(f->st, id + 100, "x"), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_admin_get(f->st, id + 100, &a), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_admin_get_by_email(f->st, "bob@example.com", &a), PARLEY_ERR_NOT_FOUND);
}

static void test_store_roles(void **state)
{
    struct store_fixture *f = *state;
    struct store_role *roles = NULL;
    size_t count = 99;
    long long admin, zeta, acme, other;

    assert_int_equal(store_admin_create(f->st, "root@example.com", "h", &admin), PARLEY_OK);
    assert_int_equal(store_admin_create(f->st, "other@example.com", "h", &other), PARLEY_OK);
    assert_int_equal(store_org_ensure(f->st, "zeta", &zeta, NULL), PARLEY_OK);
    assert_int_equal(store_org_ensure(f->st, "acme", &acme, NULL), PARLEY_OK);

    assert_int_equal(store_admin_roles(f->st, admin, &roles, &count), PARLEY_OK);
    assert_int_equal(count, 0);
    store_roles_free(roles, count);

    assert_int_equal(store_admin_role_set(f->st, admin, zeta, "viewer"), PARLEY_OK);
    assert_int_equal(store_admin_role_set(f->st, admin, acme, "admin"), PARLEY_OK);
    assert_int_equal(store_admin_role_set(f->st, admin, acme, "owner"), PARLEY_OK);  /* update */
    assert_int_equal(store_admin_role_set(f->st, other, acme, "viewer"), PARLEY_OK);
    assert_int_equal(store_admin_role_set(f->st, admin, acme, "superuser"), PARLEY_ERR_INVALID);
    assert_int_equal(store_admin_role_set(f->st, admin, 9999, "admin"), PARLEY_ERR_NOT_FOUND);

    assert_int_equal(store_admin_roles(f->st, admin, &roles, &count), PARLEY_OK);
    assert_int_equal(count, 2);
    assert_int_equal(roles[0].org_id, acme);                    /* ordered by org name */
    assert_string_equal(roles[0].org_name, "acme");
    assert_string_equal(roles[0].role, "owner");
    assert_int_equal(roles[1].org_id, zeta);
    assert_string_equal(roles[1].role, "viewer");
    store_roles_free(roles, count);
}

/* ---- sessions and login failures ---- */

static void test_store_sessions(void **state)
{
    struct store_fixture *f = *state;
    struct store_session s = { 0 };
    long long admin;

    assert_int_equal(store_admin_create(f->st, "a@x.com", "h", &admin), PARLEY_OK);
    assert_int_equal(store_session_create(f->st, "hash-1", admin, "csrf-1", 1000), PARLEY_OK);
    assert_int_equal(store_session_create(f->st, "hash-2", admin, "csrf-2", 5000), PARLEY_OK);
    assert_int_equal(store_session_create(f->st, "hash-1", admin, "csrf-3", 9000),
                     PARLEY_ERR_EXISTS);
    assert_int_equal(store_session_create(f->st, "hash-9", admin + 50, "c", 9000),
                     PARLEY_ERR_NOT_FOUND);                     /* no such admin */

    assert_int_equal(store_session_get(f->st, "hash-1", 999, &s), PARLEY_OK);
    assert_int_equal(s.admin_id, admin);
    assert_string_equal(s.csrf_token, "csrf-1");
    assert_int_equal(s.expires_at, 1000);
    store_session_clear(&s);
    assert_int_equal(store_session_get(f->st, "hash-1", 1000, &s), PARLEY_ERR_NOT_FOUND);  /* expired */

    assert_int_equal(store_sessions_purge_expired(f->st, 2000), PARLEY_OK);
    assert_int_equal(store_session_get(f->st, "hash-1", 0, &s), PARLEY_ERR_NOT_FOUND);   /* purged */
    assert_int_equal(store_session_get(f->st, "hash-2", 2000, &s), PARLEY_OK);
    store_session_clear(&s);
    assert_int_equal(store_session_delete(f->st, "hash-2"), PARLEY_OK);
    assert_int_equal(store_session_get(f->st, "hash-2", 2000, &s), PARLEY_ERR_NOT_FOUND);
}

static void test_store_login_failures(void **state)
{
    struct store_fixture *f = *state;
    int count = -1;

    assert_int_equal(store_login_failure_add(f->st, "email:a@x.com", 100), PARLEY_OK);
    assert_int_equal(store_login_failure_add(f->st, "email:a@x.com", 200), PARLEY_OK);
    assert_int_equal(store_login_failure_add(f->st, "email:a@x.com", 300), PARLEY_OK);
    assert_int_equal(store_login_failure_add(f->st, "ip:10.0.0.1", 300), PARLEY_OK);
    assert_int_equal(store_login_failures_count(f->st, "email:a@x.com", 150, &count), PARLEY_OK);
    assert_int_equal(count, 2);
    assert_int_equal(store_login_failures_count(f->st, "email:a@x.com", 0, &count), PARLEY_OK);
    assert_int_equal(count, 3);
    assert_int_equal(store_login_failures_clear(f->st, "email:a@x.com"), PARLEY_OK);
    assert_int_equal(store_login_failures_count(f->st, "email:a@x.com", 0, &count), PARLEY_OK);
    assert_int_equal(count, 0);
    assert_int_equal(store_login_failures_count(f->st, "ip:10.0.0.1", 0, &count), PARLEY_OK);
    assert_int_equal(count, 1);
}

/* ---- audit ---- */

struct audit_page {
    long long ids[16];
    int n;
    int stop_after;          /* 0: never */
};

static enum parley_err on_audit_event(const struct store_audit_event *e, void *arg)
{
    struct audit_page *page = arg;

    page->ids[page->n++] = e->id;
    if (e->id == page->ids[0] && e->target == NULL)
        assert_null(e->details_json);
    return page->stop_after && page->n == page->stop_after ? PARLEY_ERR_CANCELLED : PARLEY_OK;
}

static enum parley_err check_details(const struct store_audit_event *e, void *arg)
{
    (void)arg;
    assert_string_equal(e->actor, "admin:a@x.com");
    assert_string_equal(e->action, "import.google");
    assert_string_equal(e->target, "group:eng");
    assert_string_equal(e->details_json, "{\"people\":3}");
    assert_int_equal(e->org_id, 0);
    assert_true(e->created_at > 0);
    return PARLEY_OK;
}

static void test_store_audit_paging(void **state)
{
    struct store_fixture *f = *state;
    struct audit_page page = { 0 };
    long long a, b;

    assert_int_equal(store_org_ensure(f->st, "a", &a, NULL), PARLEY_OK);
    assert_int_equal(store_org_ensure(f->st, "b", &b, NULL), PARLEY_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(store_audit_add(f->st, a, "system", "person.sync", NULL, NULL), PARLEY_OK);
    assert_int_equal(store_audit_add(f->st, b, "system", "person.sync", NULL, NULL), PARLEY_OK);
    assert_int_equal(store_audit_add(f->st, 0, "admin:a@x.com", "import.google", "group:eng",
                                     "{\"people\":3}"), PARLEY_OK);

    /* Org a: ids 1..5, newest first, two per page. */
    assert_int_equal(store_audit_list(f->st, a, 0, 2, on_audit_event, &page), PARLEY_OK);
    assert_int_equal(page.n, 2);
    assert_int_equal(page.ids[0], 5);
    assert_int_equal(page.ids[1], 4);
    page.n = 0;
    assert_int_equal(store_audit_list(f->st, a, 4, 2, on_audit_event, &page), PARLEY_OK);
    assert_int_equal(page.n, 2);
    assert_int_equal(page.ids[0], 3);
    assert_int_equal(page.ids[1], 2);
    page.n = 0;
    assert_int_equal(store_audit_list(f->st, a, 2, 2, on_audit_event, &page), PARLEY_OK);
    assert_int_equal(page.n, 1);
    assert_int_equal(page.ids[0], 1);

    /* All orgs, and a callback that stops the listing. */
    page.n = 0;
    assert_int_equal(store_audit_list(f->st, 0, 0, 100, on_audit_event, &page), PARLEY_OK);
    assert_int_equal(page.n, 7);
    page.n = 0;
    page.stop_after = 3;
    assert_int_equal(store_audit_list(f->st, 0, 0, 100, on_audit_event, &page),
                     PARLEY_ERR_CANCELLED);
    assert_int_equal(page.n, 3);
    assert_int_equal(store_audit_list(f->st, 0, 0, 1, check_details, NULL), PARLEY_OK);
    assert_int_equal(store_audit_list(f->st, 0, 0, 0, check_details, NULL), PARLEY_ERR_INVALID);
}

/* ---- connections ---- */

static void test_store_connections(void **state)
{
    struct store_fixture *f = *state;
    static const unsigned char blob[] = { 0x00, 0xff, 0x10, 0x00, 0x7f, 0x42 };
    struct store_connection in = { 0 }, out = { 0 };
    long long org;

    assert_int_equal(store_org_ensure(f->st, "acme", &org, NULL), PARLEY_OK);
    in.org_id = org;
    in.platform = "microsoft";
    in.config_json = "{\"tenant\":\"t-1\"}";
    in.secret = (unsigned char *)blob;
    in.secret_len = sizeof blob;
    assert_int_equal(store_connection_put(f->st, &in, 1234), PARLEY_OK);
    assert_int_equal(store_connection_get(f->st, org, "microsoft", &out), PARLEY_OK);
    assert_string_equal(out.platform, "microsoft");
    assert_string_equal(out.config_json, "{\"tenant\":\"t-1\"}");
    assert_int_equal(out.secret_len, sizeof blob);
    assert_memory_equal(out.secret, blob, sizeof blob);
    assert_int_equal(out.updated_at, 1234);
    store_connection_clear(&out);

    /* Replace: new config, secret removed. */
    in.config_json = "{\"tenant\":\"t-2\"}";
    in.secret = NULL;
    in.secret_len = 0;
    assert_int_equal(store_connection_put(f->st, &in, 2000), PARLEY_OK);
    assert_int_equal(store_connection_get(f->st, org, "microsoft", &out), PARLEY_OK);
    assert_string_equal(out.config_json, "{\"tenant\":\"t-2\"}");
    assert_null(out.secret);
    assert_int_equal(out.secret_len, 0);
    store_connection_clear(&out);

    assert_int_equal(store_connection_get(f->st, org, "google", &out), PARLEY_ERR_NOT_FOUND);
    in.platform = "slack";
    assert_int_equal(store_connection_put(f->st, &in, 1), PARLEY_ERR_INVALID);
    in.platform = "google";
    in.org_id = org + 77;
    assert_int_equal(store_connection_put(f->st, &in, 1), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_connection_delete(f->st, org, "microsoft"), PARLEY_OK);
    assert_int_equal(store_connection_delete(f->st, org, "microsoft"), PARLEY_ERR_NOT_FOUND);
}

/* ---- transactions ---- */

static enum parley_err create_then(struct store *st, void *arg)
{
    const char *name = arg;
    long long id;
    enum parley_err rc = store_org_ensure(st, name, &id, NULL);

    if (rc != PARLEY_OK)
        return rc;
    return strncmp(name, "fail", 4) == 0 ? PARLEY_ERR_CONFLICT : PARLEY_OK;
}

static enum parley_err outer_with_failing_inner(struct store *st, void *arg)
{
    long long id;
    enum parley_err rc;

    (void)arg;
    rc = store_org_ensure(st, "outer", &id, NULL);
    if (rc == PARLEY_OK && store_tx(st, create_then, "fail-inner") != PARLEY_ERR_CONFLICT)
        rc = PARLEY_ERR_STORE;
    return rc;
}

static void test_store_tx(void **state)
{
    struct store_fixture *f = *state;
    struct store_org org = { 0 };

    assert_int_equal(store_tx(f->st, create_then, "kept"), PARLEY_OK);
    assert_int_equal(store_org_get_by_name(f->st, "kept", &org), PARLEY_OK);
    store_org_clear(&org);
    assert_int_equal(store_tx(f->st, create_then, "fail-outer"), PARLEY_ERR_CONFLICT);
    assert_int_equal(store_org_get_by_name(f->st, "fail-outer", &org), PARLEY_ERR_NOT_FOUND);

    /* A failing nested transaction rolls back only itself. */
    assert_int_equal(store_tx(f->st, outer_with_failing_inner, NULL), PARLEY_OK);
    assert_int_equal(store_org_get_by_name(f->st, "outer", &org), PARLEY_OK);
    store_org_clear(&org);
    assert_int_equal(store_org_get_by_name(f->st, "fail-inner", &org), PARLEY_ERR_NOT_FOUND);
}

/* ---- threads ---- */

struct thread_arg {
    struct store *st;
    int index;
    enum parley_err rc;
};

static void *ensure_orgs(void *p)
{
    struct thread_arg *t = p;

    for (int i = 0; i < 25 && t->rc == PARLEY_OK; i++) {
        char name[32];
        long long id;
        snprintf(name, sizeof name, "org-%d", i);      /* all threads race on the same names */
        t->rc = store_org_ensure(t->st, name, &id, NULL);
        if (t->rc == PARLEY_OK)
            t->rc = store_audit_add(t->st, id, "system", "test", NULL, NULL);
    }
    return NULL;
}

static enum parley_err count_event(const struct store_audit_event *e, void *arg)
{
    (void)e;
    (*(int *)arg)++;
    return PARLEY_OK;
}

static void test_store_threads_share_a_store(void **state)
{
    struct store_fixture *f = *state;
    struct thread_arg args[4];
    pthread_t threads[4];
    struct store_org org = { 0 };
    int events = 0;

    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){ f->st, i, PARLEY_OK };
        assert_int_equal(pthread_create(&threads[i], NULL, ensure_orgs, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(args[i].rc, PARLEY_OK);
    }
    assert_int_equal(store_org_get_by_name(f->st, "org-24", &org), PARLEY_OK);
    assert_int_equal(org.id, 25);                       /* each name inserted once */
    store_org_clear(&org);
    assert_int_equal(store_audit_list(f->st, 0, 0, 1000, count_event, &events), PARLEY_OK);
    assert_int_equal(events, 100);
}

/* ---- the bulk writer's cache ---- */

/* The page cache of the calling thread's connection (PRAGMA cache_size). */
static long long thread_cache_size(struct store *st)
{
    static const char sql[] = "PRAGMA cache_size";
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    long long size = 0;

    assert_int_equal(store_sqlite_conn(st, &c), PARLEY_OK);
    assert_int_equal(store_sqlite_stmt(c, sql, &s, ""), PARLEY_OK);
    assert_int_equal(store_sqlite_scalar(c, s, &size), PARLEY_OK);
    return size;
}

struct bulk_thread {
    struct store *st;
    pthread_barrier_t *barrier;     /* NULL: end at once */
    long long cache_size;
};

/* Become a bulk writer, note the cache, hold it until the barrier twice. */
static void *bulk_thread(void *arg)
{
    struct bulk_thread *b = arg;

    if (store_bulk_writer(b->st) == PARLEY_OK)
        b->cache_size = thread_cache_size(b->st);
    if (b->barrier) {
        pthread_barrier_wait(b->barrier);   /* the main thread looks now ... */
        pthread_barrier_wait(b->barrier);   /* ... and is done */
    }
    return NULL;
}

/* One thread at a time has the bulk cache; it is free again when that
 * thread ends. */
static void test_store_bulk_writer_one_at_a_time(void **state)
{
    struct store_fixture *f = *state;
    pthread_barrier_t barrier;
    struct bulk_thread first = { f->st, &barrier, 0 }, later = { f->st, NULL, 0 };
    long long plain = thread_cache_size(f->st);    /* SQLite's default, as built */
    pthread_t t;

    assert_true(plain != -STORE_BULK_CACHE_MIB * 1024);
    pthread_barrier_init(&barrier, NULL, 2);
    assert_int_equal(pthread_create(&t, NULL, bulk_thread, &first), 0);
    pthread_barrier_wait(&barrier);
    assert_int_equal(first.cache_size, -STORE_BULK_CACHE_MIB * 1024);
    assert_int_equal(store_bulk_writer(f->st), PARLEY_OK);     /* taken: the default */
    assert_int_equal(thread_cache_size(f->st), plain);
    pthread_barrier_wait(&barrier);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&barrier);

    assert_int_equal(pthread_create(&t, NULL, bulk_thread, &later), 0);
    pthread_join(t, NULL);
    assert_int_equal(later.cache_size, -STORE_BULK_CACHE_MIB * 1024);
}

/* ---- job rows (queue semantics are tested in tests/unit/jobs) ---- */

static enum parley_err collect_job_ids(const struct store_job *job, void *arg)
{
    long long *ids = arg;

    ids[++ids[0]] = job->id;
    return PARLEY_OK;
}

static void test_store_job_claim_filters_and_lists(void **state)
{
    struct store_fixture *f = *state;
    const char *const only_relay[] = { "relay", NULL };
    struct store_job_new spec = { 0 };
    struct store_job job = { 0 };
    long long org, a, b, c, ids[8] = { 0 };

    assert_int_equal(store_org_ensure(f->st, "acme", &org, NULL), PARLEY_OK);
    spec.org_id = org;
    spec.kind = "import.google";
    assert_int_equal(store_job_enqueue(f->st, &spec, 100, &a, NULL), PARLEY_OK);
    spec.kind = "relay";
    spec.payload_json = "{\"m\":1}";
    assert_int_equal(store_job_enqueue(f->st, &spec, 100, &b, NULL), PARLEY_OK);
    spec.org_id = 0;
    spec.not_before = 500;
    assert_int_equal(store_job_enqueue(f->st, &spec, 100, &c, NULL), PARLEY_OK);

    /* Only relay jobs, only due ones: b; c is not due before 500. */
    assert_int_equal(store_job_claim(f->st, "w1", 200, 1000, only_relay, &job), PARLEY_OK);
    assert_int_equal(job.id, b);
    assert_int_equal(job.state, STORE_JOB_RUNNING);
    assert_int_equal(job.attempts, 1);
    assert_int_equal(job.max_attempts, 8);
    assert_int_equal(job.lease_expires, 1200);
    assert_string_equal(job.lease_owner, "w1");
    assert_string_equal(job.payload_json, "{\"m\":1}");
    store_job_clear(&job);
    assert_int_equal(store_job_claim(f->st, "w1", 200, 1000, only_relay, &job),
                     PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_job_claim(f->st, "w1", 200, 1000, NULL, &job), PARLEY_OK);
    assert_int_equal(job.id, a);
    assert_string_equal(job.payload_json, "{}");
    store_job_clear(&job);
    assert_int_equal(store_job_claim(f->st, "w1", 500, 1000, only_relay, &job), PARLEY_OK);
    assert_int_equal(job.id, c);
    assert_int_equal(job.org_id, 0);
    store_job_clear(&job);

    assert_int_equal(store_job_progress(f->st, b, "w1", 3, 9, "{\"sent\":3}", 300), PARLEY_OK);
    assert_int_equal(store_job_progress(f->st, b, "w2", 4, 9, NULL, 300), PARLEY_ERR_CONFLICT);
    assert_int_equal(store_job_get(f->st, b, &job), PARLEY_OK);
    assert_int_equal(job.progress_done, 3);
    assert_int_equal(job.progress_total, 9);
    assert_string_equal(job.progress_json, "{\"sent\":3}");
    store_job_clear(&job);

    assert_int_equal(store_job_list(f->st, org, NULL, 10, collect_job_ids, ids), PARLEY_OK);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], b);                        /* newest first */
    assert_int_equal(ids[2], a);
    ids[0] = 0;
    assert_int_equal(store_job_list(f->st, 0, "relay", 10, collect_job_ids, ids), PARLEY_OK);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], c);
    assert_int_equal(ids[2], b);
}

static void test_store_job_lost_on_final_attempt_is_dead(void **state)
{
    struct store_fixture *f = *state;
    struct store_job_new spec = { .kind = "provision", .max_attempts = 1 };
    struct store_job job = { 0 };
    long long id;

    assert_int_equal(store_job_enqueue(f->st, &spec, 100, &id, NULL), PARLEY_OK);
    assert_int_equal(store_job_claim(f->st, "w1", 100, 50, NULL, &job), PARLEY_OK);
    store_job_clear(&job);
    /* w1 vanished; its lease expired at 150 and it had no attempt left. */
    assert_int_equal(store_job_claim(f->st, "w2", 200, 50, NULL, &job), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_job_get(f->st, id, &job), PARLEY_OK);
    assert_int_equal(job.state, STORE_JOB_DEAD);
    assert_non_null(strstr(job.last_error, "lease expired"));
    assert_null(job.lease_owner);
    store_job_clear(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_open_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_fresh_migrate, setup_raw, teardown),
        cmocka_unit_test_setup_teardown(test_store_upgrade_from_version_1, setup_raw, teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_orgs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_admins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_login_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_audit_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_threads_share_a_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_bulk_writer_one_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_job_claim_filters_and_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_job_lost_on_final_attempt_is_dead, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
