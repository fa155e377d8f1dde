/* 22-import-scenarios.c - "Import users" end to end (hub + emulator over
 * HTTPS) on a seed built for the hard cases: a person in two teams, the
 * same email on both platforms, suspended Google
 * users, 2,500+ Google users over many pages, throttling (429 +
 * Retry-After), a 5xx storm, a wrong CA, and `kill -9` of the hub in the
 * middle of an import.  Counts are exact; nothing is ever duplicated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/hub_session.h"
#include "util/xmalloc.h"

#define JOB_WAIT_MS    60000
#define GENERATED      2500
#define GOOGLE_USERS   (GENERATED + 4)   /* + carol, erin, frank (suspended), the admin */
#define USERS_PATH     "/admin/directory/v1/users"

static struct hub_session session;

static const char seed_json[] =
    "{\"microsoft\": {\"domain\": \"scen.onmicrosoft.com\", \"users\": ["
    "  {\"displayName\": \"Alice Adams\", \"userPrincipalName\": \"alice@scen.onmicrosoft.com\","
    "   \"mail\": \"alice@scen.onmicrosoft.com\", \"accountEnabled\": true},"
    "  {\"displayName\": \"Bob Brown \\ud83d\\ude00\", \"userPrincipalName\": \"bob@scen.onmicrosoft.com\","
    "   \"mail\": \"bob@scen.onmicrosoft.com\", \"accountEnabled\": true},"
    "  {\"displayName\": \"Carol Clark\", \"userPrincipalName\": \"carol@scen.onmicrosoft.com\","
    "   \"mail\": \"carol@scen.example\", \"accountEnabled\": true},"
    "  {\"displayName\": \"Dave Disabled\", \"userPrincipalName\": \"dave@scen.onmicrosoft.com\","
    "   \"mail\": \"dave@scen.onmicrosoft.com\", \"accountEnabled\": false}],"
    " \"teams\": ["
    "  {\"displayName\": \"Alpha\", \"members\": [\"alice@scen.onmicrosoft.com\","
    "   \"bob@scen.onmicrosoft.com\", \"dave@scen.onmicrosoft.com\"]},"
    "  {\"displayName\": \"Beta\", \"members\": [\"alice@scen.onmicrosoft.com\","
    "   \"carol@scen.onmicrosoft.com\"]}]},"
    " \"google\": {\"domain\": \"scen.example\", \"admin_email\": \"admin@scen.example\","
    "  \"users\": ["
    "   {\"primaryEmail\": \"carol@scen.example\", \"name\": {\"givenName\": \"Carol\", \"familyName\": \"Clark\"}},"
    "   {\"primaryEmail\": \"erin@scen.example\", \"name\": {\"givenName\": \"\u00c9rin\","
    "    \"familyName\": \"\u00c9vans-\u014cta \\\"Q\\\"\"}},"
    "   {\"primaryEmail\": \"frank@scen.example\", \"name\": {\"givenName\": \"Frank\", \"familyName\": \"Fox\"},"
    "    \"suspended\": true}],"
    "  \"generate\": {\"users\": 2500}}}";

static long call(const char *method, const char *path, json_t *body, struct harness_resp *resp)
{
    return hub_session_call(&session, method, path, body, resp);
}

/* POST to the Google emulator's control API (below its /_emu). */
static void google_control(const char *method, const char *path, const char *body)
{
    struct harness_resp resp;
    char *url = xasprintf("%s_emu%s", hub_session_ep(&session, "google", "root_url"), path);
    const char *headers[] = { "Content-Type: application/json", NULL };

    assert_int_equal(harness_http_do(session.emu.http, method, url, headers, body, &resp), 0);
    assert_true(resp.status >= 200 && resp.status < 300);
    harness_resp_clear(&resp);
    free(url);
}

/* How many requests to the Google users list the emulator answered STATUS. */
static int google_list_answers(int status)
{
    struct harness_resp resp;
    char *url = xasprintf("%s_emu/requests", hub_session_ep(&session, "google", "root_url"));
    json_t *r;
    size_t i;
    int n = 0;

    assert_int_equal(harness_http_do(session.emu.http, "GET", url, NULL, NULL, &resp), 0);
    json_array_foreach(json_object_get(resp.json, "requests"), i, r)
        if (strncmp(json_string_value(json_object_get(r, "path")), USERS_PATH,
                    strlen(USERS_PATH)) == 0 &&
            json_integer_value(json_object_get(r, "status")) == status)
            n++;
    harness_resp_clear(&resp);
    free(url);
    return n;
}

static json_t *team_ids(const char *first, const char *second)
{
    struct harness_resp resp;
    json_t *ids = json_array(), *team;
    size_t i;

    assert_int_equal(call("GET", "/api/orgs/acme/microsoft/teams", NULL, &resp), 200);
    json_array_foreach(json_object_get(resp.json, "teams"), i, team) {
        const char *name = json_string_value(json_object_get(team, "name"));
        if (strcmp(name, first) == 0 || (second && strcmp(name, second) == 0))
            json_array_append(ids, json_object_get(team, "id"));
    }
    harness_resp_clear(&resp);
    return json_pack("{so}", "team_ids", ids);
}

/* Start an import and follow it to its end; the finished job. */
static json_t *import(const char *platform, json_t *body)
{
    struct harness_resp resp;
    char *path = xasprintf("/api/orgs/acme/imports/%s", platform);

    assert_int_equal(call("POST", path, body ? body : json_object(), &resp), 202);
    long long id = json_integer_value(json_object_get(resp.json, "job_id"));
    harness_resp_clear(&resp);
    free(path);
    return hub_session_wait_job(&session, id, JOB_WAIT_MS);
}

static void assert_done(const json_t *job)
{
    const char *state = json_string_value(json_object_get(job, "state"));
    if (strcmp(state, "done") != 0)
        fail_msg("job %s: %s", state, json_string_value(json_object_get(job, "last_error")));
}

static int group_setup(void **state)
{
    (void)state;
    const char *hub_env[] = { "PARLEY_JOB_LEASE=2", NULL };

    if (hub_session_start_seed(&session, seed_json, NULL, hub_env))
        return -1;
    hub_session_connect(&session);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return hub_session_stop(&session);
}

static void test_person_in_two_teams_appears_once(void **state)
{
    (void)state;
    json_t *job = import("microsoft", team_ids("Alpha", "Beta"));

    assert_done(job);
    /* alice (in both teams) once, bob, carol and dave: a team's member list
     * says nothing of whether an account is disabled. */
    assert_int_equal(hub_session_job_count(job, "new"), 4);
    assert_int_equal(hub_session_job_count(job, "failed"), 0);
    assert_int_equal(hub_session_people_total(&session, "platform=microsoft"), 4);
    assert_int_equal(hub_session_people_total(&session, "q=alice"), 1);
    /* Names arrive as the platform wrote them: Bob's ends with an emoji. */
    assert_int_equal(hub_session_people_total(&session, "q=Brown%20%F0%9F%98%80"), 1);
    json_decref(job);
}

static void test_reimport_changes_nothing(void **state)
{
    (void)state;
    json_t *job = import("microsoft", team_ids("Alpha", "Beta"));

    assert_done(job);
    assert_int_equal(hub_session_job_count(job, "new"), 0);
    assert_int_equal(hub_session_job_count(job, "updated"), 0);
    assert_int_equal(hub_session_people_total(&session, "platform=microsoft"), 4);
    json_decref(job);
}

static void test_google_many_pages_suspended_and_shared_email(void **state)
{
    (void)state;
    json_t *job = import("google", NULL);

    assert_done(job);
    assert_int_equal(hub_session_job_count(job, "fetched"), GOOGLE_USERS);
    assert_int_equal(hub_session_job_count(job, "skipped"), 1);    /* frank is suspended */
    /* carol already came from Teams: same person, a second native identity. */
    assert_int_equal(hub_session_job_count(job, "new"), GOOGLE_USERS - 2);
    assert_int_equal(hub_session_people_total(&session, "platform=google"), GOOGLE_USERS - 1);
    assert_int_equal(hub_session_people_total(&session, "q=carol%40scen.example"), 1);
    assert_int_equal(hub_session_people_total(&session, "platform=microsoft&q=carol"), 1);
    assert_int_equal(hub_session_people_total(&session, "platform=google&q=carol"), 1);
    /* Accents and a quote in a name survive the page reader: "Érin Évans-Ōta \"Q\"". */
    assert_int_equal(hub_session_people_total(&session, "q=%C3%89rin%20%C3%89vans-%C5%8Cta%20%22Q%22"),
                     1);
    assert_int_equal(hub_session_people_total(&session, ""), GOOGLE_USERS - 1 + 3);
    /* 2,504 users at the connector's 500 a page: six pages. */
    assert_true(google_list_answers(200) >= 6);
    json_decref(job);
}

static void test_google_throttled_then_done(void **state)
{
    (void)state;
    google_control("POST", "/faults",
                   "{\"method\":\"GET\",\"path_prefix\":\"" USERS_PATH "\",\"count\":2,"
                   "\"status\":429,\"retry_after\":1}");
    int before = google_list_answers(429);
    json_t *job = import("google", NULL);

    assert_done(job);
    assert_int_equal(google_list_answers(429) - before, 2);       /* both seen, both retried */
    assert_int_equal(hub_session_job_count(job, "new"), 0);
    assert_int_equal(hub_session_people_total(&session, "platform=google"), GOOGLE_USERS - 1);
    json_decref(job);
}

static void test_microsoft_5xx_storm_then_done(void **state)
{
    (void)state;
    struct harness_resp resp;
    assert_int_equal(emu_client_control(&session.emu, "POST", "/faults",
                                        "{\"method\":\"GET\",\"path_prefix\":\"/v1.0/teams/\","
                                        "\"count\":3,\"status\":503}", &resp), 0);
    harness_resp_clear(&resp);
    json_t *job = import("microsoft", team_ids("Alpha", "Beta"));

    assert_done(job);
    assert_int_equal(hub_session_people_total(&session, "platform=microsoft"), 4);
    json_decref(job);
}

static void test_wrong_ca_clear_error_nothing_half_imported(void **state)
{
    (void)state;
    struct harness_resp resp;
    json_t *settings = hub_session_microsoft_settings(&session, NULL);
    long long people = hub_session_people_total(&session, "");

    /* Valid PEM, but none of these CAs signed the emulator's certificate. */
    json_object_set_new(settings, "ca_file", json_string("/etc/ssl/certs/ca-certificates.crt"));
    assert_int_equal(call("PUT", "/api/orgs/acme/connections/microsoft", settings, &resp), 200);
    harness_resp_clear(&resp);

    json_t *job = import("microsoft", json_pack("{s[s]}", "team_ids", "any"));
    assert_string_equal(json_string_value(json_object_get(job, "state")), "dead");
    const char *why = json_string_value(json_object_get(job, "last_error"));
    assert_true(strstr(why, "TLS") || strstr(why, "certificate"));
    assert_int_equal(hub_session_people_total(&session, ""), people);
    json_decref(job);

    assert_int_equal(call("PUT", "/api/orgs/acme/connections/microsoft",
                          hub_session_microsoft_settings(&session, NULL), &resp), 200);
    harness_resp_clear(&resp);
}

static void test_kill_9_mid_import_then_restart(void **state)
{
    (void)state;
    const char *hub_env[] = { "PARLEY_JOB_LEASE=2", NULL };
    struct harness_resp resp;
    char path[64];

    /* Slow pages keep the import running long enough to be killed. */
    google_control("POST", "/faults",
                   "{\"method\":\"GET\",\"path_prefix\":\"" USERS_PATH "\",\"count\":4,"
                   "\"latency_ms\":700}");
    assert_int_equal(call("POST", "/api/orgs/acme/imports/google", json_object(), &resp), 202);
    long long id = json_integer_value(json_object_get(resp.json, "job_id"));
    harness_resp_clear(&resp);
    snprintf(path, sizeof path, "/api/jobs/%lld", id);
    for (int i = 0; i < 100; i++) {                 /* until a page has been written */
        assert_int_equal(call("GET", path, NULL, &resp), 200);
        long long done = json_integer_value(
            json_object_get(json_object_get(resp.json, "progress"), "done"));
        harness_resp_clear(&resp);
        if (done > 0)
            break;
        usleep(50 * 1000);
    }

    char *dir = xstrdup(session.hub.data_dir);
    harness_proc_stop(session.hub.proc, SIGKILL, 5000);
    harness_hub_free(&session.hub);
    assert_int_equal(harness_hub_start(&session.hub, dir, NULL, hub_env), 0);
    free(dir);

    json_t *job = hub_session_wait_job(&session, id, JOB_WAIT_MS);
    assert_done(job);
    assert_true(json_integer_value(json_object_get(job, "attempts")) >= 2);
    assert_int_equal(hub_session_people_total(&session, "platform=google"), GOOGLE_USERS - 1);
    assert_int_equal(hub_session_people_total(&session, ""), GOOGLE_USERS - 1 + 3);
    json_decref(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_person_in_two_teams_appears_once),
        cmocka_unit_test(test_reimport_changes_nothing),
        cmocka_unit_test(test_google_many_pages_suspended_and_shared_email),
        cmocka_unit_test(test_google_throttled_then_done),
        cmocka_unit_test(test_microsoft_5xx_storm_then_done),
        cmocka_unit_test(test_wrong_ca_clear_error_nothing_half_imported),
        cmocka_unit_test(test_kill_9_mid_import_then_restart),
    };
    return cmocka_run_group_tests_name("integration/import-scenarios", tests, group_setup,
                                       group_teardown);
}
