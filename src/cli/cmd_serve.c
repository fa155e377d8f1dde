/* cmd_serve.c - `parley serve`: open and migrate the store, load the master
 * key, start the job workers and the HTTP server (Hub UI, admin API), then
 * wait for SIGTERM/SIGINT and shut down gracefully: stop accepting, finish
 * in-flight requests and job attempts, close the store, exit 0. */
#include "cli/commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/settings.h"
#include "http/router.h"
#include "http/server.h"
#include "jobs/pool.h"
#include "platform/conn_cache.h"
#include "platform/connection.h"
#include "platform/platform.h"
#include "store/store.h"
#include "sync/import.h"
#include "sync/provision.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/xmalloc.h"

static const char serve_usage[] = "parley serve [--listen ADDR:PORT] [--data DIR] [--db URL] "
                                  "[--workers N] [--log-level L]";

/* Read a whole PEM file into a new string; NULL (and logs) on failure. */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (!f)
        goto fail;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > 1 << 20 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto fail;
    data = xmalloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size)
        goto fail;
    data[size] = '\0';
    fclose(f);
    return data;
fail:
    log_error("serve", "cannot read the TLS file", "s:path", path);
    free(data);
    if (f)
        fclose(f);
    return NULL;
}

/* Block the stop signals in every thread, so the main thread alone takes
 * them with sigwait (threads created later inherit the mask). */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int serve(const struct config_values *cfg)
{
    struct store *st = NULL;
    struct secret_key *key = NULL;
    struct api *api = NULL;
    struct jobs_pool *pool = NULL;
    struct http_router *router = NULL;
    struct http_server *srv = NULL;
    char *data_dir = NULL, *key_path = NULL, *cert = NULL, *tls_key = NULL;
    struct api_options opt;
    struct platform_source platforms = { 0 };   /* used by job workers until the pool is freed */
    struct platform_conn_cache *conns = NULL;
    struct sync_env sync_env = { 0 };
    sigset_t stop_set;
    int rc = EXIT_FAILURE_RUN, sig = 0;

    block_stop_signals(&stop_set);
    if (settings_data_dir(cfg, &data_dir) || settings_open_store(cfg, 1, &st))
        goto out;
    key_path = settings_master_key_path(cfg, data_dir);
    if (secret_key_load(key_path, 1, &key)) {
        log_error("serve", "cannot load or create the master key", "s:path", key_path);
        goto out;
    }
    if (config_get(cfg, "tls-cert") || config_get(cfg, "tls-key")) {
        if (!config_get(cfg, "tls-cert") || !config_get(cfg, "tls-key")) {
            log_error("serve", "--tls-cert and --tls-key go together");
            rc = EXIT_USAGE;
            goto out;
        }
        if (!(cert = read_pem(config_get(cfg, "tls-cert"))) ||
            !(tls_key = read_pem(config_get(cfg, "tls-key"))))
            goto out;
    }

    api_options_init(&opt);
    opt.master_key = key;
    opt.platform_ops_for = platform_ops_for;
    api = api_new(st, &opt);
    router = http_router_new();
    api_register(api, router);

    /* --workers 0: this node serves HTTP only and leaves jobs to others. */
    int workers = (int)config_get_int(cfg, "workers");
    if (workers > 0) {
        struct jobs_pool_config pool_cfg = {
            .threads = workers,
            .lease_ms = config_get_int(cfg, "job-lease") * 1000,
        };
        pool = jobs_pool_new(st, &pool_cfg);
        platforms = (struct platform_source){ st, key, platform_ops_for };
        conns = platform_conn_cache_new(&platforms);
        sync_env = (struct sync_env){ .st = st, .open_conn = platform_conn_cache_acquire,
                                      .close_conn = platform_conn_cache_release, .ctx = conns,
                                      .key = key };
        if (api_jobs_register(api, pool) || sync_import_register(pool, &sync_env) ||
            sync_provision_register(pool, &sync_env))
            goto out;
        if (jobs_pool_handler_count(pool) > 0 && jobs_pool_start(pool))
            goto out;
    }

    struct http_server_config http = {
        .listen = config_get(cfg, "listen"),
        .max_body = (size_t)config_get_int(cfg, "max-body"),
        .tls_cert_pem = cert,
        .tls_key_pem = tls_key,
        .log_module = "http",
    };
    if (http_server_start(&http, router, &srv)) {
        log_error("serve", "cannot listen", "s:listen", http.listen);
        goto out;
    }
    log_info("serve", "parley is serving", "s:listen", http.listen,
             "i:port", http_server_port(srv), "b:tls", cert != NULL, "i:workers", workers);

    sigwait(&stop_set, &sig);
    log_info("serve", "stopping", "s:signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = EXIT_OK;
out:
    http_server_stop(srv);          /* stop accepting; in-flight requests finish */
    jobs_pool_stop(pool);           /* in-flight job attempts finish */
    jobs_pool_free(pool);
    platform_conn_cache_free(conns);    /* no worker holds a connection any more */
    api_free(api);
    http_router_free(router);
    secret_key_free(key);
    store_close(st);
    if (rc == EXIT_OK)
        log_info("serve", "stopped cleanly");
    free(data_dir);
    free(key_path);
    free(cert);
    if (tls_key)
        secret_wipe_free(tls_key, strlen(tls_key));
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    struct config_values cfg = { 0 };
    if (cli_wants_help(argc, argv)) {
        settings_print_help(CMD_SERVE, serve_usage,
                            "Run the Hub: the web console and its admin API, the webhook intake "
                            "and the job workers.\nStops gracefully on SIGTERM or SIGINT.",
                            stdout);
        return EXIT_OK;
    }
    if (settings_resolve(CMD_SERVE, argc, argv, &cfg))
        return EXIT_USAGE;
    int rc = serve(&cfg);
    config_values_free(&cfg);
    return rc;
}
