/* source_fixture.h - the fixture the platform connection tests share: a
 * fresh store (unit/store_fixture.h) holding the org "acme", a new master
 * key beside it, and a struct platform_source on both whose connectors come
 * from the test's own fake.  Header-only; include it from one test file.
 *
 *   struct source_fixture *f = source_fixture_open("conn-cache", fake_ops_for);
 *   ... f->src, f->org_id, f->store->st ...
 *   source_fixture_close(f); */
#ifndef PARLEY_TESTS_UNIT_PLATFORM_SOURCE_FIXTURE_H
#define PARLEY_TESTS_UNIT_PLATFORM_SOURCE_FIXTURE_H

#include <stdlib.h>

#include "unit/store_fixture.h"
#include "platform/connection.h"
#include "util/secret.h"
#include "util/xmalloc.h"

struct source_fixture {
    struct store_fixture *store;
    struct secret_key *key;
    struct platform_source src;
    long long org_id;
};

static inline void source_fixture_close(struct source_fixture *f)
{
    if (!f)
        return;
    secret_key_free(f->key);
    store_fixture_close(f->store);
    free(f);
}

/* NAME labels the temp dir as for store_fixture_open; OPS_FOR gives the
 * connectors.  NULL on failure. */
static inline struct source_fixture *
source_fixture_open(const char *name, const struct platform_ops *(*ops_for)(enum platform_kind))
{
    struct source_fixture *f = xcalloc(1, sizeof *f);
    int ok = 0;

    if ((f->store = store_fixture_open(name))) {
        char *path = xasprintf("%s/master.key", f->store->dir);
        ok = secret_key_load(path, 1, &f->key) == PARLEY_OK &&
             store_org_ensure(f->store->st, "acme", &f->org_id, NULL) == PARLEY_OK;
        free(path);
    }
    if (!ok) {
        source_fixture_close(f);
        return NULL;
    }
    f->src = (struct platform_source){ f->store->st, f->key, ops_for };
    return f;
}

#endif
