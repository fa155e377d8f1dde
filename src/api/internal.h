/* internal.h - what the files of src/api/ share: the API object and each
 * resource file's route registration.  Not for callers outside src/api/. */
#ifndef PARLEY_API_INTERNAL_H
#define PARLEY_API_INTERNAL_H

#include <stddef.h>

#include "api/api.h"

struct api_route;
struct jobs_pool;
struct store_job_new;

struct api {
    struct store *store;                 /* borrowed */
    struct jobs_pool *pool;              /* borrowed; NULL until api_jobs_register */
    struct api_options opt;
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

/* Register the "test.sleep" handler with POOL (sleep_job.c). */
enum parley_err api_sleep_job_register_kind(struct api *api, struct jobs_pool *pool);

/* One function per resource file: add its routes. */
void api_health_register(struct api *api, struct http_router *router);     /* health.c */
void api_login_register(struct api *api, struct http_router *router);      /* login.c */
void api_audit_register(struct api *api, struct http_router *router);      /* audit.c */
void api_jobs_register_routes(struct api *api, struct http_router *router); /* jobs.c */
void api_sleep_job_register_routes(struct api *api, struct http_router *router); /* sleep_job.c */
void api_static_register(struct api *api, struct http_router *router);     /* static.c, last */

#endif
