/* store_backend.h - what a storage backend implements (not for callers).
 *
 * store.c owns struct store and the public API; a backend fills st->ops and
 * st->backend in its open function and implements every slot below.  Slots
 * take the same arguments as the store.h function of the same name; store.c
 * has already checked the arguments that must not be NULL and zeroed the
 * output structs, so a backend only does the storage work.
 *
 * Adding a backend (PostgreSQL: src/store/pg*.c) means one more open
 * function in store.c's scheme table and one more const struct store_ops;
 * no caller changes. */
#ifndef PARLEY_STORE_STORE_BACKEND_H
#define PARLEY_STORE_STORE_BACKEND_H

#include "store/store.h"

struct store {
    const struct store_ops *ops;
    void *backend;                 /* the backend's own state */
};

struct store_ops {
    const char *name;              /* "sqlite", "postgres": for logs */

    /* Release everything the backend holds (all connections of all threads). */
    void (*close)(struct store *st);
    /* Apply migrations up to VERSION (the newest when larger); each in a
     * transaction.  PARLEY_ERR_SCHEMA when the database is newer than the program. */
    enum parley_err (*migrate_to)(struct store *st, int version, int *applied);
    enum parley_err (*schema_version)(struct store *st, int *current, int *latest);
    enum parley_err (*ping)(struct store *st);
    /* Transactions nest: an inner store_tx becomes a savepoint. */
    enum parley_err (*tx)(struct store *st, enum parley_err (*fn)(struct store *, void *), void *arg);
    enum parley_err (*bulk_writer)(struct store *st);

    /* orgs */
    enum parley_err (*org_ensure)(struct store *st, const char *name, long long *id, int *created);
    enum parley_err (*org_get)(struct store *st, long long id, struct store_org *out);
    enum parley_err (*org_get_by_name)(struct store *st, const char *name, struct store_org *out);

    /* admin users, roles (EMAIL arrives lower-cased) */
    enum parley_err (*admin_create)(struct store *st, const char *email, const char *password_hash,
                                    long long *id);
    enum parley_err (*admin_get)(struct store *st, long long id, struct store_admin *out);
    enum parley_err (*admin_get_by_email)(struct store *st, const char *email,
                                          struct store_admin *out);
    enum parley_err (*admin_set_password)(struct store *st, long long id, const char *password_hash);
    enum parley_err (*admin_role_set)(struct store *st, long long admin_id, long long org_id,
                                      const char *role);
    enum parley_err (*admin_roles)(struct store *st, long long admin_id, struct store_role **out,
                                   size_t *count);

    /* sessions and login throttling */
    enum parley_err (*session_create)(struct store *st, const char *token_hash, long long admin_id,
                                      const char *csrf_token, long long expires_at);
    enum parley_err (*session_get)(struct store *st, const char *token_hash, long long now,
                                   struct store_session *out);
    enum parley_err (*session_delete)(struct store *st, const char *token_hash);
    enum parley_err (*sessions_purge_expired)(struct store *st, long long now);
    enum parley_err (*login_failure_add)(struct store *st, const char *key, long long now);
    enum parley_err (*login_failures_count)(struct store *st, const char *key, long long since,
                                            int *count);
    enum parley_err (*login_failures_clear)(struct store *st, const char *key);

    /* audit */
    enum parley_err (*audit_add)(struct store *st, long long org_id, const char *actor,
                                 const char *action, const char *target, const char *details_json);
    enum parley_err (*audit_list)(struct store *st, long long org_id, long long before_id, int limit,
                                  enum parley_err (*fn)(const struct store_audit_event *, void *),
                                  void *arg);

    /* jobs */
    enum parley_err (*job_enqueue)(struct store *st, const struct store_job_new *spec, long long now,
                                   long long *id, int *created);
    enum parley_err (*job_claim)(struct store *st, const char *owner, long long now,
                                 long long lease_ms, const char *const *kinds,
                                 struct store_job *out);
    enum parley_err (*job_complete)(struct store *st, long long id, const char *owner,
                                    const char *result_json, long long now,
                                    enum store_job_state *left);
    enum parley_err (*job_fail)(struct store *st, long long id, const char *owner,
                                const char *error, int dead, long long retry_at, long long now,
                                enum store_job_state *left);
    enum parley_err (*job_extend_lease)(struct store *st, long long id, const char *owner,
                                        long long lease_expires);
    enum parley_err (*job_progress)(struct store *st, long long id, const char *owner,
                                    long long done, long long total, const char *progress_json,
                                    long long now);
    enum parley_err (*job_get)(struct store *st, long long id, struct store_job *out);
    enum parley_err (*job_list)(struct store *st, long long org_id, const char *kind, int limit,
                                enum parley_err (*fn)(const struct store_job *, void *), void *arg);
    enum parley_err (*job_retry)(struct store *st, long long id, long long now);

    /* platform connections */
    enum parley_err (*connection_put)(struct store *st, const struct store_connection *c,
                                      long long now);
    enum parley_err (*connection_get)(struct store *st, long long org_id, const char *platform,
                                      struct store_connection *out);
    enum parley_err (*connection_delete)(struct store *st, long long org_id, const char *platform);

    /* people, identities, teams (EMAIL arrives lower-cased; PLATFORM and
     * KIND are valid names; the query's limit is already clamped) */
    enum parley_err (*person_upsert)(struct store *st, const struct store_person_new *p,
                                     long long now, long long *id,
                                     enum store_upsert_result *result);
    enum parley_err (*person_get)(struct store *st, long long org_id, long long id,
                                  struct store_person *out);
    enum parley_err (*person_get_by_email)(struct store *st, long long org_id, const char *email,
                                           struct store_person *out);
    enum parley_err (*people_list)(struct store *st, const struct store_people_query *q,
                                   enum parley_err (*fn)(const struct store_person *, void *),
                                   void *arg);
    enum parley_err (*people_count)(struct store *st, const struct store_people_query *q,
                                    long long *count);
    enum parley_err (*identity_upsert)(struct store *st, const struct store_identity_new *ident,
                                       long long now, long long *id,
                                       enum store_upsert_result *result);
    enum parley_err (*team_upsert)(struct store *st, const struct store_team_new *t, long long now,
                                   long long *id, enum store_upsert_result *result);
    enum parley_err (*team_get)(struct store *st, long long org_id, long long id,
                                struct store_team *out);
    enum parley_err (*team_get_by_external)(struct store *st, long long org_id,
                                            const char *platform, const char *external_id,
                                            struct store_team *out);
    enum parley_err (*team_list)(struct store *st, long long org_id, const char *platform,
                                 long long after_id, int limit,
                                 enum parley_err (*fn)(const struct store_team *, void *),
                                 void *arg);
    enum parley_err (*team_mark_imported)(struct store *st, long long team_id, long long now);
    enum parley_err (*team_member_upsert)(struct store *st, long long team_id, long long person_id,
                                          long long seen_at);
    enum parley_err (*team_members_prune)(struct store *st, long long team_id,
                                          long long seen_before, long long *removed);

    /* user sync (PLATFORM valid or NULL; M->actor set; LIMIT clamped) */
    enum parley_err (*person_set_primary)(struct store *st, long long org_id, long long person_id,
                                          const char *platform, long long now, int *changed);
    enum parley_err (*person_sync_move)(struct store *st, const struct store_sync_move *m,
                                        long long now, enum store_sync_status *prev);
    enum parley_err (*person_sync_history)(struct store *st, long long org_id,
                                           long long person_id, long long before_id, int limit,
                                           enum parley_err (*fn)(const struct store_sync_event *,
                                                                 void *),
                                           void *arg);
    enum parley_err (*sync_counts)(struct store *st, long long org_id,
                                   long long counts[STORE_SYNC_STATUS_COUNT]);
    enum parley_err (*identity_set_secret)(struct store *st, long long id,
                                           const unsigned char *secret, size_t len,
                                           long long now);
    enum parley_err (*identity_get_secret)(struct store *st, long long id,
                                           unsigned char **secret, size_t *len);
    enum parley_err (*identity_delete)(struct store *st, long long org_id, long long id,
                                       int *removed);
};

/* Backend constructors: TARGET is the URL with the scheme removed (a file
 * path for SQLite).  On success st->ops and st->backend are set. */
enum parley_err store_sqlite_open(const char *target, struct store *st);

/* The most rows one list call hands out (larger limits are clamped). */
#define STORE_LIST_MAX 1000

#endif
