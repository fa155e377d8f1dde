/* 31-sync-bulk.c - bulk user sync at scale under throttling: 1,000 Google
 * people imported into a real hub, all made Google-primary, then "Sync
 * all" against a Microsoft emulator that allows only a few hundred requests
 * a second (--rate-limit).  Everyone ends synced with exactly one Teams
 * guest account, the emulator answered 429s that the hub retried, and a
 * second "Sync all" has nothing to do. */
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

#define PEOPLE      1000
#define ORG_PATH    "/api/orgs/" HUB_SESSION_ORG
#define WAIT_MS     180000

static const char seed_json[] =
    "{\"microsoft\": {\"domain\": \"bulk.onmicrosoft.com\"},"
    " \"google\": {\"domain\": \"bulk.example\", \"admin_email\": \"admin@bulk.example\","
    "  \"generate\": {\"users\": 1000}}}";

static struct hub_session session;

/* Microsoft requests answered 429 since *SEQ (advanced), from the request log. */
static int throttled_since(long long *seq)
{
    struct harness_resp resp;
    char path[64];
    json_t *r;
    size_t i;
    int n = 0;

    snprintf(path, sizeof path, "/requests?since=%lld", *seq);
    assert_int_equal(emu_client_control(&session.emu, "GET", path, NULL, &resp), 0);
    json_array_foreach(json_object_get(resp.json, "requests"), i, r) {
        n += json_integer_value(json_object_get(r, "status")) == 429;
        long long s = json_integer_value(json_object_get(r, "seq"));
        if (s > *seq)
            *seq = s;
    }
    harness_resp_clear(&resp);
    return n;
}

/* Graph's count of guest users (as the app; retried while throttled). */
static long long graph_guest_count(void)
{
    struct harness_resp resp = { 0 };
    char *token = NULL;
    long long count = -1;

    for (int tries = 0; tries < 50 && !token; tries++)
        if (!(token = emu_client_app_token(&session.emu)))
            usleep(200 * 1000);
    assert_non_null(token);
    for (int tries = 0; tries < 50; tries++) {
        assert_int_equal(emu_client_graph(&session.emu, token, "GET",
                                          "/users?$filter=userType%20eq%20'Guest'&$count=true"
                                          "&$top=1&$select=id",
                                          NULL, "ConsistencyLevel: eventual", &resp), 0);
        if (resp.status != 429)
            break;
        harness_resp_clear(&resp);
        usleep(200 * 1000);
    }
    assert_int_equal(resp.status, 200);
    count = json_integer_value(json_object_get(resp.json, "@odata.count"));
    harness_resp_clear(&resp);
    free(token);
    return count;
}

static int setup(void **state)
{
    (void)state;
    static const char *const emu_args[] = { "--rate-limit", "300", NULL };

    if (hub_session_start_seed(&session, seed_json, emu_args, NULL))
        return -1;
    hub_session_connect(&session);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return hub_session_stop(&session);
}

static void test_sync_all_under_throttling(void **state)
{
    (void)state;
    struct harness_resp resp;
    long long seq = 0;
    int throttled = 0;

    json_t *job = hub_session_post(&session, ORG_PATH "/imports/google", json_object(), 202);
    json_t *done = hub_session_wait_job(&session,
                                        json_integer_value(json_object_get(job, "job_id")),
                                        WAIT_MS);
    assert_string_equal(json_string_value(json_object_get(done, "state")), "done");
    json_decref(done);
    json_decref(job);

    json_t *answer = hub_session_post(&session, ORG_PATH "/people/primary",
                                      json_pack("{s{ss} ss}", "filter", "platform", "google",
                                                "primary_platform", "google"), 200);
    long long people = json_integer_value(json_object_get(answer, "changed"));
    json_decref(answer);
    assert_int_equal(people, PEOPLE + 1);           /* + the Google admin */

    answer = hub_session_post(&session, ORG_PATH "/sync", json_pack("{sb}", "all", 1), 202);
    assert_int_equal(json_integer_value(json_object_get(answer, "queued")), people);
    json_decref(answer);

    for (int waited = 0;; waited += 500) {
        assert_true(waited < WAIT_MS);
        throttled += throttled_since(&seq);
        assert_int_equal(hub_session_call(&session, "GET", ORG_PATH "/sync/summary", NULL, &resp),
                         200);
        long long busy = json_integer_value(json_object_get(resp.json, "busy"));
        harness_resp_clear(&resp);
        if (busy == 0)
            break;
        usleep(500 * 1000);
    }

    assert_int_equal(hub_session_people_total(&session, "status=error"), 0);
    assert_int_equal(hub_session_people_total(&session, "status=synced"), people);
    assert_true(throttled > 0);                     /* the hub was throttled, and retried */
    assert_int_equal(graph_guest_count(), people);  /* one guest each, none duplicated */

    answer = hub_session_post(&session, ORG_PATH "/sync", json_pack("{sb}", "all", 1), 202);
    assert_int_equal(json_integer_value(json_object_get(answer, "queued")), 0);
    json_decref(answer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_all_under_throttling),
    };
    return cmocka_run_group_tests_name("integration/sync-bulk", tests, setup, teardown);
}
