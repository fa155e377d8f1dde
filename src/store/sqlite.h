/* sqlite.h - internals shared by the SQLite backend's files (sqlite*.c).
 *
 * Each thread gets its own connection (struct sqlite_conn), opened on first
 * use and kept in a pthread key of the store; each connection prepares a
 * statement once, on first use, and caches it keyed by the address of its
 * static SQL text.  All SQL is constant text with ? parameters.
 *
 * The usual shape of a backend function:
 *
 *     rc = store_sqlite_conn(st, &c);
 *     if (rc == PARLEY_OK)
 *         rc = store_sqlite_stmt(c, SQL_X, &s, "lt", id, name);
 *     if (rc == PARLEY_OK)
 *         rc = store_sqlite_step(c, s);            // row / NOT_FOUND / error
 *     ... read columns (copy text with store_sqlite_text) ...
 *     store_sqlite_done(s);                         // reset + clear bindings */
#ifndef PARLEY_STORE_SQLITE_H
#define PARLEY_STORE_SQLITE_H

#include <sqlite3.h>

#include "store/store_backend.h"

struct sqlite_conn;

/* This thread's connection to ST (opened on first use). */
enum parley_err store_sqlite_conn(struct store *st, struct sqlite_conn **out);

/* The cached statement for SQL (a string literal: its address is the key),
 * with parameters bound from the variadic list described by TYPES, one
 * letter per parameter:
 *   t  const char *        text, NULL binds NULL
 *   l  long long
 *   i  int
 *   z  long long           an id where 0 means none: binds NULL
 *   b  const void *, size_t  blob, NULL binds NULL */
enum parley_err store_sqlite_stmt(struct sqlite_conn *c, const char *sql, sqlite3_stmt **out,
                                  const char *types, ...);
/* This thread's connection to ST (*c) and its statement for SQL with the
 * parameters bound (*s): store_sqlite_conn and store_sqlite_stmt in one. */
enum parley_err store_sqlite_query(struct store *st, struct sqlite_conn **c, sqlite3_stmt **s,
                                   const char *sql, const char *types, ...);
/* Run SQL, which returns no row, with the parameters bound, on this thread's
 * connection to ST; when it succeeds but changes no row, return UNCHANGED
 * (PARLEY_OK where that is fine, else e.g. PARLEY_ERR_NOT_FOUND). */
enum parley_err store_sqlite_write(struct store *st, enum parley_err unchanged, const char *sql,
                                   const char *types, ...);
/* Step once: PARLEY_OK on a row, PARLEY_ERR_NOT_FOUND when done, else the mapped error. */
enum parley_err store_sqlite_step(struct sqlite_conn *c, sqlite3_stmt *s);
/* Step a statement that returns no row to completion and release it. */
enum parley_err store_sqlite_exec(struct sqlite_conn *c, sqlite3_stmt *s);
/* Step once, read column 0 of the row as an integer into *out, and release
 * the statement: PARLEY_ERR_NOT_FOUND when there is no row. */
enum parley_err store_sqlite_scalar(struct sqlite_conn *c, sqlite3_stmt *s, long long *out);
/* Step once, let READ fill OUT from the row, and release the statement:
 * PARLEY_ERR_NOT_FOUND when there is no row. */
enum parley_err store_sqlite_one(struct sqlite_conn *c, sqlite3_stmt *s,
                                 void (*read)(sqlite3_stmt *, void *), void *out);
/* store_sqlite_query and store_sqlite_one in one: the row SQL selects on
 * this thread's connection to ST, read into OUT by READ. */
enum parley_err store_sqlite_get(struct store *st, void (*read)(sqlite3_stmt *, void *),
                                 void *out, const char *sql, const char *types, ...);
/* Read up to LIMIT rows of S into ROWS (an array of elements of SIZE bytes),
 * each filled by READ, then release S; *n gets the count.  Running out of
 * rows is no error.  Callers read a whole page before handing it to their
 * callback, since the callback may use the store itself. */
enum parley_err store_sqlite_page(struct sqlite_conn *c, sqlite3_stmt *s, int limit, void *rows,
                                  size_t size, void (*read)(sqlite3_stmt *, void *), size_t *n);
/* Reset a statement and clear its bindings (NULL is a no-op). */
void store_sqlite_done(sqlite3_stmt *s);
/* Rows changed by the last write on this connection. */
int store_sqlite_changes(struct sqlite_conn *c);
/* Run constant, parameterless SQL (migrations, pragmas). */
enum parley_err store_sqlite_exec_script(struct sqlite_conn *c, const char *sql);

/* A transaction on this connection: the outermost is BEGIN IMMEDIATE (the
 * write lock is taken up front, so read-then-write never races), inner ones
 * are savepoints.  store_sqlite_end commits when RC is PARLEY_OK, rolls
 * back otherwise, and returns RC (or the commit's error). */
enum parley_err store_sqlite_begin(struct sqlite_conn *c);
enum parley_err store_sqlite_end(struct sqlite_conn *c, enum parley_err rc);

/* Column helpers: a copy of the text (NULL for SQL NULL) and a copied blob. */
char *store_sqlite_text(sqlite3_stmt *s, int col);
unsigned char *store_sqlite_blob(sqlite3_stmt *s, int col, size_t *len);

/* ---- ops implemented by the other sqlite*.c files ---- */

/* sqlite_migrate.c */
enum parley_err store_sqlite_migrate_to(struct store *st, int version, int *applied);
enum parley_err store_sqlite_schema_version(struct store *st, int *current, int *latest);
enum parley_err store_sqlite_ping(struct store *st);

/* sqlite_schema.c: the numbered migrations, oldest first. */
struct store_sqlite_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct store_sqlite_migration store_sqlite_migrations[];
extern const int store_sqlite_migrations_count;

/* sqlite_org.c */
enum parley_err store_sqlite_org_ensure(struct store *st, const char *name, long long *id,
                                        int *created);
enum parley_err store_sqlite_org_get(struct store *st, long long id, struct store_org *out);
enum parley_err store_sqlite_org_get_by_name(struct store *st, const char *name,
                                             struct store_org *out);
enum parley_err store_sqlite_audit_add(struct store *st, long long org_id, const char *actor,
                                       const char *action, const char *target,
                                       const char *details_json);
enum parley_err store_sqlite_audit_list(struct store *st, long long org_id, long long before_id,
                                        int limit,
                                        enum parley_err (*fn)(const struct store_audit_event *,
                                                              void *),
                                        void *arg);
enum parley_err store_sqlite_connection_put(struct store *st, const struct store_connection *c,
                                            long long now);
enum parley_err store_sqlite_connection_get(struct store *st, long long org_id,
                                            const char *platform, struct store_connection *out);
enum parley_err store_sqlite_connection_delete(struct store *st, long long org_id,
                                               const char *platform);

/* sqlite_admin.c */
enum parley_err store_sqlite_admin_create(struct store *st, const char *email,
                                          const char *password_hash, long long *id);
enum parley_err store_sqlite_admin_get(struct store *st, long long id, struct store_admin *out);
enum parley_err store_sqlite_admin_get_by_email(struct store *st, const char *email,
                                                struct store_admin *out);
enum parley_err store_sqlite_admin_set_password(struct store *st, long long id,
                                                const char *password_hash);
enum parley_err store_sqlite_admin_role_set(struct store *st, long long admin_id, long long org_id,
                                            const char *role);
enum parley_err store_sqlite_admin_roles(struct store *st, long long admin_id,
                                         struct store_role **out, size_t *count);
enum parley_err store_sqlite_session_create(struct store *st, const char *token_hash,
                                            long long admin_id, const char *csrf_token,
                                            long long expires_at);
enum parley_err store_sqlite_session_get(struct store *st, const char *token_hash, long long now,
                                         struct store_session *out);
enum parley_err store_sqlite_session_delete(struct store *st, const char *token_hash);
enum parley_err store_sqlite_sessions_purge_expired(struct store *st, long long now);
enum parley_err store_sqlite_login_failure_add(struct store *st, const char *key, long long now);
enum parley_err store_sqlite_login_failures_count(struct store *st, const char *key,
                                                  long long since, int *count);
enum parley_err store_sqlite_login_failures_clear(struct store *st, const char *key);

/* sqlite_jobs.c */
enum parley_err store_sqlite_job_enqueue(struct store *st, const struct store_job_new *spec,
                                         long long now, long long *id, int *created);
enum parley_err store_sqlite_job_claim(struct store *st, const char *owner, long long now,
                                       long long lease_ms, const char *const *kinds,
                                       struct store_job *out);
enum parley_err store_sqlite_job_complete(struct store *st, long long id, const char *owner,
                                          const char *result_json, long long now,
                                          enum store_job_state *left);
enum parley_err store_sqlite_job_fail(struct store *st, long long id, const char *owner,
                                      const char *error, int dead, long long retry_at,
                                      long long now, enum store_job_state *left);
enum parley_err store_sqlite_job_extend_lease(struct store *st, long long id, const char *owner,
                                              long long lease_expires);
enum parley_err store_sqlite_job_progress(struct store *st, long long id, const char *owner,
                                          long long done, long long total,
                                          const char *progress_json, long long now);
enum parley_err store_sqlite_job_get(struct store *st, long long id, struct store_job *out);
enum parley_err store_sqlite_job_list(struct store *st, long long org_id, const char *kind,
                                      int limit,
                                      enum parley_err (*fn)(const struct store_job *, void *),
                                      void *arg);
enum parley_err store_sqlite_job_retry(struct store *st, long long id, long long now);

/* sqlite_people.c */
enum parley_err store_sqlite_person_upsert(struct store *st, const struct store_person_new *p,
                                           long long now, long long *id,
                                           enum store_upsert_result *result);
enum parley_err store_sqlite_person_get(struct store *st, long long org_id, long long id,
                                        struct store_person *out);
enum parley_err store_sqlite_person_get_by_email(struct store *st, long long org_id,
                                                 const char *email, struct store_person *out);
enum parley_err store_sqlite_people_list(struct store *st, const struct store_people_query *q,
                                         enum parley_err (*fn)(const struct store_person *,
                                                               void *),
                                         void *arg);
enum parley_err store_sqlite_people_count(struct store *st, const struct store_people_query *q,
                                          long long *count);
enum parley_err store_sqlite_identity_upsert(struct store *st,
                                             const struct store_identity_new *ident,
                                             long long now, long long *id,
                                             enum store_upsert_result *result);

/* sqlite_teams.c */
enum parley_err store_sqlite_team_upsert(struct store *st, const struct store_team_new *t,
                                         long long now, long long *id,
                                         enum store_upsert_result *result);
enum parley_err store_sqlite_team_get(struct store *st, long long org_id, long long id,
                                      struct store_team *out);
enum parley_err store_sqlite_team_get_by_external(struct store *st, long long org_id,
                                                  const char *platform, const char *external_id,
                                                  struct store_team *out);
enum parley_err store_sqlite_team_list(struct store *st, long long org_id, const char *platform,
                                       long long after_id, int limit,
                                       enum parley_err (*fn)(const struct store_team *, void *),
                                       void *arg);
enum parley_err store_sqlite_team_mark_imported(struct store *st, long long team_id,
                                                long long now);
enum parley_err store_sqlite_team_member_upsert(struct store *st, long long team_id,
                                                long long person_id, long long seen_at);
enum parley_err store_sqlite_team_members_prune(struct store *st, long long team_id,
                                                long long seen_before, long long *removed);

/* sqlite_sync.c */
enum parley_err store_sqlite_person_set_primary(struct store *st, long long org_id,
                                                long long person_id, const char *platform,
                                                long long now, int *changed);
enum parley_err store_sqlite_person_sync_move(struct store *st, const struct store_sync_move *m,
                                              long long now, enum store_sync_status *prev);
enum parley_err store_sqlite_person_sync_history(struct store *st, long long org_id,
                                                 long long person_id, long long before_id,
                                                 int limit,
                                                 enum parley_err (*fn)(
                                                     const struct store_sync_event *, void *),
                                                 void *arg);
enum parley_err store_sqlite_sync_counts(struct store *st, long long org_id,
                                         long long counts[STORE_SYNC_STATUS_COUNT]);
enum parley_err store_sqlite_identity_set_secret(struct store *st, long long id,
                                                 const unsigned char *secret, size_t len,
                                                 long long now);
enum parley_err store_sqlite_identity_get_secret(struct store *st, long long id,
                                                 unsigned char **secret, size_t *len);
enum parley_err store_sqlite_identity_delete(struct store *st, long long org_id, long long id,
                                             int *removed);

#endif
