/* emu_client.c - parley-emu driver for tests and benches (see emu_client.h). */
#include "lib/emu_client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/json.h"
#include "util/xmalloc.h"

int emu_client_start(struct emu_client *e, const char *seed, int use_tls,
                     const char *const extra_args[])
{
    const char *argv[32];
    size_t n = 0;
    char *endpoints_path = NULL, *text = NULL;
    json_error_t jerr;

    memset(e, 0, sizeof *e);
    e->dir = harness_tmpdir("parley-emu-test");
    if (!e->dir)
        return -1;
    e->log_path = xasprintf("%s/emu.log", e->dir);
    argv[n++] = harness_bin("parley-emu");
    argv[n++] = "--seed";
    argv[n++] = seed;
    argv[n++] = "--dir";
    argv[n++] = e->dir;
    argv[n++] = "--listen-microsoft";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--listen-google";
    argv[n++] = "127.0.0.1:0";
    if (use_tls)
        argv[n++] = "--tls";
    for (size_t i = 0; extra_args && extra_args[i] && n < 31; i++)
        argv[n++] = extra_args[i];
    argv[n] = NULL;
    e->proc = harness_proc_start(argv, NULL, e->log_path);
    endpoints_path = xasprintf("%s/endpoints.json", e->dir);
    if (!e->proc || harness_wait_file(endpoints_path, 15000) != 0) {
        fprintf(stderr, "emu_client: parley-emu did not start; see %s\n", e->log_path);
        goto fail;
    }
    e->endpoints = json_load_file(endpoints_path, 0, &jerr);
    const json_t *ms = json_object_get(e->endpoints, "microsoft");
    e->origin = json_get_str(ms, "authority_host");
    e->tenant_id = json_get_str(ms, "tenant_id");
    e->client_id = json_get_str(ms, "client_id");
    e->client_secret = json_get_str(ms, "client_secret");
    if (!e->origin || !e->tenant_id || !e->client_id || !e->client_secret)
        goto fail;
    e->http = harness_http_new(json_get_str(e->endpoints, "ca_file"));
    free(endpoints_path);
    free(text);
    return 0;
fail:
    free(endpoints_path);
    free(text);
    emu_client_stop(e);
    return -1;
}

int emu_client_stop(struct emu_client *e)
{
    int status = -1;
    if (e->proc) {
        status = harness_proc_stop(e->proc, SIGTERM, 10000);
        harness_proc_free(e->proc);
        if (!(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            /* A crash or a sanitizer report: show the log before it goes. */
            char *log = harness_read_file(e->log_path);
            fprintf(stderr, "emu_client: parley-emu ended badly (status %d); its log:\n%s\n",
                    status, log ? log : "(none)");
            free(log);
        }
    }
    harness_http_free(e->http);
    json_decref(e->endpoints);
    harness_rmrf(e->dir);
    free(e->dir);
    free(e->log_path);
    memset(e, 0, sizeof *e);
    return status;
}

int emu_client_token_request(struct emu_client *e, const char *body, struct harness_resp *resp)
{
    char *url = xasprintf("%s/%s/oauth2/v2.0/token", e->origin, e->tenant_id);
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    int rc = harness_http_do(e->http, "POST", url, headers, body, resp);
    free(url);
    return rc;
}

static char *token_from(struct emu_client *e, const char *body)
{
    struct harness_resp resp = {0};
    char *token = NULL;
    if (emu_client_token_request(e, body, &resp) == 0 && resp.status == 200 && resp.json)
        token = xstrdup(json_get_str(resp.json, "access_token"));
    harness_resp_clear(&resp);
    return token;
}

char *emu_client_app_token(struct emu_client *e)
{
    char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s"
                           "&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default",
                           e->client_id, e->client_secret);
    char *token = token_from(e, body);
    free(body);
    return token;
}

char *emu_client_user_token(struct emu_client *e, const char *upn, const char *password)
{
    char *body = xasprintf("grant_type=password&client_id=%s&username=%s&password=%s"
                           "&scope=openid%%20offline_access", e->client_id, upn, password);
    char *token = token_from(e, body);
    free(body);
    return token;
}

int emu_client_graph(struct emu_client *e, const char *token, const char *method,
                     const char *path, const char *body, const char *extra_header,
                     struct harness_resp *resp)
{
    char *url = strncmp(path, "http", 4) == 0 ? xstrdup(path)
                                              : xasprintf("%s/v1.0%s", e->origin, path);
    char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
    const char *headers[4];
    size_t n = 0;
    if (auth)
        headers[n++] = auth;
    if (body)
        headers[n++] = "Content-Type: application/json";
    if (extra_header)
        headers[n++] = extra_header;
    headers[n] = NULL;
    int rc = harness_http_do(e->http, method, url, headers, body, resp);
    free(auth);
    free(url);
    return rc;
}

int emu_client_control(struct emu_client *e, const char *method, const char *path,
                       const char *body, struct harness_resp *resp)
{
    char *url = xasprintf("%s/_emu%s", e->origin, path);
    const char *headers[] = {"Content-Type: application/json", NULL};
    int rc = harness_http_do(e->http, method, url, body ? headers : NULL, body, resp);
    free(url);
    return rc;
}
