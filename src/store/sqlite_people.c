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
 * journal copies every page the upsert touches).  An upsert reads the
 * current row first and runs its UPDATE only when something differs (the
 * UPDATEs repeat that condition, so sqlite3_changes() tells "updated" from
 * "unchanged" and an unchanged row is never rewritten). */
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

/* The person of an email, with what decides whether their names change. */
static const char SQL_PERSON_FIND[] =
    "SELECT id, display_name, given_name, family_name, name_source FROM people"
    " WHERE org_id = ? AND email = ?";
/* Does nothing (no change) when the email is already the org's. */
static const char SQL_PERSON_INSERT[] =
    "INSERT INTO people (org_id, email, display_name, given_name, family_name, name_source,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (org_id, email) DO NOTHING";
/* ?1 display, ?2 given, ?3 family, ?4 source, ?5 now, ?6 id.  Run only when
 * rename_due() says so; the conditions repeat its rule, so a row whose names
 * already match is never touched. */
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
static void person_row(sqlite3_stmt *s, void *row)
{
    struct store_person *out = row;

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
    enum parley_err rc = store_sqlite_one(c, s, person_row, out);

    if (rc == PARLEY_OK)
        rc = read_identities(c, out);
    if (rc != PARLEY_OK)
        store_person_clear(out);
    return rc;
}

/* Whether two texts are equal, NULL equal only to NULL (SQL's IS). */
static int same_text(const unsigned char *a, const char *b)
{
    return a && b ? strcmp((const char *)a, b) == 0 : !a && !b;
}

/* SQL_PERSON_RENAME's rule, on a SQL_PERSON_FIND row: the names' own
 * platform changes them (or any platform while there is no name), and only
 * when they differ. */
static int rename_due(sqlite3_stmt *s, const struct store_person_new *p)
{
    const unsigned char *display = sqlite3_column_text(s, 1);
    const unsigned char *source = sqlite3_column_text(s, 4);
    int owner = !source || same_text(source, p->source) ||
                (display && !*display && p->display_name && *p->display_name);

    return owner && (!same_text(display, p->display_name) ||
                     !same_text(sqlite3_column_text(s, 2), p->given_name) ||
                     !same_text(sqlite3_column_text(s, 3), p->family_name));
}

/* Run the INSERT S (prepared with RC): *inserted (it may do nothing on a
 * conflict), and the new row's *id when it did. */
static enum parley_err run_insert(struct sqlite_conn *c, sqlite3_stmt *s, enum parley_err rc,
                                  long long *id, int *inserted)
{
    *inserted = 0;
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK && store_sqlite_changes(c)) {
        *inserted = 1;
        *id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
    }
    return rc;
}

/* Insert P unless its email is the org's already: *inserted, and *id when it was. */
static enum parley_err insert_person(struct sqlite_conn *c, const struct store_person_new *p,
                                     long long now, long long *id, int *inserted)
{
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, SQL_PERSON_INSERT, &s, "ltttttll", p->org_id,
                                           p->email, p->display_name, p->given_name,
                                           p->family_name, p->source, now, now);

    return run_insert(c, s, rc, id, inserted);
}

/* P's existing person: *id, renamed when due.  PARLEY_ERR_NOT_FOUND: none. */
static enum parley_err update_person(struct sqlite_conn *c, const struct store_person_new *p,
                                     long long now, long long *id,
                                     enum store_upsert_result *result)
{
    sqlite3_stmt *s;
    int due = 0;
    enum parley_err rc = store_sqlite_stmt(c, SQL_PERSON_FIND, &s, "lt", p->org_id, p->email);

    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK) {
        *id = sqlite3_column_int64(s, 0);
        due = rename_due(s, p);
    }
    store_sqlite_done(s);
    *result = STORE_UPSERT_UNCHANGED;
    if (rc != PARLEY_OK || !due)
        return rc;
    rc = store_sqlite_stmt(c, SQL_PERSON_RENAME, &s, "ttttll", p->display_name, p->given_name,
                           p->family_name, p->source, now, *id);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK && store_sqlite_changes(c))
        *result = STORE_UPSERT_UPDATED;
    return rc;
}

/* Which statement a person upsert tries first on this thread: the INSERT
 * when the last upsert here created its person, else the look-up.  An
 * import is a run of new people or of known ones, so the first try is
 * nearly always the one that succeeds and each upsert runs one statement
 * (two when a known person is renamed). */
static _Thread_local int person_expect_new;

enum parley_err store_sqlite_person_upsert(struct store *st, const struct store_person_new *p,
                                           long long now, long long *id,
                                           enum store_upsert_result *result)
{
    struct sqlite_conn *c;
    sqlite3_stmt *probe;
    int began = 0, inserted = 0;
    enum parley_err rc = store_sqlite_conn(st, &c);

    *id = 0;
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_PERSON_FIND, &probe, "");
    if (rc == PARLEY_OK)
        rc = begin_unless_in_tx(c, probe, &began);
    if (rc != PARLEY_OK)
        return rc;
    if (person_expect_new)
        rc = insert_person(c, p, now, id, &inserted);
    if (rc == PARLEY_OK && !inserted) {
        rc = update_person(c, p, now, id, result);
        if (rc == PARLEY_ERR_NOT_FOUND)
            rc = insert_person(c, p, now, id, &inserted);
        if (rc == PARLEY_OK && !*id)
            rc = PARLEY_ERR_STORE;      /* neither found nor inserted: cannot be, under the lock */
    }
    if (rc == PARLEY_OK && inserted)
        *result = STORE_UPSERT_NEW;
    if (rc == PARLEY_OK)
        person_expect_new = inserted;
    return end_if_began(c, began, rc);
}

enum parley_err store_sqlite_person_get(struct store *st, long long org_id, long long id,
                                        struct store_person *out)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_PERSON_BY_ID, "ll", org_id, id);

    return rc == PARLEY_OK ? read_one_person(c, s, out) : rc;
}

enum parley_err store_sqlite_person_get_by_email(struct store *st, long long org_id,
                                                 const char *email, struct store_person *out)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_query(st, &c, &s, SQL_PERSON_BY_EMAIL, "lt", org_id, email);

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
    rc = store_sqlite_page(c, s, q->limit, people, sizeof *people, person_row, &n);
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

/* ?1 person, ?2 platform, ?3 external id, ?4 kind: the person's org; the
 * identity holding the external id (NULLs when none): its id, its person's
 * org, its person, kind, email and state; and the identity in the person's
 * (platform, kind) slot (NULL when empty).  No row: no such person.  One
 * statement, as every upsert of an import runs it. */
static const char SQL_IDENT_LOOKUP[] =
    "SELECT p.org_id, i.id, ip.org_id, i.person_id, i.kind, i.email, i.state,"
    " (SELECT s.id FROM identities s WHERE s.person_id = ?1 AND s.platform = ?2"
    "   AND s.kind = ?4)"
    " FROM people p"
    " LEFT JOIN identities i ON i.platform = ?2 AND i.external_id = ?3"
    " LEFT JOIN people ip ON ip.id = i.person_id"
    " WHERE p.id = ?1";
/* Remove whoever holds the (person, platform, kind) slot other than ?4. */
static const char SQL_IDENT_EVICT[] =
    "DELETE FROM identities WHERE person_id = ? AND platform = ? AND kind = ? AND id <> ?";
#define IDENT_INSERT                                                                   \
    "INSERT INTO identities (person_id, platform, kind, external_id, email, state, created_at," \
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
static const char SQL_IDENT_INSERT[] = IDENT_INSERT;
/* ?1 person, ?2 platform, ?3 external id, ?4 kind, ?5 email, ?6 state: the
 * identity when it is exactly as given already (one seek on the unique
 * (platform, external_id) index): the first try when known identities are
 * expected, as in a re-import. */
static const char SQL_IDENT_CURRENT[] =
    "SELECT id FROM identities WHERE platform = ?2 AND external_id = ?3 AND person_id = ?1"
    " AND kind = ?4 AND email IS ?5 AND state IS ?6";
/* The first try when new identities are expected: does nothing when the
 * external id or the person's slot is taken (a missing person still fails). */
static const char SQL_IDENT_INSERT_NEW[] = IDENT_INSERT " ON CONFLICT DO NOTHING";
/* ?1 person, ?2 kind, ?3 external id, ?4 email, ?5 state, ?6 now, ?7 id.
 * Run only when something differs (the conditions say so again). */
static const char SQL_IDENT_UPDATE[] =
    "UPDATE identities SET person_id = ?1, kind = ?2, external_id = ?3, email = ?4, state = ?5,"
    " updated_at = ?6"
    " WHERE id = ?7 AND (person_id IS NOT ?1 OR kind IS NOT ?2 OR external_id IS NOT ?3"
    "                    OR email IS NOT ?4 OR state IS NOT ?5)";

/* What find_identity learnt. */
struct ident_found {
    long long id;                       /* the identity IDENT refers to; 0: none */
    int current;                        /* it is exactly IDENT already: nothing to write */
};

/* The identity IDENT refers to: by external id, else by the person's slot.
 * PARLEY_ERR_CONFLICT when the external id is another org's,
 * PARLEY_ERR_NOT_FOUND when the person does not exist; both are decided
 * before anything is written.  A slot taken by another identity is freed
 * for the external id's (the one write here; the write that follows cannot
 * then fail on a constraint). */
static enum parley_err find_identity(struct sqlite_conn *c, const struct store_identity_new *ident,
                                     struct ident_found *found)
{
    long long person_org = 0, found_org = 0, slot_id = 0;
    int same_slot = 0;
    sqlite3_stmt *s = NULL;
    enum parley_err rc = store_sqlite_stmt(c, SQL_IDENT_LOOKUP, &s, "lttt", ident->person_id,
                                           ident->platform, ident->external_id, ident->kind);

    memset(found, 0, sizeof *found);
    if (rc == PARLEY_OK)
        rc = store_sqlite_step(c, s);
    if (rc == PARLEY_OK) {
        person_org = sqlite3_column_int64(s, 0);
        found->id = sqlite3_column_int64(s, 1);     /* NULL reads as 0: none */
        found_org = sqlite3_column_int64(s, 2);
        same_slot = sqlite3_column_int64(s, 3) == ident->person_id &&
                    same_text(sqlite3_column_text(s, 4), ident->kind);
        found->current = found->id && same_slot &&
                         same_text(sqlite3_column_text(s, 5), ident->email) &&
                         same_text(sqlite3_column_text(s, 6), ident->state);
        slot_id = sqlite3_column_int64(s, 7);
    }
    store_sqlite_done(s);
    if (rc != PARLEY_OK)
        return rc;                     /* NOT_FOUND: no such person */
    if (!found->id) {
        found->id = slot_id;
        return PARLEY_OK;
    }
    if (found_org != person_org)
        return PARLEY_ERR_CONFLICT;
    if (same_slot || !slot_id)
        return PARLEY_OK;              /* nobody else holds the slot: nobody to evict */
    rc = store_sqlite_stmt(c, SQL_IDENT_EVICT, &s, "lttl", ident->person_id, ident->platform,
                           ident->kind, found->id);
    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

/* Insert IDENT with SQL (SQL_IDENT_INSERT or SQL_IDENT_INSERT_NEW):
 * *inserted, and *id when it was. */
static enum parley_err insert_identity(struct sqlite_conn *c, const char *sql,
                                       const struct store_identity_new *ident, long long now,
                                       long long *id, int *inserted)
{
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, sql, &s, "ltttttll", ident->person_id,
                                           ident->platform, ident->kind, ident->external_id,
                                           ident->email, ident->state, now, now);

    return run_insert(c, s, rc, id, inserted);
}

/* Whether IDENT is exactly as stored already: *id when it is (PARLEY_OK),
 * PARLEY_ERR_NOT_FOUND when not. */
static enum parley_err identity_current(struct sqlite_conn *c,
                                        const struct store_identity_new *ident, long long *id)
{
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, SQL_IDENT_CURRENT, &s, "lttttt", ident->person_id,
                                           ident->platform, ident->external_id, ident->kind,
                                           ident->email, ident->state);

    return rc == PARLEY_OK ? store_sqlite_scalar(c, s, id) : rc;
}

/* Like person_expect_new: after an identity upsert that inserted, the next
 * one on this thread tries the insert first (no look-up when it succeeds:
 * the external id and the slot were free, so nothing else could apply);
 * otherwise it first asks whether the identity is current (nothing to
 * write: the general look-up below would find the same row and stop). */
static _Thread_local int ident_expect_new;

enum parley_err store_sqlite_identity_upsert(struct store *st,
                                             const struct store_identity_new *ident,
                                             long long now, long long *id,
                                             enum store_upsert_result *result)
{
    struct sqlite_conn *c;
    struct ident_found found;
    sqlite3_stmt *s;
    int began = 0, inserted = 0;
    enum parley_err rc = store_sqlite_conn(st, &c);

    /* The probe is the statement the upsert ends with, prepared up front. */
    if (rc == PARLEY_OK)
        rc = store_sqlite_stmt(c, SQL_IDENT_INSERT, &s, "");
    if (rc == PARLEY_OK)
        rc = begin_unless_in_tx(c, s, &began);
    if (rc != PARLEY_OK)
        return rc;
    if (ident_expect_new) {
        rc = insert_identity(c, SQL_IDENT_INSERT_NEW, ident, now, id, &inserted);
        if (rc != PARLEY_OK || inserted)
            goto out;
    } else {
        rc = identity_current(c, ident, id);
        if (rc == PARLEY_OK)
            *result = STORE_UPSERT_UNCHANGED;
        if (rc != PARLEY_ERR_NOT_FOUND)
            goto out;
    }
    rc = find_identity(c, ident, &found);
    if (rc != PARLEY_OK)
        goto out;
    if (found.id) {
        *id = found.id;
        *result = STORE_UPSERT_UNCHANGED;
        if (found.current)
            goto out;
        rc = store_sqlite_stmt(c, SQL_IDENT_UPDATE, &s, "lttttll", ident->person_id, ident->kind,
                               ident->external_id, ident->email, ident->state, now, found.id);
        if (rc == PARLEY_OK)
            rc = store_sqlite_exec(c, s);
        if (rc == PARLEY_OK && store_sqlite_changes(c))
            *result = STORE_UPSERT_UPDATED;
        goto out;
    }
    rc = insert_identity(c, SQL_IDENT_INSERT, ident, now, id, &inserted);
out:
    if (rc == PARLEY_OK && inserted)
        *result = STORE_UPSERT_NEW;
    if (rc == PARLEY_OK)
        ident_expect_new = inserted;
    return end_if_began(c, began, rc);
}
