/* sqlite_people.c - people and their identities: upserts that report what
 * they changed, lookups, and the Hub's filtered, keyset-paged listing
 * (SQLite backend; see store.h for the contracts).
 *
 * Each upsert is a read-then-write.  Called on its own, it runs in a
 * transaction of its own (BEGIN IMMEDIATE: the read cannot race another
 * writer).  Called inside the caller's transaction (an import writes a
 * whole page in one store_tx), it takes no savepoint: every check that can
 * refuse the write (another org's account, a missing person) runs before
 * the first write, and what follows cannot fail on a constraint, so a
 * refused upsert has written nothing and a savepoint would only cost (its
 * journal copies every page the upsert touches).  The UPDATEs carry "and
 * something differs" conditions, so sqlite3_changes() tells "updated" from
 * "unchanged" and an unchanged row is never rewritten. */
#include "store/sqlite.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* Begin a transaction for an upsert unless the connection is already in
 * one (see the head comment); *began says whether store_sqlite_end is due.
 * PROBE is any statement of C, prepared and not yet stepped. */
static enum parley_err begin_unless_in_tx(struct sqlite_conn *c, sqlite3_stmt *probe, int *began)
{
    enum parley_err rc = PARLEY_OK;

    *began = sqlite3_get_autocommit(sqlite3_db_handle(probe)) != 0;
    if (*began)
        rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK) {
        *began = 0;
        store_sqlite_done(probe);
    }
    return rc;
}

/* End what begin_unless_in_tx began; RC passes through otherwise. */
static enum parley_err end_if_began(struct sqlite_conn *c, int began, enum parley_err rc)
{
    return began ? store_sqlite_end(c, rc) : rc;
}

/* ---- people ---- */

#define PERSON_COLUMNS                                                                 \
    "id, org_id, email, display_name, given_name, family_name, name_source,"           \
    " primary_platform, sync_status, status_reason, created_at, updated_at"

static const char SQL_PERSON_ID[] = "SELECT id FROM people WHERE org_id = ? AND email = ?";
static const char SQL_PERSON_INSERT[] =
    "INSERT INTO people (org_id, email, display_name, given_name, family_name, name_source,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
/* ?1 display, ?2 given, ?3 family, ?4 source, ?5 now, ?6 id.  The names'
 * own platform changes them (or any platform while there is no name); a row
 * whose names already match is not touched. */
static const char SQL_PERSON_RENAME[] =
    "UPDATE people SET display_name = ?1, given_name = ?2, family_name = ?3, name_source = ?4,"
    " updated_at = ?5"
    " WHERE id = ?6"
    "   AND (name_source IS NULL OR name_source = ?4 OR (display_name = '' AND ?1 <> ''))"
    "   AND (display_name IS NOT ?1 OR given_name IS NOT ?2 OR family_name IS NOT ?3)";
static const char SQL_PERSON_BY_ID[] =
    "SELECT " PERSON_COLUMNS " FROM people WHERE org_id = ? AND id = ?";
static const char SQL_PERSON_BY_EMAIL[] =
    "SELECT " PERSON_COLUMNS " FROM people WHERE org_id = ? AND email = ?";

/* The listing's filters: ?1 org, ?2 LIKE pattern or NULL, ?3 platform of a
 * native identity or NULL, ?4 sync status or NULL, ?5 team or NULL. */
#define PEOPLE_WHERE                                                                   \
    " WHERE org_id = ?1"                                                               \
    "   AND (?2 IS NULL OR email LIKE ?2 ESCAPE '\\' OR display_name LIKE ?2 ESCAPE '\\')" \
    "   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM identities i WHERE i.person_id = people.id" \
    "        AND i.platform = ?3 AND i.kind = 'native'))"                              \
    "   AND (?4 IS NULL OR sync_status = ?4)"                                          \
    "   AND (?5 IS NULL OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ?5"  \
    "        AND m.person_id = people.id))"

/* Keyset pages, ?6 key and ?7 id of the previous page's last row, ?8 limit.
 * The row-value comparisons are index range seeks (people_org_name and the
 * unique (org_id, email) index), so page 1,000 costs what page 1 does. */
static const char SQL_PEOPLE_BY_NAME[] =
    "SELECT " PERSON_COLUMNS " FROM people" PEOPLE_WHERE
    "   AND (display_name, id) > (?6 COLLATE NOCASE, ?7)"
    " ORDER BY display_name COLLATE NOCASE, id LIMIT ?8";
static const char SQL_PEOPLE_BY_EMAIL[] =
    "SELECT " PERSON_COLUMNS " FROM people" PEOPLE_WHERE
    "   AND (email, id) > (?6, ?7)"
    " ORDER BY email, id LIMIT ?8";
static const char SQL_PEOPLE_COUNT[] = "SELECT count(*) FROM people" PEOPLE_WHERE;

static const char SQL_IDENTITIES_OF[] =
    "SELECT id, person_id, platform, kind, external_id, email, state, created_at, updated_at"
    " FROM identities WHERE person_id = ? ORDER BY id";

/* Fill OUT from the current row of a PERSON_COLUMNS statement. */
static void read_person_row(sqlite3_stmt *s, struct store_person *out)
{
    out->id = sqlite3_column_int64(s, 0);
    out->org_id = sqlite3_column_int64(s, 1);
    out->email = store_sqlite_text(s, 2);
    out->display_name = store_sqlite_text(s, 3);
    out->given_name = store_sqlite_text(s, 4);
    out->family_name = store_sqlite_text(s, 5);
    out->name_source = store_sqlite_text(s, 6);
    out->primary_platform = store_sqlite_text(s, 7);
    out->sync_status = store_sqlite_text(s, 8);
    out->status_reason = store_sqlite_text(s, 9);
    out->created_at = sqlite3_column_int64(s, 10);
    out->updated_at = sqlite3_column_int64(s, 11);
}

/* Attach P's identities (P->identities, oldest first). */
static enum parley_err read_identities(struct sqlite_conn *c, struct store_person *p)
{
    sqlite3_stmt *s;
    size_t cap = 0;
    enum parley_err rc = store_sqlite_stmt(c, SQL_IDENTITIES_OF, &s, "l", p->id);

    if (rc != PARLEY_OK)
        return rc;
    while ((rc = store_sqlite_step(c, s)) == PARLEY_OK) {
        struct store_identity *ident;
        if (p->identity_count == cap) {
            cap = cap ? 2 * cap : 2;
            p->identities = xrealloc(p->identities, cap * sizeof *p->identities);
        }
        ident = &p->identities[p->identity_count++];
        ident->id = sqlite3_column_int64(s, 0);
        ident->person_id = sqlite3_column_int64(s, 1);
        ident->platform = store_sqlite_text(s, 2);
        ident->kind = store_sqlite_text(s, 3);
        ident->external_id = store_sqlite_text(s, 4);
        ident->email = store_sqlite_text(s, 5);
        ident->state = store_sqlite_text(s, 6);
        ident->created_at = sqlite3_column_int64(s, 7);
        ident->updated_at = sqlite3_column_int64(s, 8);
    }
    store_sqlite_done(s);
    return rc == PARLEY_ERR_NOT_FOUND ? PARLEY_OK : rc;
}

/* Step a PERSON_COLUMNS statement expected to give one row into OUT, with identities. */
static enum parley_err read_one_person(struct sqlite_conn *c, sqlite3_stmt *s,
                                       struct store_person *out)
{
    enum parley_err rc = store_sqlite_step(c, s);

    if (rc == PARLEY_OK)
        read_person_row(s, out);
    store_sqlite_done(s);
    if (rc == PARLEY_OK)
        rc = read_identities(c, out);
    if (rc != PARLEY_OK)
        store_person_clear(out);
    return rc;
}

enum parley_err store_sqlite_person_upsert(struct store *st, const struct store_person_new *p,
                                           long long now, long long *id,
                                           enum store_upsert_result *result)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    int began = 0;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_PERSON_ID, &s, "lt", p->org_id, p->email);
    if (rc == PARLEY_OK)
        rc = begin_unless_in_tx(c, s, &began);
    if (rc != PARLEY_OK)
        return rc;
    rc = store_sqlite_scalar(c, s, id);
    if (rc == PARLEY_OK) {
        rc = store_sqlite_stmt(c, SQL_PERSON_RENAME, &s, "ttttll", p->display_name, p->given_name,
                               p->family_name, p->source, now, *id);
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
        if (rc == PARLEY_OK)
            *result = store_sqlite_changes(c) ? STORE_UPSERT_UPDATED : STORE_UPSERT_UNCHANGED;
    } else if (rc == PARLEY_ERR_NOT_FOUND) {
        rc = store_sqlite_stmt(c, SQL_PERSON_INSERT, &s, "ltttttll", p->org_id, p->email,
                               p->display_name, p->given_name, p->family_name, p->source, now,
                               now);
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
        if (rc == PARLEY_OK) {
            *id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
            *result = STORE_UPSERT_NEW;
        }
    }
    return end_if_began(c, began, rc);
}

enum parley_err store_sqlite_person_get(struct store *st, long long org_id, long long id,
                                        struct store_person *out)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_PERSON_BY_ID, &s, "ll", org_id, id);
    return rc == PARLEY_OK ? read_one_person(c, s, out) : rc;
}

enum parley_err store_sqlite_person_get_by_email(struct store *st, long long org_id,
                                                 const char *email, struct store_person *out)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_PERSON_BY_EMAIL, &s, "lt", org_id, email);
    return rc == PARLEY_OK ? read_one_person(c, s, out) : rc;
}

/* "%SEARCH%" with LIKE's wildcards in SEARCH escaped; NULL for no search. */
static char *like_pattern(const char *search)
{
    char *pattern, *p;

    if (!search)
        return NULL;
    pattern = xmalloc(2 * strlen(search) + 3);
    p = pattern;
    *p++ = '%';
    for (const char *q = search; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            *p++ = '\\';
        *p++ = *q;
    }
    *p++ = '%';
    *p = '\0';
    return pattern;
}

enum parley_err store_sqlite_people_list(struct store *st, const struct store_people_query *q,
                                         enum parley_err (*fn)(const struct store_person *,
                                                               void *),
                                         void *arg)
{
    const char *sql = q->sort == STORE_PEOPLE_BY_EMAIL ? SQL_PEOPLE_BY_EMAIL : SQL_PEOPLE_BY_NAME;
    char *pattern = like_pattern(q->search);
    struct store_person *people = NULL;
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    size_t n = 0;
    enum parley_err rc = store_sqlite_conn(st, &c);

    /* From the start: the empty key and id 0 come before every row. */
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, sql, &s, "ltttztli", q->org_id, pattern, q->platform,
                               q->sync_status, q->team_id, q->after_key ? q->after_key : "",
                               q->after_id, q->limit);
    if (rc != PARLEY_OK)
        goto out;
    /* Read the whole page first, then call FN: FN may use the store itself. */
    people = xcalloc((size_t)q->limit, sizeof *people);
    while (n < (size_t)q->limit && (rc = store_sqlite_step(c, s)) == PARLEY_OK)
        read_person_row(s, &people[n++]);
    store_sqlite_done(s);
    if (rc == PARLEY_ERR_NOT_FOUND)
        rc = PARLEY_OK;
    for (size_t i = 0; i < n && rc == PARLEY_OK; i++)
        rc = read_identities(c, &people[i]);
    for (size_t i = 0; i < n && rc == PARLEY_OK; i++)
        rc = fn(&people[i], arg);
out:
    for (size_t i = 0; i < n; i++)
        store_person_clear(&people[i]);
    free(people);
    free(pattern);
    return rc;
}

enum parley_err store_sqlite_people_count(struct store *st, const struct store_people_query *q,
                                          long long *count)
{
    char *pattern = like_pattern(q->search);
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_PEOPLE_COUNT, &s, "ltttz", q->org_id, pattern, q->platform,
                               q->sync_status, q->team_id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_scalar(c, s, count);
    free(pattern);
    return rc;
}

/* ---- identities ---- */

/* ?1 person, ?2 platform, ?3 external id: the person's org, then the
 * identity holding the external id (NULLs when none): its id, its person's
 * org, its person and kind.  No row: no such person.  One statement, as
 * every upsert of an import runs it. */
static const char SQL_IDENT_LOOKUP[] =
    "SELECT p.org_id, i.id, ip.org_id, i.person_id, i.kind FROM people p"
    " LEFT JOIN identities i ON i.platform = ?2 AND i.external_id = ?3"
    " LEFT JOIN people ip ON ip.id = i.person_id"
    " WHERE p.id = ?1";
static const char SQL_IDENT_BY_SLOT[] =
    "SELECT id FROM identities WHERE person_id = ? AND platform = ? AND kind = ?";
/* Remove whoever holds the (person, platform, kind) slot other than ?4. */
static const char SQL_IDENT_EVICT[] =
    "DELETE FROM identities WHERE person_id = ? AND platform = ? AND kind = ? AND id <> ?";
static const char SQL_IDENT_INSERT[] =
    "INSERT INTO identities (person_id, platform, kind, external_id, email, state, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
/* ?1 person, ?2 kind, ?3 external id, ?4 email, ?5 state, ?6 now, ?7 id. */
static const char SQL_IDENT_UPDATE[] =
    "UPDATE identities SET person_id = ?1, kind = ?2, external_id = ?3, email = ?4, state = ?5,"
    " updated_at = ?6"
    " WHERE id = ?7 AND (person_id IS NOT ?1 OR kind IS NOT ?2 OR external_id IS NOT ?3"
    "                    OR email IS NOT ?4 OR state IS NOT ?5)";

/* The identity IDENT refers to: *found_id (0: none) by external id, else by
 * the person's slot.  PARLEY_ERR_CONFLICT when the external id is another
 * org's, PARLEY_ERR_NOT_FOUND when the person does not exist; both are
 * decided before anything is written.  A slot taken by another identity is
 * freed for the external id's (the one write here; the write that follows
 * cannot then fail on a constraint). */
static enum parley_err find_identity(struct sqlite_conn *c, const struct store_identity_new *ident,
                                     long long *found_id)
{
    long long person_org = 0, found_org = 0;
    int same_slot = 0;
    sqlite3_stmt *s = NULL;
    enum parley_err rc = store_sqlite_stmt(c, SQL_IDENT_LOOKUP, &s, "ltt", ident->person_id,
                                           ident->platform, ident->external_id);

    *found_id = 0;
    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK) {
        const char *kind = (const char *)sqlite3_column_text(s, 4);
        person_org = sqlite3_column_int64(s, 0);
        *found_id = sqlite3_column_int64(s, 1);     /* NULL reads as 0: none */
        found_org = sqlite3_column_int64(s, 2);
        same_slot = sqlite3_column_int64(s, 3) == ident->person_id && kind &&
                    strcmp(kind, ident->kind) == 0;
    }
    store_sqlite_done(s);
    if (rc != PARLEY_OK)
        return rc;                     /* NOT_FOUND: no such person */
    if (*found_id) {
        if (found_org != person_org)
            return PARLEY_ERR_CONFLICT;
        if (same_slot)
            return PARLEY_OK;          /* it holds the slot itself: nobody to evict */
        rc = store_sqlite_stmt(c, SQL_IDENT_EVICT, &s, "lttl", ident->person_id, ident->platform,
                               ident->kind, *found_id);
        return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
    }
    rc = store_sqlite_stmt(c, SQL_IDENT_BY_SLOT, &s, "ltt", ident->person_id, ident->platform,
                           ident->kind);
    if (rc == PARLEY_OK)
        rc = store_sqlite_scalar(c, s, found_id);
    return rc == PARLEY_ERR_NOT_FOUND ? PARLEY_OK : rc;
}

enum parley_err store_sqlite_identity_upsert(struct store *st,
                                             const struct store_identity_new *ident,
                                             long long now, long long *id,
                                             enum store_upsert_result *result)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    long long found_id = 0;
    int began = 0;
    enum parley_err rc = store_sqlite_conn(st, &c);

    /* The probe is the statement the upsert ends with, prepared up front. */
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_IDENT_INSERT, &s, "");
    if (rc == PARLEY_OK)
        rc = begin_unless_in_tx(c, s, &began);
    if (rc != PARLEY_OK)
        return rc;
    rc = find_identity(c, ident, &found_id);
    if (rc != PARLEY_OK)
        goto out;
    if (found_id) {
        rc = store_sqlite_stmt(c, SQL_IDENT_UPDATE, &s, "lttttll", ident->person_id, ident->kind,
                               ident->external_id, ident->email, ident->state, now, found_id);
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
        if (rc == PARLEY_OK) {
            *id = found_id;
            *result = store_sqlite_changes(c) ? STORE_UPSERT_UPDATED : STORE_UPSERT_UNCHANGED;
        }
        goto out;
    }
    rc = store_sqlite_stmt(c, SQL_IDENT_INSERT, &s, "ltttttll", ident->person_id, ident->platform,
                           ident->kind, ident->external_id, ident->email, ident->state, now, now);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK) {
        *id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
        *result = STORE_UPSERT_NEW;
    }
out:
    return end_if_began(c, began, rc);
}
