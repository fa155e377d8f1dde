/* 12-connections.c - an org's platform connections through the admin API
 * of a real `parley serve`: save, show (never the secret), update keeping
 * the secret, delete; validation errors in words an admin can act on;
 * viewers read but cannot change; audit events; the connection test
 * against an address where nothing listens; the people listing's checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/harness.h"
#include "util/xmalloc.h"

#define OWNER    "owner@example.com"
#define VIEWER   "viewer@example.com"
#define PASSWORD "correct horse battery staple"
#define SECRET   "pa55-the-client-secret"
#define MS_PATH  "/api/orgs/acme/connections/microsoft"
#define MS_BODY  "{\"tenant_id\":\"5f1c2b7e-3a44-4c1d-9b8e-2d6f0a9c7e11\"," \
                 "\"client_id\":\"app-1\"," \
                 "\"client_secret\":\"" SECRET "\",\"graph_base\":\"https://127.0.0.1:1/v1.0\"," \
                 "\"authority_host\":\"https://127.0.0.1:1\"}"

static struct harness_hub hub;

struct session {
    struct harness_http *http;
    char *csrf_header;          /* "X-CSRF-Token: ..." */
};

static void sign_in(struct session *s, const char *email)
{
    s->http = harness_http_new(NULL);
    char *csrf = harness_hub_login(s->http, hub.url, email, PASSWORD);
    assert_non_null(csrf);
    s->csrf_header = xasprintf("X-CSRF-Token: %s", csrf);
    free(csrf);
}

static void sign_out(struct session *s)
{
    harness_http_free(s->http);
    free(s->csrf_header);
}

/* METHOD PATH with BODY (may be NULL) as S; the answer in *resp. */
static void call(struct session *s, const char *method, const char *path, const char *body,
                 struct harness_resp *resp)
{
    const char *headers[] = { s->csrf_header, "Content-Type: application/json", NULL };
    char *url = xasprintf("%s%s", hub.url, path);
    assert_int_equal(harness_http_do(s->http, method, url, headers, body, resp), 0);
    free(url);
}

static void expect(const struct harness_resp *resp, long status, const char *code)
{
    if (resp->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", status, resp->status, resp->body);
    assert_int_equal(resp->status, status);
    if (code)
        assert_string_equal(json_string_value(json_object_get(json_object_get(resp->json, "error"),
                                                              "code")), code);
}

static void expect_message(const struct harness_resp *resp, const char *words)
{
    const char *msg = json_string_value(json_object_get(json_object_get(resp->json, "error"),
                                                        "message"));
    if (!msg || !strstr(msg, words))
        fail_msg("expected \"%s\" in %s", words, resp->body);
}

static int group_setup(void **state)
{
    (void)state;
    char *dir = harness_tmpdir("parley-12-connections");

    if (!dir || harness_admin_create(dir, OWNER, "acme", "owner", PASSWORD) ||
        harness_admin_create(dir, VIEWER, "acme", "viewer", PASSWORD) ||
        harness_hub_start(&hub, dir, NULL, NULL)) {
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return harness_hub_discard(&hub) == 0 ? 0 : -1;
}

static void test_save_show_update_delete(void **state)
{
    (void)state;
    struct session s;
    struct harness_resp resp;

    sign_in(&s, OWNER);
    call(&s, "GET", "/api/orgs/acme/connections", NULL, &resp);
    expect(&resp, 200, NULL);
    assert_true(json_is_null(json_object_get(resp.json, "microsoft")));
    harness_resp_clear(&resp);

    call(&s, "PUT", MS_PATH, MS_BODY, &resp);
    expect(&resp, 201, NULL);
    assert_null(strstr(resp.body, SECRET));
    harness_resp_clear(&resp);

    /* Shown without the secret, only that one is set. */
    call(&s, "GET", MS_PATH, NULL, &resp);
    expect(&resp, 200, NULL);
    assert_null(strstr(resp.body, SECRET));
    assert_null(json_object_get(resp.json, "client_secret"));
    assert_true(json_is_true(json_object_get(resp.json, "client_secret_set")));
    assert_string_equal(json_string_value(json_object_get(resp.json, "client_id")), "app-1");
    harness_resp_clear(&resp);

    /* Changing a setting without the secret keeps the saved secret. */
    call(&s, "PUT", MS_PATH, "{\"tenant_id\":\"contoso.onmicrosoft.com\",\"client_id\":\"app-2\"}",
         &resp);
    expect(&resp, 200, NULL);
    assert_true(json_is_true(json_object_get(resp.json, "client_secret_set")));
    assert_string_equal(json_string_value(json_object_get(resp.json, "client_id")), "app-2");
    harness_resp_clear(&resp);

    call(&s, "DELETE", MS_PATH, NULL, &resp);
    expect(&resp, 204, NULL);
    harness_resp_clear(&resp);
    call(&s, "GET", MS_PATH, NULL, &resp);
    expect(&resp, 404, "not_found");
    harness_resp_clear(&resp);
    call(&s, "DELETE", MS_PATH, NULL, &resp);
    expect(&resp, 404, "not_found");
    harness_resp_clear(&resp);
    call(&s, "GET", "/api/orgs/acme/connections/slack", NULL, &resp);
    expect(&resp, 404, "not_found");
    harness_resp_clear(&resp);
    sign_out(&s);
}

static void expect_invalid(struct session *s, const char *path, const char *body, const char *words)
{
    struct harness_resp resp;
    call(s, "PUT", path, body, &resp);
    expect(&resp, 400, "invalid");
    expect_message(&resp, words);
    harness_resp_clear(&resp);
}

static void test_validation_errors(void **state)
{
    (void)state;
    struct session s;

    sign_in(&s, OWNER);
    expect_invalid(&s, MS_PATH, "{\"client_id\":\"c\",\"client_secret\":\"x\"}",
                   "tenant_id is required");
    expect_invalid(&s, MS_PATH, "{\"tenant_id\":\"t\",\"client_id\":\"c\"}",
                   "client_secret is required");
    expect_invalid(&s, MS_PATH, "{\"tenant_id\":\"t\",\"client_id\":\"c\",\"client_secret\":\"x\","
                   "\"graph_base\":\"graph.microsoft.com\"}", "graph_base must be an https:// URL");
    expect_invalid(&s, MS_PATH, "{\"tenant_id\":\"t\",\"client_id\":\"c\",\"client_secret\":\"x\","
                   "\"ca_file\":\"/nonexistent/ca.pem\"}", "cannot be read");
    expect_invalid(&s, "/api/orgs/acme/connections/google",
                   "{\"domain\":\"example.com\",\"admin_email\":\"admin@example.com\","
                   "\"service_account_key\":\"{\\\"type\\\":\\\"authorized_user\\\"}\"}",
                   "not a service-account key");
    expect_invalid(&s, "/api/orgs/acme/connections/google",
                   "{\"domain\":\"example.com\",\"admin_email\":\"admin\"}",
                   "admin_email must be an email address");
    sign_out(&s);
}

static void test_viewer_reads_but_cannot_change(void **state)
{
    (void)state;
    struct session owner, viewer;
    struct harness_resp resp;

    sign_in(&owner, OWNER);
    call(&owner, "PUT", MS_PATH, MS_BODY, &resp);
    expect(&resp, 201, NULL);
    harness_resp_clear(&resp);

    sign_in(&viewer, VIEWER);
    call(&viewer, "GET", MS_PATH, NULL, &resp);
    expect(&resp, 200, NULL);
    assert_null(strstr(resp.body, SECRET));
    harness_resp_clear(&resp);
    call(&viewer, "PUT", MS_PATH, MS_BODY, &resp);
    expect(&resp, 403, "forbidden");
    harness_resp_clear(&resp);
    call(&viewer, "DELETE", MS_PATH, NULL, &resp);
    expect(&resp, 403, "forbidden");
    harness_resp_clear(&resp);
    call(&viewer, "POST", MS_PATH "/test", NULL, &resp);
    expect(&resp, 403, "forbidden");
    harness_resp_clear(&resp);
    call(&viewer, "POST", "/api/orgs/acme/imports/google", "{}", &resp);
    expect(&resp, 403, "forbidden");
    harness_resp_clear(&resp);

    call(&owner, "DELETE", MS_PATH, NULL, &resp);
    expect(&resp, 204, NULL);
    harness_resp_clear(&resp);
    sign_out(&viewer);
    sign_out(&owner);
}

/* Whether the audit log holds ACTION on TARGET; fails if it shows SECRET. */
static int audited(struct session *s, const char *action, const char *target)
{
    struct harness_resp resp;
    json_t *e;
    size_t i;
    int found = 0;

    call(s, "GET", "/api/orgs/acme/audit?limit=200", NULL, &resp);
    expect(&resp, 200, NULL);
    assert_null(strstr(resp.body, SECRET));
    json_array_foreach(json_object_get(resp.json, "events"), i, e) {
        const char *t = json_string_value(json_object_get(e, "target"));
        if (strcmp(json_string_value(json_object_get(e, "action")), action) == 0 && t &&
            strcmp(t, target) == 0 &&
            strcmp(json_string_value(json_object_get(e, "actor")), "admin:" OWNER) == 0)
            found = 1;
    }
    harness_resp_clear(&resp);
    return found;
}

static void test_changes_are_audited(void **state)
{
    (void)state;
    struct session s;
    struct harness_resp resp;

    sign_in(&s, OWNER);
    call(&s, "PUT", MS_PATH, MS_BODY, &resp);
    harness_resp_clear(&resp);
    call(&s, "PUT", MS_PATH, MS_BODY, &resp);
    harness_resp_clear(&resp);
    call(&s, "DELETE", MS_PATH, NULL, &resp);
    harness_resp_clear(&resp);
    assert_true(audited(&s, "connection.create", "microsoft"));
    assert_true(audited(&s, "connection.update", "microsoft"));
    assert_true(audited(&s, "connection.delete", "microsoft"));
    sign_out(&s);
}

/* Nothing listens on 127.0.0.1:1: the test answers 200 with ok false and a
 * network error the admin can read. */
static void test_connection_test_reports_network_error(void **state)
{
    (void)state;
    struct session s;
    struct harness_resp resp;

    sign_in(&s, OWNER);
    call(&s, "PUT", MS_PATH, MS_BODY, &resp);
    expect(&resp, 201, NULL);
    harness_resp_clear(&resp);
    call(&s, "POST", MS_PATH "/test", NULL, &resp);
    expect(&resp, 200, NULL);
    assert_true(json_is_false(json_object_get(resp.json, "ok")));
    assert_string_equal(json_string_value(json_object_get(resp.json, "code")), "network");
    const char *msg = json_string_value(json_object_get(resp.json, "message"));
    assert_non_null(msg);
    assert_true(strlen(msg) > 10);
    assert_null(strstr(resp.body, SECRET));
    harness_resp_clear(&resp);
    assert_true(audited(&s, "connection.test", "microsoft"));

    /* Without a connection the teams list says what to do. */
    call(&s, "DELETE", MS_PATH, NULL, &resp);
    harness_resp_clear(&resp);
    call(&s, "GET", "/api/orgs/acme/microsoft/teams", NULL, &resp);
    expect(&resp, 409, "not_connected");
    expect_message(&resp, "Settings > Connections");
    harness_resp_clear(&resp);
    sign_out(&s);
}

static void test_people_listing_checks_its_query(void **state)
{
    (void)state;
    struct session s;
    struct harness_resp resp;

    sign_in(&s, VIEWER);
    call(&s, "GET", "/api/orgs/acme/people?q=nobody&sort=email", NULL, &resp);
    expect(&resp, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(resp.json, "people")), 0);
    assert_int_equal(json_integer_value(json_object_get(resp.json, "total")), 0);
    assert_true(json_is_null(json_object_get(resp.json, "next")));
    harness_resp_clear(&resp);
    call(&s, "GET", "/api/orgs/acme/people?sort=age", NULL, &resp);
    expect(&resp, 400, "invalid");
    harness_resp_clear(&resp);
    call(&s, "GET", "/api/orgs/acme/people?platform=slack", NULL, &resp);
    expect(&resp, 400, "invalid");
    harness_resp_clear(&resp);
    call(&s, "GET", "/api/orgs/acme/people?after=garbage", NULL, &resp);
    expect(&resp, 400, "invalid");
    harness_resp_clear(&resp);
    sign_out(&s);
}

/* Run SCRIPT (sh -c) with $PARLEY and $DATA set; returns the exit code,
 * the output (stdout + stderr) in *output (the caller frees it). */
static int run_cli(const char *script, char **output)
{
    char *log = xasprintf("%s/cli.log", hub.data_dir);
    char *parley = xasprintf("PARLEY=%s", harness_bin("parley"));
    char *data = xasprintf("DATA=%s", hub.data_dir);
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    const char *env[] = { parley, data, "PARLEY_MASTER_KEY_FILE", NULL };

    unlink(log);
    struct harness_proc *p = harness_proc_start(argv, env, log);
    assert_non_null(p);
    int status = harness_proc_stop(p, 0, 30000);
    harness_proc_free(p);
    *output = harness_read_file(log);
    free(data);
    free(parley);
    free(log);
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli_connect(void **state)
{
    (void)state;
    struct session s;
    struct harness_resp resp;
    char *out = NULL;

    /* A secret on the command line is not an option. */
    assert_int_equal(run_cli("\"$PARLEY\" connect microsoft --org acme --data \"$DATA\" "
                             "--tenant-id t --client-id c --client-secret " SECRET, &out), 2);
    assert_non_null(strstr(out, "client-secret"));
    free(out);
    /* A setting that fails its check: exit 2 and the reason. */
    assert_int_equal(run_cli("echo " SECRET " | \"$PARLEY\" connect microsoft --org acme "
                             "--data \"$DATA\" --tenant-id t --client-id c --client-secret-stdin "
                             "--graph-base http://graph.example.com", &out), 2);
    assert_non_null(strstr(out, "graph_base must use https://"));
    free(out);
    assert_int_equal(run_cli("echo " SECRET " | \"$PARLEY\" connect microsoft --org nope "
                             "--data \"$DATA\" --tenant-id t --client-id c --client-secret-stdin",
                             &out), 1);
    assert_non_null(strstr(out, "no organisation named \"nope\""));
    free(out);

    assert_int_equal(run_cli("echo " SECRET " | \"$PARLEY\" connect microsoft --org acme "
                             "--data \"$DATA\" --tenant-id cli-tenant --client-id cli-app "
                             "--client-secret-stdin", &out), 0);
    assert_non_null(strstr(out, "saved the microsoft connection"));
    free(out);

    /* The running hub sees it, encrypted under the same master key. */
    sign_in(&s, OWNER);
    call(&s, "GET", MS_PATH, NULL, &resp);
    expect(&resp, 200, NULL);
    assert_string_equal(json_string_value(json_object_get(resp.json, "tenant_id")), "cli-tenant");
    assert_true(json_is_true(json_object_get(resp.json, "client_secret_set")));
    harness_resp_clear(&resp);
    call(&s, "DELETE", MS_PATH, NULL, &resp);
    expect(&resp, 204, NULL);
    harness_resp_clear(&resp);
    sign_out(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_show_update_delete),
        cmocka_unit_test(test_validation_errors),
        cmocka_unit_test(test_viewer_reads_but_cannot_change),
        cmocka_unit_test(test_changes_are_audited),
        cmocka_unit_test(test_connection_test_reports_network_error),
        cmocka_unit_test(test_people_listing_checks_its_query),
        cmocka_unit_test(test_cli_connect),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
