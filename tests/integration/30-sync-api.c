/* 30-sync-api.c - "Sync users" through the admin API of a real `parley
 * serve` against build/parley-emu (TLS, the demo seed): after importing
 * both platforms, Greg (Google) gets a Teams guest account and Alice
 * (Teams) a Google interop account, each visible on the emulated platform
 * and shown as the person's secondary account; unsyncing deletes both; a
 * platform refusal surfaces as the "error" status with the platform's words
 * and a retry recovers; a viewer may look but not change anything.  (Bulk
 * sync under throttling: 31-sync-bulk.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/emu_client.h"
#include "lib/harness.h"
#include "lib/hub_session.h"
#include "util/xmalloc.h"

#define SEED      "emulators/seeds/demo.json"
#define ORG_PATH  "/api/orgs/" HUB_SESSION_ORG
#define VIEWER    "viewer@example.com"
#define WAIT_MS   30000
#define GREG      "greg@parleydemo.example"
#define ALICE     "alice@parleydemo.onmicrosoft.com"
#define PRIYA     "priya@parleydemo.example"
#define TARA      "tara@parleydemo.example"
#define TARA_GUEST "tara_parleydemo.example@parleydemo.onmicrosoft.com"

static struct hub_session hub;

/* ---- the hub ---- */

static long call(struct hub_session *s, const char *method, const char *path, json_t *body,
                 struct harness_resp *resp)
{
    return hub_session_call(s, method, path, body, resp);
}

static json_t *post(struct hub_session *s, const char *path, json_t *body, long status)
{
    return hub_session_post(s, path, body, status);
}

static void import_all(struct hub_session *s)
{
    struct harness_resp resp;
    json_t *team, *ids = json_array();
    size_t i;

    assert_int_equal(call(s, "GET", ORG_PATH "/microsoft/teams", NULL, &resp), 200);
    json_array_foreach(json_object_get(resp.json, "teams"), i, team)
        json_array_append(ids, json_object_get(team, "id"));
    harness_resp_clear(&resp);
    json_t *jobs[2] = { post(s, ORG_PATH "/imports/microsoft", json_pack("{so}", "team_ids", ids), 202),
                        post(s, ORG_PATH "/imports/google", json_object(), 202) };
    for (int k = 0; k < 2; k++) {
        json_t *job = hub_session_wait_job(s, json_integer_value(json_object_get(jobs[k], "job_id")),
                                           WAIT_MS);
        assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
        json_decref(job);
        json_decref(jobs[k]);
    }
}

static long long person_id(struct hub_session *s, const char *email)
{
    struct harness_resp resp;
    char *path = xasprintf(ORG_PATH "/people?q=%s", email);
    assert_int_equal(call(s, "GET", path, NULL, &resp), 200);
    assert_int_equal(json_array_size(json_object_get(resp.json, "people")), 1);
    long long id = json_integer_value(
        json_object_get(json_array_get(json_object_get(resp.json, "people"), 0), "id"));
    harness_resp_clear(&resp);
    free(path);
    return id;
}

/* GET the person ID (a new reference). */
static json_t *person(struct hub_session *s, long long id)
{
    struct harness_resp resp;
    char *path = xasprintf(ORG_PATH "/people/%lld", id);
    assert_int_equal(call(s, "GET", path, NULL, &resp), 200);
    json_t *p = json_incref(resp.json);
    harness_resp_clear(&resp);
    free(path);
    return p;
}

static const char *status_of(const json_t *p)
{
    return json_string_value(json_object_get(p, "sync_status"));
}

/* Wait until person ID has STATUS; the person (a new reference). */
static json_t *wait_status(struct hub_session *s, long long id, const char *status)
{
    for (int waited = 0; waited < WAIT_MS; waited += 100) {
        json_t *p = person(s, id);
        if (strcmp(status_of(p), status) == 0)
            return p;
        json_decref(p);
        usleep(100 * 1000);
    }
    json_t *p = person(s, id);
    fail_msg("person %lld is %s (%s), not %s, after %d ms", id, status_of(p),
             json_string_value(json_object_get(p, "status_reason")), status, WAIT_MS);
    return NULL;
}

static void set_primary(struct hub_session *s, long long id, const char *platform)
{
    struct harness_resp resp;
    char *path = xasprintf(ORG_PATH "/people/%lld", id);
    assert_int_equal(call(s, "PATCH", path, json_pack("{ss}", "primary_platform", platform), &resp),
                     200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(resp.json, "person"),
                                                          "primary_platform")), platform);
    harness_resp_clear(&resp);
    free(path);
}

/* POST /people/ID/ACTION ("sync", "unsync"), expecting 202. */
static void person_action(struct hub_session *s, long long id, const char *action)
{
    char *path = xasprintf(ORG_PATH "/people/%lld/%s", id, action);
    json_decref(post(s, path, json_object(), 202));
    free(path);
}

static const char *secondary(const json_t *p, const char *key)
{
    return json_string_value(json_object_get(json_object_get(p, "secondary"), key));
}

/* ---- the emulated platforms ---- */

static char *app_token(struct hub_session *s)
{
    char *token = emu_client_app_token(&s->emu);
    assert_non_null(token);
    return token;
}

/* How many Graph users have userPrincipalName LOGIN and userType Guest. */
static int graph_guests(struct hub_session *s, const char *login)
{
    struct harness_resp resp;
    char *token = app_token(s);
    json_t *u;
    size_t i;
    int n = 0;

    assert_int_equal(emu_client_graph(&s->emu, token, "GET",
                                      "/users?$filter=userType%20eq%20'Guest'&$top=999", NULL,
                                      NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    json_array_foreach(json_object_get(resp.json, "value"), i, u)
        if (strcmp(json_string_value(json_object_get(u, "userPrincipalName")), login) == 0)
            n++;
    harness_resp_clear(&resp);
    free(token);
    return n;
}

/* Whether the Google Directory has the user LOGIN (the emulator's user search). */
static int google_has_user(struct hub_session *s, const char *login)
{
    struct harness_resp resp;
    char *q = curl_easy_escape(NULL, login, 0);
    char *url = xasprintf("%s_emu/client-api/users?search=%s",
                          hub_session_ep(s, "google", "root_url"), q);
    json_t *u;
    size_t i;
    int found = 0;

    assert_int_equal(harness_http_do(s->emu.http, "GET", url, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    json_array_foreach(json_object_get(resp.json, "users"), i, u)
        found |= strcmp(json_string_value(json_object_get(u, "primaryEmail")), login) == 0;
    harness_resp_clear(&resp);
    curl_free(q);
    free(url);
    return found;
}

/* ---- setup ---- */

static int start(struct hub_session *s, const char *const emu_args[])
{
    /* A short job lease: a job of a killed hub is retaken within seconds. */
    static const char *const hub_env[] = { "PARLEY_JOB_LEASE=2", NULL };

    if (hub_session_start(s, SEED, emu_args, hub_env))
        return -1;
    hub_session_connect(s);
    import_all(s);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    return start(&hub, NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    return hub_session_stop(&hub);
}

/* ---- tests ---- */

static void test_google_person_gets_a_teams_guest(void **state)
{
    (void)state;
    long long greg = person_id(&hub, GREG);

    set_primary(&hub, greg, "google");
    person_action(&hub, greg, "sync");
    json_t *p = wait_status(&hub, greg, "synced");
    assert_string_equal(secondary(p, "platform"), "microsoft");
    assert_string_equal(secondary(p, "kind"), "guest");
    assert_int_equal(graph_guests(&hub, secondary(p, "login")), 1);
    /* The history records the way there, newest first. */
    json_t *history = json_object_get(p, "history");
    assert_true(json_array_size(history) >= 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(history, 0), "to")),
                        "synced");
    /* Syncing again does nothing, and says why. */
    char *path = xasprintf(ORG_PATH "/people/%lld/sync", greg);
    json_t *answer = post(&hub, path, json_object(), 409);
    assert_string_equal(json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
                        "not_applicable");
    json_decref(answer);
    free(path);
    json_decref(p);
}

static void test_teams_person_gets_a_google_interop_account(void **state)
{
    (void)state;
    long long alice = person_id(&hub, ALICE);

    set_primary(&hub, alice, "microsoft");
    person_action(&hub, alice, "sync");
    json_t *p = wait_status(&hub, alice, "synced");
    assert_string_equal(secondary(p, "platform"), "google");
    assert_string_equal(secondary(p, "kind"), "interop");
    assert_true(google_has_user(&hub, secondary(p, "login")));
    json_decref(p);
}

static void test_unsync_deletes_the_accounts(void **state)
{
    (void)state;
    long long greg = person_id(&hub, GREG), alice = person_id(&hub, ALICE);
    json_t *g = person(&hub, greg), *a = person(&hub, alice);
    char *guest = xstrdup(secondary(g, "login")), *interop = xstrdup(secondary(a, "login"));

    person_action(&hub, greg, "unsync");
    json_decref(post(&hub, ORG_PATH "/unsync", json_pack("{s[I]}", "ids", (json_int_t)alice), 202));
    json_decref(wait_status(&hub, greg, "not_synced"));
    json_t *p = wait_status(&hub, alice, "not_synced");
    assert_true(json_is_null(json_object_get(p, "secondary")));
    assert_int_equal(graph_guests(&hub, guest), 0);
    assert_false(google_has_user(&hub, interop));
    json_decref(p);
    json_decref(g);
    json_decref(a);
    free(guest);
    free(interop);
}

static void test_a_refusal_is_an_error_and_a_retry_recovers(void **state)
{
    (void)state;
    struct harness_resp resp;
    long long priya = person_id(&hub, PRIYA);

    set_primary(&hub, priya, "google");
    /* Graph refuses the next write: permanent, so no retries. */
    assert_int_equal(emu_client_control(&hub.emu, "POST", "/faults",
                                        "{\"method\":\"POST\",\"path_prefix\":\"/v1.0/\","
                                        "\"status\":403,\"count\":1}", &resp), 0);
    assert_true(resp.status == 200 || resp.status == 201 || resp.status == 204);
    harness_resp_clear(&resp);
    person_action(&hub, priya, "sync");
    json_t *p = wait_status(&hub, priya, "error");
    const char *reason = json_string_value(json_object_get(p, "status_reason"));
    assert_non_null(reason);
    assert_true(strlen(reason) > 0);
    json_decref(p);

    person_action(&hub, priya, "sync");
    p = wait_status(&hub, priya, "synced");
    assert_true(json_is_null(json_object_get(p, "status_reason")));
    assert_int_equal(graph_guests(&hub, secondary(p, "login")), 1);
    json_decref(p);
}

static void test_summary_and_audit(void **state)
{
    (void)state;
    struct harness_resp resp;

    assert_int_equal(call(&hub, "GET", ORG_PATH "/sync/summary", NULL, &resp), 200);
    json_t *counts = json_object_get(resp.json, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "synced")), 1);   /* Priya */
    assert_int_equal(json_integer_value(json_object_get(resp.json, "busy")), 0);
    assert_int_equal(json_integer_value(json_object_get(resp.json, "total")),
                     hub_session_people_total(&hub, "limit=1"));
    harness_resp_clear(&resp);
    assert_int_equal(hub_session_people_total(&hub, "status=synced"), 1);
    assert_int_equal(call(&hub, "GET", ORG_PATH "/people?status=nonsense", NULL, &resp), 400);
    harness_resp_clear(&resp);

    int requested = 0, provisioned = 0;
    json_t *e;
    size_t i;
    assert_int_equal(call(&hub, "GET", ORG_PATH "/audit?limit=200", NULL, &resp), 200);
    json_array_foreach(json_object_get(resp.json, "events"), i, e) {
        const char *action = json_string_value(json_object_get(e, "action"));
        const char *actor = json_string_value(json_object_get(e, "actor"));
        requested += strcmp(action, "sync.request.sync") == 0 &&
                     strcmp(actor, "admin:" HUB_SESSION_OWNER) == 0;
        provisioned += strcmp(action, "sync.provision") == 0;
    }
    harness_resp_clear(&resp);
    assert_true(requested >= 3);
    assert_true(provisioned >= 3);
}

static void test_a_viewer_changes_nothing(void **state)
{
    (void)state;
    struct harness_resp resp;
    struct harness_http *http = harness_http_new(NULL);
    const char *const paths[][2] = {
        { "PATCH", "/people/1" }, { "POST", "/people/1/sync" }, { "POST", "/people/1/unsync" },
        { "POST", "/people/primary" }, { "POST", "/sync" }, { "POST", "/unsync" },
    };

    assert_int_equal(harness_admin_create(hub.hub.data_dir, VIEWER, HUB_SESSION_ORG, "viewer",
                                          HUB_SESSION_PASSWORD), 0);
    char *csrf = harness_hub_login(http, hub.hub.url, VIEWER, HUB_SESSION_PASSWORD);
    assert_non_null(csrf);
    char *header = xasprintf("X-CSRF-Token: %s", csrf);
    const char *headers[] = { header, "Content-Type: application/json", NULL };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char *url = xasprintf("%s" ORG_PATH "%s", hub.hub.url, paths[i][1]);
        assert_int_equal(harness_http_do(http, paths[i][0], url, headers,
                                         "{\"all\":true,\"primary_platform\":\"google\"}", &resp), 0);
        assert_int_equal(resp.status, 403);
        harness_resp_clear(&resp);
        free(url);
    }
    char *url = xasprintf("%s" ORG_PATH "/sync/summary", hub.hub.url);
    assert_int_equal(harness_http_do(http, "GET", url, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    harness_resp_clear(&resp);
    free(url);
    free(header);
    free(csrf);
    harness_http_free(http);
}

/* Bulk, against an emulator that throttles past 5 requests a second. */
/* The hub is killed (-9) after Graph has created Tara's guest account but
 * before the hub recorded it; after a restart the job runs again, finds the
 * account by its login, and Tara ends synced with exactly one guest. */
static void test_kill_9_between_the_platform_call_and_the_record(void **state)
{
    (void)state;
    static const char *const hub_env[] = { "PARLEY_JOB_LEASE=2", NULL };
    struct harness_resp resp;
    long long tara = person_id(&hub, TARA);

    set_primary(&hub, tara, "google");
    /* Graph takes 3 s to answer the create: the hub dies while it waits. */
    assert_int_equal(emu_client_control(&hub.emu, "POST", "/faults",
                                        "{\"method\":\"POST\",\"path_prefix\":\"/v1.0/users\","
                                        "\"count\":1,\"latency_ms\":3000}", &resp), 0);
    harness_resp_clear(&resp);
    person_action(&hub, tara, "sync");
    json_decref(wait_status(&hub, tara, "provisioning"));
    usleep(1000 * 1000);
    char *dir = xstrdup(hub.hub.data_dir);
    harness_proc_stop(hub.hub.proc, SIGKILL, 5000);
    harness_hub_free(&hub.hub);

    /* The platform call went through: the account exists, unrecorded. */
    for (int waited = 0; graph_guests(&hub, TARA_GUEST) == 0; waited += 100) {
        assert_true(waited < WAIT_MS);
        usleep(100 * 1000);
    }
    assert_int_equal(harness_hub_start(&hub.hub, dir, NULL, hub_env), 0);
    free(dir);

    json_t *p = wait_status(&hub, tara, "synced");
    assert_string_equal(secondary(p, "login"), TARA_GUEST);
    assert_int_equal(graph_guests(&hub, TARA_GUEST), 1);
    json_decref(p);

    /* And the recovered account unsyncs like any other. */
    person_action(&hub, tara, "unsync");
    json_decref(wait_status(&hub, tara, "not_synced"));
    assert_int_equal(graph_guests(&hub, TARA_GUEST), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_google_person_gets_a_teams_guest),
        cmocka_unit_test(test_kill_9_between_the_platform_call_and_the_record),
        cmocka_unit_test(test_teams_person_gets_a_google_interop_account),
        cmocka_unit_test(test_unsync_deletes_the_accounts),
        cmocka_unit_test(test_a_refusal_is_an_error_and_a_retry_recovers),
        cmocka_unit_test(test_summary_and_audit),
        cmocka_unit_test(test_a_viewer_changes_nothing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
