/* fixture.h - a fresh, migrated SQLite store in a temporary directory for
 * the auth tests that need one (cmocka setup/teardown). */
#ifndef PARLEY_TESTS_UNIT_AUTH_FIXTURE_H
#define PARLEY_TESTS_UNIT_AUTH_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "util/log.h"

struct store_fixture {
    char dir[64];
    struct store *st;
};

static int on_remove(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int store_fixture_setup(void **state)
{
    struct store_fixture *f = calloc(1, sizeof *f);
    char url[128];

    log_set_level(LOG_WARN);

    snprintf(f->dir, sizeof f->dir, "/tmp/parley-auth-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(url, sizeof url, "sqlite:%s/parley.db", f->dir);
    if (store_open(url, &f->st) != PARLEY_OK || store_migrate(f->st, NULL) != PARLEY_OK)
        return -1;
    *state = f;
    return 0;
}

static int store_fixture_teardown(void **state)
{
    struct store_fixture *f = *state;
    store_close(f->st);
    nftw(f->dir, on_remove, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* A cmocka test run on a fresh store. */
#define STORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, store_fixture_setup, store_fixture_teardown)

#endif
