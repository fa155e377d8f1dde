/* hub_session.c - a real hub connected to a real emulator, driven through
 * the admin API (see hub_session.h). */
#include "lib/hub_session.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xmalloc.h"

int hub_session_start(struct hub_session *s, const char *seed, const char *const emu_args[],
                      const char *const hub_env[])
{
    char *dir = harness_tmpdir("parley-hub-session");
    char *csrf = NULL;
    int rc = -1;

    memset(s, 0, sizeof *s);
    if (!dir || emu_client_start(&s->emu, seed, 1, emu_args) ||
        harness_admin_create(dir, HUB_SESSION_OWNER, HUB_SESSION_ORG, "owner",
                             HUB_SESSION_PASSWORD) ||
        harness_hub_start(&s->hub, dir, NULL, hub_env))
        goto out;
    s->http = harness_http_new(NULL);
    csrf = harness_hub_login(s->http, s->hub.url, HUB_SESSION_OWNER, HUB_SESSION_PASSWORD);
    if (!csrf)
        goto out;
    s->csrf_header = xasprintf("X-CSRF-Token: %s", csrf);
    rc = 0;
out:
    free(csrf);
    free(dir);
    return rc;
}

int hub_session_start_seed(struct hub_session *s, const char *seed_json,
                           const char *const emu_args[], const char *const hub_env[])
{
    char *dir = harness_tmpdir("parley-seed");
    char *path = dir ? xasprintf("%s/seed.json", dir) : NULL;
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = -1;

    if (!f || fputs(seed_json, f) < 0) {
        if (f)
            fclose(f);
        goto out;
    }
    if (fclose(f) != 0)
        goto out;
    rc = hub_session_start(s, path, emu_args, hub_env);
    s->seed_dir = dir;             /* after start, which clears *s */
    dir = NULL;
out:
    harness_rmrf(dir);
    free(dir);
    free(path);
    return rc;
}

int hub_session_stop(struct hub_session *s)
{
    harness_http_free(s->http);
    s->http = NULL;
    free(s->csrf_header);
    s->csrf_header = NULL;
    int status = s->hub.proc ? harness_hub_stop(&s->hub) : 0;
    char *dir = s->hub.data_dir ? xstrdup(s->hub.data_dir) : NULL;
    harness_hub_free(&s->hub);
    harness_rmrf(dir);
    free(dir);
    int emu_status = s->emu.proc ? emu_client_stop(&s->emu) : 0;
    harness_rmrf(s->seed_dir);
    free(s->seed_dir);
    s->seed_dir = NULL;
    return status == 0 && emu_status == 0 ? 0 : -1;
}

long hub_session_call(struct hub_session *s, const char *method, const char *path, json_t *body,
                      struct harness_resp *resp)
{
    const char *headers[] = { s->csrf_header, "Content-Type: application/json", NULL };
    char *url = xasprintf("%s%s", s->hub.url, path);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    assert_int_equal(harness_http_do(s->http, method, url, headers, text, resp), 0);
    json_decref(body);
    free(text);
    free(url);
    return resp->status;
}

json_t *hub_session_post(struct hub_session *s, const char *path, json_t *body, long status)
{
    struct harness_resp resp;

    assert_int_equal(hub_session_call(s, "POST", path, body, &resp), status);
    json_t *answer = json_incref(resp.json);
    harness_resp_clear(&resp);
    return answer;
}

const char *hub_session_ep(const struct hub_session *s, const char *platform, const char *key)
{
    return json_string_value(json_object_get(json_object_get(s->emu.endpoints, platform), key));
}

static const char *ca_file(const struct hub_session *s)
{
    return json_string_value(json_object_get(s->emu.endpoints, "ca_file"));
}

json_t *hub_session_microsoft_settings(const struct hub_session *s, const char *secret)
{
    return json_pack("{ss ss ss ss ss ss}", "tenant_id", hub_session_ep(s, "microsoft", "tenant_id"),
                     "client_id", hub_session_ep(s, "microsoft", "client_id"), "client_secret",
                     secret ? secret : hub_session_ep(s, "microsoft", "client_secret"),
                     "authority_host", hub_session_ep(s, "microsoft", "authority_host"),
                     "graph_base", hub_session_ep(s, "microsoft", "graph_base"), "ca_file",
                     ca_file(s));
}

void hub_session_connect(struct hub_session *s)
{
    struct harness_resp resp;
    char *key = harness_read_file(hub_session_ep(s, "google", "service_account_key_file"));
    long status;

    assert_non_null(key);
    status = hub_session_call(s, "PUT", "/api/orgs/" HUB_SESSION_ORG "/connections/microsoft",
                              hub_session_microsoft_settings(s, NULL), &resp);
    assert_true(status == 200 || status == 201);
    harness_resp_clear(&resp);
    json_t *google = json_pack("{ss ss ss ss ss ss}", "customer_id",
                               hub_session_ep(s, "google", "customer_id"), "domain",
                               hub_session_ep(s, "google", "domain"), "admin_email",
                               hub_session_ep(s, "google", "admin_email"), "root_url",
                               hub_session_ep(s, "google", "root_url"), "ca_file", ca_file(s),
                               "service_account_key", key);
    status = hub_session_call(s, "PUT", "/api/orgs/" HUB_SESSION_ORG "/connections/google",
                              google, &resp);
    assert_true(status == 200 || status == 201);
    harness_resp_clear(&resp);
    free(key);
}

json_t *hub_session_wait_job(struct hub_session *s, long long id, int timeout_ms)
{
    char path[64];

    snprintf(path, sizeof path, "/api/jobs/%lld", id);
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        struct harness_resp resp;
        assert_int_equal(hub_session_call(s, "GET", path, NULL, &resp), 200);
        const char *state = json_string_value(json_object_get(resp.json, "state"));
        if (state && (strcmp(state, "done") == 0 || strcmp(state, "dead") == 0)) {
            json_t *job = json_incref(resp.json);
            harness_resp_clear(&resp);
            return job;
        }
        harness_resp_clear(&resp);
        usleep(100 * 1000);
    }
    fail_msg("job %lld did not finish in %d ms", id, timeout_ms);
    return NULL;
}

long long hub_session_job_count(const json_t *job, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(job, "result"), name));
}

long long hub_session_people_total(struct hub_session *s, const char *query)
{
    struct harness_resp resp;
    char *path = xasprintf("/api/orgs/" HUB_SESSION_ORG "/people?%s", query);

    assert_int_equal(hub_session_call(s, "GET", path, NULL, &resp), 200);
    long long total = json_integer_value(json_object_get(resp.json, "total"));
    harness_resp_clear(&resp);
    free(path);
    return total;
}
