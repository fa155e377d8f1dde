/* api.c - the API object: options, creation, route registration in order,
 * and teardown (see api.h). */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "http/router.h"
#include "jobs/pool.h"
#include "jobs/queue.h"
#include "util/xmalloc.h"

void api_options_init(struct api_options *opt)
{
    const char *test_jobs = getenv("PARLEY_ENABLE_TEST_JOBS");

    const char *lease = getenv("PARLEY_TEST_JOB_LEASE_MS");

    memset(opt, 0, sizeof *opt);
    opt->test_jobs = test_jobs && strcmp(test_jobs, "1") == 0;
    opt->test_job_lease_ms = lease ? strtoll(lease, NULL, 10) : 0;
    if (opt->test_job_lease_ms < 0)
        opt->test_job_lease_ms = 0;
}

struct api *api_new(struct store *st, const struct api_options *opt)
{
    struct api *api = xcalloc(1, sizeof *api);

    api->store = st;
    if (opt)
        api->opt = *opt;
    else
        api_options_init(&api->opt);
    api->platforms = (struct platform_source){ st, api->opt.master_key, api->opt.platform_ops_for };
    api->api_routes = http_router_new();
    return api;
}

void api_register(struct api *api, struct http_router *router)
{
    api_health_register(api, router);
    api_login_register(api, router);
    api_audit_register(api, router);
    if (api->opt.test_jobs)
        api_sleep_job_register_routes(api, router);
    api_jobs_register_routes(api, router);
    api_connections_register(api, router);
    api_teams_register(api, router);
    api_imports_register(api, router);
    api_people_register(api, router);
    api_sync_register(api, router);      /* before person.c: "people/primary" is not an id */
    api_person_register(api, router);
    /* Last: it matches every path. */
    api_static_register(api, router);
}

enum parley_err api_jobs_register(struct api *api, struct jobs_pool *pool)
{
    api->pool = pool;
    return api->opt.test_jobs ? api_sleep_job_register_kind(api, pool) : PARLEY_OK;
}

enum parley_err api_enqueue(struct api *api, const struct store_job_new *spec, long long *id,
                            int *created)
{
    if (api->pool)
        return jobs_pool_enqueue(api->pool, spec, id, created);
    return jobs_queue_enqueue(api->store, spec, id, created);
}

void api_free(struct api *api)
{
    if (!api)
        return;
    for (size_t i = 0; i < api->nroutes; i++)
        free(api->routes[i]);
    free(api->routes);
    http_router_free(api->api_routes);
    free(api);
}
