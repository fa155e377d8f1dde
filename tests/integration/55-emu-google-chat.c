/* 55-emu-google-chat.c - the emulated Chat API over real HTTP:
 * spaces.setup and findDirectMessage, members, messages with messageId /
 * requestId (create, get, list, patch, delete), and --real-quotas limiting
 * space writes. */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <pthread.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "http/router.h"
#include "http/server.h"
#include "lib/google_client.h"
#include "lib/google_fixture.h"
#include "lib/harness.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* ---- Chat ---- */

static void test_chat_dm_setup_and_find(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "chat.spaces chat.memberships.readonly");
    struct harness_resp r;
    const char *dm = "{\"space\": {\"spaceType\": \"DIRECT_MESSAGE\"}, \"memberships\": "
                     "[{\"member\": {\"name\": \"users/cat@example.com\", \"type\": \"HUMAN\"}}]}";

    call("GET", t, NULL, &r, "/v1/spaces:findDirectMessage?name=users/cat%%40example.com");
    assert_int_equal(r.status, 404);
    assert_string_equal(err_status(&r), "NOT_FOUND");
    harness_resp_clear(&r);

    call("POST", t, dm, &r, "/v1/spaces:setup");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "spaceType")), "DIRECT_MESSAGE");
    char *name = xstrdup(json_string_value(json_object_get(r.json, "name")));
    harness_resp_clear(&r);

    call("POST", t, dm, &r, "/v1/spaces:setup");
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), name);
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/v1/spaces:findDirectMessage?name=users/cat%%40example.com");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), name);
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/v1/%s/members", name);
    assert_int_equal(json_array_size(json_object_get(r.json, "memberships")), 2);
    harness_resp_clear(&r);

    /* Not listed before its first message. */
    call("GET", t, NULL, &r, "/v1/spaces");
    assert_int_equal(r.status, 200);
    assert_null(json_object_get(r.json, "spaces"));
    harness_resp_clear(&r);

    call("POST", t, "{\"space\": {\"spaceType\": \"SPACE\"}}", &r, "/v1/spaces:setup");
    assert_int_equal(r.status, 400);
    assert_string_equal(err_status(&r), "INVALID_ARGUMENT");
    harness_resp_clear(&r);
    free(name);
    free(t);
}


static void test_chat_members_add_remove(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "chat.spaces chat.memberships");
    char *ann = token_for(&E, "ann@example.com", "chat.memberships");
    struct harness_resp r;
    char *space = named_space(&E, t, "Members test");
    const char *add = "{\"member\": {\"name\": \"users/user00001@example.com\", \"type\": \"HUMAN\"}}";

    /* spaces.create: a named space with only its creator, as manager. */
    call("POST", t, "{\"spaceType\": \"SPACE\", \"displayName\": \"Created\"}", &r, "/v1/spaces");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "membershipCount"),
                                                        "joinedDirectHumanUserCount")), 1);
    harness_resp_clear(&r);
    expect_status(400, "POST", t, "{\"spaceType\": \"GROUP_CHAT\"}", "/v1/spaces");

    call("POST", t, add, &r, "/v1/%s/members", space);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "role")), "ROLE_MEMBER");
    harness_resp_clear(&r);
    expect_status(409, "POST", t, add, "/v1/%s/members", space);
    call("GET", t, NULL, &r, "/v1/%s/members/admin@example.com", space);
    assert_string_equal(json_string_value(json_object_get(r.json, "role")), "ROLE_MANAGER");
    harness_resp_clear(&r);

    /* Ann may leave, not remove others; the manager may remove anyone. */
    expect_status(403, "DELETE", ann, NULL, "/v1/%s/members/cat@example.com", space);
    call("DELETE", ann, NULL, &r, "/v1/%s/members/ann@example.com", space);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "NOT_A_MEMBER");
    harness_resp_clear(&r);
    expect_status(200, "DELETE", t, NULL, "/v1/%s/members/user00001@example.com", space);
    call("GET", t, NULL, &r, "/v1/%s/members", space);
    assert_int_equal(json_array_size(json_object_get(r.json, "memberships")), 2);
    harness_resp_clear(&r);
    /* Ann is no longer in it: the space is not found for her. */
    expect_status(404, "GET", ann, NULL, "/v1/%s/members", space);

    free(space);
    free(ann);
    free(t);
}

static void test_chat_messages(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "chat.spaces chat.messages");
    char *ann = token_for(&E, "ann@example.com", "chat.messages");
    struct harness_resp r;
    char *space = named_space(&E, t, "Relay test");

    /* The same requestId gives the same space. */
    char *again = named_space(&E, t, "Relay test");
    assert_string_equal(again, space);
    free(again);

    call("POST", t, "{\"text\": \"hello <users/ann@example.com>\"}", &r,
         "/v1/%s/messages?messageId=client-abc-1&requestId=req-1", space);
    assert_int_equal(r.status, 200);
    char *msg = xstrdup(json_string_value(json_object_get(r.json, "name")));
    assert_string_equal(json_string_value(json_object_get(r.json, "clientAssignedMessageId")),
                        "client-abc-1");
    json_t *ann_ref = json_object_get(json_object_get(r.json, "sender"), "type");
    assert_string_equal(json_string_value(ann_ref), "HUMAN");
    json_t *mention = json_array_get(json_object_get(r.json, "annotations"), 0);
    assert_int_equal(json_integer_value(json_object_get(mention, "startIndex")), 6);
    assert_int_equal(json_integer_value(json_object_get(mention, "length")), 23);
    harness_resp_clear(&r);

    /* requestId is idempotent; a reused messageId conflicts. */
    call("POST", t, "{\"text\": \"hello again\"}", &r, "/v1/%s/messages?requestId=req-1", space);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), msg);
    harness_resp_clear(&r);
    call("POST", t, "{\"text\": \"x\"}", &r, "/v1/%s/messages?messageId=client-abc-1", space);
    assert_int_equal(r.status, 409);
    assert_string_equal(err_status(&r), "ALREADY_EXISTS");
    harness_resp_clear(&r);
    expect_status(400, "POST", t, "{\"text\": \"x\"}",
                  "/v1/%s/messages?messageId=Client-ABC", space);

    /* 4,096 characters at most (multi-byte characters count once). */
    size_t n = 4096;
    char *long_text = xmalloc(2 * n + 64);
    char *p = long_text + sprintf(long_text, "{\"text\": \"");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "\xc3\xa9");
    strcpy(p, "\"}");
    expect_status(200, "POST", t, long_text, "/v1/%s/messages", space);
    strcpy(p, "x\"}");
    call("POST", t, long_text, &r, "/v1/%s/messages", space);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
                                                             "message")),
                           "Maximum length of the field is 4096"));
    harness_resp_clear(&r);
    free(long_text);

    /* Only the sender edits; updateMask is required. */
    expect_status(403, "PATCH", ann, "{\"text\": \"hijack\"}",
                  "/v1/%s/messages/client-abc-1?updateMask=text",
         space);
    expect_status(400, "PATCH", t, "{\"text\": \"edited\"}", "/v1/%s/messages/client-abc-1", space);
    call("PATCH", t, "{\"text\": \"edited\"}", &r, "/v1/%s?updateMask=text", msg);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "text")), "edited");
    assert_non_null(json_object_get(r.json, "lastUpdateTime"));
    harness_resp_clear(&r);

    /* list pages one by one; newest first with orderBy. */
    call("GET", t, NULL, &r, "/v1/%s/messages?pageSize=1", space);
    assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(r.json, "messages"), 0), "name")), msg);
    assert_non_null(json_object_get(r.json, "nextPageToken"));
    harness_resp_clear(&r);
    expect_status(400, "GET", t, NULL, "/v1/%s/messages?pageSize=-1", space);

    /* A reply in the message's thread; an unknown thread fails with OR_FAIL. */
    call("GET", t, NULL, &r, "/v1/%s", msg);
    char *thread = xstrdup(json_string_value(json_object_get(json_object_get(r.json, "thread"),
                                                             "name")));
    harness_resp_clear(&r);
    char *reply = xasprintf("{\"text\": \"a reply\", \"thread\": {\"name\": \"%s\"}}", thread);
    call("POST", t, reply, &r,
         "/v1/%s/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", space);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "threadReply")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "thread"), "name")),
                        thread);
    harness_resp_clear(&r);
    expect_status(404, "POST", t,
                  "{\"text\": \"x\", \"thread\": {\"name\": \"spaces/X/threads/none\"}}",
         "/v1/%s/messages?messageReplyOption=REPLY_MESSAGE_OR_FAIL", space);
    free(reply);
    free(thread);

    expect_status(403, "DELETE", ann, NULL, "/v1/%s", msg);
    call("DELETE", t, NULL, &r, "/v1/%s", msg);
    assert_int_equal(r.status, 400);     /* it has a reply */
    harness_resp_clear(&r);
    expect_status(200, "DELETE", t, NULL, "/v1/%s?force=true", msg);
    expect_status(404, "GET", t, NULL, "/v1/%s", msg);
    call("GET", t, NULL, &r, "/v1/%s/messages?showDeleted=true", space);
    assert_non_null(json_object_get(json_array_get(json_object_get(r.json, "messages"), 0),
                                    "deleteTime"));
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/v1/spaces");
    assert_int_equal(json_array_size(json_object_get(r.json, "spaces")), 1);
    harness_resp_clear(&r);

    free(msg);
    free(space);
    free(ann);
    free(t);
}


static void test_real_quotas_limit_space_writes(void **state)
{
    (void)state;
    struct google_client limited;
    struct harness_resp r;
    const char *const quotas[] = {"--real-quotas", NULL};
    assert_int_equal(google_client_start(&limited, SEED, quotas), 0);

    char *t = token_for(&limited, "admin@example.com", "chat.spaces chat.messages");
    char *space = named_space(&limited, t, "Quota test");
    assert_int_equal(google_client_call(&limited, "POST", t, "{\"text\": \"one\"}", &r,
                                        "/v1/%s/messages", space), 0);
    assert_int_equal(r.status, 200);
    harness_resp_clear(&r);
    assert_int_equal(google_client_call(&limited, "POST", t, "{\"text\": \"two\"}", &r,
                                        "/v1/%s/messages", space), 0);
    assert_int_equal(r.status, 429);
    assert_string_equal(err_status(&r), "RESOURCE_EXHAUSTED");
    json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
    assert_string_equal(json_string_value(json_object_get(json_array_get(details, 1), "retryDelay")),
                        "1s");
    harness_resp_clear(&r);

    free(space);
    free(t);
    assert_int_equal(google_client_stop(&limited), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_dm_setup_and_find),
        cmocka_unit_test(test_chat_messages),
        cmocka_unit_test(test_chat_members_add_remove),
        cmocka_unit_test(test_real_quotas_limit_space_writes),
    };
    return cmocka_run_group_tests_name("integration/emu-google-chat", tests, setup, teardown);
}
