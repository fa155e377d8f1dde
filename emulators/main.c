/* main.c - parley-emu: read the seed, start one frame per platform, write
 * DIR/endpoints.json, serve until SIGINT/SIGTERM.  Exit 2 on a usage or seed
 * error, 1 on a runtime failure.  See docs/emulators.md. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "frame/cli.h"
#include "frame/endpoints.h"
#include "frame/frame.h"
#include "frame/seedcheck.h"
#include "frame/tls.h"
#include "google/google.h"
#include "microsoft/ms.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* The platforms, in the order they start.  A platform whose ops are NULL is
 * accepted in the seed (kept for a later issue) but not served yet. */
struct platform_slot {
    const char *name;
    const struct emu_platform_ops *ops;
};

static const struct platform_slot platforms[] = {
    {"microsoft", &emu_ms_platform},
    {"google", &emu_google_ops},
};
#define NPLATFORMS (sizeof platforms / sizeof platforms[0])

static const char *listen_of(const struct emu_options *opts, const char *name)
{
    return strcmp(name, "google") == 0 ? opts->listen_google : opts->listen_microsoft;
}

/* mkdir -p */
static int make_dir(const char *path)
{
    char *copy = xstrdup(path);
    int rc = 0;
    for (char *p = copy + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    if (rc == 0 && mkdir(copy, 0755) != 0 && errno != EEXIST)
        rc = -1;
    free(copy);
    return rc;
}

/* Read and check the seed's top level; *seed is a new reference. */
static int load_seed(const char *path, json_t **seed)
{
    static const char *const top_keys[] = {"microsoft", "google", NULL};
    json_error_t jerr;
    char *why = NULL;

    *seed = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!*seed) {
        fprintf(stderr, "seed: %s: line %d, column %d: %s\n", path, jerr.line, jerr.column,
                jerr.text);
        return -1;
    }
    if (emu_seed_keys(*seed, "(top level)", top_keys, &why) != 0) {
        fprintf(stderr, "seed: %s\n", why);
        free(why);
        return -1;
    }
    json_t *google = json_object_get(*seed, "google");
    if (google && !json_is_object(google)) {
        fprintf(stderr, "seed: google: expected an object\n");
        return -1;
    }
    return 0;
}

static int wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    return sig;
}

int main(int argc, char **argv)
{
    struct emu_options opts;
    struct emu_tls tls = {0};
    struct emu_frame *frames[NPLATFORMS] = {0};
    json_t *seed = NULL, *endpoints = NULL;
    int status = 1;

    switch (emu_cli_parse(argc, argv, &opts, stderr)) {
    case EMU_CLI_HELP:
        emu_cli_usage(stdout);
        return 0;
    case EMU_CLI_USAGE:
        return 2;
    case EMU_CLI_RUN:
        break;
    }
    /* Signals are taken by sigwait on the main thread only: block them before
     * any thread starts so every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    if (load_seed(opts.seed_path, &seed) != 0) {
        status = 2;
        goto out;
    }
    if (make_dir(opts.dir) != 0) {
        fprintf(stderr, "parley-emu: cannot create %s: %s\n", opts.dir, strerror(errno));
        goto out;
    }
    if (opts.tls && emu_tls_create(opts.dir, &tls) != PARLEY_OK)
        goto out;

    for (size_t i = 0; i < NPLATFORMS; i++) {
        if (!platforms[i].ops)
            continue;
        struct emu_frame_config cfg = {
            .ops = platforms[i].ops,
            .seed = json_object_get(seed, platforms[i].name),
            .listen = listen_of(&opts, platforms[i].name),
            .tls_cert_pem = tls.cert_pem,
            .tls_key_pem = tls.key_pem,
            .rate_limit = opts.rate_limit,
            .real_quotas = opts.real_quotas,
            .notify_delay_ms = opts.notify_delay_ms,
        };
        char *why = NULL;
        enum parley_err err = emu_frame_new(&cfg, &frames[i], &why);
        if (err == PARLEY_ERR_INVALID) {
            fprintf(stderr, "seed: %s\n", why);
            free(why);
            status = 2;
            goto out;
        }
        if (err) {
            fprintf(stderr, "parley-emu: %s: %s\n", platforms[i].name,
                    why ? why : parley_strerror(err));
            free(why);
            goto out;
        }
    }
    endpoints = json_object();
    if (tls.ca_file)
        json_object_set_new(endpoints, "ca_file", json_string(tls.ca_file));
    for (size_t i = 0; i < NPLATFORMS; i++) {
        if (!frames[i])
            continue;
        if (emu_frame_listen(frames[i]) != PARLEY_OK)
            goto out;
        /* The Google key file names the token URI, known once listening. */
        if (platforms[i].ops == &emu_google_ops &&
            emu_google_write_key_file(frames[i], opts.dir) != PARLEY_OK)
            goto out;
        json_object_set_new(endpoints, platforms[i].name, emu_frame_endpoints(frames[i]));
        if (!json_object_get(endpoints, "control")) {
            char *control = xasprintf("%s/_emu", emu_frame_origin(frames[i]));
            json_object_set_new(endpoints, "control", json_string(control));
            free(control);
        }
    }
    if (emu_endpoints_write(opts.dir, endpoints) != PARLEY_OK)
        goto out;
    log_info("emu", "ready", "s:dir", opts.dir);
    int sig = wait_for_signal();
    log_info("emu", "stopping", "i:signal", sig);
    status = 0;
out:
    for (size_t i = NPLATFORMS; i-- > 0;)
        emu_frame_free(frames[i]);
    json_decref(endpoints);
    json_decref(seed);
    emu_tls_clear(&tls);
    curl_global_cleanup();
    return status;
}
