/* 20-connectors-google.c - the Google connector against build/parley-emu
 * over HTTPS: test ok; a key that is not the service account's
 * (invalid_grant); an admin_email that is not an admin (403); domain-wide
 * delegation without the scope (a second emulator, plain HTTP on loopback);
 * users across pages with the suspended ones flagged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/connectors_fixture.h"

/* ---- Google ---- */

static void test_google_test_ok(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_error err;

    (void)state;
    assert_int_equal(test_settings(&s, &err), PARLEY_OK);
    free(key);
}

/* A copy of the key file with another RSA key: Google's invalid_grant. */
static void test_google_wrong_key(void **state)
{
    char *key, *pem, *other_json;
    struct platform_settings s = google_settings(&key);
    struct platform_error err;
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    json_t *doc = json_loads(key, 0, NULL);

    (void)state;
    assert_non_null(rsa);
    pem = test_tls_key_pem(rsa);
    assert_non_null(pem);
    json_object_set_new(doc, "private_key", json_string(pem));
    other_json = json_dumps(doc, 0);
    s.service_account_json = other_json;
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_AUTH);
    assert_non_null(strstr(err.message, "invalid_grant"));
    assert_non_null(strstr(err.message, "private key does not belong to the service account"));
    assert_false(err.retryable);
    free(other_json);
    json_decref(doc);
    free(pem);
    EVP_PKEY_free(rsa);
    free(key);
}

static void test_google_not_admin(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_error err;

    (void)state;
    s.admin_email = "priya@parleydemo.example";
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_FORBIDDEN);
    assert_int_equal(err.http_status, 403);
    assert_non_null(strstr(err.message, "priya@parleydemo.example"));
    assert_non_null(strstr(err.message, "super admin"));
    free(key);
}

/* A service account whose delegation lacks the Directory scope: the
 * message names the client ID and the scopes to add. */
static void test_google_dwd_missing(void **state)
{
    static const char seed[] =
        "{\"google\": {\"admin_email\": \"admin@example.com\",\n"
        " \"service_account\": {\"client_email\": \"p@proj.iam.gserviceaccount.com\",\n"
        "   \"client_id\": \"222222222222222222222\",\n"
        "   \"scopes\": [\"" GOOGLE_CLIENT_SCOPE "chat.messages\"]}}}\n";
    struct google_client g;
    struct platform_error err;
    char *key_json;

    (void)state;
    assert_int_equal(google_client_start(&g, seed, NULL), 0);
    key_json = json_dumps(g.key, 0);
    struct platform_settings s = {
        .kind = PLATFORM_GOOGLE,
        .admin_email = "admin@example.com",
        .service_account_json = key_json,
        .root_url = g.root,                     /* http:// on loopback: allowed */
    };
    assert_int_equal(strncmp(g.root, "http://", 7), 0);
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "domain-wide delegation is not granted for client ID "
                                        "222222222222222222222"));
    assert_non_null(strstr(err.message, "admin.directory.user.readonly"));
    assert_non_null(strstr(err.message, "Security > API controls > Domain-wide delegation"));
    free(key_json);
    assert_int_equal(google_client_stop(&g), 0);
}

static void test_google_users_paged(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct people_seen users = { 0 };
    struct teams_seen teams = { 0 };
    struct platform_error err;
    int total = G_DEMO_USERS + G_SUSPENDED + G_GENERATED_USERS;

    (void)state;
    assert_int_equal(ops->list_users(conn, on_people, &users, &err), PARLEY_OK);
    assert_int_equal(users.people, total);
    assert_int_equal(users.pages, (total + 499) / 500);
    assert_int_equal(users.suspended, G_SUSPENDED);
    assert_int_equal(users.with_names, total);
    assert_true(seen_email(&users, "greg@parleydemo.example"));

    assert_int_equal(ops->list_teams(conn, on_teams, &teams, &err), PARLEY_ERR_UNSUPPORTED);
    assert_int_equal(ops->list_team_members(conn, "x", on_people, &users, &err),
                     PARLEY_ERR_UNSUPPORTED);
    close_conn(conn);
    free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_google_test_ok),
        cmocka_unit_test(test_google_wrong_key),
        cmocka_unit_test(test_google_not_admin),
        cmocka_unit_test(test_google_dwd_missing),
        cmocka_unit_test(test_google_users_paged),
    };
    return cmocka_run_group_tests_name("integration/connectors-google", tests, setup, teardown);
}
