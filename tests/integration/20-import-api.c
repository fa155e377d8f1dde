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

#include "lib/hub_session.h"
#include "util/xmalloc.h"

#define SEED        "emulators/seeds/demo.json"
#define JOB_WAIT_MS 30000

static struct hub_session session;

static long call(const char *method, const char *path, json_t *body, struct harness_resp *resp)
{
    return hub_session_call(&session, method, path, body, resp);
}

static int group_setup(void **state)
{
    (void)state;
    if (hub_session_start(&session, SEED, NULL, NULL))
        return -1;
    hub_session_connect(&session);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return hub_session_stop(&session);
}

static json_t *wait_job(long long id)
{
    return hub_session_wait_job(&session, id, JOB_WAIT_MS);
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
    /* A click while the import ran makes it run once more (after the first
     * run), so the last run's counts may all be "unchanged". */
    long long people = hub_session_people_total(&session, "platform=microsoft");
    assert_true(people >= 6);            /* Engineering alone has six members */
    assert_int_equal(hub_session_job_count(job, "failed"), 0);
    assert_true(hub_session_job_count(job, "new") + hub_session_job_count(job, "updated") +
                    hub_session_job_count(job, "unchanged") >= people);
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
    assert_true(hub_session_job_count(job, "fetched") > 0);
    assert_int_equal(hub_session_people_total(&session, "platform=google"),
                     hub_session_job_count(job, "new") + hub_session_job_count(job, "updated") +
                         hub_session_job_count(job, "unchanged"));
    json_decref(job);

    /* Searching finds a Google person by email. */
    assert_int_equal(hub_session_people_total(&session, "q=greg%40parleydemo.example"), 1);
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
            strcmp(json_string_value(json_object_get(e, "actor")), "admin:" HUB_SESSION_OWNER) == 0)
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
                          hub_session_microsoft_settings(&session, "not-the-secret"), &resp), 200);
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
                          hub_session_microsoft_settings(&session, NULL), &resp), 200);
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
