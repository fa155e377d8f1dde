/* store_fixture.h - a fresh, migrated SQLite store in a temporary directory,
 * for the unit tests that need one.  Header-only (unit programs link only
 * libparley.a); include it from one test file.
 *
 *   struct store_fixture *f = store_fixture_open("queue");   // NULL on failure
 *   ... f->st, f->path (the database file, to open a second connection) ...
 *   store_fixture_close(f);                                  // removes the files
 *
 * store_fixture_open_raw gives the store before any migration.
 * STORE_TEST(fn) runs a cmocka test with *state = the fixture.
 * struct store_two_orgs is a fixture with two orgs in the store. */
#ifndef PARLEY_TESTS_UNIT_STORE_FIXTURE_H
#define PARLEY_TESTS_UNIT_STORE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct store_fixture {
    char dir[64];
    char *path;
    struct store *st;
};

static inline int store_fixture_on_remove(const char *path, const struct stat *sb, int flag,
                                   struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void store_fixture_close(struct store_fixture *f)
{
    if (!f)
        return;
    store_close(f->st);
    if (f->dir[0])
        nftw(f->dir, store_fixture_on_remove, 8, FTW_DEPTH | FTW_PHYS);
    free(f->path);
    free(f);
}

/* NAME labels the temp dir (/tmp/parley-NAME-XXXXXX); the store is opened
 * but not migrated. */
static inline struct store_fixture *store_fixture_open_raw(const char *name)
{
    struct store_fixture *f = xcalloc(1, sizeof *f);

    log_set_level(LOG_WARN);
    snprintf(f->dir, sizeof f->dir, "/tmp/parley-%s-XXXXXX", name);
    if (!mkdtemp(f->dir)) {
        f->dir[0] = '\0';
        goto fail;
    }
    f->path = xasprintf("%s/parley.db", f->dir);
    if (store_open(f->path, &f->st) != PARLEY_OK)
        goto fail;
    return f;
fail:
    store_fixture_close(f);
    return NULL;
}

/* As store_fixture_open_raw, then migrated to the latest schema. */
static inline struct store_fixture *store_fixture_open(const char *name)
{
    struct store_fixture *f = store_fixture_open_raw(name);

    if (f && store_migrate(f->st, NULL) != PARLEY_OK) {
        store_fixture_close(f);
        return NULL;
    }
    return f;
}

static inline int store_fixture_setup(void **state)
{
    *state = store_fixture_open("test");
    return *state ? 0 : -1;
}

static inline int store_fixture_teardown(void **state)
{
    store_fixture_close(*state);
    return 0;
}

/* A fresh store holding the orgs "acme" (org) and "globex" (other_org). */
struct store_two_orgs {
    struct store_fixture *base;
    struct store *st;           /* base->st */
    long long org;
    long long other_org;
};

static inline void store_two_orgs_close(struct store_two_orgs *f)
{
    if (!f)
        return;
    store_fixture_close(f->base);
    free(f);
}

/* NAME labels the temp dir as for store_fixture_open; NULL on failure. */
static inline struct store_two_orgs *store_two_orgs_open(const char *name)
{
    struct store_two_orgs *f = xcalloc(1, sizeof *f);

    if (!(f->base = store_fixture_open(name)) ||
        store_org_ensure(f->base->st, "acme", &f->org, NULL) != PARLEY_OK ||
        store_org_ensure(f->base->st, "globex", &f->other_org, NULL) != PARLEY_OK) {
        store_two_orgs_close(f);
        return NULL;
    }
    f->st = f->base->st;
    return f;
}

/* A cmocka test run on a fresh store. */
#define STORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup, store_fixture_teardown)

#endif
