/* sqlite_admin.c - Hub administrators: accounts, per-org roles, sessions and
 * failed-login counting (SQLite backend; see store.h for the contracts). */
#include "store/sqlite.h"

#include <stdlib.h>

#include "util/clock.h"
#include "util/xmalloc.h"

/* ---- admin users ---- */

static const char SQL_ADMIN_INSERT[] =
    "INSERT INTO admin_users (email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)";
static const char SQL_ADMIN_BY_ID[] =
    "SELECT id, email, password_hash, created_at FROM admin_users WHERE id = ?";
static const char SQL_ADMIN_BY_EMAIL[] =
    "SELECT id, email, password_hash, created_at FROM admin_users WHERE email = ?";
static const char SQL_ADMIN_SET_PASSWORD[] =
    "UPDATE admin_users SET password_hash = ?, updated_at = ? WHERE id = ?";

static void admin_row(sqlite3_stmt *s, void *row)
{
    struct store_admin *out = row;

    out->id = sqlite3_column_int64(s, 0);
    out->email = store_sqlite_text(s, 1);
    out->password_hash = store_sqlite_text(s, 2);
    out->created_at = sqlite3_column_int64(s, 3);
}

enum parley_err store_sqlite_admin_create(struct store *st, const char *email,
                                          const char *password_hash, long long *id)
{
    long long now = clock_now_ms();
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ADMIN_INSERT, &s, "ttll", email, password_hash, now, now);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        *id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
    return rc;
}

enum parley_err store_sqlite_admin_get(struct store *st, long long id, struct store_admin *out)
{
    return store_sqlite_get(st, admin_row, out, SQL_ADMIN_BY_ID, "l", id);
}

enum parley_err store_sqlite_admin_get_by_email(struct store *st, const char *email,
                                                struct store_admin *out)
{
    return store_sqlite_get(st, admin_row, out, SQL_ADMIN_BY_EMAIL, "t", email);
}

enum parley_err store_sqlite_admin_set_password(struct store *st, long long id,
                                                const char *password_hash)
{
    return store_sqlite_write(st, PARLEY_ERR_NOT_FOUND, SQL_ADMIN_SET_PASSWORD, "tll",
                              password_hash, clock_now_ms(), id);
}

/* ---- roles ---- */

static const char SQL_ROLE_SET[] =
    "INSERT INTO admin_roles (admin_id, org_id, role) VALUES (?, ?, ?)"
    " ON CONFLICT (admin_id, org_id) DO UPDATE SET role = excluded.role";
static const char SQL_ROLES_OF[] =
    "SELECT r.org_id, o.name, r.role FROM admin_roles r JOIN orgs o ON o.id = r.org_id"
    " WHERE r.admin_id = ? ORDER BY o.name";

enum parley_err store_sqlite_admin_role_set(struct store *st, long long admin_id, long long org_id,
                                            const char *role)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_ROLE_SET, "llt", admin_id, org_id, role);
}

enum parley_err store_sqlite_admin_roles(struct store *st, long long admin_id,
                                         struct store_role **out, size_t *count)
{
    struct store_role *roles = NULL;
    size_t n = 0, cap = 0;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_ROLES_OF, "l", admin_id);

    while (rc == PARLEY_OK && (rc = store_sqlite_step(c, s)) == PARLEY_OK) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4;
            roles = xrealloc(roles, cap * sizeof *roles);
        }
        roles[n].org_id = sqlite3_column_int64(s, 0);
        roles[n].org_name = store_sqlite_text(s, 1);
        roles[n].role = store_sqlite_text(s, 2);
        n++;
    }
    store_sqlite_done(s);
    if (rc != PARLEY_ERR_NOT_FOUND) {
        store_roles_free(roles, n);
        return rc;
    }
    *out = roles;
    *count = n;
    return PARLEY_OK;
}

/* ---- sessions ---- */

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, admin_id, csrf_token, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?)";
static const char SQL_SESSION_GET[] =
    "SELECT id, admin_id, csrf_token, created_at, expires_at FROM sessions"
    " WHERE token_hash = ? AND expires_at > ?";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char SQL_SESSIONS_PURGE[] = "DELETE FROM sessions WHERE expires_at <= ?";

static void session_row(sqlite3_stmt *s, void *row)
{
    struct store_session *out = row;

    out->id = sqlite3_column_int64(s, 0);
    out->admin_id = sqlite3_column_int64(s, 1);
    out->csrf_token = store_sqlite_text(s, 2);
    out->created_at = sqlite3_column_int64(s, 3);
    out->expires_at = sqlite3_column_int64(s, 4);
}

enum parley_err store_sqlite_session_create(struct store *st, const char *token_hash,
                                            long long admin_id, const char *csrf_token,
                                            long long expires_at)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_SESSION_INSERT, "tltll", token_hash, admin_id,
                              csrf_token, clock_now_ms(), expires_at);
}

enum parley_err store_sqlite_session_get(struct store *st, const char *token_hash, long long now,
                                         struct store_session *out)
{
    return store_sqlite_get(st, session_row, out, SQL_SESSION_GET, "tl", token_hash, now);
}

enum parley_err store_sqlite_session_delete(struct store *st, const char *token_hash)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_SESSION_DELETE, "t", token_hash);
}

enum parley_err store_sqlite_sessions_purge_expired(struct store *st, long long now)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_SESSIONS_PURGE, "l", now);
}

/* ---- failed logins ---- */

static const char SQL_FAILURE_ADD[] = "INSERT INTO login_failures (key, at) VALUES (?, ?)";
static const char SQL_FAILURE_COUNT[] =
    "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?";
static const char SQL_FAILURE_CLEAR[] = "DELETE FROM login_failures WHERE key = ?";

static void count_row(sqlite3_stmt *s, void *count)
{
    *(int *)count = sqlite3_column_int(s, 0);
}

enum parley_err store_sqlite_login_failure_add(struct store *st, const char *key, long long now)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_FAILURE_ADD, "tl", key, now);
}

enum parley_err store_sqlite_login_failures_count(struct store *st, const char *key,
                                                  long long since, int *count)
{
    return store_sqlite_get(st, count_row, count, SQL_FAILURE_COUNT, "tl", key, since);
}

enum parley_err store_sqlite_login_failures_clear(struct store *st, const char *key)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_FAILURE_CLEAR, "t", key);
}
