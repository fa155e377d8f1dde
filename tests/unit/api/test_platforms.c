/* test_platforms.c - the API endpoints that reach a platform, with a fake
 * connector in place of Graph and Google: the teams list marked with what
 * was imported, the connection test's answer in the admin's words, a
 * platform refusal as 502, starting imports (one per org and platform at a
 * time), and the people listing's keyset paging and filters.
 *
 * The API runs in-process on a loopback http_server over a temporary
 * SQLite store, as in test_route.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/harness.c"

#include "api/api.h"
#include "auth/password.h"
#include "http/router.h"
#include "http/server.h"
#include "platform/connection.h"
#include "store/store.h"
#include "util/log.h"
#include "util/secret.h"

#define PASSWORD "a password for tests"

/* ---- the fake connector ---- */

static struct {
    enum parley_err test_rc;     /* what test() and list_teams() answer */
    int opened, closed;
} fake;

static enum parley_err on_open(const struct platform_settings *s, struct platform_conn **out,
                               struct platform_error *err)
{
    (void)s;
    (void)err;
    fake.opened++;
    *out = (struct platform_conn *)&fake;
    return PARLEY_OK;
}

static void on_close(struct platform_conn *conn)
{
    (void)conn;
    fake.closed++;
}

static enum parley_err fail_like_a_platform(struct platform_error *err)
{
    if (fake.test_rc == PARLEY_ERR_AUTH)
        platform_error_set(err, fake.test_rc, 401, "The client secret is wrong (AADSTS7000215).");
    else if (fake.test_rc)
        platform_error_set(err, fake.test_rc, 0, "Cannot reach login.example.test: refused.");
    return fake.test_rc;
}

static enum parley_err on_test(struct platform_conn *conn, struct platform_error *err)
{
    (void)conn;
    return fail_like_a_platform(err);
}

static enum parley_err on_list_teams(struct platform_conn *conn, platform_teams_fn fn, void *arg,
                                     struct platform_error *err)
{
    (void)conn;
    const struct platform_team page1[] = { { "team-a", "Engineering", "Builds things", 6 } };
    const struct platform_team page2[] = { { "team-b", "Sales", NULL, -1 } };
    enum parley_err rc;

    if (fake.test_rc)
        return fail_like_a_platform(err);
    if ((rc = fn(page1, 1, arg)))
        return rc;
    return fn(page2, 1, arg);
}

static const struct platform_ops fake_ops = {
    .kind = PLATFORM_MICROSOFT, .open = on_open, .close = on_close, .test = on_test,
    .list_teams = on_list_teams,
};

static const struct platform_ops *fake_ops_for(enum platform_kind kind)
{
    (void)kind;
    return &fake_ops;
}

/* ---- the fixture: a hub with an owner of acme ---- */

struct fixture {
    char *dir;
    struct store *st;
    struct secret_key *key;
    struct api *api;
    struct http_router *router;
    struct http_server *srv;
    char base[64];
    long long acme;
    struct harness_http *http;
    char csrf[128];
};

static struct fixture fx;

static void add_person(const char *email, const char *name, const char *platform)
{
    struct store_person_new p = { fx.acme, email, name, NULL, NULL, platform };
    struct store_identity_new ident = { 0, platform, "native", email, email, NULL };
    long long id = 0;

    assert_int_equal(store_person_upsert(fx.st, &p, clock_now_ms(), &id, NULL), PARLEY_OK);
    ident.person_id = id;
    assert_int_equal(store_identity_upsert(fx.st, &ident, clock_now_ms(), &id, NULL), PARLEY_OK);
}

static void seed(void)
{
    struct platform_source src = { fx.st, fx.key, fake_ops_for };
    struct platform_connection c = { .kind = PLATFORM_MICROSOFT };
    struct store_team_new team = { fx.acme, "microsoft", "team-a", "Engineering", NULL, 6 };
    char *hash = NULL, why[256];
    long long id = 0;

    assert_int_equal(auth_password_hash(PASSWORD, &hash), PARLEY_OK);
    assert_int_equal(store_admin_create(fx.st, "owner@acme.test", hash, &id), PARLEY_OK);
    assert_int_equal(store_admin_role_set(fx.st, id, fx.acme, "owner"), PARLEY_OK);
    free(hash);
    c.tenant_id = xstrdup("tenant");
    c.client_id = xstrdup("client");
    c.secret = xstrdup("secret");
    assert_int_equal(platform_connection_save(&src, fx.acme, &c, NULL, why, sizeof why), PARLEY_OK);
    platform_connection_clear(&c);
    assert_int_equal(store_team_upsert(fx.st, &team, clock_now_ms(), &id, NULL), PARLEY_OK);
    assert_int_equal(store_team_mark_imported(fx.st, id, 1764180000000LL), PARLEY_OK);
    add_person("carol@acme.test", "Carol Nguyen", "microsoft");
    add_person("alice@acme.test", "Alice Johnson", "microsoft");
    add_person("bob@acme.test", "Bob Martinez", "google");
}

static int group_setup(void **state)
{
    (void)state;
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .log_module = "http" };
    char *url, *key_path;

    log_set_level(LOG_WARN);
    fx.dir = harness_tmpdir("parley-test-platforms");
    url = xasprintf("sqlite:%s/parley.db", fx.dir);
    key_path = xasprintf("%s/master.key", fx.dir);
    assert_int_equal(store_open(url, &fx.st), PARLEY_OK);
    assert_int_equal(store_migrate(fx.st, NULL), PARLEY_OK);
    assert_int_equal(secret_key_load(key_path, 1, &fx.key), PARLEY_OK);
    free(url);
    free(key_path);
    assert_int_equal(store_org_ensure(fx.st, "acme", &fx.acme, NULL), PARLEY_OK);
    seed();

    struct api_options opt = { .master_key = fx.key, .platform_ops_for = fake_ops_for };
    fx.api = api_new(fx.st, &opt);
    fx.router = http_router_new();
    api_register(fx.api, fx.router);
    assert_int_equal(http_server_start(&cfg, fx.router, &fx.srv), PARLEY_OK);
    snprintf(fx.base, sizeof fx.base, "http://127.0.0.1:%d", http_server_port(fx.srv));
    fx.http = harness_http_new(NULL);
    char *csrf = harness_hub_login(fx.http, fx.base, "owner@acme.test", PASSWORD);
    assert_non_null(csrf);
    snprintf(fx.csrf, sizeof fx.csrf, "X-CSRF-Token: %s", csrf);
    free(csrf);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    harness_http_free(fx.http);
    http_server_stop(fx.srv);
    http_router_free(fx.router);
    api_free(fx.api);
    secret_key_free(fx.key);
    store_close(fx.st);
    harness_rmrf(fx.dir);
    free(fx.dir);
    return 0;
}

/* METHOD PATH (BODY may be NULL) as the owner; the answer in *resp. */
static long call(const char *method, const char *path, const char *body, struct harness_resp *resp)
{
    const char *headers[] = { fx.csrf, "Content-Type: application/json", NULL };
    char url[512];

    snprintf(url, sizeof url, "%s%s", fx.base, path);
    assert_int_equal(harness_http_do(fx.http, method, url, headers, body, resp), 0);
    return resp->status;
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static void test_teams_are_marked_imported(void **state)
{
    (void)state;
    struct harness_resp resp;

    fake.test_rc = PARLEY_OK;
    fake.opened = fake.closed = 0;
    assert_int_equal(call("GET", "/api/orgs/acme/microsoft/teams", NULL, &resp), 200);
    json_t *teams = json_object_get(resp.json, "teams");
    assert_int_equal(json_array_size(teams), 2);
    json_t *a = json_array_get(teams, 0), *b = json_array_get(teams, 1);
    assert_string_equal(str(a, "id"), "team-a");
    assert_true(json_is_true(json_object_get(a, "imported")));
    assert_int_equal(json_integer_value(json_object_get(a, "last_imported_at")), 1764180000000LL);
    assert_int_equal(json_integer_value(json_object_get(a, "member_count")), 6);
    assert_string_equal(str(b, "name"), "Sales");
    assert_true(json_is_false(json_object_get(b, "imported")));
    assert_true(json_is_null(json_object_get(b, "member_count")));
    assert_true(json_is_false(json_object_get(resp.json, "truncated")));
    assert_int_equal(fake.opened, 1);
    assert_int_equal(fake.closed, 1);
    harness_resp_clear(&resp);
}

static void test_platform_refusals_in_the_admins_words(void **state)
{
    (void)state;
    struct harness_resp resp;

    fake.test_rc = PARLEY_OK;
    assert_int_equal(call("POST", "/api/orgs/acme/connections/microsoft/test", NULL, &resp), 200);
    assert_true(json_is_true(json_object_get(resp.json, "ok")));
    harness_resp_clear(&resp);

    fake.test_rc = PARLEY_ERR_AUTH;
    assert_int_equal(call("POST", "/api/orgs/acme/connections/microsoft/test", NULL, &resp), 200);
    assert_true(json_is_false(json_object_get(resp.json, "ok")));
    assert_string_equal(str(resp.json, "code"), "auth");
    assert_int_equal(json_integer_value(json_object_get(resp.json, "http_status")), 401);
    assert_non_null(strstr(str(resp.json, "message"), "client secret is wrong"));
    harness_resp_clear(&resp);

    /* The teams list: 502 with the connector's code and message. */
    fake.test_rc = PARLEY_ERR_NETWORK;
    assert_int_equal(call("GET", "/api/orgs/acme/microsoft/teams", NULL, &resp), 502);
    json_t *error = json_object_get(resp.json, "error");
    assert_string_equal(str(error, "code"), "network");
    assert_non_null(strstr(str(error, "message"), "Cannot reach"));
    harness_resp_clear(&resp);

    /* No Google connection: the test says what to do. */
    assert_int_equal(call("POST", "/api/orgs/acme/connections/google/test", NULL, &resp), 200);
    assert_string_equal(str(resp.json, "code"), "not_found");
    assert_non_null(strstr(str(resp.json, "message"), "Settings > Connections"));
    harness_resp_clear(&resp);
    fake.test_rc = PARLEY_OK;
}

static void test_imports_start_once(void **state)
{
    (void)state;
    struct harness_resp resp;
    long long first;

    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft",
                          "{\"team_ids\":[\"team-a\",\"team-b\"]}", &resp), 202);
    first = json_integer_value(json_object_get(resp.json, "job_id"));
    assert_true(first > 0);
    assert_true(json_is_true(json_object_get(resp.json, "created")));
    assert_string_equal(str(resp.json, "kind"), "import.microsoft.teams");
    harness_resp_clear(&resp);

    /* A second click while it waits: the same job. */
    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft",
                          "{\"team_ids\":[\"team-a\"]}", &resp), 202);
    assert_int_equal(json_integer_value(json_object_get(resp.json, "job_id")), first);
    assert_true(json_is_false(json_object_get(resp.json, "created")));
    harness_resp_clear(&resp);

    /* The job carries the teams and who asked. */
    struct store_job job = { 0 };
    assert_int_equal(store_job_get(fx.st, first, &job), PARLEY_OK);
    assert_non_null(strstr(job.payload_json, "\"team-b\""));
    assert_non_null(strstr(job.payload_json, "admin:owner@acme.test"));
    store_job_clear(&job);

    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft", "{\"team_ids\":[]}", &resp),
                     400);
    harness_resp_clear(&resp);
    assert_int_equal(call("POST", "/api/orgs/acme/imports/microsoft", "{\"team_ids\":[7]}", &resp),
                     400);
    harness_resp_clear(&resp);
    assert_int_equal(call("POST", "/api/orgs/acme/imports/google", NULL, &resp), 409);
    assert_string_equal(str(json_object_get(resp.json, "error"), "code"), "not_connected");
    harness_resp_clear(&resp);
}

/* The emails of a people answer, comma-separated, into BUF. */
static const char *emails(const json_t *answer, char *buf, size_t size)
{
    json_t *p;
    size_t i, n = 0;

    buf[0] = '\0';
    json_array_foreach(json_object_get(answer, "people"), i, p)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "", str(p, "email"));
    return buf;
}

static void test_people_pages_and_filters(void **state)
{
    (void)state;
    struct harness_resp resp;
    char buf[256], *path;

    assert_int_equal(call("GET", "/api/orgs/acme/people?limit=2", NULL, &resp), 200);
    assert_string_equal(emails(resp.json, buf, sizeof buf), "alice@acme.test,bob@acme.test");
    assert_int_equal(json_integer_value(json_object_get(resp.json, "total")), 3);
    json_t *first = json_array_get(json_object_get(resp.json, "people"), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(first, "platforms"), 0)),
                        "microsoft");
    char *next = xstrdup(str(resp.json, "next"));
    harness_resp_clear(&resp);

    /* The cursor is passed back as it is (URL-encoded: it has a space). */
    char *encoded = curl_easy_escape(NULL, next, 0);
    path = xasprintf("/api/orgs/acme/people?limit=2&after=%s", encoded);
    assert_int_equal(call("GET", path, NULL, &resp), 200);
    assert_string_equal(emails(resp.json, buf, sizeof buf), "carol@acme.test");
    assert_true(json_is_null(json_object_get(resp.json, "next")));
    harness_resp_clear(&resp);
    curl_free(encoded);
    free(path);
    free(next);

    assert_int_equal(call("GET", "/api/orgs/acme/people?platform=google", NULL, &resp), 200);
    assert_string_equal(emails(resp.json, buf, sizeof buf), "bob@acme.test");
    harness_resp_clear(&resp);
    assert_int_equal(call("GET", "/api/orgs/acme/people?q=NGUY&sort=email", NULL, &resp), 200);
    assert_string_equal(emails(resp.json, buf, sizeof buf), "carol@acme.test");
    harness_resp_clear(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teams_are_marked_imported),
        cmocka_unit_test(test_platform_refusals_in_the_admins_words),
        cmocka_unit_test(test_imports_start_once),
        cmocka_unit_test(test_people_pages_and_filters),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
