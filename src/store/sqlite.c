/* sqlite.c - the SQLite backend: connections, statements, transactions and
 * its ops table (the other sqlite_*.c files hold the queries).
 *
 * A struct store_sqlite is shared by all threads; each thread that touches
 * the store gets its own sqlite3 connection (SQLITE_OPEN_NOMUTEX: never
 * shared), remembered in a pthread key and in a list so store_close can
 * close them all.  A thread's connection is also closed when the thread
 * exits.  Every connection runs with WAL, foreign keys on, synchronous
 * NORMAL (a commit survives a crash of the process; power loss may lose the
 * last commits, see docs/store.md), temporary files (savepoint and statement
 * journals, sorts) in memory, a checkpoint every 16384 WAL pages (64 MiB)
 * rather than 1000, and a 5 s busy timeout.  SQLite's memory statistics are
 * switched off once per process, before the first connection opens (they
 * take a global mutex on every allocation).
 *
 * Callers must stop all threads that use the store (or let them exit)
 * before store_close. */
#include "store/sqlite.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define BUSY_TIMEOUT_MS 5000
/* The longest a bulk writer waits, between two of its transactions, for
 * the writers queued behind it (store_sqlite_begin). */
#define BULK_YIELD_MAX_MS 100

static pthread_once_t config_once = PTHREAD_ONCE_INIT;

struct cached_stmt {
    const char *sql;               /* static text: the cache key */
    sqlite3_stmt *stmt;
};

struct sqlite_conn {
    sqlite3 *db;
    struct store_sqlite *owner;
    struct cached_stmt *stmts;
    size_t nstmts, cap;
    int tx_depth;                  /* 0: autocommit; >1: inside savepoints */
    int bulk;                      /* holds the store's bulk cache (sqlite_bulk_writer) */
    int yields;                    /* a bulk writer: lets waiting writers go first */
    int waiting;                   /* in the busy handler: counted in write_waiters */
    struct sqlite_conn *prev, *next;
};

struct store_sqlite {
    char *path;
    pthread_key_t key;             /* this thread's struct sqlite_conn */
    pthread_mutex_t lock;          /* guards conns and bulk_taken */
    struct sqlite_conn *conns;
    int bulk_taken;                /* a connection holds the bulk cache */
    atomic_int write_waiters;      /* connections waiting for the lock, that a bulk writer lets by */
};

/* ---- errors ---- */

static enum parley_err map_error(struct sqlite_conn *c, int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return PARLEY_ERR_EXISTS;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return PARLEY_ERR_NOT_FOUND;           /* a referenced row is missing */
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
        return PARLEY_ERR_INVALID;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        log_warn("store", "database busy", "s:error", sqlite3_errmsg(c->db));
        return PARLEY_ERR_BUSY;
    case SQLITE_NOMEM:
        return PARLEY_ERR_NOMEM;
    default:
        log_error("store", "sqlite error", "i:code", rc, "s:error", sqlite3_errmsg(c->db));
        return PARLEY_ERR_STORE;
    }
}

/* ---- connections ---- */

static void conn_close(struct sqlite_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nstmts; i++)
        sqlite3_finalize(c->stmts[i].stmt);
    free(c->stmts);
    sqlite3_close_v2(c->db);
    free(c);
}

/* Unlink C from its store's list, releasing the bulk cache it may hold
 * (caller holds the lock). */
static void conn_unlink(struct store_sqlite *db, struct sqlite_conn *c)
{
    if (c->bulk)
        db->bulk_taken = 0;
    if (c->prev)
        c->prev->next = c->next;
    else
        db->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

/* pthread key destructor: the thread is exiting. */
static void on_thread_exit(void *value)
{
    struct sqlite_conn *c = value;
    struct store_sqlite *db = c->owner;

    pthread_mutex_lock(&db->lock);
    conn_unlink(db, c);
    pthread_mutex_unlock(&db->lock);
    conn_close(c);
}

/* Process-wide settings, applied once before SQLite initialises: no memory
 * statistics (sqlite3_memory_used() and friends are never read here; keeping
 * them costs a global mutex on every SQLite malloc and free).  Once SQLite is
 * initialised (another user of the library was first) sqlite3_config refuses
 * with SQLITE_MISUSE, which only means the statistics stay on. */
static void on_first_open(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Every connection's busy handler: try again each millisecond, for up to
 * BUSY_TIMEOUT_MS.  SQLite's own (sqlite3_busy_timeout) backs off to 100 ms
 * sleeps, which a writer queued behind an import's back-to-back
 * transactions kept sleeping through: it waited seconds for a gap of
 * microseconds.  A waiting connection (not a bulk writer itself) is counted
 * in write_waiters until its statement returns (busy_over), so a bulk
 * writer lets it go first (store_sqlite_begin). */
static int on_busy(void *arg, int calls)
{
    struct sqlite_conn *c = arg;

    if (!c->waiting && !c->yields) {
        c->waiting = 1;
        atomic_fetch_add(&c->owner->write_waiters, 1);
    }
    if (calls >= BUSY_TIMEOUT_MS)
        return 0;
    clock_sleep_ms(1);
    return 1;
}

/* C's statement returned: it waits no more. */
static void busy_over(struct sqlite_conn *c)
{
    if (c->waiting) {
        c->waiting = 0;
        atomic_fetch_sub(&c->owner->write_waiters, 1);
    }
}

static enum parley_err conn_open(struct store_sqlite *db, struct sqlite_conn **out)
{
    static const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    struct sqlite_conn *c = xcalloc(1, sizeof *c);
    enum parley_err rc = PARLEY_ERR_STORE;
    int src;

    c->owner = db;
    src = sqlite3_open_v2(db->path, &c->db, flags, NULL);
    if (src != SQLITE_OK) {
        log_error("store", "cannot open database", "s:path", db->path,
                  "s:error", c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(src));
        goto out;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_handler(c->db, on_busy, c);
    rc = store_sqlite_exec_script(c, "PRAGMA journal_mode = WAL;"
                                     "PRAGMA synchronous = NORMAL;"
                                     "PRAGMA temp_store = MEMORY;"
                                     "PRAGMA wal_autocheckpoint = 16384;"
                                     "PRAGMA foreign_keys = ON;");
    if (rc != PARLEY_OK)
        goto out;
    *out = c;
    c = NULL;
out:
    conn_close(c);
    return rc;
}

enum parley_err store_sqlite_conn(struct store *st, struct sqlite_conn **out)
{
    struct store_sqlite *db = st->backend;
    struct sqlite_conn *c = pthread_getspecific(db->key);
    enum parley_err rc;

    if (c) {
        *out = c;
        return PARLEY_OK;
    }
    rc = conn_open(db, &c);
    if (rc != PARLEY_OK)
        return rc;
    pthread_mutex_lock(&db->lock);
    c->next = db->conns;
    if (db->conns)
        db->conns->prev = c;
    db->conns = c;
    pthread_mutex_unlock(&db->lock);
    pthread_setspecific(db->key, c);
    *out = c;
    return PARLEY_OK;
}

/* ---- statements ---- */

static enum parley_err bind_args(struct sqlite_conn *c, sqlite3_stmt *s, const char *types,
                                 va_list ap)
{
    int src = SQLITE_OK;

    for (int i = 0; types[i] && src == SQLITE_OK; i++) {
        int idx = i + 1;
        switch (types[i]) {
        case 't': {
            const char *v = va_arg(ap, const char *);
            src = v ? sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, idx);
            break;
        }
        case 'l':
            src = sqlite3_bind_int64(s, idx, va_arg(ap, long long));
            break;
        case 'i':
            src = sqlite3_bind_int(s, idx, va_arg(ap, int));
            break;
        case 'z': {
            long long v = va_arg(ap, long long);
            src = v ? sqlite3_bind_int64(s, idx, v) : sqlite3_bind_null(s, idx);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t len = va_arg(ap, size_t);
            src = p ? sqlite3_bind_blob64(s, idx, p, len, SQLITE_TRANSIENT)
                    : sqlite3_bind_null(s, idx);
            break;
        }
        default:
            log_error("store", "bad bind type", "s:types", types);
            return PARLEY_ERR_INVALID;
        }
    }
    return src == SQLITE_OK ? PARLEY_OK : map_error(c, src);
}

static enum parley_err stmt_cached(struct sqlite_conn *c, const char *sql, sqlite3_stmt **out)
{
    sqlite3_stmt *s = NULL;
    int src;

    for (size_t i = 0; i < c->nstmts; i++) {
        if (c->stmts[i].sql == sql) {
            *out = c->stmts[i].stmt;
            return PARLEY_OK;
        }
    }
    src = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    busy_over(c);                      /* reading the schema may have waited */
    if (src != SQLITE_OK) {
        log_error("store", "cannot prepare statement", "s:error", sqlite3_errmsg(c->db),
                  "s:sql", sql);
        return PARLEY_ERR_STORE;
    }
    if (c->nstmts == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 32;
        c->stmts = xrealloc(c->stmts, c->cap * sizeof *c->stmts);
    }
    c->stmts[c->nstmts].sql = sql;
    c->stmts[c->nstmts].stmt = s;
    c->nstmts++;
    *out = s;
    return PARLEY_OK;
}

static enum parley_err stmt_va(struct sqlite_conn *c, const char *sql, sqlite3_stmt **out,
                               const char *types, va_list ap)
{
    sqlite3_stmt *s = NULL;
    enum parley_err rc;

    *out = NULL;
    rc = stmt_cached(c, sql, &s);
    if (rc != PARLEY_OK)
        return rc;
    rc = bind_args(c, s, types, ap);
    if (rc != PARLEY_OK) {
        store_sqlite_done(s);
        return rc;
    }
    *out = s;
    return PARLEY_OK;
}

enum parley_err store_sqlite_stmt(struct sqlite_conn *c, const char *sql, sqlite3_stmt **out,
                                  const char *types, ...)
{
    enum parley_err rc;
    va_list ap;

    va_start(ap, types);
    rc = stmt_va(c, sql, out, types, ap);
    va_end(ap);
    return rc;
}

static enum parley_err query_va(struct store *st, struct sqlite_conn **c, sqlite3_stmt **s,
                                const char *sql, const char *types, va_list ap)
{
    enum parley_err rc = store_sqlite_conn(st, c);

    *s = NULL;
    return rc == PARLEY_OK ? stmt_va(*c, sql, s, types, ap) : rc;
}

enum parley_err store_sqlite_query(struct store *st, struct sqlite_conn **c, sqlite3_stmt **s,
                                   const char *sql, const char *types, ...)
{
    enum parley_err rc;
    va_list ap;

    va_start(ap, types);
    rc = query_va(st, c, s, sql, types, ap);
    va_end(ap);
    return rc;
}

enum parley_err store_sqlite_write(struct store *st, enum parley_err unchanged, const char *sql,
                                   const char *types, ...)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc;
    va_list ap;

    va_start(ap, types);
    rc = query_va(st, &c, &s, sql, types, ap);
    va_end(ap);
    if (rc == PARLEY_OK)
        rc = store_sqlite_exec(c, s);
    if (rc == PARLEY_OK && store_sqlite_changes(c) == 0)
        rc = unchanged;
    return rc;
}

enum parley_err store_sqlite_step(struct sqlite_conn *c, sqlite3_stmt *s)
{
    int src = sqlite3_step(s);

    busy_over(c);
    if (src == SQLITE_ROW)
        return PARLEY_OK;
    if (src == SQLITE_DONE)
        return PARLEY_ERR_NOT_FOUND;
    return map_error(c, src);
}

enum parley_err store_sqlite_exec(struct sqlite_conn *c, sqlite3_stmt *s)
{
    enum parley_err rc;
    int src;

    while ((src = sqlite3_step(s)) == SQLITE_ROW)
        ;                              /* e.g. a PRAGMA's result row: drain */
    busy_over(c);
    rc = src == SQLITE_DONE ? PARLEY_OK : map_error(c, src);
    store_sqlite_done(s);
    return rc;
}

enum parley_err store_sqlite_one(struct sqlite_conn *c, sqlite3_stmt *s,
                                 void (*read)(sqlite3_stmt *, void *), void *out)
{
    enum parley_err rc = store_sqlite_step(c, s);

    if (rc == PARLEY_OK)
        read(s, out);
    store_sqlite_done(s);
    return rc;
}

enum parley_err store_sqlite_get(struct store *st, void (*read)(sqlite3_stmt *, void *),
                                 void *out, const char *sql, const char *types, ...)
{
    struct sqlite_conn *c;
    sqlite3_stmt *s;
    enum parley_err rc;
    va_list ap;

    va_start(ap, types);
    rc = query_va(st, &c, &s, sql, types, ap);
    va_end(ap);
    return rc == PARLEY_OK ? store_sqlite_one(c, s, read, out) : rc;
}

enum parley_err store_sqlite_page(struct sqlite_conn *c, sqlite3_stmt *s, int limit, void *rows,
                                  size_t size, void (*read)(sqlite3_stmt *, void *), size_t *n)
{
    enum parley_err rc = PARLEY_OK;

    *n = 0;
    while (*n < (size_t)limit && (rc = store_sqlite_step(c, s)) == PARLEY_OK)
        read(s, (char *)rows + (*n)++ * size);
    store_sqlite_done(s);
    return rc == PARLEY_ERR_NOT_FOUND ? PARLEY_OK : rc;
}

static void read_int64(sqlite3_stmt *s, void *out)
{
    *(long long *)out = sqlite3_column_int64(s, 0);
}

enum parley_err store_sqlite_scalar(struct sqlite_conn *c, sqlite3_stmt *s, long long *out)
{
    return store_sqlite_one(c, s, read_int64, out);
}

void store_sqlite_done(sqlite3_stmt *s)
{
    if (!s)
        return;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

int store_sqlite_changes(struct sqlite_conn *c)
{
    return sqlite3_changes(c->db);
}

enum parley_err store_sqlite_exec_script(struct sqlite_conn *c, const char *sql)
{
    char *msg = NULL;
    int src = sqlite3_exec(c->db, sql, NULL, NULL, &msg);

    busy_over(c);
    if (src == SQLITE_OK)
        return PARLEY_OK;
    log_error("store", "sql script failed", "s:error", msg ? msg : sqlite3_errstr(src));
    sqlite3_free(msg);
    return (src & 0xff) == SQLITE_BUSY ? PARLEY_ERR_BUSY : PARLEY_ERR_STORE;
}

char *store_sqlite_text(sqlite3_stmt *s, int col)
{
    const unsigned char *text = sqlite3_column_text(s, col);

    return text ? xstrndup((const char *)text, (size_t)sqlite3_column_bytes(s, col)) : NULL;
}

unsigned char *store_sqlite_blob(sqlite3_stmt *s, int col, size_t *len)
{
    const void *data = sqlite3_column_blob(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col);
    unsigned char *copy;

    *len = 0;
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return NULL;
    copy = xmalloc(n ? n : 1);
    if (n)
        memcpy(copy, data, n);
    *len = n;
    return copy;
}

/* ---- transactions ---- */

static enum parley_err run_constant(struct sqlite_conn *c, const char *sql)
{
    sqlite3_stmt *s;
    enum parley_err rc = store_sqlite_stmt(c, sql, &s, "");

    return rc == PARLEY_OK ? store_sqlite_exec(c, s) : rc;
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT nested";
static const char SQL_RELEASE[] = "RELEASE nested";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO nested";

/* A bulk writer about to begin: while other connections of the process
 * wait for the lock (on_busy), let them (for at most BULK_YIELD_MAX_MS), so
 * an import's back-to-back transactions do not starve the Hub's and the
 * jobs' writes. */
static void yield_to_waiters(struct store_sqlite *db)
{
    for (int ms = 0; ms < BULK_YIELD_MAX_MS && atomic_load(&db->write_waiters) > 0; ms++)
        clock_sleep_ms(1);
}

enum parley_err store_sqlite_begin(struct sqlite_conn *c)
{
    struct store_sqlite *db = c->owner;
    enum parley_err rc;

    if (c->tx_depth == 0 && c->yields)
        yield_to_waiters(db);
    rc = run_constant(c, c->tx_depth == 0 ? SQL_BEGIN : SQL_SAVEPOINT);
    if (rc == PARLEY_OK)
        c->tx_depth++;
    return rc;
}

enum parley_err store_sqlite_end(struct sqlite_conn *c, enum parley_err rc)
{
    enum parley_err end_rc;

    if (c->tx_depth > 1) {
        if (rc != PARLEY_OK)
            run_constant(c, SQL_ROLLBACK_TO);
        end_rc = run_constant(c, SQL_RELEASE);
    } else if (rc == PARLEY_OK) {
        end_rc = run_constant(c, SQL_COMMIT);
        if (end_rc != PARLEY_OK)
            run_constant(c, SQL_ROLLBACK);
    } else {
        end_rc = run_constant(c, SQL_ROLLBACK);
    }
    c->tx_depth--;
    return rc != PARLEY_OK ? rc : end_rc;
}

/* One connection at a time gets the bulk cache, so concurrent imports
 * cannot multiply the memory; it is the store's again when that connection
 * ends with its thread (on_thread_exit -> conn_unlink).  Another bulk
 * writer meanwhile keeps the default cache. */
static enum parley_err sqlite_bulk_writer(struct store *st)
{
    struct store_sqlite *db = st->backend;
    struct sqlite_conn *c;
    enum parley_err rc = store_sqlite_conn(st, &c);
    int take = 0;
    char *sql;

    if (rc != PARLEY_OK)
        return rc;
    c->yields = 1;
    pthread_mutex_lock(&db->lock);
    if (!db->bulk_taken && !c->bulk)
        take = db->bulk_taken = c->bulk = 1;
    pthread_mutex_unlock(&db->lock);
    if (!take)
        return PARLEY_OK;
    sql = xasprintf("PRAGMA cache_size = -%d;", STORE_BULK_CACHE_MIB * 1024);
    rc = store_sqlite_exec_script(c, sql);
    free(sql);
    return rc;
}

static enum parley_err sqlite_tx(struct store *st, enum parley_err (*fn)(struct store *, void *),
                                 void *arg)
{
    struct sqlite_conn *c;
    enum parley_err rc = store_sqlite_conn(st, &c);

    if (rc == PARLEY_OK)
        rc = store_sqlite_begin(c);
    if (rc != PARLEY_OK)
        return rc;
    return store_sqlite_end(c, fn(st, arg));
}

/* ---- open / close ---- */

static void sqlite_close(struct store *st)
{
    struct store_sqlite *db = st->backend;

    if (!db)
        return;
    pthread_key_delete(db->key);       /* no more thread-exit callbacks */
    pthread_mutex_lock(&db->lock);
    while (db->conns) {
        struct sqlite_conn *c = db->conns;
        conn_unlink(db, c);
        conn_close(c);
    }
    pthread_mutex_unlock(&db->lock);
    pthread_mutex_destroy(&db->lock);
    free(db->path);
    free(db);
    st->backend = NULL;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .migrate_to = store_sqlite_migrate_to,
    .schema_version = store_sqlite_schema_version,
    .ping = store_sqlite_ping,
    .tx = sqlite_tx,
    .bulk_writer = sqlite_bulk_writer,
    .org_ensure = store_sqlite_org_ensure,
    .org_get = store_sqlite_org_get,
    .org_get_by_name = store_sqlite_org_get_by_name,
    .admin_create = store_sqlite_admin_create,
    .admin_get = store_sqlite_admin_get,
    .admin_get_by_email = store_sqlite_admin_get_by_email,
    .admin_set_password = store_sqlite_admin_set_password,
    .admin_role_set = store_sqlite_admin_role_set,
    .admin_roles = store_sqlite_admin_roles,
    .session_create = store_sqlite_session_create,
    .session_get = store_sqlite_session_get,
    .session_delete = store_sqlite_session_delete,
    .sessions_purge_expired = store_sqlite_sessions_purge_expired,
    .login_failure_add = store_sqlite_login_failure_add,
    .login_failures_count = store_sqlite_login_failures_count,
    .login_failures_clear = store_sqlite_login_failures_clear,
    .audit_add = store_sqlite_audit_add,
    .audit_list = store_sqlite_audit_list,
    .job_enqueue = store_sqlite_job_enqueue,
    .job_claim = store_sqlite_job_claim,
    .job_complete = store_sqlite_job_complete,
    .job_fail = store_sqlite_job_fail,
    .job_extend_lease = store_sqlite_job_extend_lease,
    .job_progress = store_sqlite_job_progress,
    .job_get = store_sqlite_job_get,
    .job_list = store_sqlite_job_list,
    .job_retry = store_sqlite_job_retry,
    .connection_put = store_sqlite_connection_put,
    .connection_get = store_sqlite_connection_get,
    .connection_delete = store_sqlite_connection_delete,
    .person_upsert = store_sqlite_person_upsert,
    .person_get = store_sqlite_person_get,
    .person_get_by_email = store_sqlite_person_get_by_email,
    .people_list = store_sqlite_people_list,
    .people_count = store_sqlite_people_count,
    .identity_upsert = store_sqlite_identity_upsert,
    .team_upsert = store_sqlite_team_upsert,
    .team_get = store_sqlite_team_get,
    .team_get_by_external = store_sqlite_team_get_by_external,
    .team_list = store_sqlite_team_list,
    .team_mark_imported = store_sqlite_team_mark_imported,
    .team_member_upsert = store_sqlite_team_member_upsert,
    .team_members_prune = store_sqlite_team_members_prune,
    .person_set_primary = store_sqlite_person_set_primary,
    .person_sync_move = store_sqlite_person_sync_move,
    .person_sync_history = store_sqlite_person_sync_history,
    .sync_counts = store_sqlite_sync_counts,
    .identity_set_secret = store_sqlite_identity_set_secret,
    .identity_get_secret = store_sqlite_identity_get_secret,
    .identity_delete = store_sqlite_identity_delete,
};

enum parley_err store_sqlite_open(const char *target, struct store *st)
{
    struct store_sqlite *db;
    struct sqlite_conn *c;
    enum parley_err rc;

    /* Each thread has its own connection, so a private in-memory database
     * would be a different, empty database per thread. */
    if (!*target || strcmp(target, ":memory:") == 0) {
        log_error("store", "the SQLite store needs a file path");
        return PARLEY_ERR_INVALID;
    }
    if (!sqlite3_threadsafe()) {
        log_error("store", "libsqlite3 was built without thread support");
        return PARLEY_ERR_UNSUPPORTED;
    }
    pthread_once(&config_once, on_first_open);
    db = xcalloc(1, sizeof *db);
    db->path = xstrdup(target);
    pthread_mutex_init(&db->lock, NULL);
    if (pthread_key_create(&db->key, on_thread_exit) != 0) {
        pthread_mutex_destroy(&db->lock);
        free(db->path);
        free(db);
        return PARLEY_ERR_NOMEM;
    }
    st->ops = &sqlite_ops;
    st->backend = db;
    /* Open this thread's connection now so a bad path fails here. */
    rc = store_sqlite_conn(st, &c);
    if (rc != PARLEY_OK) {
        sqlite_close(st);
        st->ops = NULL;
    }
    return rc;
}
