/* internal.h - what the files of src/api/ share: the API object and each
 * resource file's route registration.  Not for callers outside src/api/. */
#ifndef PARLEY_API_INTERNAL_H
#define PARLEY_API_INTERNAL_H

#include <stddef.h>

#include "api/api.h"
#include "platform/connection.h"
#include "store/store.h"

struct api_route;
struct jobs_pool;
struct store_job_new;

struct api {
    struct store *store;                 /* borrowed */
    struct jobs_pool *pool;              /* borrowed; NULL until api_jobs_register */
    struct api_options opt;
    struct platform_source platforms;    /* store, opt.master_key, opt.platform_ops_for */
    /* The /api routes alone, to tell an unknown API path (404) from a known
     * path with the wrong method (405) in the UI's catch-all. */
    struct http_router *api_routes;
    struct api_route **routes;           /* owned, freed by api_free */
    size_t nroutes, cap;
};

/* Enqueue a job: through the pool when there is one (an idle worker wakes
 * at once), else straight into the queue (another node's workers take it). */
enum parley_err api_enqueue(struct api *api, const struct store_job_new *spec, long long *id,
                            int *created);

/* ---- platforms.c: helpers of the handlers that reach a platform ---- */
struct http_req;
struct api_ctx;
/* ":platform" as a kind; answers 404 and returns -1 when unknown. */
int api_platform_param(struct http_req *req, enum platform_kind *kind);
/* Whether the hub has a master key (and, with NEED_CONNECTORS, connectors);
 * answers 503 and returns 0 when not. */
int api_platforms_ready(struct http_req *req, const struct api *api, int need_connectors);
/* {"ok": false, "code", "message", "http_status"}: a new reference. */
json_t *api_platform_error_json(const struct platform_error *perr);
/* Answer with PERR: 409 "not_connected" when nothing usable is saved,
 * else 502 with the connector's code ("auth", "network", ...). */
void api_reply_platform_error(struct http_req *req, const struct platform_error *perr);
/* Open the org's connection to KIND; answers (503, 409, 502) and returns -1
 * on failure.  Close with (*ops)->close(*conn). */
int api_platform_open(struct http_req *req, struct api_ctx *ctx, enum platform_kind kind,
                      const struct platform_ops **ops, struct platform_conn **conn);

/* ---- people.c: what the people endpoints share (person.c, sync.c) ---- */
/* The API's name of a sync status ("not_synced", "pending", ...). */
const char *api_sync_status_name(enum store_sync_status status);
/* P's sync status (an unknown stored name reads as not synced). */
enum store_sync_status api_person_status(const struct store_person *p);
/* P's native (NATIVE set) or secondary identity on PLATFORM, or NULL;
 * borrowed from P. */
const struct store_identity *api_person_identity(const struct store_person *p,
                                                 const char *platform, int native);
/* P's secondary account (a Teams guest or Google interop identity), or NULL. */
const struct store_identity *api_person_secondary(const struct store_person *p);
/* The person as the API shows it: a new reference. */
json_t *api_person_json(const struct store_person *p);
/* Check and set Q's search, platform and status filters (SEARCH, PLATFORM,
 * STATUS may be NULL or ""; Q's pointers borrow them or static names).
 * Answers 400 and returns -1 on a bad value. */
int api_people_filter(struct http_req *req, const char *search, const char *platform,
                      const char *status, struct store_people_query *q);
/* BODY's "primary_platform" ("microsoft" or "google", as a static name);
 * answers 400 and returns NULL when missing or unknown. */
const char *api_primary_platform(struct http_req *req, const json_t *body);

/* Register the "test.sleep" handler with POOL (sleep_job.c). */
enum parley_err api_sleep_job_register_kind(struct api *api, struct jobs_pool *pool);

/* One function per resource file: add its routes. */
void api_health_register(struct api *api, struct http_router *router);     /* health.c */
void api_login_register(struct api *api, struct http_router *router);      /* login.c */
void api_audit_register(struct api *api, struct http_router *router);      /* audit.c */
void api_jobs_register_routes(struct api *api, struct http_router *router); /* jobs.c */
void api_sleep_job_register_routes(struct api *api, struct http_router *router); /* sleep_job.c */
void api_connections_register(struct api *api, struct http_router *router); /* connections.c */
void api_teams_register(struct api *api, struct http_router *router);      /* teams.c */
void api_imports_register(struct api *api, struct http_router *router);    /* imports.c */
void api_people_register(struct api *api, struct http_router *router);     /* people.c */
void api_sync_register(struct api *api, struct http_router *router);       /* sync.c */
void api_person_register(struct api *api, struct http_router *router);     /* person.c */
void api_static_register(struct api *api, struct http_router *router);     /* static.c, last */

#endif
