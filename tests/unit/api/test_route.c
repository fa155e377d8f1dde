/* test_route.c - the checks in front of every signed-in API route
 * (src/api/route.c): session cookie, CSRF token, ":org" resolution and
 * roles, plus the catch-all's 404/405 for API paths (src/api/static.c).
 *
 * The API runs in-process on a loopback http_server over a temporary
 * SQLite store; requests go through the integration tests' HTTP client,
 * included here as source since unit programs link only libparley.a. */
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
#include "store/store.h"
#include "util/log.h"

#define PASSWORD "a password for tests"

struct fixture {
    char *dir;
    struct store *st;
    struct api *api;
    struct http_router *router;
    struct http_server *srv;
    char base[64];
    long long acme, globex;
    long long job;            /* a queued job in acme */
};

static struct fixture fx;

static void add_admin(const char *email, long long org, const char *role)
{
    char *hash = NULL;
    long long id = 0;

    assert_int_equal(auth_password_hash(PASSWORD, &hash), PARLEY_OK);
    assert_int_equal(store_admin_create(fx.st, email, hash, &id), PARLEY_OK);
    assert_int_equal(store_admin_role_set(fx.st, id, org, role), PARLEY_OK);
    free(hash);
}

static int group_setup(void **state)
{
    (void)state;
    struct api_options opt = { .test_jobs = 1 };
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .log_module = "http" };
    struct store_job_new job = { .kind = "test.sleep", .payload_json = "{\"ms\":1}" };
    char *url;

    log_set_level(LOG_WARN);
    fx.dir = harness_tmpdir("parley-test-route");
    url = xasprintf("sqlite:%s/parley.db", fx.dir);
    assert_int_equal(store_open(url, &fx.st), PARLEY_OK);
    free(url);
    assert_int_equal(store_migrate(fx.st, NULL), PARLEY_OK);
    assert_int_equal(store_org_ensure(fx.st, "acme", &fx.acme, NULL), PARLEY_OK);
    assert_int_equal(store_org_ensure(fx.st, "globex", &fx.globex, NULL), PARLEY_OK);
    add_admin("owner@acme.test", fx.acme, "owner");
    add_admin("viewer@acme.test", fx.acme, "viewer");
    add_admin("admin@globex.test", fx.globex, "admin");
    job.org_id = fx.acme;
    assert_int_equal(store_job_enqueue(fx.st, &job, clock_now_ms(), &fx.job, NULL), PARLEY_OK);

    fx.api = api_new(fx.st, &opt);
    fx.router = http_router_new();
    api_register(fx.api, fx.router);
    assert_int_equal(http_server_start(&cfg, fx.router, &fx.srv), PARLEY_OK);
    snprintf(fx.base, sizeof fx.base, "http://127.0.0.1:%d", http_server_port(fx.srv));
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    http_server_stop(fx.srv);
    http_router_free(fx.router);
    api_free(fx.api);
    store_close(fx.st);
    harness_rmrf(fx.dir);
    free(fx.dir);
    return 0;
}

/* A client signed in as EMAIL; *csrf_header receives "X-CSRF-Token: ...". */
static struct harness_http *signed_in(const char *email, char *csrf_header, size_t size)
{
    struct harness_http *h = harness_http_new(NULL);
    char *csrf = harness_hub_login(h, fx.base, email, PASSWORD);

    assert_non_null(csrf);
    snprintf(csrf_header, size, "X-CSRF-Token: %s", csrf);
    free(csrf);
    return h;
}

/* METHOD PATH with H: returns the status; the error code goes to CODE. */
static long call(struct harness_http *h, const char *method, const char *path,
                 const char *const headers[], const char *body, char code[64])
{
    struct harness_resp resp;
    char url[256];

    snprintf(url, sizeof url, "%s%s", fx.base, path);
    assert_int_equal(harness_http_do(h, method, url, headers, body, &resp), 0);
    const char *c = json_string_value(json_object_get(json_object_get(resp.json, "error"), "code"));
    snprintf(code, 64, "%s", c ? c : "");
    long status = resp.status;
    harness_resp_clear(&resp);
    return status;
}

static void test_session_is_required(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    const char *forged[] = { "Cookie: parley_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
    char code[64];

    assert_int_equal(call(h, "GET", "/api/session", NULL, NULL, code), 401);
    assert_string_equal(code, "unauthenticated");
    assert_int_equal(call(h, "GET", "/api/orgs/acme/audit", NULL, NULL, code), 401);
    assert_int_equal(call(h, "GET", "/api/session", forged, NULL, code), 401);
    /* Unauthenticated beats CSRF: nothing about the session leaks. */
    assert_int_equal(call(h, "POST", "/api/logout", NULL, NULL, code), 401);
    harness_http_free(h);
}

static void test_org_by_name_or_id(void **state)
{
    (void)state;
    char csrf[128], path[64], code[64];
    struct harness_http *h = signed_in("owner@acme.test", csrf, sizeof csrf);

    assert_int_equal(call(h, "GET", "/api/orgs/acme/audit", NULL, NULL, code), 200);
    snprintf(path, sizeof path, "/api/orgs/%lld/audit", fx.acme);
    assert_int_equal(call(h, "GET", path, NULL, NULL, code), 200);
    /* An org that exists but is not the admin's looks like no org at all. */
    assert_int_equal(call(h, "GET", "/api/orgs/globex/audit", NULL, NULL, code), 404);
    assert_string_equal(code, "not_found");
    snprintf(path, sizeof path, "/api/orgs/%lld/audit", fx.globex);
    assert_int_equal(call(h, "GET", path, NULL, NULL, code), 404);
    assert_int_equal(call(h, "GET", "/api/orgs/nope/audit", NULL, NULL, code), 404);
    harness_http_free(h);
}

static void test_csrf_token_is_checked(void **state)
{
    (void)state;
    char csrf[128], code[64];
    struct harness_http *h = signed_in("owner@acme.test", csrf, sizeof csrf);
    const char *good[] = { csrf, NULL };
    const char *bad[] = { "X-CSRF-Token: x", NULL };
    const char *body = "{\"ms\":0}";

    assert_int_equal(call(h, "POST", "/api/orgs/acme/jobs/test-sleep", NULL, body, code), 403);
    assert_string_equal(code, "csrf");
    assert_int_equal(call(h, "POST", "/api/orgs/acme/jobs/test-sleep", bad, body, code), 403);
    assert_string_equal(code, "csrf");
    assert_int_equal(call(h, "POST", "/api/orgs/acme/jobs/test-sleep", good, body, code), 202);
    /* Reads need no token. */
    assert_int_equal(call(h, "GET", "/api/orgs/acme/jobs", NULL, NULL, code), 200);
    harness_http_free(h);
}

static void test_roles(void **state)
{
    (void)state;
    char csrf[128], path[64], code[64];
    struct harness_http *viewer = signed_in("viewer@acme.test", csrf, sizeof csrf);
    const char *headers[] = { csrf, NULL };

    assert_int_equal(call(viewer, "POST", "/api/orgs/acme/jobs/test-sleep", headers, "{\"ms\":0}", code),
                     403);
    assert_string_equal(code, "forbidden");
    snprintf(path, sizeof path, "/api/jobs/%lld/retry", fx.job);
    assert_int_equal(call(viewer, "POST", path, headers, NULL, code), 403);
    assert_string_equal(code, "forbidden");
    snprintf(path, sizeof path, "/api/jobs/%lld", fx.job);
    assert_int_equal(call(viewer, "GET", path, NULL, NULL, code), 200);
    harness_http_free(viewer);

    /* Another org's admin cannot even see the job. */
    struct harness_http *other = signed_in("admin@globex.test", csrf, sizeof csrf);
    assert_int_equal(call(other, "GET", path, NULL, NULL, code), 404);
    snprintf(path, sizeof path, "/api/jobs/%lld/retry", fx.job);
    assert_int_equal(call(other, "POST", path, headers, NULL, code), 404);
    harness_http_free(other);

    /* The owner may retry, but only a dead job. */
    struct harness_http *owner = signed_in("owner@acme.test", csrf, sizeof csrf);
    assert_int_equal(call(owner, "POST", path, headers, NULL, code), 409);
    assert_int_equal(call(owner, "GET", "/api/jobs/abc", NULL, NULL, code), 400);
    assert_int_equal(call(owner, "GET", "/api/jobs/999999", NULL, NULL, code), 404);
    harness_http_free(owner);
}

static void test_unknown_api_paths(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    char code[64];

    assert_int_equal(call(h, "GET", "/api/nope", NULL, NULL, code), 404);
    assert_string_equal(code, "not_found");
    assert_int_equal(call(h, "POST", "/api/nope", NULL, "{}", code), 404);
    assert_int_equal(call(h, "GET", "/api/login", NULL, NULL, code), 405);
    assert_string_equal(code, "method_not_allowed");
    assert_int_equal(call(h, "PUT", "/api/orgs/acme/audit", NULL, "{}", code), 405);
    assert_int_equal(call(h, "GET", "/api", NULL, NULL, code), 404);
    harness_http_free(h);
}

static void test_ui_fallback(void **state)
{
    (void)state;
    struct harness_http *h = harness_http_new(NULL);
    char code[64];

    assert_int_equal(call(h, "GET", "/", NULL, NULL, code), 200);
    assert_int_equal(call(h, "GET", "/activity", NULL, NULL, code), 200);
    assert_int_equal(call(h, "HEAD", "/index.html", NULL, NULL, code), 200);
    assert_int_equal(call(h, "GET", "/css/app.css", NULL, NULL, code), 200);
    assert_int_equal(call(h, "GET", "/css/nope.css", NULL, NULL, code), 404);
    assert_int_equal(call(h, "DELETE", "/index.html", NULL, NULL, code), 405);
    harness_http_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_is_required),
        cmocka_unit_test(test_org_by_name_or_id),
        cmocka_unit_test(test_csrf_token_is_checked),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_unknown_api_paths),
        cmocka_unit_test(test_ui_fallback),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
