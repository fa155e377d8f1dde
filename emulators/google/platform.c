/* platform.c - the Google emulator as a frame platform (see google.h): the
 * ops table, the --real-quotas limiters, the lifecycle thread (Workspace
 * Events reminders and expiry), the service-account key file and the
 * endpoints.json entry. */
#include "google/google.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "frame/frame.h"
#include "frame/jwt.h"
#include "frame/ratelimit.h"
#include "google/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

const char *gemu_origin(const struct emu_google *g)
{
    const char *origin = emu_frame_origin(g->frame);
    return origin ? origin : "http://127.0.0.1";
}

/* The lifecycle thread: subscription reminders and expiry. */
static void *run_ticker(void *arg)
{
    struct emu_google *g = arg;
    pthread_mutex_lock(&g->ticker_lock);
    while (!g->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += GEMU_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->ticker_wake, &g->ticker_lock, &until);
        if (g->stopping)
            break;
        pthread_mutex_unlock(&g->ticker_lock);
        gemu_events_tick(g);
        pthread_mutex_lock(&g->ticker_lock);
    }
    pthread_mutex_unlock(&g->ticker_lock);
    return NULL;
}

static void on_free(void *plat);

static enum parley_err on_create(struct emu_frame *frame, const json_t *seed, void **plat,
                                 char **why)
{
    struct emu_google *g = xcalloc(1, sizeof *g);
    pthread_condattr_t attr;
    enum parley_err err = gemu_state_new(seed, &g->st, why);
    if (err) {
        free(g);
        return err;
    }
    g->frame = frame;
    pthread_mutex_init(&g->ticker_lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g->ticker_wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&g->ticker, NULL, run_ticker, g) != 0) {
        on_free(g);
        *why = xstrdup("cannot start the Google lifecycle thread");
        return PARLEY_ERR_IO;
    }
    g->ticker_started = 1;
    if (emu_frame_real_quotas(frame)) {
        g->quota_space_writes = emu_ratelimit_new(1, 1000);
        g->quota_message_writes = emu_ratelimit_new(3000, 60000);
        g->quota_space_setup = emu_ratelimit_new(60, 60000);
    }
    *plat = g;
    return PARLEY_OK;
}

static void on_add_routes(void *plat, struct emu_frame *frame)
{
    struct emu_google *g = plat;
    (void)frame;
    gemu_oauth_routes(g);
    gemu_directory_routes(g);
    gemu_chat_routes(g);
    gemu_pubsub_routes(g);
    gemu_events_routes(g);
    gemu_watch_routes(g);
    gemu_client_api_routes(g);
}

static void on_reset(void *plat)
{
    struct emu_google *g = plat;
    gemu_state_lock(g->st);
    gemu_state_reset(g->st);
    gemu_state_unlock(g->st);
    if (g->quota_space_writes) {
        emu_ratelimit_clear(g->quota_space_writes);
        emu_ratelimit_clear(g->quota_message_writes);
        emu_ratelimit_clear(g->quota_space_setup);
    }
}

/* Every caller is the one service account; requests without a token are not
 * counted. */
static int on_caller_app(void *plat, struct http_req *req, char *key, size_t size)
{
    struct emu_google *g = plat;
    if (!http_req_header(req, "Authorization"))
        return -1;
    snprintf(key, size, "%s", g->st->sa_client_id);
    return 0;
}

static json_t *on_endpoints(void *plat, const char *origin)
{
    struct emu_google *g = plat;
    char *root = xasprintf("%s/", origin);
    char *token = xasprintf("%s/token", origin);
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "root_url", root, "token_uri",
                              token, "customer_id", g->st->customer_id, "domain", g->st->domain,
                              "admin_email", g->st->admin_email, "service_account_key_file",
                              g->st->key_file);
    free(token);
    free(root);
    return entry;
}

/* {"workspace_events": [Subscription], "pubsub": [Subscription],
 *  "directory_channels": [Channel + address, event]} */
static json_t *on_subscriptions(void *plat)
{
    struct emu_google *g = plat;
    json_t *events = json_array(), *pubsub = json_array(), *channels = json_array();
    const char *name;
    json_t *v;

    gemu_state_lock(g->st);
    json_object_foreach(g->st->event_subs, name, v)
        json_array_append_new(events, json_deep_copy(json_object_get(v, "resource")));
    json_object_foreach(g->st->pubsub_subs, name, v)
        json_array_append_new(pubsub, json_deep_copy(v));
    json_object_foreach(g->st->channels, name, v) {
        json_t *c = json_deep_copy(json_object_get(v, "channel"));
        json_object_set(c, "address", json_object_get(v, "address"));
        json_object_set(c, "event", json_object_get(v, "event"));
        json_array_append_new(channels, c);
    }
    gemu_state_unlock(g->st);
    return json_pack("{s:o, s:o, s:o}", "workspace_events", events, "pubsub", pubsub,
                     "directory_channels", channels);
}

static void on_free(void *plat)
{
    struct emu_google *g = plat;
    if (!g)
        return;
    if (g->ticker_started) {
        pthread_mutex_lock(&g->ticker_lock);
        g->stopping = 1;
        pthread_cond_signal(&g->ticker_wake);
        pthread_mutex_unlock(&g->ticker_lock);
        pthread_join(g->ticker, NULL);
    }
    pthread_cond_destroy(&g->ticker_wake);
    pthread_mutex_destroy(&g->ticker_lock);
    gemu_state_free(g->st);
    emu_ratelimit_free(g->quota_space_writes);
    emu_ratelimit_free(g->quota_message_writes);
    emu_ratelimit_free(g->quota_space_setup);
    free(g);
}

const struct emu_platform_ops emu_google_ops = {
    .name = "google",
    .create = on_create,
    .add_routes = on_add_routes,
    .reset = on_reset,
    .error_body = gemu_error_body,
    .caller_app = on_caller_app,
    .endpoints = on_endpoints,
    .subscriptions = on_subscriptions,
    .free = on_free,
};

/* The key file's JSON (new reference). */
static json_t *key_file_json(struct emu_google *g, const char *pem)
{
    const struct gemu_state *st = g->st;
    const char *o = gemu_origin(g);
    char *email = curl_easy_escape(NULL, st->sa_email, 0);
    char *auth_uri = xasprintf("%s/o/oauth2/auth", o);
    char *token_uri = xasprintf("%s/token", o);
    char *certs = xasprintf("%s/oauth2/v1/certs", o);
    char *client_certs = xasprintf("%s/service_accounts/v1/metadata/x509/%s", o, email);
    json_t *key = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "service_account",
        "project_id", st->project_id, "private_key_id", st->sa_key_id, "private_key", pem,
        "client_email", st->sa_email, "client_id", st->sa_client_id, "auth_uri", auth_uri,
        "token_uri", token_uri, "auth_provider_x509_cert_url", certs, "client_x509_cert_url",
        client_certs, "universe_domain", "googleapis.com");
    free(client_certs);
    free(certs);
    free(token_uri);
    free(auth_uri);
    curl_free(email);
    return key;
}

enum parley_err emu_google_write_key_file(struct emu_frame *frame, const char *dir)
{
    struct emu_google *g = emu_frame_platform(frame);
    enum parley_err err = PARLEY_ERR_CRYPTO;
    char *path = xasprintf("%s/service-account.json", dir);
    char *pem = emu_jwt_key_private_pem(g->st->sa_key);
    json_t *key = NULL;
    int fd = -1;

    if (!pem)
        goto out;
    key = key_file_json(g, pem);
    err = PARLEY_ERR_IO;
    /* It holds a private key: readable by the owner only. */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || json_dumpfd(key, fd, JSON_INDENT(2)) != 0) {
        log_error("google", "cannot write the service account key file", "s:path", path);
        goto out;
    }
    gemu_state_lock(g->st);
    free(g->st->key_file);
    g->st->key_file = path;
    path = NULL;
    gemu_state_unlock(g->st);
    err = PARLEY_OK;
out:
    if (fd >= 0)
        close(fd);
    json_decref(key);
    free(pem);
    free(path);
    return err;
}
