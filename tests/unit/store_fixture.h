/* store_fixture.h - a fresh, migrated SQLite store in a temporary directory,
 * for the unit tests that need one.  Header-only (unit programs link only
 * libparley.a); include it from one test file.
 *
 *   struct store_fixture *f = store_fixture_open("queue");   // NULL on failure
 *   ... f->st, f->path (the database file, to open a second connection) ...
 *   store_fixture_close(f);                                  // removes the files
 *
 * STORE_TEST(fn) runs a cmocka test with *state = the fixture. */
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

/* NAME labels the temp dir (/tmp/parley-NAME-XXXXXX). */
static inline struct store_fixture *store_fixture_open(const char *name)
{
    struct store_fixture *f = xcalloc(1, sizeof *f);

    log_set_level(LOG_WARN);
    snprintf(f->dir, sizeof f->dir, "/tmp/parley-%s-XXXXXX", name);
    if (!mkdtemp(f->dir)) {
        f->dir[0] = '\0';
        goto fail;
    }
    f->path = xasprintf("%s/parley.db", f->dir);
    if (store_open(f->path, &f->st) != PARLEY_OK || store_migrate(f->st, NULL) != PARLEY_OK)
        goto fail;
    return f;
fail:
    store_fixture_close(f);
    return NULL;
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

/* A cmocka test run on a fresh store. */
#define STORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup, store_fixture_teardown)

#endif
