/* 20-connectors-accounts.c - secondary accounts through both connectors
 * against build/parley-emu: a Teams guest's whole life (create as a Guest
 * with the person's mail, verify by ROPC with the generated password, find,
 * EXISTS, delete twice), a wrong password, a taken mail (otherMails), a 429
 * on POST /users retried; a Google interop account's life, an unknown
 * interop domain, and an org unit plus missing Chat delegation (a second
 * emulator). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/connectors_fixture.h"

/* ---- secondary accounts ---- */

/* GET the Graph user ID as the app ($select SELECT); the status, *user a
 * new reference (NULL unless 200). */
static long graph_user(const char *id, const char *select, json_t **user)
{
    struct harness_resp resp = { 0 };
    char *token = emu_client_app_token(&E);
    char *path = xasprintf("/users/%s?$select=%s", id, select);
    long status;

    assert_non_null(token);
    assert_int_equal(emu_client_graph(&E, token, "GET", path, NULL, NULL, &resp), 0);
    status = resp.status;
    *user = status == 200 ? json_incref(resp.json) : NULL;
    harness_resp_clear(&resp);
    free(path);
    free(token);
    return status;
}

static const struct platform_account_spec greg = {
    .person_email = "Greg@ParleyDemo.example", .display_name = "Greg Wilson",
    .given_name = "Greg", .family_name = "Wilson",
};
#define GREG_GUEST "greg_parleydemo.example@parleydemo.onmicrosoft.com"

/* The whole life of a guest account: login from the tenant's initial
 * domain, create (a Guest with the person's mail), verify by ROPC with the
 * generated password, find, create again (EXISTS, the account named),
 * delete, delete again. */
static void test_ms_guest_lifecycle(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 }, found = { 0 }, again = { 0 };
    struct platform_error err;
    char *login = ops->account_login(conn, &greg);
    json_t *user = NULL;

    (void)state;
    assert_string_equal(login, GREG_GUEST);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);

    assert_int_equal(ops->account_create(conn, &greg, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, GREG_GUEST);
    assert_non_null(acc.external_id);
    assert_non_null(acc.password);
    assert_int_equal(strlen(acc.password), 24);
    assert_int_equal(graph_user(acc.external_id, "userType,userPrincipalName,displayName,mail,"
                                "accountEnabled,givenName,surname", &user), 200);
    assert_string_equal(json_get_str(user, "userType"), "Guest");
    assert_string_equal(json_get_str(user, "userPrincipalName"), GREG_GUEST);
    assert_string_equal(json_get_str(user, "displayName"), "Greg Wilson (Google Chat)");
    assert_string_equal(json_get_str(user, "mail"), "Greg@ParleyDemo.example");
    assert_string_equal(json_get_str(user, "surname"), "Wilson");
    assert_true(json_get_bool(user, "accountEnabled", 0));
    json_decref(user);

    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_OK);
    assert_string_equal(found.external_id, acc.external_id);
    assert_null(found.password);
    platform_account_clear(&found);

    assert_int_equal(ops->account_create(conn, &greg, &again, &err), PARLEY_ERR_EXISTS);
    assert_non_null(strstr(err.message, "already exists"));
    assert_string_equal(again.external_id, acc.external_id);
    assert_null(again.password);

    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    assert_int_equal(graph_user(acc.external_id, "id", &user), 404);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);
    platform_account_clear(&acc);
    platform_account_clear(&found);
    platform_account_clear(&again);
    free(login);
    close_conn(conn);
}

/* A wrong password is refused by the sign-in, in the admin's words; a
 * guest without a password cannot be verified at all. */
static void test_ms_guest_verify_refused(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 };
    struct platform_error err;
    char *good;

    (void)state;
    assert_int_equal(ops->account_create(conn, &greg, &acc, &err), PARLEY_OK);
    good = acc.password;
    acc.password = xstrdup("Not-the-passw0rd!");
    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_ERR_AUTH);
    assert_non_null(strstr(err.message, "AADSTS50126"));
    assert_null(strstr(err.message, "Not-the-passw0rd!"));
    platform_secret_free(acc.password);
    acc.password = NULL;
    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_ERR_INVALID);
    acc.password = good;
    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_OK);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
}

/* The person's email is already an address of another tenant account:
 * the guest is created with it in otherMails instead of mail. */
static void test_ms_guest_mail_taken(void **state)
{
    static const struct platform_account_spec bob = {
        .person_email = "bob@parleydemo.onmicrosoft.com", .display_name = "Bob M",
    };
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 };
    struct platform_error err;
    json_t *user = NULL;

    (void)state;
    assert_int_equal(ops->account_create(conn, &bob, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, "bob_parleydemo.onmicrosoft.com@parleydemo.onmicrosoft.com");
    assert_int_equal(graph_user(acc.external_id, "mail,displayName", &user), 200);
    assert_true(json_is_null(json_object_get(user, "mail")) || !json_object_get(user, "mail"));
    assert_string_equal(json_get_str(user, "displayName"), "Bob M (Google Chat)");
    json_decref(user);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
}

/* A 429 on POST /users is retried after Retry-After; guest_domain set
 * replaces the tenant's initial domain (no GET /organization). */
static void test_ms_guest_create_throttled(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn;
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 };
    struct platform_error err;

    (void)state;
    s.guest_domain = "guests.parleydemo.onmicrosoft.com";
    conn = open_conn(&s);
    clear_request_log();
    inject_fault("POST", 1, 429, 1);
    assert_int_equal(ops->account_create(conn, &greg, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, "greg_parleydemo.example@guests.parleydemo.onmicrosoft.com");
    assert_int_equal(logged(429, "/v1.0/users"), 1);
    assert_int_equal(logged(201, "/v1.0/users"), 1);
    assert_int_equal(logged(200, "/v1.0/organization"), 0);
    assert_int_equal(nwaits, 1);
    assert_true(waits[0] >= 1000);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
}

static const struct platform_account_spec alice = {
    .person_email = "alice@parleydemo.onmicrosoft.com", .display_name = "Alice Johnson",
    .given_name = "Alice", .family_name = "Johnson",
};
#define ALICE_INTEROP "alice_parleydemo.onmicrosoft.com@parleydemo.example"

/* What a listing saw of one person (by email). */
struct person_seen {
    const char *email;
    int found;
    char given[64], family[64], display[128];
};

static enum parley_err on_person(const struct platform_person *people, size_t count, void *arg)
{
    struct person_seen *seen = arg;

    for (size_t i = 0; i < count; i++) {
        if (strcmp(people[i].email, seen->email) != 0)
            continue;
        seen->found++;
        snprintf(seen->given, sizeof seen->given, "%s", people[i].given_name);
        snprintf(seen->family, sizeof seen->family, "%s", people[i].family_name);
        snprintf(seen->display, sizeof seen->display, "%s", people[i].display_name);
    }
    return PARLEY_OK;
}

/* An interop account: create (in the Directory with the expected names),
 * verify (a delegated Chat token and a Chat call as it), find, create
 * again (EXISTS), delete, delete again. */
static void test_google_interop_lifecycle(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct platform_account acc = { 0 }, found = { 0 }, again = { 0 };
    struct person_seen seen = { .email = ALICE_INTEROP };
    struct platform_error err;
    char *login = ops->account_login(conn, &alice);

    (void)state;
    assert_string_equal(login, ALICE_INTEROP);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(ops->account_create(conn, &alice, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, ALICE_INTEROP);
    assert_non_null(acc.external_id);
    assert_null(acc.password);

    assert_int_equal(ops->list_users(conn, on_person, &seen, &err), PARLEY_OK);
    assert_int_equal(seen.found, 1);
    assert_string_equal(seen.given, "Alice");
    assert_string_equal(seen.family, "Johnson (Teams)");
    assert_string_equal(seen.display, "Alice Johnson (Teams)");

    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_OK);
    assert_string_equal(found.external_id, acc.external_id);
    platform_account_clear(&found);
    assert_int_equal(ops->account_create(conn, &alice, &again, &err), PARLEY_ERR_EXISTS);
    assert_string_equal(again.external_id, acc.external_id);

    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    platform_account_clear(&found);
    platform_account_clear(&again);
    free(login);
    close_conn(conn);
    free(key);
}

/* An interop domain the Workspace does not have: Google's "Domain not
 * found." becomes a permanent INVALID naming the setting. */
static void test_google_interop_unknown_domain(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_conn *conn;
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct platform_account acc = { 0 };
    struct platform_error err;

    (void)state;
    s.interop_domain = "not-ours.example";
    conn = open_conn(&s);
    assert_int_equal(ops->account_create(conn, &alice, &acc, &err), PARLEY_ERR_INVALID);
    assert_int_equal(err.http_status, 404);
    assert_false(err.retryable);
    assert_non_null(strstr(err.message, "interop domain not-ours.example is not a domain of "
                                        "this Google Workspace"));
    assert_non_null(strstr(err.message, "Domain not found."));
    assert_null(acc.external_id);
    close_conn(conn);
    free(key);
}

/* A service account allowed the Directory but not Chat (a second
 * emulator, plain HTTP on loopback): the interop account is created in
 * the org unit asked for, and verify names the delegation to add. */
static void test_google_interop_without_chat_delegation(void **state)
{
    static const char seed[] =
        "{\"google\": {\"admin_email\": \"admin@example.com\",\n"
        " \"service_account\": {\"client_email\": \"p@proj.iam.gserviceaccount.com\",\n"
        "   \"client_id\": \"333333333333333333333\",\n"
        "   \"scopes\": [\"" GOOGLE_CLIENT_SCOPE "admin.directory.user\"]}}}\n";
    struct google_client g;
    struct platform_account acc = { 0 };
    struct platform_error err;
    struct harness_resp resp = { 0 };
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct platform_conn *conn;
    char *key_json, *token;

    (void)state;
    assert_int_equal(google_client_start(&g, seed, NULL), 0);
    key_json = json_dumps(g.key, 0);
    struct platform_settings s = {
        .kind = PLATFORM_GOOGLE, .admin_email = "admin@example.com",
        .service_account_json = key_json, .root_url = g.root,
        .interop_org_unit = "/Teams Interop",
    };
    conn = open_conn(&s);
    assert_int_equal(ops->account_create(conn, &alice, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, "alice_parleydemo.onmicrosoft.com@example.com");
    token = google_client_token(&g, "admin@example.com", "admin.directory.user");
    assert_non_null(token);
    assert_int_equal(google_client_call(&g, "GET", token, NULL, &resp,
                                        "admin/directory/v1/users/%s", acc.external_id), 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(json_get_str(resp.json, "primaryEmail"), acc.login);
    assert_string_equal(json_get_str(resp.json, "orgUnitPath"), "/Teams Interop");
    assert_string_equal(json_get_str(json_object_get(resp.json, "name"), "familyName"),
                        "Johnson (Teams)");
    harness_resp_clear(&resp);

    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "acting as " "alice_parleydemo.onmicrosoft.com@example.com"));
    assert_non_null(strstr(err.message, "domain-wide delegation is not granted for client ID "
                                        "333333333333333333333"));
    assert_non_null(strstr(err.message, "chat.messages,"));
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
    free(token);
    free(key_json);
    assert_int_equal(google_client_stop(&g), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_guest_lifecycle),
        cmocka_unit_test(test_ms_guest_verify_refused),
        cmocka_unit_test(test_ms_guest_mail_taken),
        cmocka_unit_test(test_ms_guest_create_throttled),
        cmocka_unit_test(test_google_interop_lifecycle),
        cmocka_unit_test(test_google_interop_unknown_domain),
        cmocka_unit_test(test_google_interop_without_chat_delegation),
    };
    return cmocka_run_group_tests_name("integration/connectors-accounts", tests, setup, teardown);
}
