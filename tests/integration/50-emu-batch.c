/* 50-emu-batch.c - parley-emu's Graph JSON batching (POST /v1.0/$batch):
 * inner requests answered like direct calls (status, headers, bodies, error
 * bodies, unencoded query options), the batch's token applied to each
 * (app-only vs delegated), dependsOn ordering and 424 behind a failed
 * dependency, injected faults on inner requests, and the payload checks
 * (20 requests, unique ids, Content-Type with a body, cycles). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "lib/emu_client.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define SEED "emulators/seeds/demo.json"
#define PASSWORD "Demo-Passw0rd!"
#define ALICE "alice@parleydemo.onmicrosoft.com"
#define BOB "bob@parleydemo.onmicrosoft.com"

static struct emu_client emu;
static char *app;            /* app-only token */
static char *alice;          /* Alice's delegated token */

static int setup(void **state)
{
    (void)state;
    if (emu_client_start(&emu, SEED, 0, NULL) != 0)
        return -1;
    app = emu_client_app_token(&emu);
    alice = emu_client_user_token(&emu, ALICE, PASSWORD);
    return app && alice ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(app);
    free(alice);
    int status = emu_client_stop(&emu);
    return (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

/* POST PAYLOAD (stolen) to $batch with TOKEN; asserts the outer status. */
static void batch(const char *token, json_t *payload, long status, struct harness_resp *resp)
{
    char *text = json_dumps(payload, JSON_COMPACT);
    memset(resp, 0, sizeof *resp);
    assert_int_equal(emu_client_graph(&emu, token, "POST", "/$batch", text, NULL, resp), 0);
    if (resp->status != status)
        fail_msg("$batch: expected %ld, got %ld: %s", status, resp->status, resp->body);
    free(text);
    json_decref(payload);
}

/* The responses[] entry with ID. */
static json_t *response(struct harness_resp *resp, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(resp->json, "responses"), i, r)
        if (strcmp(json_get_str(r, "id"), id) == 0)
            return r;
    fail_msg("no response with id %s in %s", id, resp->body);
    return NULL;
}

static int status_of(struct harness_resp *resp, const char *id)
{
    return (int)json_get_int(response(resp, id), "status", -1);
}

static const char *error_code(struct harness_resp *resp, const char *id)
{
    return json_get_str(json_object_get(json_object_get(response(resp, id), "body"), "error"),
                        "code");
}

static void test_reads_like_direct_calls(void **state)
{
    struct harness_resp resp;
    (void)state;
    json_t *payload = json_pack(
        "{s:[{s:s, s:s, s:s, s:{s:s}}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s},"
        "    {s:s, s:s, s:s}]}", "requests",
        "id", "1", "method", "GET", "url", "/users?$select=id,displayName&$count=true&$top=3",
        "headers", "ConsistencyLevel", "eventual",
        "id", "2", "method", "GET", "url", "users/" ALICE,
        "id", "3", "method", "GET", "url", "/users/ghost@parleydemo.onmicrosoft.com",
        "id", "4", "method", "GET", "url", "/users?$filter=accountEnabled eq false",
        "id", "5", "method", "GET", "url", "/users?$count=true");
    batch(app, payload, 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "responses")), 5);

    json_t *one = response(&resp, "1");
    assert_int_equal(status_of(&resp, "1"), 200);
    json_t *body = json_object_get(one, "body");
    assert_int_equal(json_array_size(json_object_get(body, "value")), 3);
    assert_int_equal(json_get_int(body, "@odata.count", -1), 14);
    assert_non_null(json_get_str(body, "@odata.nextLink"));
    const char *type = json_get_str(json_object_get(one, "headers"), "Content-Type");
    assert_non_null(type);
    assert_memory_equal(type, "application/json", 16);

    assert_int_equal(status_of(&resp, "2"), 200);
    assert_string_equal(json_get_str(json_object_get(response(&resp, "2"), "body"),
                                     "userPrincipalName"), ALICE);
    assert_int_equal(status_of(&resp, "3"), 404);
    assert_string_equal(error_code(&resp, "3"), "Request_ResourceNotFound");
    assert_int_equal(status_of(&resp, "4"), 200);       /* the disabled demo user */
    assert_int_equal(json_array_size(json_object_get(json_object_get(response(&resp, "4"),
                                                                      "body"), "value")), 1);
    assert_int_equal(status_of(&resp, "5"), 400);       /* no ConsistencyLevel on this one */
    assert_string_equal(error_code(&resp, "5"), "Request_UnsupportedQuery");
    harness_resp_clear(&resp);
}

/* A oneOnOne chat of Alice and Bob, made directly; the caller frees the id. */
static char *alice_bob_chat(void)
{
    struct harness_resp resp = {0};
    const char *body = "{\"chatType\":\"oneOnOne\",\"members\":["
                       "{\"@odata.type\":\"#microsoft.graph.aadUserConversationMember\","
                       "\"roles\":[\"owner\"],\"user@odata.bind\":\"https://graph.microsoft.com/"
                       "v1.0/users('" ALICE "')\"},"
                       "{\"@odata.type\":\"#microsoft.graph.aadUserConversationMember\","
                       "\"roles\":[\"owner\"],\"user@odata.bind\":\"https://graph.microsoft.com/"
                       "v1.0/users('" BOB "')\"}]}";
    assert_int_equal(emu_client_graph(&emu, alice, "POST", "/chats", body, NULL, &resp), 0);
    assert_int_equal(resp.status, 201);
    char *id = xstrdup(json_get_str(resp.json, "id"));
    harness_resp_clear(&resp);
    return id;
}

static void test_writes_and_depends_on(void **state)
{
    struct harness_resp resp;
    (void)state;
    char *chat = alice_bob_chat();
    char *messages = xasprintf("/chats/%s/messages", chat);
    json_t *payload = json_pack(
        "{s:[{s:s, s:s, s:s, s:{s:s}, s:{s:{s:s}}},"
        "    {s:s, s:s, s:s, s:[s]},"
        "    {s:s, s:s, s:s, s:{s:s}, s:{s:{s:s}}},"
        "    {s:s, s:s, s:s, s:[s]}]}", "requests",
        "id", "send", "method", "POST", "url", messages, "headers", "Content-Type",
        "application/json", "body", "body", "content", "hello from a batch",
        "id", "read", "method", "GET", "url", messages, "dependsOn", "SEND",
        "id", "bad", "method", "POST", "url", "/chats/19:nope@thread.v2/messages", "headers",
        "Content-Type", "application/json", "body", "body", "content", "x",
        "id", "after-bad", "method", "GET", "url", messages, "dependsOn", "bad");
    batch(alice, payload, 200, &resp);
    assert_int_equal(status_of(&resp, "send"), 201);
    const char *sent_id = json_get_str(json_object_get(response(&resp, "send"), "body"), "id");
    assert_non_null(sent_id);
    assert_int_equal(status_of(&resp, "read"), 200);
    json_t *newest = json_array_get(
        json_object_get(json_object_get(response(&resp, "read"), "body"), "value"), 0);
    assert_string_equal(json_get_str(newest, "id"), sent_id);   /* ran after the send */
    assert_int_equal(status_of(&resp, "bad"), 404);
    assert_int_equal(status_of(&resp, "after-bad"), 424);
    assert_string_equal(error_code(&resp, "after-bad"), "FailedDependency");
    harness_resp_clear(&resp);

    /* The batch's token applies to every request: app tokens cannot send. */
    payload = json_pack("{s:[{s:s, s:s, s:s, s:{s:s}, s:{s:{s:s}}}]}", "requests", "id", "1",
                        "method", "POST", "url", messages, "headers", "Content-Type",
                        "application/json", "body", "body", "content", "as an app");
    batch(app, payload, 200, &resp);
    assert_int_equal(status_of(&resp, "1"), 403);
    harness_resp_clear(&resp);
    free(messages);
    free(chat);
}

static void test_faults_reach_inner_requests(void **state)
{
    struct harness_resp resp = {0};
    (void)state;
    assert_int_equal(emu_client_control(&emu, "POST", "/faults",
                                        "{\"method\":\"GET\",\"path_prefix\":\"/v1.0/groups\","
                                        "\"status\":429,\"retry_after\":7}", &resp), 0);
    assert_int_equal(resp.status, 201);
    harness_resp_clear(&resp);
    json_t *payload = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "requests", "id", "g",
                                "method", "GET", "url", "/groups", "id", "u", "method", "GET",
                                "url", "/users?$top=1");
    batch(app, payload, 200, &resp);
    assert_int_equal(status_of(&resp, "g"), 429);
    assert_string_equal(json_get_str(json_object_get(response(&resp, "g"), "headers"),
                                     "Retry-After"), "7");
    assert_string_equal(error_code(&resp, "g"), "TooManyRequests");
    assert_int_equal(status_of(&resp, "u"), 200);
    harness_resp_clear(&resp);
}

/* A payload of N GET /users requests with ids "r0".. */
static json_t *many(size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "r%zu", i);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", id, "method", "GET",
                                              "url", "/users?$top=1"));
    }
    return json_pack("{s:o}", "requests", list);
}

static void test_payload_checks(void **state)
{
    struct harness_resp resp;
    (void)state;
    batch(app, many(20), 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "responses")), 20);
    harness_resp_clear(&resp);
    batch(app, many(21), 400, &resp);
    assert_non_null(strstr(resp.body, "maximum of 20"));
    harness_resp_clear(&resp);

    batch(app, json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "requests", "id", "a",
                         "method", "GET", "url", "/users", "id", "A", "method", "GET", "url",
                         "/users"), 400, &resp);
    assert_string_equal(json_get_str(json_object_get(resp.json, "error"), "code"), "BadRequest");
    harness_resp_clear(&resp);
    batch(app, json_pack("{s:[{s:s, s:s, s:s, s:{}}]}", "requests", "id", "1", "method",
                         "POST", "url", "/chats", "body"), 400, &resp);
    assert_non_null(strstr(resp.body, "Content-Type"));
    harness_resp_clear(&resp);
    batch(app, json_pack("{s:[{s:s, s:s, s:s, s:[s]}, {s:s, s:s, s:s, s:[s]}]}", "requests",
                         "id", "1", "method", "GET", "url", "/users", "dependsOn", "2", "id",
                         "2", "method", "GET", "url", "/users", "dependsOn", "1"), 400, &resp);
    assert_non_null(strstr(resp.body, "cycle"));
    harness_resp_clear(&resp);
    batch(app, json_pack("{s:[]}", "requests"), 400, &resp);
    harness_resp_clear(&resp);
    batch(NULL, many(1), 401, &resp);
    assert_string_equal(json_get_str(json_object_get(resp.json, "error"), "code"),
                        "InvalidAuthenticationToken");
    harness_resp_clear(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_like_direct_calls),
        cmocka_unit_test(test_writes_and_depends_on),
        cmocka_unit_test(test_faults_reach_inner_requests),
        cmocka_unit_test(test_payload_checks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
