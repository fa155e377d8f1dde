/* store.c - the public store API: picks a backend from the URL and
 * dispatches every call through its const struct store_ops.
 *
 * Argument checks common to all backends live here (NULL strings, bad
 * roles, empty kinds), and output structs are zeroed before the backend
 * fills them, so backends implement storage only.  The *_clear functions
 * free what the backends put in the plain structs of store.h. */
#include "store/store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_backend.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Whether ST and OUT are set; when they are, OUT's SIZE bytes are zeroed
 * so that the backend fills a clean struct. */
static int out_ready(const struct store *st, void *out, size_t size)
{
    if (!st || !out)
        return 0;
    memset(out, 0, size);
    return 1;
}

/* Zero *OUT and hand CALL (an op with its arguments) to the backend of ST;
 * PARLEY_ERR_INVALID when ST or OUT is NULL. */
#define DISPATCH_OUT(out, call) \
    (out_ready(st, (out), sizeof *(out)) ? st->ops->call : PARLEY_ERR_INVALID)

/* A list call's positive LIMIT, capped at STORE_LIST_MAX. */
static int list_cap(int limit)
{
    return limit > STORE_LIST_MAX ? STORE_LIST_MAX : limit;
}

/* ---- opening ---- */

static enum parley_err open_postgres(const char *target, struct store *st)
{
    (void)target;
    (void)st;
    log_error("store", "the PostgreSQL backend is not available yet; use a sqlite: URL");
    return PARLEY_ERR_UNSUPPORTED;
}

static const struct {
    const char *prefix;            /* stripped before the backend sees the URL */
    enum parley_err (*open)(const char *target, struct store *st);
} schemes[] = {
    { "sqlite://", store_sqlite_open },
    { "sqlite:", store_sqlite_open },
    { "postgres://", open_postgres },
    { "postgresql://", open_postgres },
};

enum parley_err store_open(const char *url, struct store **out)
{
    enum parley_err (*open)(const char *, struct store *) = store_sqlite_open;
    const char *target = url;
    struct store *st;
    enum parley_err rc;

    *out = NULL;
    if (!url || !*url)
        return PARLEY_ERR_INVALID;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncmp(url, schemes[i].prefix, n) == 0) {
            /* postgres URLs are handed over whole: libpq parses them. */
            target = schemes[i].open == store_sqlite_open ? url + n : url;
            open = schemes[i].open;
            break;
        }
    }
    st = xcalloc(1, sizeof *st);
    rc = open(target, st);
    if (rc != PARLEY_OK) {
        free(st);
        return rc;
    }
    *out = st;
    return PARLEY_OK;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    st->ops->close(st);
    free(st);
}

/* ---- migrations, health, transactions ---- */

enum parley_err store_migrate(struct store *st, int *applied)
{
    return store_migrate_to(st, 1 << 30, applied);
}

enum parley_err store_migrate_to(struct store *st, int version, int *applied)
{
    int dummy;

    if (!st || version < 0)
        return PARLEY_ERR_INVALID;
    return st->ops->migrate_to(st, version, applied ? applied : &dummy);
}

enum parley_err store_schema_version(struct store *st, int *current, int *latest)
{
    if (!st || !current || !latest)
        return PARLEY_ERR_INVALID;
    return st->ops->schema_version(st, current, latest);
}

enum parley_err store_ping(struct store *st)
{
    return st ? st->ops->ping(st) : PARLEY_ERR_INVALID;
}

enum parley_err store_tx(struct store *st, enum parley_err (*fn)(struct store *, void *), void *arg)
{
    if (!st || !fn)
        return PARLEY_ERR_INVALID;
    return st->ops->tx(st, fn, arg);
}

enum parley_err store_bulk_writer(struct store *st)
{
    return st ? st->ops->bulk_writer(st) : PARLEY_ERR_INVALID;
}

/* ---- orgs ---- */

void store_org_clear(struct store_org *org)
{
    if (!org)
        return;
    free(org->name);
    memset(org, 0, sizeof *org);
}

enum parley_err store_org_ensure(struct store *st, const char *name, long long *id, int *created)
{
    int dummy;

    if (!st || !name || !*name || !id)
        return PARLEY_ERR_INVALID;
    return st->ops->org_ensure(st, name, id, created ? created : &dummy);
}

enum parley_err store_org_get(struct store *st, long long id, struct store_org *out)
{
    return DISPATCH_OUT(out, org_get(st, id, out));
}

enum parley_err store_org_get_by_name(struct store *st, const char *name, struct store_org *out)
{
    if (!name)
        return PARLEY_ERR_INVALID;
    return DISPATCH_OUT(out, org_get_by_name(st, name, out));
}

/* ---- admin users and roles ---- */

static char *lower_dup(const char *s)
{
    char *copy = xstrdup(s);

    for (char *p = copy; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return copy;
}

void store_admin_clear(struct store_admin *a)
{
    if (!a)
        return;
    free(a->email);
    free(a->password_hash);
    memset(a, 0, sizeof *a);
}

enum parley_err store_admin_create(struct store *st, const char *email, const char *password_hash,
                                   long long *id)
{
    enum parley_err rc;
    char *lower;

    if (!st || !email || !*email || !password_hash || !*password_hash || !id)
        return PARLEY_ERR_INVALID;
    lower = lower_dup(email);
    rc = st->ops->admin_create(st, lower, password_hash, id);
    free(lower);
    return rc;
}

enum parley_err store_admin_get(struct store *st, long long id, struct store_admin *out)
{
    return DISPATCH_OUT(out, admin_get(st, id, out));
}

enum parley_err store_admin_get_by_email(struct store *st, const char *email, struct store_admin *out)
{
    enum parley_err rc;
    char *lower;

    if (!email || !out_ready(st, out, sizeof *out))
        return PARLEY_ERR_INVALID;
    lower = lower_dup(email);
    rc = st->ops->admin_get_by_email(st, lower, out);
    free(lower);
    return rc;
}

enum parley_err store_admin_set_password(struct store *st, long long id, const char *password_hash)
{
    if (!st || !password_hash || !*password_hash)
        return PARLEY_ERR_INVALID;
    return st->ops->admin_set_password(st, id, password_hash);
}

enum parley_err store_admin_role_set(struct store *st, long long admin_id, long long org_id,
                                     const char *role)
{
    if (!st || !role)
        return PARLEY_ERR_INVALID;
    if (strcmp(role, "owner") != 0 && strcmp(role, "admin") != 0 && strcmp(role, "viewer") != 0)
        return PARLEY_ERR_INVALID;
    return st->ops->admin_role_set(st, admin_id, org_id, role);
}

void store_role_clear(struct store_role *r)
{
    if (!r)
        return;
    free(r->org_name);
    free(r->role);
    memset(r, 0, sizeof *r);
}

enum parley_err store_admin_roles(struct store *st, long long admin_id, struct store_role **out,
                                  size_t *count)
{
    if (!st || !out || !count)
        return PARLEY_ERR_INVALID;
    *out = NULL;
    *count = 0;
    return st->ops->admin_roles(st, admin_id, out, count);
}

void store_roles_free(struct store_role *roles, size_t count)
{
    for (size_t i = 0; roles && i < count; i++)
        store_role_clear(&roles[i]);
    free(roles);
}

/* ---- sessions and login throttling ---- */

void store_session_clear(struct store_session *s)
{
    if (!s)
        return;
    free(s->csrf_token);
    memset(s, 0, sizeof *s);
}

enum parley_err store_session_create(struct store *st, const char *token_hash, long long admin_id,
                                     const char *csrf_token, long long expires_at)
{
    if (!st || !token_hash || !*token_hash || !csrf_token || !*csrf_token)
        return PARLEY_ERR_INVALID;
    return st->ops->session_create(st, token_hash, admin_id, csrf_token, expires_at);
}

enum parley_err store_session_get(struct store *st, const char *token_hash, long long now,
                                  struct store_session *out)
{
    if (!token_hash)
        return PARLEY_ERR_INVALID;
    return DISPATCH_OUT(out, session_get(st, token_hash, now, out));
}

enum parley_err store_session_delete(struct store *st, const char *token_hash)
{
    if (!st || !token_hash)
        return PARLEY_ERR_INVALID;
    return st->ops->session_delete(st, token_hash);
}

enum parley_err store_sessions_purge_expired(struct store *st, long long now)
{
    return st ? st->ops->sessions_purge_expired(st, now) : PARLEY_ERR_INVALID;
}

enum parley_err store_login_failure_add(struct store *st, const char *key, long long now)
{
    if (!st || !key)
        return PARLEY_ERR_INVALID;
    return st->ops->login_failure_add(st, key, now);
}

enum parley_err store_login_failures_count(struct store *st, const char *key, long long since,
                                           int *count)
{
    if (!st || !key || !count)
        return PARLEY_ERR_INVALID;
    *count = 0;
    return st->ops->login_failures_count(st, key, since, count);
}

enum parley_err store_login_failures_clear(struct store *st, const char *key)
{
    if (!st || !key)
        return PARLEY_ERR_INVALID;
    return st->ops->login_failures_clear(st, key);
}

/* ---- audit ---- */

void store_audit_event_clear(struct store_audit_event *e)
{
    if (!e)
        return;
    free(e->actor);
    free(e->action);
    free(e->target);
    free(e->details_json);
    memset(e, 0, sizeof *e);
}

enum parley_err store_audit_add(struct store *st, long long org_id, const char *actor,
                                const char *action, const char *target, const char *details_json)
{
    if (!st || !actor || !*actor || !action || !*action)
        return PARLEY_ERR_INVALID;
    return st->ops->audit_add(st, org_id, actor, action, target, details_json);
}

enum parley_err store_audit_list(struct store *st, long long org_id, long long before_id, int limit,
                                 enum parley_err (*fn)(const struct store_audit_event *, void *),
                                 void *arg)
{
    if (!st || !fn || limit <= 0)
        return PARLEY_ERR_INVALID;
    return st->ops->audit_list(st, org_id, before_id, list_cap(limit), fn, arg);
}

/* ---- jobs ---- */

const char *store_job_state_name(enum store_job_state s)
{
    switch (s) {
    case STORE_JOB_QUEUED:  return "queued";
    case STORE_JOB_RUNNING: return "running";
    case STORE_JOB_DONE:    return "done";
    case STORE_JOB_DEAD:    return "dead";
    }
    return "unknown";
}

void store_job_clear(struct store_job *job)
{
    if (!job)
        return;
    free(job->kind);
    free(job->dedup_key);
    free(job->payload_json);
    free(job->lease_owner);
    free(job->last_error);
    free(job->progress_json);
    free(job->result_json);
    memset(job, 0, sizeof *job);
}

enum parley_err store_job_enqueue(struct store *st, const struct store_job_new *spec, long long now,
                                  long long *id, int *created)
{
    int dummy;

    if (!st || !spec || !spec->kind || !*spec->kind || !id || spec->max_attempts < 0)
        return PARLEY_ERR_INVALID;
    return st->ops->job_enqueue(st, spec, now, id, created ? created : &dummy);
}

enum parley_err store_job_claim(struct store *st, const char *owner, long long now,
                                long long lease_ms, const char *const *kinds,
                                struct store_job *out)
{
    if (!owner || !*owner || lease_ms <= 0)
        return PARLEY_ERR_INVALID;
    return DISPATCH_OUT(out, job_claim(st, owner, now, lease_ms, kinds, out));
}

enum parley_err store_job_complete(struct store *st, long long id, const char *owner,
                                   const char *result_json, long long now,
                                   enum store_job_state *left)
{
    enum store_job_state dummy;

    if (!st || !owner)
        return PARLEY_ERR_INVALID;
    return st->ops->job_complete(st, id, owner, result_json, now, left ? left : &dummy);
}

enum parley_err store_job_fail(struct store *st, long long id, const char *owner, const char *error,
                               int dead, long long retry_at, long long now,
                               enum store_job_state *left)
{
    enum store_job_state dummy;

    if (!st || !owner)
        return PARLEY_ERR_INVALID;
    return st->ops->job_fail(st, id, owner, error, dead, retry_at, now, left ? left : &dummy);
}

enum parley_err store_job_extend_lease(struct store *st, long long id, const char *owner,
                                       long long lease_expires)
{
    if (!st || !owner)
        return PARLEY_ERR_INVALID;
    return st->ops->job_extend_lease(st, id, owner, lease_expires);
}

enum parley_err store_job_progress(struct store *st, long long id, const char *owner, long long done,
                                   long long total, const char *progress_json, long long now)
{
    if (!st || !owner)
        return PARLEY_ERR_INVALID;
    return st->ops->job_progress(st, id, owner, done, total, progress_json, now);
}

enum parley_err store_job_get(struct store *st, long long id, struct store_job *out)
{
    return DISPATCH_OUT(out, job_get(st, id, out));
}

enum parley_err store_job_list(struct store *st, long long org_id, const char *kind, int limit,
                               enum parley_err (*fn)(const struct store_job *, void *), void *arg)
{
    if (!st || !fn || limit <= 0)
        return PARLEY_ERR_INVALID;
    return st->ops->job_list(st, org_id, kind, list_cap(limit), fn, arg);
}

enum parley_err store_job_retry(struct store *st, long long id, long long now)
{
    return st ? st->ops->job_retry(st, id, now) : PARLEY_ERR_INVALID;
}

/* ---- platform connections ---- */

void store_connection_clear(struct store_connection *c)
{
    if (!c)
        return;
    free(c->platform);
    free(c->config_json);
    free(c->secret);
    memset(c, 0, sizeof *c);
}

static int platform_valid(const char *platform)
{
    return platform && (strcmp(platform, "microsoft") == 0 || strcmp(platform, "google") == 0);
}

enum parley_err store_connection_put(struct store *st, const struct store_connection *c, long long now)
{
    if (!st || !c || !platform_valid(c->platform) || (!c->secret && c->secret_len > 0))
        return PARLEY_ERR_INVALID;
    return st->ops->connection_put(st, c, now);
}

enum parley_err store_connection_get(struct store *st, long long org_id, const char *platform,
                                     struct store_connection *out)
{
    if (!platform)
        return PARLEY_ERR_INVALID;
    return DISPATCH_OUT(out, connection_get(st, org_id, platform, out));
}

enum parley_err store_connection_delete(struct store *st, long long org_id, const char *platform)
{
    if (!st || !platform)
        return PARLEY_ERR_INVALID;
    return st->ops->connection_delete(st, org_id, platform);
}

/* ---- people, identities, teams ---- */

static int kind_valid(const char *kind)
{
    return kind && (strcmp(kind, "native") == 0 || strcmp(kind, "guest") == 0 ||
                    strcmp(kind, "interop") == 0);
}

void store_identity_clear(struct store_identity *ident)
{
    if (!ident)
        return;
    free(ident->platform);
    free(ident->kind);
    free(ident->external_id);
    free(ident->email);
    free(ident->state);
    memset(ident, 0, sizeof *ident);
}

void store_person_clear(struct store_person *p)
{
    if (!p)
        return;
    free(p->email);
    free(p->display_name);
    free(p->given_name);
    free(p->family_name);
    free(p->name_source);
    free(p->primary_platform);
    free(p->sync_status);
    free(p->status_reason);
    for (size_t i = 0; i < p->identity_count; i++)
        store_identity_clear(&p->identities[i]);
    free(p->identities);
    memset(p, 0, sizeof *p);
}

enum parley_err store_person_upsert(struct store *st, const struct store_person_new *p,
                                    long long now, long long *id,
                                    enum store_upsert_result *result)
{
    struct store_person_new folded;
    enum store_upsert_result dummy;
    enum parley_err rc;
    char *lower;

    if (!st || !p || !p->email || !*p->email || !platform_valid(p->source) || !id)
        return PARLEY_ERR_INVALID;
    lower = lower_dup(p->email);
    folded = *p;
    folded.email = lower;
    folded.display_name = p->display_name ? p->display_name : "";
    rc = st->ops->person_upsert(st, &folded, now, id, result ? result : &dummy);
    free(lower);
    return rc;
}

enum parley_err store_person_get(struct store *st, long long org_id, long long id,
                                 struct store_person *out)
{
    return DISPATCH_OUT(out, person_get(st, org_id, id, out));
}

enum parley_err store_person_get_by_email(struct store *st, long long org_id, const char *email,
                                          struct store_person *out)
{
    enum parley_err rc;
    char *lower;

    if (!email || !out_ready(st, out, sizeof *out))
        return PARLEY_ERR_INVALID;
    lower = lower_dup(email);
    rc = st->ops->person_get_by_email(st, org_id, lower, out);
    free(lower);
    return rc;
}

/* Q with its optional filters checked and "" turned into NULL. */
static enum parley_err people_query_check(const struct store_people_query *q,
                                          struct store_people_query *out)
{
    if (!q || (q->platform && !platform_valid(q->platform)) ||
        (q->sort != STORE_PEOPLE_BY_NAME && q->sort != STORE_PEOPLE_BY_EMAIL))
        return PARLEY_ERR_INVALID;
    *out = *q;
    if (out->search && !*out->search)
        out->search = NULL;
    if (out->sync_status && !*out->sync_status)
        out->sync_status = NULL;
    return PARLEY_OK;
}

enum parley_err store_people_list(struct store *st, const struct store_people_query *q,
                                  enum parley_err (*fn)(const struct store_person *, void *),
                                  void *arg)
{
    struct store_people_query checked;

    if (!st || !fn || !q || q->limit <= 0 || people_query_check(q, &checked) != PARLEY_OK)
        return PARLEY_ERR_INVALID;
    checked.limit = list_cap(checked.limit);
    return st->ops->people_list(st, &checked, fn, arg);
}

enum parley_err store_people_count(struct store *st, const struct store_people_query *q,
                                   long long *count)
{
    struct store_people_query checked;

    if (!st || !count || people_query_check(q, &checked) != PARLEY_OK)
        return PARLEY_ERR_INVALID;
    *count = 0;
    return st->ops->people_count(st, &checked, count);
}

enum parley_err store_identity_upsert(struct store *st, const struct store_identity_new *ident,
                                      long long now, long long *id,
                                      enum store_upsert_result *result)
{
    struct store_identity_new checked;
    enum store_upsert_result dummy;

    if (!st || !ident || !platform_valid(ident->platform) || !kind_valid(ident->kind) ||
        !ident->external_id || !*ident->external_id || !id)
        return PARLEY_ERR_INVALID;
    checked = *ident;
    checked.state = ident->state ? ident->state : "active";
    return st->ops->identity_upsert(st, &checked, now, id, result ? result : &dummy);
}

void store_team_clear(struct store_team *t)
{
    if (!t)
        return;
    free(t->platform);
    free(t->external_id);
    free(t->name);
    free(t->description);
    memset(t, 0, sizeof *t);
}

enum parley_err store_team_upsert(struct store *st, const struct store_team_new *t, long long now,
                                  long long *id, enum store_upsert_result *result)
{
    enum store_upsert_result dummy;

    if (!st || !t || !platform_valid(t->platform) || !t->external_id || !*t->external_id ||
        !t->name || !id)
        return PARLEY_ERR_INVALID;
    return st->ops->team_upsert(st, t, now, id, result ? result : &dummy);
}

enum parley_err store_team_get(struct store *st, long long org_id, long long id,
                               struct store_team *out)
{
    return DISPATCH_OUT(out, team_get(st, org_id, id, out));
}

enum parley_err store_team_get_by_external(struct store *st, long long org_id,
                                           const char *platform, const char *external_id,
                                           struct store_team *out)
{
    if (!platform_valid(platform) || !external_id)
        return PARLEY_ERR_INVALID;
    return DISPATCH_OUT(out, team_get_by_external(st, org_id, platform, external_id, out));
}

enum parley_err store_team_list(struct store *st, long long org_id, const char *platform,
                                long long after_id, int limit,
                                enum parley_err (*fn)(const struct store_team *, void *),
                                void *arg)
{
    if (!st || !fn || limit <= 0 || (platform && !platform_valid(platform)))
        return PARLEY_ERR_INVALID;
    return st->ops->team_list(st, org_id, platform, after_id, list_cap(limit), fn, arg);
}

enum parley_err store_team_mark_imported(struct store *st, long long team_id, long long now)
{
    return st ? st->ops->team_mark_imported(st, team_id, now) : PARLEY_ERR_INVALID;
}

enum parley_err store_team_member_upsert(struct store *st, long long team_id, long long person_id,
                                         long long seen_at)
{
    return st ? st->ops->team_member_upsert(st, team_id, person_id, seen_at) : PARLEY_ERR_INVALID;
}

enum parley_err store_team_members_prune(struct store *st, long long team_id,
                                         long long seen_before, long long *removed)
{
    long long dummy;

    if (!st)
        return PARLEY_ERR_INVALID;
    return st->ops->team_members_prune(st, team_id, seen_before, removed ? removed : &dummy);
}

/* ---- user sync ---- */

/* Stored names by status; "imported" is what a never-synced person has. */
static const char *const sync_status_names[STORE_SYNC_STATUS_COUNT] = {
    [STORE_SYNC_NOT_SYNCED] = "imported",   [STORE_SYNC_PENDING] = "pending",
    [STORE_SYNC_PROVISIONING] = "provisioning", [STORE_SYNC_SYNCED] = "synced",
    [STORE_SYNC_ERROR] = "error",           [STORE_SYNC_UNSYNCING] = "unsyncing",
};

const char *store_sync_status_name(enum store_sync_status status)
{
    return (unsigned)status < STORE_SYNC_STATUS_COUNT ? sync_status_names[status] : "imported";
}

enum parley_err store_sync_status_parse(const char *name, enum store_sync_status *out)
{
    if (!name || !out)
        return PARLEY_ERR_INVALID;
    if (strcmp(name, "not_synced") == 0 || strcmp(name, "unsynced") == 0) {
        *out = STORE_SYNC_NOT_SYNCED;
        return PARLEY_OK;
    }
    for (int i = 0; i < STORE_SYNC_STATUS_COUNT; i++) {
        if (strcmp(name, sync_status_names[i]) == 0) {
            *out = (enum store_sync_status)i;
            return PARLEY_OK;
        }
    }
    return PARLEY_ERR_INVALID;
}

enum parley_err store_person_set_primary(struct store *st, long long org_id, long long person_id,
                                         const char *platform, long long now, int *changed)
{
    int dummy;

    if (!st || (platform && !platform_valid(platform)))
        return PARLEY_ERR_INVALID;
    return st->ops->person_set_primary(st, org_id, person_id, platform, now,
                                       changed ? changed : &dummy);
}

enum parley_err store_person_sync_move(struct store *st, const struct store_sync_move *m,
                                       long long now, enum store_sync_status *prev)
{
    struct store_sync_move checked;
    enum store_sync_status dummy;

    if (!st || !m || (unsigned)m->to >= STORE_SYNC_STATUS_COUNT || (m->from & ~STORE_SYNC_ANY))
        return PARLEY_ERR_INVALID;
    checked = *m;
    checked.actor = m->actor && *m->actor ? m->actor : "system";
    return st->ops->person_sync_move(st, &checked, now, prev ? prev : &dummy);
}

void store_sync_event_clear(struct store_sync_event *e)
{
    if (!e)
        return;
    free(e->reason);
    free(e->actor);
    memset(e, 0, sizeof *e);
}

enum parley_err store_person_sync_history(struct store *st, long long org_id, long long person_id,
                                          long long before_id, int limit,
                                          enum parley_err (*fn)(const struct store_sync_event *,
                                                                void *),
                                          void *arg)
{
    if (!st || !fn || limit <= 0)
        return PARLEY_ERR_INVALID;
    return st->ops->person_sync_history(st, org_id, person_id, before_id, list_cap(limit), fn, arg);
}

enum parley_err store_sync_counts(struct store *st, long long org_id,
                                  long long counts[STORE_SYNC_STATUS_COUNT])
{
    if (!st || !counts)
        return PARLEY_ERR_INVALID;
    memset(counts, 0, STORE_SYNC_STATUS_COUNT * sizeof counts[0]);
    return st->ops->sync_counts(st, org_id, counts);
}

enum parley_err store_identity_set_secret(struct store *st, long long id,
                                          const unsigned char *secret, size_t len, long long now)
{
    if (!st || (!secret && len > 0) || (secret && len == 0))
        return PARLEY_ERR_INVALID;
    return st->ops->identity_set_secret(st, id, secret, len, now);
}

enum parley_err store_identity_get_secret(struct store *st, long long id, unsigned char **secret,
                                          size_t *len)
{
    if (!st || !secret || !len)
        return PARLEY_ERR_INVALID;
    *secret = NULL;
    *len = 0;
    return st->ops->identity_get_secret(st, id, secret, len);
}

enum parley_err store_identity_delete(struct store *st, long long org_id, long long id,
                                      int *removed)
{
    int dummy;

    if (!st)
        return PARLEY_ERR_INVALID;
    return st->ops->identity_delete(st, org_id, id, removed ? removed : &dummy);
}
