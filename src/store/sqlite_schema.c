/* sqlite_schema.c - the SQLite schema as numbered migrations, compiled in.
 *
 * Each entry is applied once, in order, inside its own transaction, and
 * recorded in schema_migrations (see sqlite_migrate.c).  Never edit an entry
 * that has shipped: add the next number.  Times are Unix milliseconds;
 * booleans are 0/1; JSON columns hold object text.  Table summary in
 * docs/store.md. */
#include "store/sqlite.h"

/* 001: the whole initial domain model. */
static const char schema_001[] =
    /* One customer: its Microsoft tenant and Google customer connections. */
    "CREATE TABLE orgs ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL"
    ");"
    /* Connector settings; SECRET is a secretbox ciphertext (util/secret.h). */
    "CREATE TABLE platform_connections ("
    "  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
    "  platform TEXT NOT NULL CHECK (platform IN ('microsoft', 'google')),"
    "  config_json TEXT NOT NULL DEFAULT '{}',"
    "  secret BLOB,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (org_id, platform)"
    ");"
    "CREATE TABLE people ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
    "  email TEXT NOT NULL,"
    "  display_name TEXT NOT NULL DEFAULT '',"
    "  primary_platform TEXT CHECK (primary_platform IN ('microsoft', 'google')),"
    "  sync_status TEXT NOT NULL DEFAULT 'imported' CHECK (sync_status IN"
    "    ('imported', 'pending', 'provisioning', 'synced', 'error', 'unsyncing', 'unsynced')),"
    "  status_reason TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (org_id, email)"
    ");"
    "CREATE INDEX people_org_status ON people(org_id, sync_status);"
    /* A person's account on one platform. */
    "CREATE TABLE identities ("
    "  id INTEGER PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
    "  platform TEXT NOT NULL CHECK (platform IN ('microsoft', 'google')),"
    "  kind TEXT NOT NULL CHECK (kind IN ('native', 'guest', 'interop')),"
    "  external_id TEXT NOT NULL,"
    "  email TEXT,"                                  /* email or UPN */
    "  state TEXT NOT NULL DEFAULT 'active',"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (platform, external_id)"
    ");"
    "CREATE INDEX identities_person ON identities(person_id);"
    /* Microsoft teams, Entra and Google groups: import and Directory Sync sources. */
    "CREATE TABLE teams ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
    "  platform TEXT NOT NULL CHECK (platform IN ('microsoft', 'google')),"
    "  external_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  description TEXT,"
    "  member_count INTEGER NOT NULL DEFAULT 0,"
    "  imported INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1)),"
    "  directory_sync INTEGER NOT NULL DEFAULT 0 CHECK (directory_sync IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (org_id, platform, external_id)"
    ");"
    "CREATE TABLE team_members ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (team_id, person_id)"
    ");"
    "CREATE INDEX team_members_person ON team_members(person_id);"
    /* A DM or group chat, mirrored as one Teams chat and one Google Chat space. */
    "CREATE TABLE conversations ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('dm', 'group')),"
    "  microsoft_chat_id TEXT UNIQUE,"
    "  google_space TEXT UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE conversation_members ("
    "  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (conversation_id, person_id)"
    ");"
    "CREATE INDEX conversation_members_person ON conversation_members(person_id);"
    /* Relayed messages: for edits, deletes, replies, and not relaying our own posts back. */
    "CREATE TABLE message_map ("
    "  id INTEGER PRIMARY KEY,"
    "  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    "  source_platform TEXT NOT NULL CHECK (source_platform IN ('microsoft', 'google')),"
    "  source_id TEXT NOT NULL,"
    "  target_platform TEXT NOT NULL CHECK (target_platform IN ('microsoft', 'google')),"
    "  target_id TEXT NOT NULL,"
    "  sender_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (source_platform, source_id),"
    "  UNIQUE (target_platform, target_id)"
    ");"
    /* The durable work queue (jobs/queue.h). */
    "CREATE TABLE jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER REFERENCES orgs(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  dedup_key TEXT,"
    "  payload_json TEXT NOT NULL DEFAULT '{}',"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'running', 'done', 'dead')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 8 CHECK (max_attempts > 0),"
    "  not_before INTEGER NOT NULL,"
    "  lease_owner TEXT,"
    "  lease_expires INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  progress_done INTEGER NOT NULL DEFAULT 0,"
    "  progress_total INTEGER NOT NULL DEFAULT 0,"
    "  progress_json TEXT,"
    "  result_json TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX jobs_due ON jobs(state, not_before);"
    "CREATE INDEX jobs_lease ON jobs(state, lease_expires);"
    /* At most one live job per dedup key; finished ones may repeat it. */
    "CREATE UNIQUE INDEX jobs_dedup_live ON jobs(dedup_key)"
    "  WHERE state IN ('queued', 'running');"
    "CREATE TABLE audit_events ("
    "  id INTEGER PRIMARY KEY,"
    "  org_id INTEGER REFERENCES orgs(id) ON DELETE SET NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  target TEXT,"
    "  details_json TEXT,"
    "  created_at INTEGER NOT NULL"
    ");"
    /* The Hub's administrators (not the people being synced). */
    "CREATE TABLE admin_users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE,"
    "  password_hash TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE admin_roles ("
    "  admin_id INTEGER NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,"
    "  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),"
    "  PRIMARY KEY (admin_id, org_id)"
    ");"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  admin_id INTEGER NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,"
    "  csrf_token TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_expires ON sessions(expires_at);"
    "CREATE TABLE login_failures ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL,"
    "  at INTEGER NOT NULL"
    ");"
    "CREATE INDEX login_failures_key_at ON login_failures(key, at);";

/* 002: per-org listing of the audit log and of jobs, newest first, without
 * scanning other orgs' rows (the Hub UI pages through both). */
static const char schema_002[] =
    "CREATE INDEX audit_events_org ON audit_events(org_id, id);"
    "CREATE INDEX jobs_org ON jobs(org_id, id);";

/* 003: what the import needs.  People get given / family names and the
 * platform their names come from; the Hub lists people by name (the unique
 * (org_id, email) index already serves the email order); a person has one
 * identity per (platform, kind), which also serves identities by person;
 * teams remember their last import; members carry the time an import last
 * saw them, so an import can drop those who left. */
static const char schema_003[] =
    "ALTER TABLE people ADD COLUMN given_name TEXT;"
    "ALTER TABLE people ADD COLUMN family_name TEXT;"
    "ALTER TABLE people ADD COLUMN name_source TEXT"
    "  CHECK (name_source IN ('microsoft', 'google'));"
    "CREATE INDEX people_org_name ON people(org_id, display_name COLLATE NOCASE, id);"
    "CREATE UNIQUE INDEX identities_person_slot ON identities(person_id, platform, kind);"
    "DROP INDEX identities_person;"
    "ALTER TABLE teams ADD COLUMN last_imported_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE team_members ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;";

/* 004: user sync.  An identity may carry a secret (a guest account's
 * password, a secretbox ciphertext); every sync status change of a person is
 * kept with who made it and why.  Listing by status uses people_org_status
 * (001). */
static const char schema_004[] =
    "ALTER TABLE identities ADD COLUMN secret BLOB;"
    "CREATE TABLE person_sync_events ("
    "  id INTEGER PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
    "  from_status TEXT NOT NULL,"
    "  to_status TEXT NOT NULL,"
    "  reason TEXT,"
    "  actor TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX person_sync_events_person ON person_sync_events(person_id, id);";

/* 005: "run again".  An enqueue deduplicated onto a job that is already
 * running sets rerun; completing such a job queues it again instead of
 * making it done, so a request that landed after the run started is not
 * lost (see sqlite_jobs.c). */
static const char schema_005[] =
    "ALTER TABLE jobs ADD COLUMN rerun INTEGER NOT NULL DEFAULT 0;";

const struct store_sqlite_migration store_sqlite_migrations[] = {
    { 1, "initial schema", schema_001 },
    { 2, "per-org audit and job listing indexes", schema_002 },
    { 3, "people names and listing, identity slots, team imports", schema_003 },
    { 4, "user sync: identity secrets, sync status history", schema_004 },
    { 5, "jobs: run again after a deduplicated enqueue", schema_005 },
};

const int store_sqlite_migrations_count =
    (int)(sizeof store_sqlite_migrations / sizeof store_sqlite_migrations[0]);
