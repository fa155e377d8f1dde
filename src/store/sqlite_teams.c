/* sqlite_teams.c - teams and groups (import and Directory Sync sources) and
 * their members (SQLite backend; see store.h for the contracts).
 *
 * Membership is refreshed by marking rather than by delete-and-reinsert: an
 * import stamps each member it sees with its start time and finally prunes
 * the members with an older stamp, so the list is never empty half-way
 * through and a crashed import leaves the previous members in place. */
#include "store/sqlite.h"

#include <stdlib.h>

#include "util/xmalloc.h"

#define TEAM_COLUMNS                                                                   \
    "id, org_id, platform, external_id, name, description, member_count, imported,"     \
    " directory_sync, last_imported_at, created_at, updated_at"

static const char SQL_TEAM_ID[] =
    "SELECT id FROM teams WHERE org_id = ? AND platform = ? AND external_id = ?";
static const char SQL_TEAM_INSERT[] =
    "INSERT INTO teams (org_id, platform, external_id, name, description, member_count,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, MAX(?6, 0), ?7, ?7)";
/* ?1 name, ?2 description, ?3 member count (< 0: keep), ?4 now, ?5 id. */
static const char SQL_TEAM_UPDATE[] =
    "UPDATE teams SET name = ?1, description = ?2,"
    " member_count = CASE WHEN ?3 < 0 THEN member_count ELSE ?3 END, updated_at = ?4"
    " WHERE id = ?5 AND (name IS NOT ?1 OR description IS NOT ?2"
    "                    OR (?3 >= 0 AND member_count <> ?3))";
static const char SQL_TEAM_BY_ID[] = "SELECT " TEAM_COLUMNS " FROM teams WHERE org_id = ? AND id = ?";
static const char SQL_TEAM_BY_EXTERNAL[] =
    "SELECT " TEAM_COLUMNS " FROM teams WHERE org_id = ? AND platform = ? AND external_id = ?";
/* ?1 org, ?2 platform or NULL, ?3 after id, ?4 limit. */
static const char SQL_TEAM_LIST[] =
    "SELECT " TEAM_COLUMNS " FROM teams"
    " WHERE org_id = ?1 AND (?2 IS NULL OR platform = ?2) AND id > ?3 ORDER BY id LIMIT ?4";
static const char SQL_TEAM_MARK[] =
    "UPDATE teams SET imported = 1, last_imported_at = ?1, updated_at = ?1 WHERE id = ?2";
static const char SQL_MEMBER_UPSERT[] =
    "INSERT INTO team_members (team_id, person_id, seen_at) VALUES (?, ?, ?)"
    " ON CONFLICT (team_id, person_id) DO UPDATE SET seen_at = excluded.seen_at";
static const char SQL_MEMBERS_PRUNE[] = "DELETE FROM team_members WHERE team_id = ? AND seen_at < ?";

/* Fill OUT from the current row of a TEAM_COLUMNS statement. */
static void team_row(sqlite3_stmt *s, void *row)
{
    struct store_team *out = row;

    out->id = sqlite3_column_int64(s, 0);
    out->org_id = sqlite3_column_int64(s, 1);
    out->platform = store_sqlite_text(s, 2);
    out->external_id = store_sqlite_text(s, 3);
    out->name = store_sqlite_text(s, 4);
    out->description = store_sqlite_text(s, 5);
    out->member_count = sqlite3_column_int64(s, 6);
    out->imported = sqlite3_column_int(s, 7);
    out->directory_sync = sqlite3_column_int(s, 8);
    out->last_imported_at = sqlite3_column_int64(s, 9);
    out->created_at = sqlite3_column_int64(s, 10);
    out->updated_at = sqlite3_column_int64(s, 11);
}

enum parley_err store_sqlite_team_upsert(struct store *st, const struct store_team_new *t,
                                         long long now, long long *id,
                                         enum store_upsert_result *result)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK)
        return rc;
    rc = store_sqlite_stmt(c, SQL_TEAM_ID, &s, "ltt", t->org_id, t->platform, t->external_id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_scalar(c, s, id);
    if (rc == PARLEY_OK) {
        rc = store_sqlite_stmt(c, SQL_TEAM_UPDATE, &s, "ttlll", t->name, t->description,
                               t->member_count, now, *id);
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
        if (rc == PARLEY_OK)
            *result = store_sqlite_changes(c) ? STORE_UPSERT_UPDATED : STORE_UPSERT_UNCHANGED;
    } else if (rc == PARLEY_ERR_NOT_FOUND) {
        rc = store_sqlite_stmt(c, SQL_TEAM_INSERT, &s, "lttttll", t->org_id, t->platform,
                               t->external_id, t->name, t->description, t->member_count, now);
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
        if (rc == PARLEY_OK) {
            *id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
            *result = STORE_UPSERT_NEW;
        }
    }
    return store_sqlite_end(c, rc);
}

enum parley_err store_sqlite_team_get(struct store *st, long long org_id, long long id,
                                      struct store_team *out)
{
    return store_sqlite_get(st, team_row, out, SQL_TEAM_BY_ID, "ll", org_id, id);
}

enum parley_err store_sqlite_team_get_by_external(struct store *st, long long org_id,
                                                  const char *platform, const char *external_id,
                                                  struct store_team *out)
{
    return store_sqlite_get(st, team_row, out, SQL_TEAM_BY_EXTERNAL, "ltt", org_id, platform,
                            external_id);
}

enum parley_err store_sqlite_team_list(struct store *st, long long org_id, const char *platform,
                                       long long after_id, int limit,
                                       enum parley_err (*fn)(const struct store_team *, void *),
                                       void *arg)
{
    struct store_team *teams;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    size_t n;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_TEAM_LIST, "ltli", org_id, platform,
                                            after_id, limit);

    if (rc != PARLEY_OK)
        return rc;
    teams = xcalloc((size_t)limit, sizeof *teams);
    rc = store_sqlite_page(c, s, limit, teams, sizeof *teams, team_row, &n);
    for (size_t i = 0; i < n; i++) {
        if (rc == PARLEY_OK)
            rc = fn(&teams[i], arg);
        store_team_clear(&teams[i]);
    }
    free(teams);
    return rc;
}

enum parley_err store_sqlite_team_mark_imported(struct store *st, long long team_id,
                                                long long now)
{
    return store_sqlite_write(st, PARLEY_ERR_NOT_FOUND, SQL_TEAM_MARK, "ll", now, team_id);
}

enum parley_err store_sqlite_team_member_upsert(struct store *st, long long team_id,
                                                long long person_id, long long seen_at)
{
    return store_sqlite_write(st, PARLEY_OK, SQL_MEMBER_UPSERT, "lll", team_id, person_id, seen_at);
}

enum parley_err store_sqlite_team_members_prune(struct store *st, long long team_id,
                                                long long seen_before, long long *removed)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_MEMBERS_PRUNE, "ll", team_id,
                                            seen_before);

    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        *removed = store_sqlite_changes(c);
    return rc;
}
