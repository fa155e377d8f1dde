/* test_sync_status.c - unit tests for the user sync state in the SQLite
 * store (src/store/sqlite_sync.c through store.h): status names, primary
 * platform, checked status moves with their history, counts per status,
 * identity secrets and removal, org scoping, migration 004 on an existing
 * database, and listing by status over 100,000 people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/xmalloc.h"

#include "unit/store_fixture.h"

static int setup(void **state)
{
    *state = store_two_orgs_open("sync");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    store_two_orgs_close(*state);
    return 0;
}

static long long person(struct store_two_orgs *f, long long org, const char *email)
{
    struct store_person_new p = { .org_id = org, .email = email, .display_name = email,
                                  .source = "google" };
    long long id = 0;

    assert_int_equal(store_person_upsert(f->st, &p, 1000, &id, NULL), PARLEY_OK);
    return id;
}

static void assert_status(struct store_two_orgs *f, long long id, const char *status, const char *reason)
{
    struct store_person p;

    assert_int_equal(store_person_get(f->st, f->org, id, &p), PARLEY_OK);
    assert_string_equal(p.sync_status, status);
    if (reason)
        assert_string_equal(p.status_reason, reason);
    else
        assert_null(p.status_reason);
    store_person_clear(&p);
}

static enum parley_err move(struct store_two_orgs *f, long long id, unsigned from,
                            enum store_sync_status to, const char *reason, long long now)
{
    struct store_sync_move m = { .org_id = f->org, .person_id = id, .from = from, .to = to,
                                 .reason = reason, .actor = "admin:root@acme.com" };

    return store_person_sync_move(f->st, &m, now, NULL);
}

static void test_status_names(void **state)
{
    enum store_sync_status s;

    (void)state;
    assert_string_equal(store_sync_status_name(STORE_SYNC_NOT_SYNCED), "imported");
    assert_string_equal(store_sync_status_name(STORE_SYNC_UNSYNCING), "unsyncing");
    for (int i = 0; i < STORE_SYNC_STATUS_COUNT; i++) {
        assert_int_equal(store_sync_status_parse(store_sync_status_name(i), &s), PARLEY_OK);
        assert_int_equal(s, i);
    }
    assert_int_equal(store_sync_status_parse("not_synced", &s), PARLEY_OK);
    assert_int_equal(s, STORE_SYNC_NOT_SYNCED);
    assert_int_equal(store_sync_status_parse("unsynced", &s), PARLEY_OK);
    assert_int_equal(s, STORE_SYNC_NOT_SYNCED);
    assert_int_equal(store_sync_status_parse("bogus", &s), PARLEY_ERR_INVALID);
}

static void test_primary_platform(void **state)
{
    struct store_two_orgs *f = *state;
    long long id = person(f, f->org, "ana@acme.com");
    struct store_person p;
    int changed = -1;

    assert_int_equal(store_person_set_primary(f->st, f->org, id, "google", 5, &changed),
                     PARLEY_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(store_person_set_primary(f->st, f->org, id, "google", 6, &changed),
                     PARLEY_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(store_person_get(f->st, f->org, id, &p), PARLEY_OK);
    assert_string_equal(p.primary_platform, "google");
    store_person_clear(&p);
    assert_int_equal(store_person_set_primary(f->st, f->org, id, NULL, 7, &changed), PARLEY_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(store_person_set_primary(f->st, f->org, id, "slack", 8, NULL),
                     PARLEY_ERR_INVALID);
    /* Another org's person is not found. */
    assert_int_equal(store_person_set_primary(f->st, f->other_org, id, "google", 9, NULL),
                     PARLEY_ERR_NOT_FOUND);
}

struct history {
    struct store_sync_event events[8];
    size_t n;
};

static enum parley_err on_event(const struct store_sync_event *e, void *arg)
{
    struct history *h = arg;
    struct store_sync_event *copy = &h->events[h->n++];

    *copy = *e;
    copy->reason = e->reason ? xstrdup(e->reason) : NULL;
    copy->actor = xstrdup(e->actor);
    return PARLEY_OK;
}

static void history_clear(struct history *h)
{
    for (size_t i = 0; i < h->n; i++)
        store_sync_event_clear(&h->events[i]);
    h->n = 0;
}

static void test_moves_and_history(void **state)
{
    struct store_two_orgs *f = *state;
    long long id = person(f, f->org, "ana@acme.com");
    enum store_sync_status prev = -1;
    struct store_sync_move m = { .org_id = f->org, .person_id = id,
                                 .from = STORE_SYNC_BIT(STORE_SYNC_SYNCED),
                                 .to = STORE_SYNC_UNSYNCING };
    struct history h = { .n = 0 };

    assert_status(f, id, "imported", NULL);
    /* Refused: the status is not one of FROM; nothing changes. */
    assert_int_equal(store_person_sync_move(f->st, &m, 10, &prev), PARLEY_ERR_CONFLICT);
    assert_int_equal(prev, STORE_SYNC_NOT_SYNCED);
    assert_status(f, id, "imported", NULL);

    assert_int_equal(move(f, id, STORE_SYNC_BIT(STORE_SYNC_NOT_SYNCED), STORE_SYNC_PENDING, NULL,
                          20), PARLEY_OK);
    assert_int_equal(move(f, id, STORE_SYNC_BIT(STORE_SYNC_PENDING), STORE_SYNC_PROVISIONING,
                          NULL, 30), PARLEY_OK);
    /* Same status: the reason changes, no history row. */
    assert_int_equal(move(f, id, STORE_SYNC_BIT(STORE_SYNC_PROVISIONING),
                          STORE_SYNC_PROVISIONING, "retrying: throttled", 35), PARLEY_OK);
    assert_status(f, id, "provisioning", "retrying: throttled");
    assert_int_equal(move(f, id, STORE_SYNC_BIT(STORE_SYNC_PROVISIONING), STORE_SYNC_ERROR,
                          "domain does not exist", 40), PARLEY_OK);
    assert_status(f, id, "error", "domain does not exist");
    /* The system is the actor when none is given. */
    m = (struct store_sync_move){ .org_id = f->org, .person_id = id, .from = STORE_SYNC_ANY,
                                  .to = STORE_SYNC_PENDING };
    assert_int_equal(store_person_sync_move(f->st, &m, 50, &prev), PARLEY_OK);
    assert_int_equal(prev, STORE_SYNC_ERROR);
    assert_status(f, id, "pending", NULL);

    assert_int_equal(store_person_sync_history(f->st, f->org, id, 0, 10, on_event, &h),
                     PARLEY_OK);
    assert_int_equal(h.n, 4);
    assert_int_equal(h.events[0].from, STORE_SYNC_ERROR);       /* newest first */
    assert_int_equal(h.events[0].to, STORE_SYNC_PENDING);
    assert_string_equal(h.events[0].actor, "system");
    assert_int_equal(h.events[1].to, STORE_SYNC_ERROR);
    assert_string_equal(h.events[1].reason, "domain does not exist");
    assert_string_equal(h.events[1].actor, "admin:root@acme.com");
    assert_int_equal(h.events[1].created_at, 40);
    assert_int_equal(h.events[3].from, STORE_SYNC_NOT_SYNCED);
    assert_int_equal(h.events[3].to, STORE_SYNC_PENDING);
    assert_null(h.events[3].reason);
    /* Paging: older than the second event. */
    {
        long long before = h.events[1].id;
        history_clear(&h);
        assert_int_equal(store_person_sync_history(f->st, f->org, id, before, 10, on_event, &h),
                         PARLEY_OK);
        assert_int_equal(h.n, 2);
        assert_int_equal(h.events[0].to, STORE_SYNC_PROVISIONING);
        history_clear(&h);
    }
    /* Another org sees no history and cannot move the person. */
    assert_int_equal(store_person_sync_history(f->st, f->other_org, id, 0, 10, on_event, &h),
                     PARLEY_OK);
    assert_int_equal(h.n, 0);
    m.org_id = f->other_org;
    assert_int_equal(store_person_sync_move(f->st, &m, 60, NULL), PARLEY_ERR_NOT_FOUND);
    m.from = 1u << 12;
    assert_int_equal(store_person_sync_move(f->st, &m, 60, NULL), PARLEY_ERR_INVALID);
}

static void test_counts(void **state)
{
    struct store_two_orgs *f = *state;
    long long counts[STORE_SYNC_STATUS_COUNT];
    char email[32];

    for (int i = 0; i < 10; i++) {
        snprintf(email, sizeof email, "p%d@acme.com", i);
        long long id = person(f, f->org, email);
        if (i < 3)
            assert_int_equal(move(f, id, STORE_SYNC_ANY, STORE_SYNC_SYNCED, NULL, 5), PARLEY_OK);
        else if (i < 4)
            assert_int_equal(move(f, id, STORE_SYNC_ANY, STORE_SYNC_ERROR, "x", 5), PARLEY_OK);
    }
    person(f, f->other_org, "elsewhere@globex.com");
    assert_int_equal(store_sync_counts(f->st, f->org, counts), PARLEY_OK);
    assert_int_equal(counts[STORE_SYNC_NOT_SYNCED], 6);
    assert_int_equal(counts[STORE_SYNC_SYNCED], 3);
    assert_int_equal(counts[STORE_SYNC_ERROR], 1);
    assert_int_equal(counts[STORE_SYNC_PENDING], 0);
    assert_int_equal(store_sync_counts(f->st, f->other_org, counts), PARLEY_OK);
    assert_int_equal(counts[STORE_SYNC_NOT_SYNCED], 1);
}

static void test_identity_secret_and_delete(void **state)
{
    struct store_two_orgs *f = *state;
    long long id = person(f, f->org, "ana@acme.com"), ident = 0;
    struct store_identity_new guest = { .person_id = id, .platform = "microsoft",
                                        .kind = "guest", .external_id = "guid-1",
                                        .email = "ana_acme.com#EXT#@t.onmicrosoft.com" };
    const unsigned char box[] = { 0, 1, 2, 0xff, 0 };
    unsigned char *out = NULL;
    size_t len = 0;
    int removed = -1;
    struct store_person p;

    assert_int_equal(store_identity_upsert(f->st, &guest, 5, &ident, NULL), PARLEY_OK);
    assert_int_equal(store_identity_get_secret(f->st, ident, &out, &len), PARLEY_OK);
    assert_null(out);
    assert_int_equal(store_identity_set_secret(f->st, ident, box, sizeof box, 6), PARLEY_OK);
    assert_int_equal(store_identity_get_secret(f->st, ident, &out, &len), PARLEY_OK);
    assert_int_equal(len, sizeof box);
    assert_memory_equal(out, box, sizeof box);
    free(out);
    assert_int_equal(store_identity_set_secret(f->st, ident + 100, box, sizeof box, 6),
                     PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_identity_set_secret(f->st, ident, NULL, 3, 6), PARLEY_ERR_INVALID);
    /* Another org cannot remove it. */
    assert_int_equal(store_identity_delete(f->st, f->other_org, ident, &removed), PARLEY_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(store_identity_delete(f->st, f->org, ident, &removed), PARLEY_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(store_person_get(f->st, f->org, id, &p), PARLEY_OK);
    assert_int_equal(p.identity_count, 0);
    store_person_clear(&p);
    assert_int_equal(store_identity_get_secret(f->st, ident, &out, &len), PARLEY_ERR_NOT_FOUND);
}

/* Migration 004 applies to a database that already holds people. */
static void test_migration_004_on_old_schema(void **state)
{
    struct store_fixture *base = store_fixture_open("sync-old");
    char *path;
    struct store *st = NULL;
    long long org = 0, id = 0;
    int current = 0, latest = 0, applied = 0;
    struct store_person_new p = { .email = "ana@acme.com", .source = "google" };
    long long counts[STORE_SYNC_STATUS_COUNT];

    (void)state;
    assert_non_null(base);
    path = xasprintf("%s/old.db", base->dir);
    assert_int_equal(store_open(path, &st), PARLEY_OK);
    assert_int_equal(store_migrate_to(st, 3, NULL), PARLEY_OK);
    assert_int_equal(store_org_ensure(st, "acme", &org, NULL), PARLEY_OK);
    p.org_id = org;
    assert_int_equal(store_person_upsert(st, &p, 1, &id, NULL), PARLEY_OK);
    assert_int_equal(store_migrate(st, &applied), PARLEY_OK);
    assert_true(applied >= 1);
    assert_int_equal(store_schema_version(st, &current, &latest), PARLEY_OK);
    assert_int_equal(current, latest);
    assert_int_equal(store_sync_counts(st, org, counts), PARLEY_OK);
    assert_int_equal(counts[STORE_SYNC_NOT_SYNCED], 1);
    store_close(st);
    free(path);
    store_fixture_close(base);          /* removes the directory with old.db */
}

struct seen {
    long long n;
};

static enum parley_err on_person(const struct store_person *p, void *arg)
{
    struct seen *seen = arg;

    assert_string_equal(p->sync_status, "error");
    seen->n++;
    return PARLEY_OK;
}

static enum parley_err write_many(struct store *st, void *arg)
{
    struct store_two_orgs *f = arg;
    char email[32];

    for (int i = 0; i < 100000; i++) {
        struct store_person_new p = { .org_id = f->org, .email = email, .source = "google" };
        long long id;
        enum parley_err rc;

        snprintf(email, sizeof email, "user%06d@acme.com", i);
        p.display_name = email;
        rc = store_person_upsert(st, &p, 1, &id, NULL);
        if (rc == PARLEY_OK && i % 1000 == 0)
            rc = move(f, id, STORE_SYNC_ANY, STORE_SYNC_ERROR, "x", 2);
        if (rc != PARLEY_OK)
            return rc;
    }
    return PARLEY_OK;
}

/* 100,000 people, 100 in error: the status filter, its count and the
 * counts per status answer correctly (the (org, sync_status) index). */
static void test_many_people_by_status(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_people_query q = { .org_id = f->org, .sync_status = "error", .limit = 50 };
    long long counts[STORE_SYNC_STATUS_COUNT], n = 0;
    struct seen seen = { 0 };

    assert_int_equal(store_tx(f->st, write_many, f), PARLEY_OK);
    assert_int_equal(store_sync_counts(f->st, f->org, counts), PARLEY_OK);
    assert_int_equal(counts[STORE_SYNC_ERROR], 100);
    assert_int_equal(counts[STORE_SYNC_NOT_SYNCED], 99900);
    assert_int_equal(store_people_count(f->st, &q, &n), PARLEY_OK);
    assert_int_equal(n, 100);
    assert_int_equal(store_people_list(f->st, &q, on_person, &seen), PARLEY_OK);
    assert_int_equal(seen.n, 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test_setup_teardown(test_primary_platform, setup, teardown),
        cmocka_unit_test_setup_teardown(test_moves_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_secret_and_delete, setup, teardown),
        cmocka_unit_test(test_migration_004_on_old_schema),
        cmocka_unit_test_setup_teardown(test_many_people_by_status, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
