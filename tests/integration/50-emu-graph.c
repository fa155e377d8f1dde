/* 50-emu-graph.c - parley-emu's Graph directory over plain HTTP: users
 * (paging, $select, $filter, $count, create guest + password, patch, delete),
 * invitations, teams and members, groups and groups delta, chats and
 * messages as users. */
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
#define SEED_USERS 14

static struct emu_client emu;
static char *app;            /* app-only token */

static int setup(void **state)
{
    (void)state;
    if (emu_client_start(&emu, SEED, 0, NULL) != 0)
        return -1;
    app = emu_client_app_token(&emu);
    return app ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(app);
    int status = emu_client_stop(&emu);
    return (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

/* A Graph call with the app token; asserts the status. */
static void graph(const char *method, const char *path, const char *body, const char *header,
                  long status, struct harness_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    assert_int_equal(emu_client_graph(&emu, app, method, path, body, header, resp), 0);
    if (resp->status != status)
        fail_msg("%s %s: expected %ld, got %ld: %s", method, path, status, resp->status,
                 resp->body);
}

static void test_users_paging(void **state)
{
    struct harness_resp resp;
    size_t total = 0, pages = 0;
    (void)state;
    char *url = xstrdup("/users?$top=4&$select=id,displayName");
    while (url) {
        graph("GET", url, NULL, NULL, 200, &resp);
        json_t *values = json_object_get(resp.json, "value");
        json_t *first = json_array_get(values, 0);
        assert_non_null(json_get_str(first, "id"));
        assert_null(json_object_get(first, "mail"));        /* not selected */
        total += json_array_size(values);
        pages++;
        free(url);
        const char *next = json_get_str(resp.json, "@odata.nextLink");
        url = next ? xstrdup(next) : NULL;
        if (url)
            assert_memory_equal(url, emu.origin, strlen(emu.origin));
        harness_resp_clear(&resp);
    }
    assert_int_equal(total, SEED_USERS);
    assert_int_equal(pages, 4);

    graph("GET", "/users?$count=true", NULL, NULL, 400, &resp);
    harness_resp_clear(&resp);
    graph("GET", "/users?$count=true&$top=1", NULL, "ConsistencyLevel: eventual", 200, &resp);
    assert_int_equal(json_get_int(resp.json, "@odata.count", -1), SEED_USERS);
    harness_resp_clear(&resp);
}

static void test_users_filter_and_get(void **state)
{
    struct harness_resp resp;
    (void)state;
    graph("GET", "/users?$filter=mail%20eq%20'BOB@parleydemo.onmicrosoft.com'", NULL, NULL, 200,
          &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 1);
    char *bob_id = xstrdup(json_get_str(json_array_get(json_object_get(resp.json, "value"), 0), "id"));
    harness_resp_clear(&resp);

    graph("GET", "/users?$filter=startswith(displayName,'J')", NULL, NULL, 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 1);  /* Julia */
    harness_resp_clear(&resp);

    char *path = xasprintf("/users/%s", bob_id);
    graph("GET", path, NULL, NULL, 200, &resp);
    assert_string_equal(json_get_str(resp.json, "userPrincipalName"), "bob@parleydemo.onmicrosoft.com");
    harness_resp_clear(&resp);
    graph("GET", "/users/bob@parleydemo.onmicrosoft.com?$select=id,accountEnabled", NULL, NULL, 200,
          &resp);
    assert_string_equal(json_get_str(resp.json, "id"), bob_id);
    assert_true(json_is_true(json_object_get(resp.json, "accountEnabled")));
    harness_resp_clear(&resp);

    graph("GET", "/users/nobody@parleydemo.onmicrosoft.com", NULL, NULL, 404, &resp);
    json_t *err = json_object_get(resp.json, "error");
    assert_string_equal(json_get_str(err, "code"), "Request_ResourceNotFound");
    harness_resp_clear(&resp);

    graph("GET", "/users?$filter=displayName%20ne%20'x'", NULL, NULL, 400, &resp);
    harness_resp_clear(&resp);
    free(path);
    free(bob_id);
}

static void test_users_write(void **state)
{
    struct harness_resp resp;
    (void)state;
    graph("POST", "/users",
          "{\"accountEnabled\":true,\"displayName\":\"Ana Lima (Google)\",\"mailNickname\":\"ana.g\","
          "\"userPrincipalName\":\"ana.g@parleydemo.onmicrosoft.com\",\"userType\":\"Guest\","
          "\"passwordProfile\":{\"password\":\"Secret-123\",\"forceChangePasswordNextSignIn\":false}}",
          NULL, 201, &resp);
    char *id = xstrdup(json_get_str(resp.json, "id"));
    assert_string_equal(json_get_str(resp.json, "userType"), "Guest");
    harness_resp_clear(&resp);

    graph("POST", "/users", "{\"accountEnabled\":true,\"displayName\":\"Dup\",\"mailNickname\":\"d\","
          "\"userPrincipalName\":\"ana.g@parleydemo.onmicrosoft.com\"}", NULL, 400, &resp);
    harness_resp_clear(&resp);

    char *token = emu_client_user_token(&emu, "ana.g@parleydemo.onmicrosoft.com", "Secret-123");
    assert_non_null(token);
    free(token);

    char *path = xasprintf("/users/%s", id);
    graph("PATCH", path, "{\"displayName\":\"Ana Lima\",\"accountEnabled\":false}", NULL, 204, &resp);
    harness_resp_clear(&resp);
    graph("GET", path, NULL, NULL, 200, &resp);
    assert_string_equal(json_get_str(resp.json, "displayName"), "Ana Lima");
    harness_resp_clear(&resp);
    assert_null(emu_client_user_token(&emu, "ana.g@parleydemo.onmicrosoft.com", "Secret-123"));

    graph("DELETE", path, NULL, NULL, 204, &resp);
    harness_resp_clear(&resp);
    graph("GET", path, NULL, NULL, 404, &resp);
    harness_resp_clear(&resp);

    graph("POST", "/invitations", "{\"invitedUserEmailAddress\":\"greg@parleydemo.example\","
          "\"inviteRedirectUrl\":\"https://teams.microsoft.com\"}", NULL, 201, &resp);
    assert_string_equal(json_get_str(resp.json, "status"), "PendingAcceptance");
    const char *guest_id = json_get_str(json_object_get(resp.json, "invitedUser"), "id");
    char *guest_path = xasprintf("/users/%s?$select=userType,externalUserState,userPrincipalName",
                                 guest_id);
    harness_resp_clear(&resp);
    graph("GET", guest_path, NULL, NULL, 200, &resp);
    assert_string_equal(json_get_str(resp.json, "userType"), "Guest");
    assert_string_equal(json_get_str(resp.json, "externalUserState"), "PendingAcceptance");
    assert_string_equal(json_get_str(resp.json, "userPrincipalName"),
                        "greg_parleydemo.example#EXT#@parleydemo.onmicrosoft.com");
    harness_resp_clear(&resp);
    free(guest_path);
    free(path);
    free(id);
}

static void test_teams_and_groups(void **state)
{
    struct harness_resp resp;
    (void)state;
    graph("GET", "/teams", NULL, NULL, 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 3);
    char *team_id = xstrdup(json_get_str(json_array_get(json_object_get(resp.json, "value"), 0), "id"));
    harness_resp_clear(&resp);

    char *path = xasprintf("/teams/%s/members", team_id);
    graph("GET", path, NULL, NULL, 200, &resp);
    json_t *members = json_object_get(resp.json, "value");
    assert_int_equal(json_array_size(members), 6);               /* Engineering */
    json_t *owner = json_array_get(members, 0);
    assert_string_equal(json_get_str(json_array_get(json_object_get(owner, "roles"), 0) ? owner : NULL,
                                     "displayName"), "Alice Johnson");
    assert_non_null(json_get_str(owner, "userId"));
    harness_resp_clear(&resp);

    graph("GET", "/groups?$filter=resourceProvisioningOptions/Any(x:x%20eq%20'Team')", NULL, NULL, 200,
          &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 3);
    harness_resp_clear(&resp);
    graph("GET", "/groups", NULL, NULL, 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 5);
    harness_resp_clear(&resp);
    free(path);
    free(team_id);
}

static void test_groups_delta(void **state)
{
    struct harness_resp resp;
    (void)state;
    graph("GET", "/groups/delta?$select=displayName,members", NULL, NULL, 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 5);
    char *delta = xstrdup(json_get_str(resp.json, "@odata.deltaLink"));
    assert_non_null(delta);
    harness_resp_clear(&resp);

    graph("GET", delta, NULL, NULL, 200, &resp);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 0);
    free(delta);
    delta = xstrdup(json_get_str(resp.json, "@odata.deltaLink"));
    harness_resp_clear(&resp);

    /* Deleting Marco removes him from "All Staff" and "Interop Pilot". */
    graph("DELETE", "/users/marco@parleydemo.onmicrosoft.com", NULL, NULL, 204, &resp);
    harness_resp_clear(&resp);
    graph("GET", delta, NULL, NULL, 200, &resp);
    json_t *groups = json_object_get(resp.json, "value");
    assert_int_equal(json_array_size(groups), 2);
    json_t *changes = json_object_get(json_array_get(groups, 0), "members@delta");
    assert_int_equal(json_array_size(changes), 1);
    assert_non_null(json_object_get(json_array_get(changes, 0), "@removed"));
    harness_resp_clear(&resp);
    free(delta);
}

static void test_chats_as_users(void **state)
{
    struct harness_resp resp = {0};
    (void)state;
    char *alice = emu_client_user_token(&emu, "alice@parleydemo.onmicrosoft.com", PASSWORD);
    char *carol = emu_client_user_token(&emu, "carol@parleydemo.onmicrosoft.com", PASSWORD);
    assert_non_null(alice);
    assert_non_null(carol);
    const char *create =
        "{\"chatType\":\"group\",\"topic\":\"Launch\",\"members\":["
        "{\"@odata.type\":\"#microsoft.graph.aadUserConversationMember\",\"roles\":[\"owner\"],"
        "\"user@odata.bind\":\"https://graph.microsoft.com/v1.0/users('alice@parleydemo.onmicrosoft.com')\"},"
        "{\"@odata.type\":\"#microsoft.graph.aadUserConversationMember\",\"roles\":[\"owner\"],"
        "\"user@odata.bind\":\"https://graph.microsoft.com/v1.0/users('bob@parleydemo.onmicrosoft.com')\"}]}";
    assert_int_equal(emu_client_graph(&emu, alice, "POST", "/chats", create, NULL, &resp), 0);
    assert_int_equal(resp.status, 201);
    char *chat = xstrdup(json_get_str(resp.json, "id"));
    harness_resp_clear(&resp);

    /* Carol is not a member: she cannot read it; after being added she can. */
    char *messages = xasprintf("/chats/%s/messages", chat);
    assert_int_equal(emu_client_graph(&emu, carol, "GET", messages, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 404);
    harness_resp_clear(&resp);
    char *members = xasprintf("/chats/%s/members", chat);
    assert_int_equal(emu_client_graph(&emu, alice, "POST", members,
                                      "{\"user@odata.bind\":\"https://graph.microsoft.com/v1.0/users/"
                                      "carol@parleydemo.onmicrosoft.com\",\"roles\":[]}", NULL, &resp), 0);
    assert_int_equal(resp.status, 201);
    char *location = harness_resp_header(&resp, "Location");
    assert_non_null(location);
    harness_resp_clear(&resp);

    for (int i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"body\":{\"content\":\"message %d\"}}", i);
        assert_int_equal(emu_client_graph(&emu, alice, "POST", messages, body, NULL, &resp), 0);
        assert_int_equal(resp.status, 201);
        harness_resp_clear(&resp);
    }
    char *page = xasprintf("%s?$top=2", messages);
    assert_int_equal(emu_client_graph(&emu, carol, "GET", page, NULL, NULL, &resp), 0);
    json_t *values = json_object_get(resp.json, "value");
    assert_int_equal(json_array_size(values), 2);
    json_t *newest = json_array_get(values, 0);
    assert_string_equal(json_get_str(json_object_get(newest, "body"), "content"), "message 2");
    char *newest_id = xstrdup(json_get_str(newest, "id"));
    char *next = xstrdup(json_get_str(resp.json, "@odata.nextLink"));
    harness_resp_clear(&resp);
    assert_int_equal(emu_client_graph(&emu, carol, "GET", next, NULL, NULL, &resp), 0);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 1);
    assert_null(json_object_get(resp.json, "@odata.nextLink"));
    harness_resp_clear(&resp);

    /* Only the sender edits; soft delete empties the body. */
    char *one = xasprintf("%s/%s", messages, newest_id);
    assert_int_equal(emu_client_graph(&emu, carol, "PATCH", one, "{\"body\":{\"content\":\"x\"}}",
                                      NULL, &resp), 0);
    assert_int_equal(resp.status, 403);
    harness_resp_clear(&resp);
    assert_int_equal(emu_client_graph(&emu, alice, "PATCH", one, "{\"body\":{\"content\":\"edited\"}}",
                                      NULL, &resp), 0);
    assert_int_equal(resp.status, 204);
    harness_resp_clear(&resp);
    assert_int_equal(emu_client_graph(&emu, carol, "GET", one, NULL, NULL, &resp), 0);
    assert_string_equal(json_get_str(json_object_get(resp.json, "body"), "content"), "edited");
    assert_true(json_is_string(json_object_get(resp.json, "lastEditedDateTime")));
    harness_resp_clear(&resp);
    assert_int_equal(emu_client_graph(&emu, alice, "GET", "/me", NULL, NULL, &resp), 0);
    char *soft = xasprintf("/users/%s/chats/%s/messages/%s/softDelete",
                           json_get_str(resp.json, "id"), chat, newest_id);
    harness_resp_clear(&resp);
    assert_int_equal(emu_client_graph(&emu, alice, "POST", soft, NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 204);
    harness_resp_clear(&resp);
    assert_int_equal(emu_client_graph(&emu, carol, "GET", one, NULL, NULL, &resp), 0);
    assert_string_equal(json_get_str(json_object_get(resp.json, "body"), "content"), "");
    assert_true(json_is_string(json_object_get(resp.json, "deletedDateTime")));
    harness_resp_clear(&resp);

    assert_int_equal(emu_client_graph(&emu, carol, "GET", "/chats", NULL, NULL, &resp), 0);
    assert_int_equal(json_array_size(json_object_get(resp.json, "value")), 1);
    harness_resp_clear(&resp);

    free(soft);
    free(one);
    free(next);
    free(newest_id);
    free(page);
    free(location);
    free(members);
    free(messages);
    free(chat);
    free(alice);
    free(carol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users_paging),
        cmocka_unit_test(test_users_filter_and_get),
        cmocka_unit_test(test_users_write),
        cmocka_unit_test(test_teams_and_groups),
        cmocka_unit_test(test_groups_delta),
        cmocka_unit_test(test_chats_as_users),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
