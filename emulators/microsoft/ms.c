/* ms.c - the Microsoft platform plugged into the frame: state from the seed,
 * the signing key, the --real-quotas limiters, the routes, and a thread that
 * expires subscriptions and sends lifecycle events once a second. */
#include "microsoft/ms.h"

#include <stdlib.h>
#include <time.h>

#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "microsoft/subscriptions.h"
#include "util/xmalloc.h"

#define VERIFIED_TOKENS_MAX 1024      /* tokens remembered as verified (auth.c) */

static void *run_lifecycle(void *arg)
{
    struct ms *ms = arg;

    pthread_mutex_lock(&ms->stop_lock);
    while (!ms->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&ms->stop_cond, &ms->stop_lock, &until);
        if (ms->stopping)
            break;
        pthread_mutex_unlock(&ms->stop_lock);
        ms_subscriptions_tick(ms);
        pthread_mutex_lock(&ms->stop_lock);
    }
    pthread_mutex_unlock(&ms->stop_lock);
    return NULL;
}

static void on_free(void *plat)
{
    struct ms *ms = plat;
    if (!ms)
        return;
    pthread_mutex_lock(&ms->stop_lock);
    ms->stopping = 1;
    pthread_cond_signal(&ms->stop_cond);
    pthread_mutex_unlock(&ms->stop_lock);
    pthread_join(ms->lifecycle_thread, NULL);
    pthread_cond_destroy(&ms->stop_cond);
    pthread_mutex_destroy(&ms->stop_lock);
    ms_state_free(ms->st);
    emu_jwt_cache_free(ms->verified);
    emu_jwt_key_free(ms->key);
    emu_ratelimit_free(ms->quota_messages);
    emu_ratelimit_free(ms->quota_invitations);
    free(ms);
}

static enum parley_err on_create(struct emu_frame *frame, const json_t *seed, void **plat,
                                 char **why)
{
    struct ms *ms = xcalloc(1, sizeof *ms);
    pthread_condattr_t attr;

    *plat = NULL;
    ms->frame = frame;
    ms->st = ms_state_new(seed, why);
    if (!ms->st) {
        free(ms);
        return PARLEY_ERR_INVALID;
    }
    ms->key = emu_jwt_key_new();
    if (!ms->key) {
        ms_state_free(ms->st);
        free(ms);
        *why = xstrdup("cannot create the token signing key");
        return PARLEY_ERR_CRYPTO;
    }
    ms->verified = emu_jwt_cache_new(ms->key, VERIFIED_TOKENS_MAX);
    if (emu_frame_real_quotas(frame)) {
        ms->quota_messages = emu_ratelimit_new(20, 1000);
        ms->quota_invitations = emu_ratelimit_new(150, 5000);
    }
    pthread_mutex_init(&ms->stop_lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ms->stop_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&ms->lifecycle_thread, NULL, run_lifecycle, ms) != 0) {
        pthread_cond_destroy(&ms->stop_cond);
        pthread_mutex_destroy(&ms->stop_lock);
        ms_state_free(ms->st);
        emu_jwt_cache_free(ms->verified);
        emu_jwt_key_free(ms->key);
        free(ms);
        *why = xstrdup("cannot start the subscription thread");
        return PARLEY_ERR_IO;
    }
    *plat = ms;
    return PARLEY_OK;
}

static void on_add_routes(void *plat, struct emu_frame *frame)
{
    struct ms *ms = plat;
    (void)frame;
    ms_identity_routes(ms);
    ms_users_routes(ms);
    ms_organization_routes(ms);
    ms_groups_routes(ms);
    ms_chats_routes(ms);
    ms_messages_routes(ms);
    ms_subscriptions_routes(ms);
    ms_batch_routes(ms);
    ms_client_api_routes(ms);
}

static void on_reset(void *plat)
{
    struct ms *ms = plat;
    ms_state_lock(ms->st);
    ms_state_reset(ms->st);
    ms_state_unlock(ms->st);
    if (ms->quota_messages)
        emu_ratelimit_clear(ms->quota_messages);
    if (ms->quota_invitations)
        emu_ratelimit_clear(ms->quota_invitations);
}

static json_t *on_endpoints(void *plat, const char *origin)
{
    struct ms *ms = plat;
    char *graph = xasprintf("%s/v1.0", origin);
    char *control = xasprintf("%s/_emu", origin);
    ms_state_lock(ms->st);
    const struct ms_app *app = ms->st->apps.items[0];     /* the seed always has one */
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "authority_host", origin,
                              "graph_base", graph, "tenant_id", ms->st->tenant_id, "domain",
                              ms->st->domain, "client_id", app->client_id, "client_secret",
                              app->client_secret, "control", control);
    ms_state_unlock(ms->st);
    free(graph);
    free(control);
    return entry;
}

static json_t *on_subscriptions(void *plat)
{
    return ms_subscriptions_view(plat);
}

const struct emu_platform_ops emu_ms_platform = {
    .name = "microsoft",
    .create = on_create,
    .add_routes = on_add_routes,
    .reset = on_reset,
    .error_body = ms_graph_error_body,
    .caller_app = ms_auth_caller_app,
    .endpoints = on_endpoints,
    .subscriptions = on_subscriptions,
    .free = on_free,
};
