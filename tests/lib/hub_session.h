/* hub_session.h - an admin session on a real `parley serve` connected to a
 * running parley-emu, for the integration tests of the Hub's features
 * (imports, user sync): start both, create and log in the org's owner,
 * connect the org to both emulated platforms, call the admin API, follow
 * jobs to their end.
 *
 *   struct hub_session s;
 *   hub_session_start(&s, "emulators/seeds/demo.json", NULL, NULL);
 *   hub_session_connect(&s, NULL);
 *   long id = ...; json_t *job = hub_session_wait_job(&s, id, 30000);
 *   hub_session_stop(&s);
 *
 * Functions that talk to the hub fail the current cmocka test on a transport
 * error (they call cmocka's assertions). */
#ifndef PARLEY_TESTS_HUB_SESSION_H
#define PARLEY_TESTS_HUB_SESSION_H

#include <jansson.h>

#include "lib/emu_client.h"
#include "lib/harness.h"

#define HUB_SESSION_ORG      "acme"
#define HUB_SESSION_OWNER    "owner@example.com"
#define HUB_SESSION_PASSWORD "correct horse battery staple"

struct hub_session {
    struct harness_hub hub;
    struct emu_client emu;
    struct harness_http *http;
    char *csrf_header;        /* "X-CSRF-Token: ..." */
    char *seed_dir;           /* the seed written by hub_session_start_seed, removed at stop */
};

/* Start parley-emu (TLS) with SEED and EMU_ARGS (NULL-terminated, may be
 * NULL), then the hub with HUB_ENV (may be NULL), and log in the owner of
 * org "acme".  0 on success. */
int hub_session_start(struct hub_session *s, const char *seed, const char *const emu_args[],
                      const char *const hub_env[]);
/* The same with the seed given as JSON text (written to a temp file). */
int hub_session_start_seed(struct hub_session *s, const char *seed_json,
                           const char *const emu_args[], const char *const hub_env[]);
/* Stop both; 0 when both exited cleanly.  Removes their directories. */
int hub_session_stop(struct hub_session *s);

/* METHOD PATH (e.g. "/api/orgs/acme/people") with BODY (stolen, may be
 * NULL) as the owner; returns the HTTP status. */
long hub_session_call(struct hub_session *s, const char *method, const char *path, json_t *body,
                      struct harness_resp *resp);
/* POST PATH with BODY (stolen), asserting the answer's STATUS; the answer's
 * JSON (a new reference, may be NULL). */
json_t *hub_session_post(struct hub_session *s, const char *path, json_t *body, long status);
/* A value of endpoints.json: hub_session_ep(s, "microsoft", "tenant_id"). */
const char *hub_session_ep(const struct hub_session *s, const char *platform, const char *key);
/* The Microsoft connection settings as the API takes them, with SECRET
 * (NULL: the emulator's own). New reference. */
json_t *hub_session_microsoft_settings(const struct hub_session *s, const char *secret);
/* Connect the org to both emulated platforms through the API. */
void hub_session_connect(struct hub_session *s);
/* Poll job ID until done or dead, at most TIMEOUT_MS; the job (new reference). */
json_t *hub_session_wait_job(struct hub_session *s, long long id, int timeout_ms);
/* A count from a finished job's result ("new", "fetched", ...). */
long long hub_session_job_count(const json_t *job, const char *name);
/* "total" of GET /api/orgs/acme/people?QUERY. */
long long hub_session_people_total(struct hub_session *s, const char *query);

#endif
