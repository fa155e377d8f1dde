/* store.h - Parley's storage interface, backend-neutral.
 *
 * Callers see only the functions and plain structs below; no sqlite3_* or
 * PG* type crosses this header.  store_open() picks the backend from the URL
 * (SQLite today, PostgreSQL later) and every function dispatches through that
 * backend's const struct store_ops (store_backend.h).
 *
 * Threads: a struct store is shared by all threads of a process; backends
 * keep one connection per thread internally.
 *
 * Ownership: structs filled by store_*_get / list functions own their strings;
 * release them with the matching *_clear() (NULL-safe, idempotent).
 * Times are Unix milliseconds (long long). */
#ifndef PARLEY_STORE_STORE_H
#define PARLEY_STORE_STORE_H

#include <stddef.h>

#include "util/err.h"

struct store;

/* ---- opening, migrations, health ---- */

/* URL forms: "sqlite:PATH", "sqlite://PATH", a bare PATH (SQLite), or
 * "postgres://..." / "postgresql://..." (PostgreSQL: PARLEY_ERR_UNSUPPORTED
 * until its backend lands).  Opening does not migrate. */
enum parley_err store_open(const char *url, struct store **out);
void store_close(struct store *st);                 /* NULL is a no-op */
/* Apply pending numbered migrations in order, each in a transaction.
 * *applied (may be NULL) receives how many ran. */
enum parley_err store_migrate(struct store *st, int *applied);
/* Like store_migrate but stop at VERSION (tests use it to build an older
 * schema).  A database newer than the program gives PARLEY_ERR_SCHEMA. */
enum parley_err store_migrate_to(struct store *st, int version, int *applied);
/* The schema version in the database and the newest this program knows. */
enum parley_err store_schema_version(struct store *st, int *current, int *latest);
/* PARLEY_OK when reachable and fully migrated (for /readyz);
 * PARLEY_ERR_SCHEMA when the schema is older or newer than the program. */
enum parley_err store_ping(struct store *st);
/* Run FN inside one transaction: committed when FN returns PARLEY_OK,
 * rolled back otherwise; FN's result is returned. */
enum parley_err store_tx(struct store *st, enum parley_err (*fn)(struct store *, void *), void *arg);
/* The calling thread writes in bulk (an import's writer) until it ends:
 * its connection may keep more of the database in memory (SQLite: a
 * STORE_BULK_CACHE_MIB page cache instead of 2 MiB, released when the
 * thread ends; one thread at a time has it, others keep the default). */
#define STORE_BULK_CACHE_MIB 24
enum parley_err store_bulk_writer(struct store *st);

/* ---- orgs ---- */
struct store_org {
    long long id;
    char *name;
    long long created_at;
};
void store_org_clear(struct store_org *org);
/* Find the org by name, creating it when absent; *created (may be NULL) says which. */
enum parley_err store_org_ensure(struct store *st, const char *name, long long *id, int *created);
enum parley_err store_org_get(struct store *st, long long id, struct store_org *out);
enum parley_err store_org_get_by_name(struct store *st, const char *name, struct store_org *out);

/* ---- admin users, roles, sessions ---- */
struct store_admin {
    long long id;
    char *email;            /* stored lower-case */
    char *password_hash;    /* argon2id string from crypto_pwhash_str */
    long long created_at;
};
void store_admin_clear(struct store_admin *a);
enum parley_err store_admin_create(struct store *st, const char *email, const char *password_hash,
                                   long long *id);
enum parley_err store_admin_get(struct store *st, long long id, struct store_admin *out);
enum parley_err store_admin_get_by_email(struct store *st, const char *email, struct store_admin *out);
enum parley_err store_admin_set_password(struct store *st, long long id, const char *password_hash);

/* role: "owner", "admin" or "viewer"; one role per (admin, org). */
enum parley_err store_admin_role_set(struct store *st, long long admin_id, long long org_id,
                                     const char *role);
struct store_role {
    long long org_id;
    char *org_name;
    char *role;
};
void store_role_clear(struct store_role *r);
/* Fills a new array (*out, *count) the caller frees with store_roles_free. */
enum parley_err store_admin_roles(struct store *st, long long admin_id, struct store_role **out,
                                  size_t *count);
void store_roles_free(struct store_role *roles, size_t count);

struct store_session {
    long long id;
    long long admin_id;
    char *csrf_token;
    long long created_at;
    long long expires_at;
};
void store_session_clear(struct store_session *s);
/* token_hash: hex of a hash of the cookie value; the raw token is never stored. */
enum parley_err store_session_create(struct store *st, const char *token_hash, long long admin_id,
                                     const char *csrf_token, long long expires_at);
/* PARLEY_ERR_NOT_FOUND when absent or expired at NOW. */
enum parley_err store_session_get(struct store *st, const char *token_hash, long long now,
                                  struct store_session *out);
enum parley_err store_session_delete(struct store *st, const char *token_hash);
enum parley_err store_sessions_purge_expired(struct store *st, long long now);

/* Failed-login throttling, keyed by e.g. "email:alice@x" or "ip:1.2.3.4". */
enum parley_err store_login_failure_add(struct store *st, const char *key, long long now);
enum parley_err store_login_failures_count(struct store *st, const char *key, long long since,
                                           int *count);
enum parley_err store_login_failures_clear(struct store *st, const char *key);

/* ---- audit ---- */
struct store_audit_event {
    long long id;
    long long org_id;        /* 0: not tied to an org */
    char *actor;             /* "admin:alice@x.com", "system", ... */
    char *action;            /* "admin.login", "import.google", ... */
    char *target;            /* may be NULL */
    char *details_json;      /* a JSON object as text; may be NULL */
    long long created_at;
};
void store_audit_event_clear(struct store_audit_event *e);
enum parley_err store_audit_add(struct store *st, long long org_id, const char *actor,
                                const char *action, const char *target, const char *details_json);
/* Newest first, at most LIMIT events of ORG_ID (0: all orgs) with id < BEFORE_ID
 * (0: from the newest); pass the last id seen as BEFORE_ID for the next page.
 * FN is called per event (the event is cleared after the call); a non-OK
 * return stops the listing and is returned. */
enum parley_err store_audit_list(struct store *st, long long org_id, long long before_id, int limit,
                                 enum parley_err (*fn)(const struct store_audit_event *, void *),
                                 void *arg);

/* ---- jobs (the durable queue; see jobs/queue.h for the semantics) ---- */
enum store_job_state {
    STORE_JOB_QUEUED,      /* waiting for not_before */
    STORE_JOB_RUNNING,     /* leased by lease_owner until lease_expires */
    STORE_JOB_DONE,
    STORE_JOB_DEAD,        /* failed max_attempts times; last_error kept */
};
const char *store_job_state_name(enum store_job_state s);

struct store_job {
    long long id;
    long long org_id;          /* 0: none */
    char *kind;                /* e.g. "import.google" */
    char *dedup_key;           /* NULL: none */
    char *payload_json;        /* JSON text */
    enum store_job_state state;
    int attempts;              /* attempts started so far */
    int max_attempts;
    long long not_before;
    char *lease_owner;
    long long lease_expires;
    char *last_error;
    long long progress_done;
    long long progress_total;
    char *progress_json;       /* counts as a JSON object text; may be NULL */
    char *result_json;         /* set on completion; may be NULL */
    long long created_at;
    long long updated_at;
};
void store_job_clear(struct store_job *job);

struct store_job_new {
    long long org_id;
    const char *kind;
    const char *dedup_key;     /* NULL: no dedup */
    const char *payload_json;  /* NULL: "{}" */
    int max_attempts;          /* 0: default 8 */
    long long not_before;      /* 0: now */
    int merge_payload;         /* deduplicated: fold this payload's arrays into the live job's */
};
/* Insert a job.  While a job with the same dedup key is queued or running,
 * nothing is inserted: *id gets the live job's id and *created 0; with
 * MERGE_PAYLOAD the live job's payload takes this one's arrays in
 * (json_union_arrays: e.g. the teams of a second "import these teams").
 * If that job is running, it is marked "run again" (in the same
 * transaction): the run may have read its inputs before this request, so
 * when it ends it is queued once more instead of done (see
 * store_job_complete). */
enum parley_err store_job_enqueue(struct store *st, const struct store_job_new *spec, long long now,
                                  long long *id, int *created);
/* Atomically take the oldest due job (queued with not_before <= NOW, or
 * running with an expired lease; an expired job already at max_attempts
 * becomes dead instead), set it running under OWNER until
 * NOW + LEASE_MS, count the attempt, and fill *out.  PARLEY_ERR_NOT_FOUND
 * when nothing is due.  KINDS (NULL-terminated, may be NULL = any) limits
 * the kinds taken. */
enum parley_err store_job_claim(struct store *st, const char *owner, long long now,
                                long long lease_ms, const char *const *kinds,
                                struct store_job *out);
/* These succeed only while OWNER holds the lease (else PARLEY_ERR_CONFLICT).
 * Completion and failure put the state the job is left in into *left (may
 * be NULL). */
/* Done with RESULT_JSON.  A job marked "run again" (an enqueue was folded
 * into it while it ran) is queued instead: due at NOW, attempts reset to 0
 * (it serves a new request, as a fresh job would), mark cleared; the
 * result is still stored. */
enum parley_err store_job_complete(struct store *st, long long id, const char *owner,
                                   const char *result_json, long long now,
                                   enum store_job_state *left);
/* Back to queued until RETRY_AT, or dead when DEAD is set; ERROR kept.  A
 * job marked "run again" is never made dead here: it is queued (at NOW when
 * DEAD, else at RETRY_AT) with attempts reset and the mark cleared.  (A lost
 * lease of such a job is likewise taken over by store_job_claim as a fresh
 * attempt 1 rather than buried.) */
enum parley_err store_job_fail(struct store *st, long long id, const char *owner, const char *error,
                               int dead, long long retry_at, long long now,
                               enum store_job_state *left);
enum parley_err store_job_extend_lease(struct store *st, long long id, const char *owner,
                                       long long lease_expires);
enum parley_err store_job_progress(struct store *st, long long id, const char *owner, long long done,
                                   long long total, const char *progress_json, long long now);
enum parley_err store_job_get(struct store *st, long long id, struct store_job *out);
/* Newest first, at most LIMIT jobs of ORG (0: all orgs) and KIND (NULL: all). */
enum parley_err store_job_list(struct store *st, long long org_id, const char *kind, int limit,
                               enum parley_err (*fn)(const struct store_job *, void *), void *arg);
/* Make a dead job queued again with attempts reset (admin "retry").
 * PARLEY_ERR_CONFLICT when the job is not dead; PARLEY_ERR_EXISTS when a
 * live job already holds its dedup key. */
enum parley_err store_job_retry(struct store *st, long long id, long long now);

/* ---- platform connections (secrets are encrypted by the caller) ---- */
struct store_connection {
    long long org_id;
    char *platform;            /* "microsoft" or "google" */
    char *config_json;         /* non-secret settings as a JSON object text */
    unsigned char *secret;     /* secretbox ciphertext (nonce || box); may be NULL */
    size_t secret_len;
    long long updated_at;
};
void store_connection_clear(struct store_connection *c);
enum parley_err store_connection_put(struct store *st, const struct store_connection *c, long long now);
enum parley_err store_connection_get(struct store *st, long long org_id, const char *platform,
                                     struct store_connection *out);
enum parley_err store_connection_delete(struct store *st, long long org_id, const char *platform);

/* ---- people, identities, teams: the directory imported from the platforms ----
 *
 * A person is keyed by lower-cased email within an org; each of their
 * accounts is an identity on one platform (kind "native", "guest" or
 * "interop").  Teams are Microsoft teams and Entra / Google groups, with
 * their members.  Upserts say what they did (for import counts) and are
 * idempotent.  Writing many rows?  Call them inside one store_tx: one
 * commit per page instead of one per row.  Platforms are "microsoft" or
 * "google". */

enum store_upsert_result {
    STORE_UPSERT_UNCHANGED,    /* the row already said exactly this */
    STORE_UPSERT_NEW,          /* inserted */
    STORE_UPSERT_UPDATED,      /* existed; something changed */
};

struct store_identity {
    long long id;
    long long person_id;
    char *platform;
    char *kind;                /* "native", "guest", "interop" */
    char *external_id;         /* the platform's user id */
    char *email;               /* email or UPN; may be NULL */
    char *state;               /* "active", ... */
    long long created_at;
    long long updated_at;
};
void store_identity_clear(struct store_identity *ident);

struct store_person {
    long long id;
    long long org_id;
    char *email;               /* lower-case */
    char *display_name;        /* "" when unknown */
    char *given_name;          /* may be NULL */
    char *family_name;         /* may be NULL */
    char *name_source;         /* the platform the names come from; may be NULL */
    char *primary_platform;    /* NULL until chosen */
    char *sync_status;         /* "imported", "pending", "provisioning", "synced", ... */
    char *status_reason;       /* may be NULL */
    long long created_at;
    long long updated_at;
    struct store_identity *identities;   /* all of the person's identities, oldest first */
    size_t identity_count;
};
void store_person_clear(struct store_person *p);

struct store_person_new {
    long long org_id;
    const char *email;         /* required; folded to lower case */
    const char *display_name;  /* NULL: "" */
    const char *given_name;    /* may be NULL */
    const char *family_name;   /* may be NULL */
    const char *source;        /* the platform reporting these names */
};
/* Insert the person (ORG, lower(EMAIL)) or update their names.  Names belong
 * to the platform that first reported the person (name_source): the other
 * platform reporting the same email finds the same person but changes its
 * names only while they are empty, so importing both platforms never
 * flip-flops a name.  *id gets the person's id; *result (may be NULL) what
 * happened. */
enum parley_err store_person_upsert(struct store *st, const struct store_person_new *p,
                                    long long now, long long *id,
                                    enum store_upsert_result *result);
/* The person ID of ORG_ID with their identities; PARLEY_ERR_NOT_FOUND when
 * absent or in another org. */
enum parley_err store_person_get(struct store *st, long long org_id, long long id,
                                 struct store_person *out);
enum parley_err store_person_get_by_email(struct store *st, long long org_id, const char *email,
                                          struct store_person *out);

enum store_people_sort {
    STORE_PEOPLE_BY_NAME,      /* display name (case-insensitive), then id */
    STORE_PEOPLE_BY_EMAIL,     /* email, then id */
};

/* Which people, in which order, which page.  Paging is keyset: pass the sort
 * key (display name or email) and id of the previous page's last person, so
 * every page costs the same however deep it is. */
struct store_people_query {
    long long org_id;
    const char *search;        /* NULL or "": all; else a case-insensitive substring of name or email */
    const char *platform;      /* NULL: any; else people with a native identity there */
    const char *sync_status;   /* NULL: any */
    long long team_id;         /* 0: any; else members of this team */
    enum store_people_sort sort;
    const char *after_key;     /* NULL: from the first person */
    long long after_id;
    int limit;                 /* > 0; clamped to STORE_LIST_MAX (list only) */
};
/* FN is called per person (with identities; cleared after the call); a
 * non-OK return stops the listing and is returned. */
enum parley_err store_people_list(struct store *st, const struct store_people_query *q,
                                  enum parley_err (*fn)(const struct store_person *, void *),
                                  void *arg);
/* How many people match Q's filters (sort and paging ignored). */
enum parley_err store_people_count(struct store *st, const struct store_people_query *q,
                                   long long *count);

struct store_identity_new {
    long long person_id;
    const char *platform;
    const char *kind;          /* "native", "guest", "interop" */
    const char *external_id;   /* required */
    const char *email;         /* may be NULL */
    const char *state;         /* NULL: "active" */
};
/* Make the person's identity match IDENT.  The identity is found by
 * (platform, external_id), else by (person, platform, kind), and updated
 * (moved to the person, new external id, email, state); inserted when
 * neither exists.  A person has at most one identity per (platform, kind):
 * when an external id moves to a person whose slot is taken, the stale
 * occupant is removed.  PARLEY_ERR_NOT_FOUND: no such person;
 * PARLEY_ERR_CONFLICT: the external id belongs to a person of another org. */
enum parley_err store_identity_upsert(struct store *st, const struct store_identity_new *ident,
                                      long long now, long long *id,
                                      enum store_upsert_result *result);

struct store_team {
    long long id;
    long long org_id;
    char *platform;
    char *external_id;
    char *name;
    char *description;         /* may be NULL */
    long long member_count;    /* as the platform reported it */
    int imported;              /* 1 once imported */
    int directory_sync;        /* 1: a Directory Sync source */
    long long last_imported_at;  /* 0: never */
    long long created_at;
    long long updated_at;
};
void store_team_clear(struct store_team *t);

struct store_team_new {
    long long org_id;
    const char *platform;
    const char *external_id;   /* required */
    const char *name;          /* required */
    const char *description;   /* may be NULL */
    long long member_count;    /* < 0: unknown, keep the stored one */
};
enum parley_err store_team_upsert(struct store *st, const struct store_team_new *t, long long now,
                                  long long *id, enum store_upsert_result *result);
enum parley_err store_team_get(struct store *st, long long org_id, long long id,
                               struct store_team *out);
enum parley_err store_team_get_by_external(struct store *st, long long org_id,
                                           const char *platform, const char *external_id,
                                           struct store_team *out);
/* At most LIMIT teams of ORG_ID on PLATFORM (NULL: both) with id > AFTER_ID,
 * by id; FN as for store_people_list. */
enum parley_err store_team_list(struct store *st, long long org_id, const char *platform,
                                long long after_id, int limit,
                                enum parley_err (*fn)(const struct store_team *, void *),
                                void *arg);
/* Set imported = 1 and last_imported_at = NOW. */
enum parley_err store_team_mark_imported(struct store *st, long long team_id, long long now);

/* Membership is refreshed by marking: an import adds every member it sees
 * with SEEN_AT = its start time, then prunes the members not seen since, so
 * a member who left disappears and a crashed import loses nothing. */
enum parley_err store_team_member_upsert(struct store *st, long long team_id, long long person_id,
                                         long long seen_at);
/* Remove TEAM_ID's members last seen before SEEN_BEFORE; *removed (may be NULL) counts them. */
enum parley_err store_team_members_prune(struct store *st, long long team_id,
                                         long long seen_before, long long *removed);

/* ---- user sync: primary platform, sync status and its history, secondary accounts ----
 *
 * An admin chooses each person's primary platform; syncing gives them a
 * secondary account on the other platform (an identity of kind "guest" on
 * Microsoft or "interop" on Google, see docs/sync.md).  The sync status
 * moves only through store_person_sync_move, which checks where it comes
 * from (so two workers or an admin and a worker never overwrite each
 * other's move) and records every change in the person's history. */

enum store_sync_status {
    STORE_SYNC_NOT_SYNCED,     /* "imported": never synced, or unsynced */
    STORE_SYNC_PENDING,        /* a sync was asked for; its job is queued */
    STORE_SYNC_PROVISIONING,   /* the job is creating the secondary account (or retrying) */
    STORE_SYNC_SYNCED,         /* the secondary account exists and Parley can act as it */
    STORE_SYNC_ERROR,          /* failed for good; the reason says why; the admin may retry */
    STORE_SYNC_UNSYNCING,      /* the secondary account is being removed */
};
#define STORE_SYNC_STATUS_COUNT 6
/* A set of statuses for store_person_sync_move. */
#define STORE_SYNC_BIT(status) (1u << (status))
#define STORE_SYNC_ANY ((1u << STORE_SYNC_STATUS_COUNT) - 1)

/* The stored name ("imported", "pending", ...; STORE_SYNC_NOT_SYNCED is
 * "imported", the value the people listing filters on) and back:
 * PARLEY_ERR_INVALID for an unknown name ("not_synced" and the legacy
 * "unsynced" both parse as STORE_SYNC_NOT_SYNCED). */
const char *store_sync_status_name(enum store_sync_status status);
enum parley_err store_sync_status_parse(const char *name, enum store_sync_status *out);

/* Set the primary platform of PERSON_ID in ORG_ID ("microsoft", "google", or
 * NULL to clear it).  *changed (may be NULL): 1 when it was different. */
enum parley_err store_person_set_primary(struct store *st, long long org_id, long long person_id,
                                         const char *platform, long long now, int *changed);

struct store_sync_move {
    long long org_id;
    long long person_id;
    unsigned from;             /* the statuses it may move from (STORE_SYNC_BIT | ...) */
    enum store_sync_status to;
    const char *reason;        /* kept as status_reason; NULL clears it */
    const char *actor;         /* "admin:a@x", "system": recorded in the history */
};
/* Move the person's sync status to M->to when it is one of M->from, with a
 * history row (from, to, reason, actor).  When it already is M->to, only the
 * reason is updated and no history is written.  *prev (may be NULL) gets the
 * status found.  PARLEY_ERR_CONFLICT: the status is not in M->from (nothing
 * changed); PARLEY_ERR_NOT_FOUND: no such person in the org. */
enum parley_err store_person_sync_move(struct store *st, const struct store_sync_move *m,
                                       long long now, enum store_sync_status *prev);

struct store_sync_event {
    long long id;
    long long person_id;
    enum store_sync_status from;
    enum store_sync_status to;
    char *reason;              /* may be NULL */
    char *actor;
    long long created_at;
};
void store_sync_event_clear(struct store_sync_event *e);
/* The person's status changes, newest first, at most LIMIT (clamped to
 * STORE_LIST_MAX) with id < BEFORE_ID (0: from the newest).  FN as for
 * store_audit_list. */
enum parley_err store_person_sync_history(struct store *st, long long org_id, long long person_id,
                                          long long before_id, int limit,
                                          enum parley_err (*fn)(const struct store_sync_event *,
                                                                void *),
                                          void *arg);

/* How many people of ORG_ID have each status: COUNTS[status] for every
 * status (one indexed pass, for the Hub's summary). */
enum parley_err store_sync_counts(struct store *st, long long org_id,
                                  long long counts[STORE_SYNC_STATUS_COUNT]);

/* The secret of identity ID (a guest account's password, encrypted by the
 * caller with util/secret.h): set (SECRET NULL clears it) and read (*secret
 * new, NULL when there is none).  PARLEY_ERR_NOT_FOUND: no such identity. */
enum parley_err store_identity_set_secret(struct store *st, long long id,
                                          const unsigned char *secret, size_t len, long long now);
enum parley_err store_identity_get_secret(struct store *st, long long id, unsigned char **secret,
                                          size_t *len);
/* Remove identity ID of a person of ORG_ID; *removed (may be NULL): 1 when
 * it existed. */
enum parley_err store_identity_delete(struct store *st, long long org_id, long long id,
                                      int *removed);

#endif
