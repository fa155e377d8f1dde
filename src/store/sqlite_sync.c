/* sqlite_sync.c - user sync state (SQLite backend; contracts in store.h):
 * a person's primary platform, their sync status moves with the history
 * table person_sync_events, counts per status, and the secret and removal
 * of an identity (the secondary accounts).
 *
 * A status move is a read-then-write inside store_sqlite_begin/end (BEGIN
 * IMMEDIATE or a savepoint), so the check "the status is still one of FROM"
 * and the write cannot be interleaved with another writer's. */
#include "store/sqlite.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static const char SQL_SET_PRIMARY[] =
    "UPDATE people SET primary_platform = ?1, updated_at = ?2"
    " WHERE org_id = ?3 AND id = ?4 AND primary_platform IS NOT ?1";
static const char SQL_PERSON_EXISTS[] = "SELECT 1 FROM people WHERE org_id = ? AND id = ?";
static const char SQL_STATUS[] = "SELECT sync_status FROM people WHERE org_id = ? AND id = ?";
static const char SQL_SET_REASON[] =
    "UPDATE people SET status_reason = ?, updated_at = ? WHERE id = ?";
static const char SQL_SET_STATUS[] =
    "UPDATE people SET sync_status = ?, status_reason = ?, updated_at = ? WHERE id = ?";
static const char SQL_EVENT_INSERT[] =
    "INSERT INTO person_sync_events (person_id, from_status, to_status, reason, actor,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?)";
/* ?1 org, ?2 person, ?3 before id or NULL, ?4 limit. */
static const char SQL_EVENTS[] =
    "SELECT e.id, e.person_id, e.from_status, e.to_status, e.reason, e.actor, e.created_at"
    " FROM person_sync_events e JOIN people p ON p.id = e.person_id"
    " WHERE p.org_id = ?1 AND e.person_id = ?2 AND (?3 IS NULL OR e.id < ?3)"
    " ORDER BY e.id DESC LIMIT ?4";
/* A walk of the (org_id, sync_status) index, no table rows read. */
static const char SQL_COUNTS[] =
    "SELECT sync_status, count(*) FROM people WHERE org_id = ? GROUP BY sync_status";
static const char SQL_SECRET_SET[] =
    "UPDATE identities SET secret = ?, updated_at = ? WHERE id = ?";
static const char SQL_SECRET_GET[] = "SELECT secret FROM identities WHERE id = ?";
static const char SQL_IDENT_DELETE[] =
    "DELETE FROM identities WHERE id = ? AND person_id IN (SELECT id FROM people WHERE org_id = ?)";

/* The status named by column COL of S (the column has a CHECK; an unknown
 * name cannot occur and reads as not synced). */
static enum store_sync_status column_status(sqlite3_stmt *s, int col)
{
    enum store_sync_status status = STORE_SYNC_NOT_SYNCED;

    store_sync_status_parse((const char *)sqlite3_column_text(s, col), &status);
    return status;
}

enum parley_err store_sqlite_person_set_primary(struct store *st, long long org_id,
                                                long long person_id, const char *platform,
                                                long long now, int *changed)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    long long one;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_SET_PRIMARY, "tlll", platform, now,
                                            org_id, person_id);

    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc != PARLEY_OK)
        return rc;
    *changed = store_sqlite_changes(c) > 0;
    if (*changed)
        return PARLEY_OK;
    /* Nothing changed: already so, or no such person. */
    rc = store_sqlite_stmt(c, SQL_PERSON_EXISTS, &s, "ll", org_id, person_id);
    return rc == PARLEY_OK ? store_sqlite_scalar(c, s, &one) : rc;
}

/* Inside the transaction: read the status, check it, write the move. */
static enum parley_err sync_move(struct sqlite_conn *c, const struct store_sync_move *m,
                                 long long now, enum store_sync_status *prev)
{
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, SQL_STATUS, &s, "ll", m->org_id, m->person_id);

    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK)
        *prev = column_status(s, 0);
    store_sqlite_done(s);
    if (rc != PARLEY_OK)
        return rc;
    if (!(m->from & STORE_SYNC_BIT(*prev)))
        return PARLEY_ERR_CONFLICT;
    if (*prev == m->to) {
        rc = store_sqlite_stmt(c, SQL_SET_REASON, &s, "tll", m->reason, now, m->person_id);
        return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
    }
    rc = store_sqlite_stmt(c, SQL_SET_STATUS, &s, "ttll", store_sync_status_name(m->to),
                           m->reason, now, m->person_id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_EVENT_INSERT, &s, "lttttl", m->person_id,
                               store_sync_status_name(*prev), store_sync_status_name(m->to),
                               m->reason, m->actor, now);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

enum parley_err store_sqlite_person_sync_move(struct store *st, const struct store_sync_move *m,
                                              long long now, enum store_sync_status *prev)
{
    struct sqlite_conn *c;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK)
        return rc;
    return store_sqlite_end(c, sync_move(c, m, now, prev));
}

static void event_row(sqlite3_stmt *s, void *row)
{
    struct store_sync_event *e = row;

    e->id = sqlite3_column_int64(s, 0);
    e->person_id = sqlite3_column_int64(s, 1);
    e->from = column_status(s, 2);
    e->to = column_status(s, 3);
    e->reason = store_sqlite_text(s, 4);
    e->actor = store_sqlite_text(s, 5);
    e->created_at = sqlite3_column_int64(s, 6);
}

enum parley_err store_sqlite_person_sync_history(struct store *st, long long org_id,
                                                 long long person_id, long long before_id,
                                                 int limit,
                                                 enum parley_err (*fn)(
                                                     const struct store_sync_event *, void *),
                                                 void *arg)
{
    struct store_sync_event *events;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    size_t n;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_EVENTS, "llzi", org_id, person_id,
                                            before_id, limit);

    if (rc != PARLEY_OK)
        return rc;
    events = xcalloc((size_t)limit, sizeof *events);
    rc = store_sqlite_page(c, s, limit, events, sizeof *events, event_row, &n);
    for (size_t i = 0; i < n && rc == PARLEY_OK; i++)
        rc = fn(&events[i], arg);
    for (size_t i = 0; i < n; i++)
        store_sync_event_clear(&events[i]);
    free(events);
    return rc;
}

enum parley_err store_sqlite_sync_counts(struct store *st, long long org_id,
                                         long long counts[STORE_SYNC_STATUS_COUNT])
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_COUNTS, "l", org_id);

    if (rc != PARLEY_OK)
        return rc;
    while ((rc = store_sqlite_step(c, s)) == PARLEY_OK)
        counts[column_status(s, 0)] += sqlite3_column_int64(s, 1);
    store_sqlite_done(s);
    return rc == PARLEY_ERR_NOT_FOUND ? PARLEY_OK : rc;
}

enum parley_err store_sqlite_identity_set_secret(struct store *st, long long id,
                                                 const unsigned char *secret, size_t len,
                                                 long long now)
{
    return store_sqlite_write(st, PARLEY_ERR_NOT_FOUND, SQL_SECRET_SET, "bll", secret, len, now,
                              id);
}

struct secret_out {
    unsigned char **secret;
    size_t *len;
};

static void secret_row(sqlite3_stmt *s, void *row)
{
    struct secret_out *out = row;

    *out->secret = store_sqlite_blob(s, 0, out->len);
}

enum parley_err store_sqlite_identity_get_secret(struct store *st, long long id,
                                                 unsigned char **secret, size_t *len)
{
    struct secret_out out = { secret, len };

    return store_sqlite_get(st, secret_row, &out, SQL_SECRET_GET, "l", id);
}

enum parley_err store_sqlite_identity_delete(struct store *st, long long org_id, long long id,
                                             int *removed)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_IDENT_DELETE, "ll", id, org_id);

    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK)
        *removed = store_sqlite_changes(c) > 0;
    return rc;
}
