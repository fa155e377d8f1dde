/* 55-emu-google-directory.c - the emulated Admin SDK Directory over real
 * HTTP: users paging and queries, ids stable for a seed, insert / patch /
 * delete, groups and members. */
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

/* ---- Directory ---- */

static void test_users_paging_and_queries(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "admin.directory.user.readonly");
    struct harness_resp r;
    char *page_token = NULL;
    size_t seen = 0, pages = 0;

    /* 3 seeded + admin + 5 generated = 9 users, 2 per page. */
    do {
        char *escaped = page_token ? curl_easy_escape(NULL, page_token, 0) : NULL;
        call("GET", t, NULL, &r, "/admin/directory/v1/users?customer=my_customer&maxResults=2%s%s",
             escaped ? "&pageToken=" : "", escaped ? escaped : "");
        curl_free(escaped);
        assert_int_equal(r.status, 200);
        seen += json_array_size(json_object_get(r.json, "users"));
        pages++;
        free(page_token);
        page_token = xstrdup(json_string_value(json_object_get(r.json, "nextPageToken")));
        harness_resp_clear(&r);
    } while (page_token);
    assert_int_equal(seen, 9);
    assert_int_equal(pages, 5);

    expect_status(400, "GET", t, NULL,
                  "/admin/directory/v1/users?customer=my_customer&maxResults=501");
    expect_status(400, "GET", t, NULL, "/admin/directory/v1/users");
    expect_status(403, "GET", t, NULL, "/admin/directory/v1/users?domain=other.example");

    call("GET", t, NULL, &r, "/admin/directory/v1/users?domain=example.com&query=isSuspended%%3Dtrue");
    json_t *users = json_object_get(r.json, "users");
    assert_int_equal(json_array_size(users), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(users, 0), "primaryEmail")),
                        "bob@example.com");
    harness_resp_clear(&r);

    call("GET", t, NULL, &r,
         "/admin/directory/v1/users?customer=C0test01&query=familyName%%3ANg&orderBy=email&"
         "sortOrder=DESCENDING");
    users = json_object_get(r.json, "users");
    assert_int_equal(json_array_size(users), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(users, 0), "primaryEmail")),
                        "cat@example.com");
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/admin/directory/v1/users?customer=my_customer&query=email%%3Auser0*");
    assert_int_equal(json_array_size(json_object_get(r.json, "users")), 5);
    harness_resp_clear(&r);

    expect_status(400, "GET", t, NULL,
                  "/admin/directory/v1/users?customer=my_customer&query=bogus%%3Dx");

    call("GET", t, NULL, &r, "/admin/directory/v1/users/nobody@example.com");
    assert_int_equal(r.status, 404);
    assert_string_equal(err_reason(&r), "notFound");
    harness_resp_clear(&r);
    free(t);
}

static void test_user_ids_are_stable_for_a_seed(void **state)
{
    (void)state;
    struct google_client again;
    struct harness_resp r;
    char *t = token_for(&E, "admin@example.com", "admin.directory.user.readonly");
    call("GET", t, NULL, &r, "/admin/directory/v1/users/ann@example.com");
    char *id = xstrdup(json_string_value(json_object_get(r.json, "id")));
    assert_int_equal(strlen(id), 21);
    harness_resp_clear(&r);
    free(t);

    assert_int_equal(google_client_start(&again, SEED, NULL), 0);
    t = token_for(&again, "admin@example.com", "admin.directory.user.readonly");
    assert_int_equal(google_client_call(&again, "GET", t, NULL, &r,
                                        "/admin/directory/v1/users/ann@example.com"), 0);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), id);
    harness_resp_clear(&r);
    free(t);
    free(id);
    assert_int_equal(google_client_stop(&again), 0);
}

static void test_user_insert_patch_delete(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "admin.directory.user");
    struct harness_resp r;
    const char *body = "{\"primaryEmail\": \"Dan@example.com\", \"password\": \"Passw0rd-long\","
                       " \"name\": {\"givenName\": \"Dan\", \"familyName\": \"Ho\"},"
                       " \"orgUnitPath\": \"/Teams Interop\", \"isAdmin\": true}";

    call("POST", t, body, &r, "/admin/directory/v1/users");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "primaryEmail")), "dan@example.com");
    assert_false(json_is_true(json_object_get(r.json, "isAdmin")));
    char *id = xstrdup(json_string_value(json_object_get(r.json, "id")));
    harness_resp_clear(&r);

    call("POST", t, body, &r, "/admin/directory/v1/users");
    assert_int_equal(r.status, 409);
    assert_string_equal(err_reason(&r), "duplicate");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
                        "Entity already exists.");
    harness_resp_clear(&r);

    expect_status(400, "POST", t, "{\"primaryEmail\": \"eve@example.com\", \"password\": \"short\","
                    " \"name\": {\"givenName\": \"Eve\", \"familyName\": \"X\"}}", "/admin/directory/v1/users");

    call("PATCH", t, "{\"suspended\": true, \"name\": {\"givenName\": \"Daniel\"}}", &r,
         "/admin/directory/v1/users/%s", id);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "suspended")));
    json_t *name = json_object_get(r.json, "name");
    assert_string_equal(json_string_value(json_object_get(name, "givenName")), "Daniel");
    assert_string_equal(json_string_value(json_object_get(name, "familyName")), "Ho");
    harness_resp_clear(&r);

    expect_status(409, "PATCH", t, "{\"primaryEmail\": \"ann@example.com\"}",
         "/admin/directory/v1/users/dan@example.com");

    expect_status(204, "DELETE", t, NULL, "/admin/directory/v1/users/dan@example.com");
    expect_status(404, "GET", t, NULL, "/admin/directory/v1/users/%s", id);
    call("GET", t, NULL, &r, "/admin/directory/v1/users?customer=my_customer&showDeleted=true");
    json_t *users = json_object_get(r.json, "users");
    assert_int_equal(json_array_size(users), 1);
    assert_non_null(json_object_get(json_array_get(users, 0), "deletionTime"));
    harness_resp_clear(&r);

    /* Undelete by id, then makeAdmin. */
    expect_status(204, "POST", t, "{\"orgUnitPath\": \"/\"}",
                  "/admin/directory/v1/users/%s/undelete", id);
    expect_status(204, "POST", t, "{\"status\": true}",
                  "/admin/directory/v1/users/dan@example.com/makeAdmin");
    call("GET", t, NULL, &r, "/admin/directory/v1/users/%s", id);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "isAdmin")));
    assert_string_equal(json_string_value(json_object_get(r.json, "orgUnitPath")), "/");
    harness_resp_clear(&r);
    expect_status(204, "DELETE", t, NULL, "/admin/directory/v1/users/%s", id);
    free(id);
    free(t);
}

static void test_groups_and_members(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "admin.directory.group.readonly");
    struct harness_resp r;

    call("GET", t, NULL, &r, "/admin/directory/v1/groups?customer=my_customer");
    assert_int_equal(r.status, 200);
    json_t *grp = json_array_get(json_object_get(r.json, "groups"), 0);
    assert_string_equal(json_string_value(json_object_get(grp, "email")), "eng@example.com");
    assert_string_equal(json_string_value(json_object_get(grp, "directMembersCount")), "3");
    char *id = xstrdup(json_string_value(json_object_get(grp, "id")));
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/admin/directory/v1/groups?userKey=admin@example.com");
    assert_null(json_object_get(r.json, "groups"));
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/admin/directory/v1/groups/%s/members?maxResults=2", id);
    assert_int_equal(r.status, 200);
    json_t *members = json_object_get(r.json, "members");
    assert_int_equal(json_array_size(members), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(members, 0), "type")), "USER");
    assert_string_equal(json_string_value(json_object_get(json_array_get(members, 0), "status")),
                        "ACTIVE");
    assert_non_null(json_object_get(r.json, "nextPageToken"));
    harness_resp_clear(&r);

    expect_status(404, "GET", t, NULL, "/admin/directory/v1/groups/nope@example.com/members");
    free(id);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users_paging_and_queries),
        cmocka_unit_test(test_user_ids_are_stable_for_a_seed),
        cmocka_unit_test(test_user_insert_patch_delete),
        cmocka_unit_test(test_groups_and_members),
    };
    return cmocka_run_group_tests_name("integration/emu-google-directory", tests, setup, teardown);
}
