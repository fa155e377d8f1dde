/* sqlite_migrate.c - applies the numbered migrations of sqlite_schema.c and
 * reports the schema version (store_migrate, store_schema_version, store_ping).
 *
 * schema_migrations holds one row per applied version.  Each migration runs
 * in its own BEGIN IMMEDIATE transaction that re-reads the version first, so
 * two processes starting at once apply each migration exactly once. */
#include "store/sqlite.h"

#include "util/clock.h"
#include "util/log.h"

static const char SQL_BOOTSTRAP[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  applied_at INTEGER NOT NULL"
    ")";
static const char SQL_HAS_TABLE[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
static const char SQL_CURRENT[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

static int latest_version(void)
{
    return store_sqlite_migrations[store_sqlite_migrations_count - 1].version;
}

/* The applied version; 0 for a database never migrated. */
static enum parley_err read_current(struct sqlite_conn *c, int *current)
{
    sqlite3_stmt *s = NULL;
    enum parley_err rc;

    *current = 0;
    rc = store_sqlite_stmt(c, SQL_HAS_TABLE, &s, "");
    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    store_sqlite_done(s);
    if (rc == PARLEY_ERR_NOT_FOUND)
        return PARLEY_OK;
    if (rc != PARLEY_OK)
        return rc;
    rc = store_sqlite_stmt(c, SQL_CURRENT, &s, "");
    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK)
        *current = sqlite3_column_int(s, 0);
    store_sqlite_done(s);
    return rc;
}

static enum parley_err refuse_if_newer(int current)
{
    if (current <= latest_version())
        return PARLEY_OK;
    log_error("store", "database schema is newer than this program; upgrade parley",
              "i:database_version", current, "i:program_version", latest_version());
    return PARLEY_ERR_SCHEMA;
}

/* Apply migration M unless already there; *ran says whether it did. */
static enum parley_err apply_one(struct sqlite_conn *c, const struct store_sqlite_migration *m,
                                 int *ran)
{
    sqlite3_stmt *s;
    int current;
    enum parley_err rc = store_sqlite_begin(c);

    *ran = 0;
    if (rc != PARLEY_OK)
        return rc;
    rc = read_current(c, &current);
    if (rc == PARLEY_OK)
        rc = refuse_if_newer(current);
    if (rc != PARLEY_OK || m->version <= current)
        goto out;
    rc = store_sqlite_exec_script(c, m->sql);
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_RECORD, &s, "itl", m->version, m->name, clock_now_ms());
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    *ran = rc == PARLEY_OK;
out:
    rc = store_sqlite_end(c, rc);
    if (rc == PARLEY_OK && *ran)
        log_info("store", "applied migration", "i:version", m->version, "s:name", m->name);
    else if (rc != PARLEY_OK)
        *ran = 0;
    return rc;
}

enum parley_err store_sqlite_migrate_to(struct store *st, int version, int *applied)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    int current;
    enum parley_err rc;

    *applied = 0;
    rc = store_sqlite_conn(st, &c);
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_BOOTSTRAP, &s, "");
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        rc = read_current(c, &current);
    if (rc == PARLEY_OK)
        rc = refuse_if_newer(current);
    for (int i = 0; rc == PARLEY_OK && i < store_sqlite_migrations_count; i++) {
        const struct store_sqlite_migration *m = &store_sqlite_migrations[i];
        int ran = 0;

        if (m->version > version)
            break;
        rc = apply_one(c, m, &ran);
        *applied += ran;
    }
    return rc;
}

enum parley_err store_sqlite_schema_version(struct store *st, int *current, int *latest)
{
    struct sqlite_conn *c;
    enum parley_err rc = store_sqlite_conn(st, &c);

    *current = 0;
    *latest = latest_version();
    return rc == PARLEY_OK ? read_current(c, current) : rc;
}

enum parley_err store_sqlite_ping(struct store *st)
{
    int current, latest;
    enum parley_err rc = store_sqlite_schema_version(st, &current, &latest);

    if (rc != PARLEY_OK)
        return rc;
    return current == latest ? PARLEY_OK : PARLEY_ERR_SCHEMA;
}
