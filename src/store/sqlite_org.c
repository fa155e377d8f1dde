/* sqlite_org.c - orgs, their platform connections, and the audit log
 * (SQLite backend; see store.h for the contracts). */
#include "store/sqlite.h"

#include <stdlib.h>

#include "util/clock.h"
#include "util/xmalloc.h"

/* ---- orgs ---- */

static const char SQL_ORG_INSERT[] =
    "INSERT INTO orgs (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
static const char SQL_ORG_BY_ID[] = "SELECT id, name, created_at FROM orgs WHERE id = ?";
static const char SQL_ORG_BY_NAME[] = "SELECT id, name, created_at FROM orgs WHERE name = ?";

static void org_row(sqlite3_stmt *s, void *row)
{
    struct store_org *out = row;

    out->id = sqlite3_column_int64(s, 0);
    out->name = store_sqlite_text(s, 1);
    out->created_at = sqlite3_column_int64(s, 2);
}

enum parley_err store_sqlite_org_ensure(struct store *st, const char *name, long long *id,
                                        int *created)
{
    struct store_org org = { 0 };
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc != PARLEY_OK)
        return rc;
    rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK)
        return rc;
    rc = store_sqlite_stmt(c, SQL_ORG_INSERT, &s, "tl", name, clock_now_ms());
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        *created = store_sqlite_changes(c) > 0;
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ORG_BY_NAME, &s, "t", name);
    if (rc == PARLEY_OK)
        rc = store_sqlite_one(c, s, org_row, &org);
    if (rc == PARLEY_OK)
        *id = org.id;
    store_org_clear(&org);
    return store_sqlite_end(c, rc);
}

enum parley_err store_sqlite_org_get(struct store *st, long long id, struct store_org *out)
{
    return store_sqlite_get(st, org_row, out, SQL_ORG_BY_ID, "l", id);
}

enum parley_err store_sqlite_org_get_by_name(struct store *st, const char *name,
                                             struct store_org *out)
{
    return store_sqlite_get(st, org_row, out, SQL_ORG_BY_NAME, "t", name);
}

/* ---- platform connections ---- */

static const char SQL_CONN_PUT[] =
    "INSERT INTO platform_connections (org_id, platform, config_json, secret, updated_at)"
    " VALUES (?, ?, COALESCE(?, '{}'), ?, ?)"
    " ON CONFLICT (org_id, platform) DO UPDATE SET config_json = excluded.config_json,"
    " secret = excluded.secret, updated_at = excluded.updated_at";
static const char SQL_CONN_GET[] =
    "SELECT org_id, platform, config_json, secret, updated_at FROM platform_connections"
    " WHERE org_id = ? AND platform = ?";
static const char SQL_CONN_DELETE[] =
    "DELETE FROM platform_connections WHERE org_id = ? AND platform = ?";

static void connection_row(sqlite3_stmt *s, void *row)
{
    struct store_connection *out = row;

    out->org_id = sqlite3_column_int64(s, 0);
    out->platform = store_sqlite_text(s, 1);
    out->config_json = store_sqlite_text(s, 2);
    out->secret = store_sqlite_blob(s, 3, &out->secret_len);
    out->updated_at = sqlite3_column_int64(s, 4);
}

enum parley_err store_sqlite_connection_put(struct store *st, const struct store_connection *conn,
                                            long long now)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_CONN_PUT, "lttbl", conn->org_id, conn->platform,
                              conn->config_json, (const void *)conn->secret, conn->secret_len,
                              now);
}

enum parley_err store_sqlite_connection_get(struct store *st, long long org_id,
                                            const char *platform, struct store_connection *out)
{
    return store_sqlite_get(st, connection_row, out, SQL_CONN_GET, "lt", org_id, platform);
}

enum parley_err store_sqlite_connection_delete(struct store *st, long long org_id,
                                               const char *platform)
{
    return store_sqlite_write(st, PARLEY_ERR_NOT_FOUND, SQL_CONN_DELETE, "lt", org_id, platform);
}

/* ---- audit ---- */

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit_events (org_id, actor, action, target, details_json, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
/* ?1 org (NULL: all), ?2 before id (NULL: from the newest), ?3 limit. */
static const char SQL_AUDIT_LIST[] =
    "SELECT id, COALESCE(org_id, 0), actor, action, target, details_json, created_at"
    " FROM audit_events"
    " WHERE (?1 IS NULL OR org_id = ?1) AND (?2 IS NULL OR id < ?2)"
    " ORDER BY id DESC LIMIT ?3";

static void audit_row(sqlite3_stmt *s, void *row)
{
    struct store_audit_event *e = row;

    e->id = sqlite3_column_int64(s, 0);
    e->org_id = sqlite3_column_int64(s, 1);
    e->actor = store_sqlite_text(s, 2);
    e->action = store_sqlite_text(s, 3);
    e->target = store_sqlite_text(s, 4);
    e->details_json = store_sqlite_text(s, 5);
    e->created_at = sqlite3_column_int64(s, 6);
}

enum parley_err store_sqlite_audit_add(struct store *st, long long org_id, const char *actor,
                                       const char *action, const char *target,
                                       const char *details_json)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_AUDIT_ADD, "zttttl", org_id, actor, action, target,
                              details_json, clock_now_ms());
}

enum parley_err store_sqlite_audit_list(struct store *st, long long org_id, long long before_id,
                                        int limit,
                                        enum parley_err (*fn)(const struct store_audit_event *,
                                                              void *),
                                        void *arg)
{
    struct store_audit_event *events;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    size_t n;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_AUDIT_LIST, "zzi", org_id, before_id,
                                            limit);

    if (rc != PARLEY_OK)
        return rc;
    events = xcalloc((size_t)limit, sizeof *events);
    rc = store_sqlite_page(c, s, limit, events, sizeof *events, audit_row, &n);
    for (size_t i = 0; i < n; i++) {
        if (rc == PARLEY_OK)
            rc = fn(&events[i], arg);
        store_audit_event_clear(&events[i]);
    }
    free(events);
    return rc;
}
