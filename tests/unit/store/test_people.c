/* test_people.c - unit tests for people, identities and teams in the SQLite
 * store (src/store/sqlite_people.c, sqlite_teams.c through store.h): upsert
 * outcomes, email case folding, one person with identities on both
 * platforms, names owned by one platform, identity moves, search, filters,
 * keyset paging and counts, teams and membership refresh, pages written in
 * one transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/xmalloc.h"

#include "unit/store_fixture.h"

static int setup(void **state)
{
    *state = store_two_orgs_open("people");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    store_two_orgs_close(*state);
    return 0;
}

/* Upsert a person of ORG reported by SOURCE; returns the id and checks the outcome. */
static long long upsert_person(struct store_two_orgs *f, long long org, const char *email,
                               const char *name, const char *source,
                               enum store_upsert_result expect)
{
    struct store_person_new p = { .org_id = org, .email = email, .display_name = name,
                                  .source = source };
    enum store_upsert_result result = -1;
    long long id = 0;

    assert_int_equal(store_person_upsert(f->st, &p, 1000, &id, &result), PARLEY_OK);
    assert_int_equal(result, expect);
    assert_true(id > 0);
    return id;
}

static long long upsert_identity(struct store_two_orgs *f, long long person, const char *platform,
                                 const char *external_id, const char *email,
                                 enum store_upsert_result expect)
{
    struct store_identity_new ident = { .person_id = person, .platform = platform,
                                        .kind = "native", .external_id = external_id,
                                        .email = email };
    enum store_upsert_result result = -1;
    long long id = 0;

    assert_int_equal(store_identity_upsert(f->st, &ident, 2000, &id, &result), PARLEY_OK);
    assert_int_equal(result, expect);
    return id;
}

/* ---- people ---- */

static void test_person_upsert_outcomes(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_person_new p = { .org_id = f->org, .email = "Alice@Acme.COM",
                                  .display_name = "Alice", .given_name = "Alice",
                                  .family_name = "Smith", .source = "microsoft" };
    struct store_person got = { 0 };
    enum store_upsert_result result;
    long long id, again;

    assert_int_equal(store_person_upsert(f->st, &p, 100, &id, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_NEW);
    assert_int_equal(store_person_upsert(f->st, &p, 200, &again, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_UNCHANGED);
    assert_int_equal(again, id);

    /* Case differs: the same person.  A changed family name is an update. */
    p.email = "alice@acme.com";
    p.family_name = "Jones";
    assert_int_equal(store_person_upsert(f->st, &p, 300, &again, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_UPDATED);
    assert_int_equal(again, id);

    assert_int_equal(store_person_get_by_email(f->st, f->org, "ALICE@acme.com", &got), PARLEY_OK);
    assert_int_equal(got.id, id);
    assert_string_equal(got.email, "alice@acme.com");
    assert_string_equal(got.display_name, "Alice");
    assert_string_equal(got.given_name, "Alice");
    assert_string_equal(got.family_name, "Jones");
    assert_string_equal(got.name_source, "microsoft");
    assert_string_equal(got.sync_status, "imported");
    assert_null(got.primary_platform);
    assert_int_equal(got.created_at, 100);
    assert_int_equal(got.updated_at, 300);
    assert_int_equal(got.identity_count, 0);
    store_person_clear(&got);

    /* Another org has its own Alice; the org scopes lookups. */
    assert_true(upsert_person(f, f->other_org, "alice@acme.com", "Alice G", "google",
                              STORE_UPSERT_NEW) != id);
    assert_int_equal(store_person_get(f->st, f->other_org, id, &got), PARLEY_ERR_NOT_FOUND);

    p.email = "";
    assert_int_equal(store_person_upsert(f->st, &p, 1, &id, NULL), PARLEY_ERR_INVALID);
    p.email = "bob@acme.com";
    p.source = "slack";
    assert_int_equal(store_person_upsert(f->st, &p, 1, &id, NULL), PARLEY_ERR_INVALID);
}

static void test_person_names_belong_to_one_platform(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_person got = { 0 };
    long long id;

    id = upsert_person(f, f->org, "carol@acme.com", "Carol Teams", "microsoft", STORE_UPSERT_NEW);
    /* Google knows her under another name: same person, names kept. */
    assert_int_equal(upsert_person(f, f->org, "carol@acme.com", "Carol Google", "google",
                                   STORE_UPSERT_UNCHANGED), id);
    assert_int_equal(upsert_person(f, f->org, "carol@acme.com", "Carol T.", "microsoft",
                                   STORE_UPSERT_UPDATED), id);
    assert_int_equal(upsert_person(f, f->org, "carol@acme.com", "Carol Google", "google",
                                   STORE_UPSERT_UNCHANGED), id);
    assert_int_equal(store_person_get(f->st, f->org, id, &got), PARLEY_OK);
    assert_string_equal(got.display_name, "Carol T.");
    store_person_clear(&got);

    /* A nameless person takes the first name any platform offers. */
    id = upsert_person(f, f->org, "dan@acme.com", NULL, "microsoft", STORE_UPSERT_NEW);
    assert_int_equal(upsert_person(f, f->org, "dan@acme.com", "Dan", "google",
                                   STORE_UPSERT_UPDATED), id);
    assert_int_equal(store_person_get(f->st, f->org, id, &got), PARLEY_OK);
    assert_string_equal(got.display_name, "Dan");
    assert_string_equal(got.name_source, "google");
    store_person_clear(&got);
}

/* ---- identities ---- */

static void test_identity_two_platforms_one_person(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_person got = { 0 };
    long long alice, ms, google;

    alice = upsert_person(f, f->org, "alice@acme.com", "Alice", "microsoft", STORE_UPSERT_NEW);
    ms = upsert_identity(f, alice, "microsoft", "aad-1", "alice@acme.com", STORE_UPSERT_NEW);
    assert_int_equal(upsert_person(f, f->org, "ALICE@acme.com", "Alice", "google",
                                   STORE_UPSERT_UNCHANGED), alice);
    google = upsert_identity(f, alice, "google", "g-1", "alice@acme.com", STORE_UPSERT_NEW);
    assert_int_equal(upsert_identity(f, alice, "google", "g-1", "alice@acme.com",
                                     STORE_UPSERT_UNCHANGED), google);
    assert_int_equal(upsert_identity(f, alice, "microsoft", "aad-1", "alice@acme.onmicrosoft.com",
                                     STORE_UPSERT_UPDATED), ms);

    assert_int_equal(store_person_get(f->st, f->org, alice, &got), PARLEY_OK);
    assert_int_equal(got.identity_count, 2);
    assert_int_equal(got.identities[0].id, ms);
    assert_string_equal(got.identities[0].platform, "microsoft");
    assert_string_equal(got.identities[0].kind, "native");
    assert_string_equal(got.identities[0].external_id, "aad-1");
    assert_string_equal(got.identities[0].email, "alice@acme.onmicrosoft.com");
    assert_string_equal(got.identities[0].state, "active");
    assert_int_equal(got.identities[0].person_id, alice);
    assert_string_equal(got.identities[1].platform, "google");
    assert_string_equal(got.identities[1].external_id, "g-1");
    store_person_clear(&got);
}

static void test_identity_moves_and_slots(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_identity_new guest = { 0 };
    struct store_person got = { 0 };
    long long bob, robert, ident, again;
    enum store_upsert_result result;

    bob = upsert_person(f, f->org, "bob@acme.com", "Bob", "google", STORE_UPSERT_NEW);
    ident = upsert_identity(f, bob, "google", "g-bob", "bob@acme.com", STORE_UPSERT_NEW);

    /* The account was re-created on the platform: same slot, new external id. */
    assert_int_equal(upsert_identity(f, bob, "google", "g-bob-2", "bob@acme.com",
                                     STORE_UPSERT_UPDATED), ident);

    /* The account's email changed: the external id follows it to the new person. */
    robert = upsert_person(f, f->org, "robert@acme.com", "Robert", "google", STORE_UPSERT_NEW);
    assert_int_equal(upsert_identity(f, robert, "google", "g-bob-2", "robert@acme.com",
                                     STORE_UPSERT_UPDATED), ident);
    assert_int_equal(store_person_get(f->st, f->org, bob, &got), PARLEY_OK);
    assert_int_equal(got.identity_count, 0);
    store_person_clear(&got);

    /* Bob gets another account, which then moves to Robert too: it takes
     * Robert's native slot, and the account that held it is removed. */
    again = upsert_identity(f, bob, "google", "g-old", "bob@acme.com", STORE_UPSERT_NEW);
    assert_int_equal(upsert_identity(f, robert, "google", "g-old", "robert@acme.com",
                                     STORE_UPSERT_UPDATED), again);
    assert_int_equal(store_person_get(f->st, f->org, robert, &got), PARLEY_OK);
    assert_int_equal(got.identity_count, 1);
    assert_string_equal(got.identities[0].external_id, "g-old");
    store_person_clear(&got);

    /* A guest identity is another slot on the same platform. */
    guest = (struct store_identity_new){ .person_id = robert, .platform = "microsoft",
                                         .kind = "guest", .external_id = "guest-1",
                                         .state = "provisioning" };
    assert_int_equal(store_identity_upsert(f->st, &guest, 5, &again, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_NEW);

    /* Errors: another org's external id, a missing person, bad names.  Each
     * follows an upsert that inserted, so each takes the insert-first path
     * (store_sqlite_identity_upsert) before the look-up that refuses it. */
    {
        long long other = upsert_person(f, f->other_org, "eve@globex.com", "Eve", "google",
                                        STORE_UPSERT_NEW);
        struct store_identity_new steal = { .person_id = other, .platform = "google",
                                            .kind = "native", .external_id = "g-old" };
        assert_int_equal(store_identity_upsert(f->st, &steal, 6, &again, NULL),
                         PARLEY_ERR_CONFLICT);
        steal.person_id = 999999;
        steal.external_id = "g-new";
        assert_int_equal(store_identity_upsert(f->st, &steal, 6, &again, NULL),
                         PARLEY_ERR_NOT_FOUND);
        steal.kind = "owner";
        assert_int_equal(store_identity_upsert(f->st, &steal, 6, &again, NULL),
                         PARLEY_ERR_INVALID);
    }
}

/* ---- listing: search, filters, keyset paging, counts ---- */

struct page {
    long long ids[64];
    char *keys[64];
    size_t n;
};

static enum parley_err on_person(const struct store_person *p, void *arg)
{
    struct page *page = arg;

    page->ids[page->n] = p->id;
    page->keys[page->n++] = xstrdup(p->display_name);
    return PARLEY_OK;
}

static void page_clear(struct page *page)
{
    for (size_t i = 0; i < page->n; i++)
        free(page->keys[i]);
    memset(page, 0, sizeof *page);
}

static long long count(struct store_two_orgs *f, const struct store_people_query *q)
{
    long long n = -1;

    assert_int_equal(store_people_count(f->st, q, &n), PARLEY_OK);
    return n;
}

/* 30 people "Person 00".."Person 29" (p00@acme.com..); even ones are on
 * Microsoft, multiples of three on Google, and one of another org. */
static void seed_people(struct store_two_orgs *f, long long *ids)
{
    for (int i = 0; i < 30; i++) {
        char email[32], name[32], ext[32];
        snprintf(email, sizeof email, "p%02d@acme.com", i);
        /* Mixed case checks the case-insensitive name order. */
        snprintf(name, sizeof name, i % 2 ? "person %02d" : "Person %02d", i);
        ids[i] = upsert_person(f, f->org, email, name, "microsoft", STORE_UPSERT_NEW);
        if (i % 2 == 0) {
            snprintf(ext, sizeof ext, "aad-%d", i);
            upsert_identity(f, ids[i], "microsoft", ext, email, STORE_UPSERT_NEW);
        }
        if (i % 3 == 0) {
            snprintf(ext, sizeof ext, "g-%d", i);
            upsert_identity(f, ids[i], "google", ext, email, STORE_UPSERT_NEW);
        }
    }
    upsert_person(f, f->other_org, "p00@globex.com", "Person 00", "google", STORE_UPSERT_NEW);
}

static void test_people_list_pages_in_order(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_people_query q = { .org_id = f->org, .sort = STORE_PEOPLE_BY_NAME, .limit = 7 };
    struct page page = { 0 };
    long long ids[30];
    int seen = 0;

    seed_people(f, ids);
    assert_int_equal(count(f, &q), 30);
    /* Walk every page by name; the keyset continues exactly after the last row. */
    for (;;) {
        assert_int_equal(store_people_list(f->st, &q, on_person, &page), PARLEY_OK);
        for (size_t i = 0; i < page.n; i++, seen++)
            assert_int_equal(page.ids[i], ids[seen]);
        if (page.n < (size_t)q.limit) {
            page_clear(&page);
            break;
        }
        /* The key must outlive the next call: keep a copy. */
        free((char *)q.after_key);
        q.after_key = xstrdup(page.keys[page.n - 1]);
        q.after_id = page.ids[page.n - 1];
        page_clear(&page);
    }
    free((char *)q.after_key);
    assert_int_equal(seen, 30);

    /* By email, from a key in the middle. */
    q = (struct store_people_query){ .org_id = f->org, .sort = STORE_PEOPLE_BY_EMAIL,
                                     .after_key = "p27@acme.com", .after_id = ids[27],
                                     .limit = 10 };
    assert_int_equal(store_people_list(f->st, &q, on_person, &page), PARLEY_OK);
    assert_int_equal(page.n, 2);
    assert_int_equal(page.ids[0], ids[28]);
    assert_int_equal(page.ids[1], ids[29]);
    page_clear(&page);
}

static void test_people_search_and_filters(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_people_query q = { .org_id = f->org, .limit = 50 };
    struct page page = { 0 };
    long long ids[30], team, n;

    seed_people(f, ids);
    q.search = "PERSON 1";                            /* names, case-insensitively */
    assert_int_equal(count(f, &q), 10);
    q.search = "p2";                                  /* emails p20..p29 */
    assert_int_equal(count(f, &q), 10);
    q.search = "%";                                   /* wildcards are literal */
    assert_int_equal(count(f, &q), 0);
    q.search = "";
    assert_int_equal(count(f, &q), 30);

    q.search = NULL;
    q.platform = "microsoft";
    assert_int_equal(count(f, &q), 15);
    q.platform = "google";
    assert_int_equal(count(f, &q), 10);
    q.search = "p1";                                  /* p12, p15, p18 */
    assert_int_equal(store_people_list(f->st, &q, on_person, &page), PARLEY_OK);
    assert_int_equal(page.n, 3);
    assert_int_equal(page.ids[0], ids[12]);
    assert_int_equal(page.ids[2], ids[18]);
    page_clear(&page);

    q = (struct store_people_query){ .org_id = f->org, .sync_status = "synced", .limit = 5 };
    assert_int_equal(count(f, &q), 0);
    q.sync_status = "imported";
    assert_int_equal(count(f, &q), 30);

    assert_int_equal(store_team_upsert(f->st, &(struct store_team_new){
                         .org_id = f->org, .platform = "microsoft", .external_id = "t-1",
                         .name = "Sales", .member_count = 2 }, 10, &team, NULL), PARLEY_OK);
    assert_int_equal(store_team_member_upsert(f->st, team, ids[4], 10), PARLEY_OK);
    assert_int_equal(store_team_member_upsert(f->st, team, ids[9], 10), PARLEY_OK);
    q = (struct store_people_query){ .org_id = f->org, .team_id = team, .limit = 5 };
    assert_int_equal(count(f, &q), 2);

    q.platform = "slack";
    assert_int_equal(store_people_count(f->st, &q, &n), PARLEY_ERR_INVALID);
    q.platform = NULL;
    q.limit = 0;
    assert_int_equal(store_people_list(f->st, &q, on_person, &page), PARLEY_ERR_INVALID);
}

/* ---- teams and membership ---- */

static enum parley_err on_team(const struct store_team *t, void *arg)
{
    struct page *page = arg;

    page->ids[page->n] = t->id;
    page->keys[page->n++] = xstrdup(t->name);
    return PARLEY_OK;
}

static void test_teams_and_membership(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_team_new spec = { .org_id = f->org, .platform = "microsoft",
                                   .external_id = "team-1", .name = "Sales",
                                   .description = "All sales", .member_count = 3 };
    struct store_people_query members = { .org_id = f->org, .limit = 10 };
    struct store_team team = { 0 };
    struct page page = { 0 };
    enum store_upsert_result result;
    long long id, again, a, b, c, removed = -1;

    assert_int_equal(store_team_upsert(f->st, &spec, 10, &id, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_NEW);
    assert_int_equal(store_team_upsert(f->st, &spec, 20, &again, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_UNCHANGED);
    assert_int_equal(again, id);
    spec.member_count = -1;                           /* unknown: keep the stored count */
    assert_int_equal(store_team_upsert(f->st, &spec, 20, &again, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_UNCHANGED);
    spec.name = "Sales EMEA";
    assert_int_equal(store_team_upsert(f->st, &spec, 30, &again, &result), PARLEY_OK);
    assert_int_equal(result, STORE_UPSERT_UPDATED);

    assert_int_equal(store_team_get_by_external(f->st, f->org, "microsoft", "team-1", &team),
                     PARLEY_OK);
    assert_int_equal(team.id, id);
    assert_string_equal(team.name, "Sales EMEA");
    assert_string_equal(team.description, "All sales");
    assert_int_equal(team.member_count, 3);
    assert_int_equal(team.imported, 0);
    assert_int_equal(team.last_imported_at, 0);
    store_team_clear(&team);

    /* First import sees a, b, c; the second only a and c: b left. */
    a = upsert_person(f, f->org, "a@acme.com", "A", "microsoft", STORE_UPSERT_NEW);
    b = upsert_person(f, f->org, "b@acme.com", "B", "microsoft", STORE_UPSERT_NEW);
    c = upsert_person(f, f->org, "c@acme.com", "C", "microsoft", STORE_UPSERT_NEW);
    members.team_id = id;
    assert_int_equal(store_team_member_upsert(f->st, id, a, 100), PARLEY_OK);
    assert_int_equal(store_team_member_upsert(f->st, id, b, 100), PARLEY_OK);
    assert_int_equal(store_team_member_upsert(f->st, id, c, 100), PARLEY_OK);
    assert_int_equal(store_team_member_upsert(f->st, id, c, 100), PARLEY_OK);   /* twice: once */
    assert_int_equal(store_team_members_prune(f->st, id, 100, &removed), PARLEY_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(count(f, &members), 3);
    assert_int_equal(store_team_member_upsert(f->st, id, a, 200), PARLEY_OK);
    assert_int_equal(store_team_member_upsert(f->st, id, c, 200), PARLEY_OK);
    assert_int_equal(store_team_members_prune(f->st, id, 200, &removed), PARLEY_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(count(f, &members), 2);
    assert_int_equal(store_team_member_upsert(f->st, id, 999999, 200), PARLEY_ERR_NOT_FOUND);

    assert_int_equal(store_team_mark_imported(f->st, id, 250), PARLEY_OK);
    assert_int_equal(store_team_get(f->st, f->org, id, &team), PARLEY_OK);
    assert_int_equal(team.imported, 1);
    assert_int_equal(team.last_imported_at, 250);
    store_team_clear(&team);
    assert_int_equal(store_team_get(f->st, f->other_org, id, &team), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(store_team_mark_imported(f->st, 999999, 1), PARLEY_ERR_NOT_FOUND);

    /* Listing by id with paging and a platform filter. */
    spec = (struct store_team_new){ .org_id = f->org, .platform = "google",
                                    .external_id = "grp-1", .name = "Eng", .member_count = -1 };
    assert_int_equal(store_team_upsert(f->st, &spec, 30, &again, NULL), PARLEY_OK);
    assert_int_equal(store_team_list(f->st, f->org, NULL, 0, 10, on_team, &page), PARLEY_OK);
    assert_int_equal(page.n, 2);
    assert_string_equal(page.keys[1], "Eng");
    page_clear(&page);
    assert_int_equal(store_team_list(f->st, f->org, NULL, id, 10, on_team, &page), PARLEY_OK);
    assert_int_equal(page.n, 1);
    page_clear(&page);
    assert_int_equal(store_team_list(f->st, f->org, "microsoft", 0, 10, on_team, &page),
                     PARLEY_OK);
    assert_int_equal(page.n, 1);
    assert_int_equal(page.ids[0], id);
    page_clear(&page);
}

/* ---- one transaction per page ---- */

struct batch {
    long long org;
    int fail_at;                  /* fail after this many people (-1: never) */
};

static enum parley_err write_batch(struct store *st, void *arg)
{
    struct batch *b = arg;

    for (int i = 0; i < 100; i++) {
        char email[32];
        struct store_person_new p = { .org_id = b->org, .email = email, .source = "google" };
        long long id;
        enum parley_err rc;

        if (i == b->fail_at)
            return PARLEY_ERR_NETWORK;
        snprintf(email, sizeof email, "batch%03d@acme.com", i);
        rc = store_person_upsert(st, &p, 1, &id, NULL);
        if (rc != PARLEY_OK)
            return rc;
    }
    return PARLEY_OK;
}

static void test_page_in_one_transaction(void **state)
{
    struct store_two_orgs *f = *state;
    struct store_people_query q = { .org_id = f->org, .search = "batch" };
    struct batch b = { .org = f->org, .fail_at = 50 };

    /* A failing page leaves nothing behind... */
    assert_int_equal(store_tx(f->st, write_batch, &b), PARLEY_ERR_NETWORK);
    assert_int_equal(count(f, &q), 0);
    /* ...and a good one is all there. */
    b.fail_at = -1;
    assert_int_equal(store_tx(f->st, write_batch, &b), PARLEY_OK);
    assert_int_equal(count(f, &q), 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_person_upsert_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_names_belong_to_one_platform, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_two_platforms_one_person, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_moves_and_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_people_list_pages_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_people_search_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_teams_and_membership, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_in_one_transaction, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
