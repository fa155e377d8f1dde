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

static enum parley_err read_admin(struct sqlite_conn *c, sqlite3_stmt *s, struct store_admin *out)
{
    enum parley_err rc = store_sqlite_step(c, s);

    if (rc == PARLEY_OK) {
        out->id = sqlite3_column_int64(s, 0);
        out->email = store_sqlite_text(s, 1);
        out->password_hash = store_sqlite_text(s, 2);
        out->created_at = sqlite3_column_int64(s, 3);
    }
    store_sqlite_done(s);
    return rc;
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
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ADMIN_BY_ID, &s, "l", id);
    return rc == PARLEY_OK ? read_admin(c, s, out) : rc;
}

enum parley_err store_sqlite_admin_get_by_email(struct store *st, const char *email,
                                                struct store_admin *out)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ADMIN_BY_EMAIL, &s, "t", email);
    return rc == PARLEY_OK ? read_admin(c, s, out) : rc;
}

enum parley_err store_sqlite_admin_set_password(struct store *st, long long id,
                                                const char *password_hash)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ADMIN_SET_PASSWORD, &s, "tll", password_hash,
                               clock_now_ms(), id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK && store_sqlite_changes(c) == 0)
        rc = PARLEY_ERR_NOT_FOUND;
    return rc;
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
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ROLE_SET, &s, "llt", admin_id, org_id, role);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

enum parley_err store_sqlite_admin_roles(struct store *st, long long admin_id,
                                         struct store_role **out, size_t *count)
{
    struct store_role *roles = NULL;
    size_t n = 0, cap = 0;
    struct sqlite_conn *c;
    sqlite3_stmt *s = NULL;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_ROLES_OF, &s, "l", admin_id);
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

enum parley_err store_sqlite_session_create(struct store *st, const char *token_hash,
                                            long long admin_id, const char *csrf_token,
                                            long long expires_at)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_SESSION_INSERT, &s, "tltll", token_hash, admin_id,
                               csrf_token, clock_now_ms(), expires_at);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

enum parley_err store_sqlite_session_get(struct store *st, const char *token_hash, long long now,
                                         struct store_session *out)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s = NULL;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_SESSION_GET, &s, "tl", token_hash, now);
    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK) {
        out->id = sqlite3_column_int64(s, 0);
        out->admin_id = sqlite3_column_int64(s, 1);
        out->csrf_token = store_sqlite_text(s, 2);
        out->created_at = sqlite3_column_int64(s, 3);
        out->expires_at = sqlite3_column_int64(s, 4);
    }
    store_sqlite_done(s);
    return rc;
}

enum parley_err store_sqlite_session_delete(struct store *st, const char *token_hash)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_SESSION_DELETE, &s, "t", token_hash);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

enum parley_err store_sqlite_sessions_purge_expired(struct store *st, long long now)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_SESSIONS_PURGE, &s, "l", now);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

/* ---- failed logins ---- */

static const char SQL_FAILURE_ADD[] = "INSERT INTO login_failures (key, at) VALUES (?, ?)";
static const char SQL_FAILURE_COUNT[] =
    "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?";
static const char SQL_FAILURE_CLEAR[] = "DELETE FROM login_failures WHERE key = ?";

enum parley_err store_sqlite_login_failure_add(struct store *st, const char *key, long long now)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_FAILURE_ADD, &s, "tl", key, now);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

enum parley_err store_sqlite_login_failures_count(struct store *st, const char *key,
                                                  long long since, int *count)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s = NULL;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_FAILURE_COUNT, &s, "tl", key, since);
    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK)
        *count = sqlite3_column_int(s, 0);
    store_sqlite_done(s);
    return rc;
}

enum parley_err store_sqlite_login_failures_clear(struct store *st, const char *key)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_FAILURE_CLEAR, &s, "t", key);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}
