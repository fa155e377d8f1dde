/* 20-import-api.c - "Import users" through the admin API of a real
 * `parley serve` against build/parley-emu (TLS, the demo seed): the org is
 * connected to both platforms, the tenant's teams are listed, the members of
 * two teams and then every Google user are imported as jobs followed to the
 * end, the people appear, the teams are marked imported, a second click
 * while an import waits gives the same job, and a wrong client secret makes
 * the connection test and the import fail with the platform's words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/emu_client.h"
#include "lib/harness.h"
#include "util/xmalloc.h"

#define OWNER    "owner@example.com"
#define PASSWORD "correct horse battery staple"
#define SEED     "emulators/seeds/demo.json"
#define JOB_WAIT_MS 30000

static struct harness_hub hub;
static struct emu_client emu;
static struct harness_http *http;
static char *csrf_header;

static long call(const char *method, const char *path, json_t *body, struct harness_resp *resp)
{
    const char *headers[] = { csrf_header, "Content-Type: application/json", NULL };
    char *url = xasprintf("%s%s", hub.url, path);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    assert_int_equal(harness_http_do(http, method, url, headers, text, resp), 0);
    json_decref(body);
    free(text);
    free(url);
    return resp->status;
}

static const char *ep(const char *platform, const char *key)
{
    return json_string_value(json_object_get(json_object_get(emu.endpoints, platform), key));
}

static json_t *microsoft_settings(const char *secret)
{
    return json_pack("{ss ss ss ss ss ss}", "tenant_id", ep("microsoft", "tenant_id"),
                     "client_id", ep("microsoft", "client_id"), "client_secret", secret,
                     "authority_host", ep("microsoft", "authority_host"), "graph_base",
                     ep("microsoft", "graph_base"), "ca_file",
                     json_string_value(json_object_get(emu.endpoints, "ca_file")));
}

static void connect_both(void)
{
    struct harness_resp resp;
    char *key = harness_read_file(ep("google", "service_account_key_file"));

    assert_non_null(key);
    assert_int_equal(call("PUT", "/api/orgs/acme/connections/microsoft",
                          microsoft_settings(ep("microsoft", "client_secret")), &resp), 201);
    harness_resp_clear(&resp);
    assert_int_equal(call("PUT", "/api/orgs/acme/connections/google",
                          json_pack("{ss ss ss ss ss ss}", "customer_id",
                                    ep("google", "customer_id"), "domain", ep("google", "domain"),
                                    "admin_email", ep("google", "admin_email"), "root_url",
                                    ep("google", "root_url"), "ca_file",
                                    json_string_value(json_object_get(emu.endpoints, "ca_file")),
                                    "service_account_key", key), &resp), 201);
    harness_resp_clear(&resp);
    free(key);
}

static int group_setup(void **state)
{
    (void)state;
    char *dir = harness_tmpdir("parley-20-import");

    if (!dir || emu_client_start(&emu, SEED, 1, NULL) ||
        harness_admin_create(dir, OWNER, "acme", "owner", PASSWORD) ||
        harness_hub_start(&hub, dir, NULL, NULL)) {
        free(dir);
        return -1;
    }
    free(dir);
    http = harness_http_new(NULL);
    char *csrf = harness_hub_login(http, hub.url, OWNER, PASSWORD);
    if (!csrf)
        return -1;
    csrf_header = xasprintf("X-CSRF-Token: %s", csrf);
    free(csrf);
    connect_both();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_http_free(http);
    free(csrf_header);
    int status = harness_hub_stop(&hub);
    char *dir = hub.data_dir ? xstrdup(hub.data_dir) : NULL;
    harness_hub_free(&hub);
    harness_rmrf(dir);
    free(dir);
    int emu_status = emu_client_stop(&emu);
    return status == 0 && emu_status == 0 ? 0 : -1;
}

/* Poll job ID until it is done or dead; returns the job (a new reference). */
static json_t *wait_job(long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/jobs/%lld", id);
    for (int waited = 0; waited < JOB_WAIT_MS; waited += 100) {
        struct harness_resp resp;
        assert_int_equal(call("GET", path, NULL, &resp), 200);
        const char *state = json_string_value(json_object_get(resp.json, "state"));
        if (strcmp(state, "done") == 0 || strcmp(state, "dead") == 0) {
            json_t *job = json_incref(resp.json);
            harness_resp_clear(&resp);
            return job;
        }
        harness_resp_clear(&resp);
        usleep(100 * 1000);
    }
    fail_msg("job %lld did not finish in %d ms", id, JOB_WAIT_MS);
    return NULL;
}

static long long result_count(const json_t *job, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(job, "result"), name));
}

static long long people_total(const char *query)
{
    struct harness_resp resp;
    char *path = xasprintf("/api/orgs/acme/people?%s", query);
    assert_int_equal(call("GET", path, NULL, &resp), 200);
    long long total = json_integer_value(json_object_get(resp.json, "total"));
    harness_resp_clear(&resp);
    free(path);
    return total;
}

/* The teams list as {name: team} (a new reference). */
static json_t *teams_by_name(void)
{
    struct harness_resp resp;
    json_t *by_name = json_object(), *team;
    size_t i;

    assert_int_equal(call("GET", "/api/orgs/acme/microsoft/teams", NULL, &resp), 200);
    json_array_foreach(json_object_get(resp.json, "teams"), i, team)
        json_object_set(by_name, json_string_value(json_object_get(team, "name")), team);
    harness_resp_clear(&resp);
    return by_name;
}

static const char *team_id(const json_t *teams, const char *name)
{
    return json_string_value(json_object_get(json_object_get(teams, name), "id"));
}

static void test_import_microsoft_teams(void **state)
{
    (void)state;
    struct harness_resp resp;
    json_t *teams = teams_by_name();

    assert_int_equal(json_object_size(teams), 3);
    assert_true(json_is_false(json_object_get(json_object_get(teams, "Engineering"), "imported")));
    json_t *body = json_pack("{s[ss]}", "team_ids", team_id(teams, "Engineering"),
                             team_id(teams, "Sales"));
    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft", body, &resp), 202);
    long long first = json_integer_value(json_object_get(resp.json, "job_id"));
    assert_true(json_is_true(json_object_get(resp.json, "created")));
    harness_resp_clear(&resp);

    /* A second click: the same job while it waits or runs. */
    body = json_pack("{s[s]}", "team_ids", team_id(teams, "Sales"));
    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft", body, &resp), 202);
    long long second = json_integer_value(json_object_get(resp.json, "job_id"));
    int created = json_is_true(json_object_get(resp.json, "created"));
    harness_resp_clear(&resp);
    json_t *job = wait_job(first);
    if (!created)
        assert_int_equal(second, first);
    else
        json_decref(wait_job(second));   /* the first had already finished */

    assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
    long long people = result_count(job, "new");
    assert_true(people >= 6);            /* Engineering alone has six members */
    assert_int_equal(result_count(job, "failed"), 0);
    assert_int_equal(people_total("platform=microsoft"), people);
    json_decref(job);

    /* The teams are now marked imported; Leadership is not. */
    json_decref(teams);
    teams = teams_by_name();
    assert_true(json_is_true(json_object_get(json_object_get(teams, "Engineering"), "imported")));
    assert_true(json_is_true(json_object_get(json_object_get(teams, "Sales"), "imported")));
    assert_true(json_is_false(json_object_get(json_object_get(teams, "Leadership"), "imported")));
    json_decref(teams);
}

static void test_import_google_users(void **state)
{
    (void)state;
    struct harness_resp resp;

    assert_int_equal(call("POST", "/api/orgs/acme/imports/google", json_object(), &resp), 202);
    long long id = json_integer_value(json_object_get(resp.json, "job_id"));
    assert_string_equal(json_string_value(json_object_get(resp.json, "kind")),
                        "import.google.users");
    harness_resp_clear(&resp);
    json_t *job = wait_job(id);
    assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
    assert_true(result_count(job, "fetched") > 0);
    assert_int_equal(people_total("platform=google"),
                     result_count(job, "new") + result_count(job, "updated") +
                         result_count(job, "unchanged"));
    json_decref(job);

    /* Searching finds a Google person by email. */
    assert_int_equal(people_total("q=greg%40parleydemo.example"), 1);
}

/* The audit log holds ACTION by the owner. */
static int audited(const char *action)
{
    struct harness_resp resp;
    json_t *e;
    size_t i;
    int found = 0;

    assert_int_equal(call("GET", "/api/orgs/acme/audit?limit=200", NULL, &resp), 200);
    json_array_foreach(json_object_get(resp.json, "events"), i, e)
        if (strcmp(json_string_value(json_object_get(e, "action")), action) == 0 &&
            strcmp(json_string_value(json_object_get(e, "actor")), "admin:" OWNER) == 0)
            found = 1;
    harness_resp_clear(&resp);
    return found;
}

static void test_imports_are_audited(void **state)
{
    (void)state;
    assert_true(audited("import.start"));
    assert_true(audited("import.microsoft.teams"));
    assert_true(audited("import.google.users"));
}

static void test_wrong_secret_in_the_admins_words(void **state)
{
    (void)state;
    struct harness_resp resp;

    assert_int_equal(call("POST", "/api/orgs/acme/connections/microsoft/test", NULL, &resp), 200);
    assert_true(json_is_true(json_object_get(resp.json, "ok")));
    harness_resp_clear(&resp);

    assert_int_equal(call("PUT", "/api/orgs/acme/connections/microsoft",
                          microsoft_settings("not-the-secret"), &resp), 200);
    harness_resp_clear(&resp);
    assert_int_equal(call("POST", "/api/orgs/acme/connections/microsoft/test", NULL, &resp), 200);
    assert_true(json_is_false(json_object_get(resp.json, "ok")));
    assert_string_equal(json_string_value(json_object_get(resp.json, "code")), "auth");
    assert_non_null(strstr(json_string_value(json_object_get(resp.json, "message")),
                           "AADSTS7000215"));
    harness_resp_clear(&resp);

    /* The teams list refuses with the same words; an import dies with them. */
    assert_int_equal(call("GET", "/api/orgs/acme/microsoft/teams", NULL, &resp), 502);
    harness_resp_clear(&resp);
    json_t *teams = json_pack("{s[s]}", "team_ids", "any-team");
    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft", teams, &resp), 202);
    json_t *job = wait_job(json_integer_value(json_object_get(resp.json, "job_id")));
    harness_resp_clear(&resp);
    assert_string_equal(json_string_value(json_object_get(job, "state")), "dead");
    assert_non_null(strstr(json_string_value(json_object_get(job, "last_error")), "secret"));
    json_decref(job);

    assert_int_equal(call("PUT", "/api/orgs/acme/connections/microsoft",
                          microsoft_settings(ep("microsoft", "client_secret")), &resp), 200);
    harness_resp_clear(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_microsoft_teams),
        cmocka_unit_test(test_import_google_users),
        cmocka_unit_test(test_imports_are_audited),
        cmocka_unit_test(test_wrong_secret_in_the_admins_words),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
