/* api.h - the admin JSON API under /api/, plus /healthz, /readyz and the
 * embedded Hub UI, mounted on an http router.
 *
 *   struct api_options opt;
 *   api_options_init(&opt);                 // defaults + PARLEY_ENABLE_TEST_JOBS
 *   opt.master_key = key;                   // platform connections
 *   opt.platform_ops_for = platform_ops_for;
 *   struct api *api = api_new(store, &opt);
 *   api_register(api, router);              // before http_server_start
 *   api_jobs_register(api, pool);           // before jobs_pool_start
 *   ...
 *   http_server_stop(srv); jobs_pool_stop(pool); api_free(api);
 *
 * The endpoints are documented in docs/api.md. */
#ifndef PARLEY_API_API_H
#define PARLEY_API_API_H

#include "platform/platform.h"
#include "util/err.h"

struct api;
struct store;
struct http_router;
struct jobs_pool;
struct secret_key;

struct api_options {
    /* Register the "test.sleep" job kind and POST /api/orgs/:org/jobs/test-sleep,
     * used by the integration tests.  Off in production. */
    int test_jobs;
    /* The lease of test.sleep jobs in ms (0: the pool's default). */
    long long test_job_lease_ms;
    /* The master key platform secrets are encrypted under (borrowed: it
     * must outlive the API).  NULL: the connection endpoints answer 503. */
    const struct secret_key *master_key;
    /* The connectors: platform_ops_for, or fakes in tests.  NULL: the
     * endpoints that talk to a platform answer 503. */
    const struct platform_ops *(*platform_ops_for)(enum platform_kind kind);
};

/* Defaults, then from the environment: test_jobs from
 * PARLEY_ENABLE_TEST_JOBS=1, test_job_lease_ms from PARLEY_TEST_JOB_LEASE_MS. */
void api_options_init(struct api_options *opt);

/* A new API over ST (borrowed: it must outlive the API).  OPT may be NULL
 * (defaults).  Never NULL. */
struct api *api_new(struct store *st, const struct api_options *opt);
/* Add every route to ROUTER.  Call once; the catch-all for the UI is added
 * last, so routes added to ROUTER afterwards are never reached. */
void api_register(struct api *api, struct http_router *router);
/* Register the job kinds the API owns with POOL (only "test.sleep", and only
 * when opt.test_jobs is set), and enqueue the API's jobs through POOL from
 * then on.  POOL is borrowed: stop the HTTP server before freeing it. */
enum parley_err api_jobs_register(struct api *api, struct jobs_pool *pool);
/* Free the API; the router must no longer dispatch to it.  NULL is a no-op. */
void api_free(struct api *api);

#endif
