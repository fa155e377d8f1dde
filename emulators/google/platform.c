/* platform.c - the Google emulator as a frame platform (see google.h): the
 * ops table, the service-account key file and the endpoints.json entry. */
#include "google/google.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <curl/curl.h>

#include "frame/frame.h"
#include "frame/jwt.h"
#include "google/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

const char *gemu_origin(const struct emu_google *g)
{
    const char *origin = emu_frame_origin(g->frame);
    return origin ? origin : "http://127.0.0.1";
}

static enum parley_err on_create(struct emu_frame *frame, const json_t *seed, void **plat,
                                 char **why)
{
    struct emu_google *g = xcalloc(1, sizeof *g);
    enum parley_err err = gemu_state_new(seed, &g->st, why);
    if (err) {
        free(g);
        return err;
    }
    g->frame = frame;
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
}

static void on_reset(void *plat)
{
    struct emu_google *g = plat;
    gemu_state_lock(g->st);
    gemu_state_reset(g->st);
    gemu_state_unlock(g->st);
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

static json_t *on_subscriptions(void *plat)
{
    (void)plat;
    return json_array();
}

static void on_free(void *plat)
{
    struct emu_google *g = plat;
    if (!g)
        return;
    gemu_state_free(g->st);
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
