/* test_http_client.c - tests for src/net/http_client.c (and the send loop
 * of retry.c) against an in-process server on 127.0.0.1: GET and POST round
 * trips with headers and bearer token, other methods, the body limit,
 * keep-alive reuse, one client shared by threads, 503 + Retry-After then 200 with the sleep injected, no
 * retry of a 404, TLS with and without the right CA file, timeouts and
 * unsupported schemes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "fake_peer.h"
#include "net/http_client.h"
#include "net/retry.h"
#include "util/log.h"

/* ---- the peer's handlers ---- */

static atomic_int flaky_calls, missing_calls;

static void on_hello(struct http_req *req, void *ctx)
{
    (void)ctx;
    http_reply_header(req, "request-id", "req-1");
    http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static void on_plain(struct http_req *req, void *ctx)
{
    (void)ctx;
    http_reply_bytes(req, 200, "text/plain", "plain", 5);
}

/* Answer what arrived: method, body, content type and two headers. */
static void on_echo(struct http_req *req, void *ctx)
{
    (void)ctx;
    size_t len;
    const char *body = http_req_body(req, &len);
    http_reply_header(req, "Location", "/things/1");
    http_reply_json(req, 201, json_pack("{s:s, s:s%, s:s?, s:s?, s:s?}",
                                        "method", http_req_method(req), "body", body, len,
                                        "type", http_req_header(req, "content-type"),
                                        "auth", http_req_header(req, "authorization"),
                                        "x", http_req_header(req, "x-test")));
}

static void on_big(struct http_req *req, void *ctx)
{
    (void)ctx;
    char data[5000];
    memset(data, 'a', sizeof data);
    http_reply_bytes(req, 200, "text/plain", data, sizeof data);
}

/* 503 with Retry-After: 2 on the first call, then 200. */
static void on_flaky(struct http_req *req, void *ctx)
{
    (void)ctx;
    if (flaky_calls++ == 0) {
        http_reply_header(req, "Retry-After", "2");
        http_reply_error(req, 503, "unavailable", "try later");
        return;
    }
    http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static void on_missing(struct http_req *req, void *ctx)
{
    (void)ctx;
    missing_calls++;
    http_reply_error(req, 404, "not_found", "no such thing");
}

static void on_slow(struct http_req *req, void *ctx)
{
    (void)ctx;
    struct timespec pause = { 1, 0 };
    nanosleep(&pause, NULL);
    http_reply_bytes(req, 200, "text/plain", "late", 4);
}

static struct fake_peer *peer_start(int tls)
{
    struct fake_peer *p = fake_peer_new();
    http_router_add(p->router, "GET", "/hello", on_hello, NULL);
    http_router_add(p->router, "GET", "/plain", on_plain, NULL);
    http_router_add(p->router, "*", "/echo", on_echo, NULL);
    http_router_add(p->router, "GET", "/big", on_big, NULL);
    http_router_add(p->router, "GET", "/flaky", on_flaky, NULL);
    http_router_add(p->router, "GET", "/missing", on_missing, NULL);
    http_router_add(p->router, "GET", "/slow", on_slow, NULL);
    fake_peer_start(p, tls);
    return p;
}

static int setup(void **state)
{
    flaky_calls = 0;
    missing_calls = 0;
    *state = peer_start(0);
    return 0;
}

static int teardown(void **state)
{
    fake_peer_free(*state);
    return 0;
}

static char *url_of(const struct fake_peer *p, const char *path)
{
    static char url[128];
    snprintf(url, sizeof url, "%s%s", p->base, path);
    return url;
}

/* ---- tests ---- */

static void test_http_client_get(void **state)
{
    struct fake_peer *p = *state;
    struct net_http_client *c = net_http_client_new(NULL);
    struct net_http_request req = { .url = url_of(p, "/hello") };
    struct net_http_response resp = { 0 };

    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_OK);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body.data, "{\"ok\":true}");
    assert_non_null(strstr(resp.content_type, "application/json"));
    assert_string_equal(resp.request_id, "req-1");
    assert_null(resp.retry_after);
    assert_null(resp.error);
    net_http_response_free(&resp);

    /* Without "request-id", our own servers' X-Request-Id is taken. */
    req.url = url_of(p, "/plain");
    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_OK);
    assert_string_equal(resp.body.data, "plain");
    assert_int_equal(strlen(resp.request_id), 16);
    net_http_response_free(&resp);
    net_http_client_free(c);
}

static void test_http_client_post_and_methods(void **state)
{
    struct fake_peer *p = *state;
    struct net_http_client *c = net_http_client_new(NULL);
    const char *headers[] = { "X-Test: yes", NULL };
    const char *body = "{\"text\":\"hi\"}";
    struct net_http_request req = { .method = "POST", .url = url_of(p, "/echo"),
                                    .headers = headers, .bearer = "tok-123", .body = body,
                                    .body_len = strlen(body), .content_type = "application/json" };
    struct net_http_response resp = { 0 };
    json_t *got;

    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_OK);
    assert_int_equal(resp.status, 201);
    assert_string_equal(resp.location, "/things/1");
    got = json_loads(resp.body.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(got, "method")), "POST");
    assert_string_equal(json_string_value(json_object_get(got, "body")), body);
    assert_string_equal(json_string_value(json_object_get(got, "type")), "application/json");
    assert_string_equal(json_string_value(json_object_get(got, "auth")), "Bearer tok-123");
    assert_string_equal(json_string_value(json_object_get(got, "x")), "yes");
    json_decref(got);
    net_http_response_free(&resp);

    const char *methods[] = { "PATCH", "PUT", "DELETE" };
    for (size_t i = 0; i < 3; i++) {
        struct net_http_request r2 = { .method = methods[i], .url = url_of(p, "/echo"),
                                       .body = i < 2 ? "x" : NULL, .body_len = i < 2 ? 1 : 0 };
        assert_int_equal(net_http_send(c, &r2, &resp), PARLEY_OK);
        got = json_loads(resp.body.data, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(got, "method")), methods[i]);
        assert_string_equal(json_string_value(json_object_get(got, "body")), i < 2 ? "x" : "");
        json_decref(got);
        net_http_response_free(&resp);
    }
    net_http_client_free(c);
}

static void test_http_client_body_limit(void **state)
{
    struct fake_peer *p = *state;
    struct net_http_client *c = net_http_client_new(&(struct net_http_config){ .max_body = 1000 });
    struct net_http_request req = { .url = url_of(p, "/big") };
    struct net_http_response resp = { 0 };

    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_ERR_TOO_LARGE);
    assert_non_null(strstr(resp.error, "larger than the limit"));
    net_http_response_free(&resp);
    net_http_client_free(c);

    c = net_http_client_new(&(struct net_http_config){ .max_body = 5000 });
    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_OK);
    assert_int_equal(resp.body.len, 5000);
    net_http_response_free(&resp);
    net_http_client_free(c);
}

static void test_http_client_reuses_connections(void **state)
{
    struct fake_peer *p = *state;
    struct net_http_client *c = net_http_client_new(NULL);
    struct net_http_request req = { .url = url_of(p, "/hello") };
    struct net_http_response resp = { 0 };

    for (int i = 0; i < 4; i++) {
        assert_int_equal(net_http_send(c, &req, &resp), PARLEY_OK);
        assert_int_equal(resp.status, 200);
        /* Only the first request opens a connection; the others reuse it. */
        assert_int_equal(resp.new_connections, i == 0 ? 1 : 0);
        net_http_response_free(&resp);
    }
    net_http_client_free(c);
}

struct worker {
    pthread_t thread;
    struct net_http_client *client;
    const char *url;
    int ok;
};

static void *on_worker(void *arg)
{
    struct worker *w = arg;
    struct net_http_request req = { .url = w->url };
    struct net_http_response resp = { 0 };

    for (int i = 0; i < 10; i++) {
        if (net_http_send(w->client, &req, &resp) == PARLEY_OK && resp.status == 200 &&
            strcmp(resp.body.data, "{\"ok\":true}") == 0)
            w->ok++;
        net_http_response_free(&resp);
    }
    return NULL;
}

/* One client shared by 8 threads: every request gets its own handle. */
static void test_http_client_threads(void **state)
{
    struct fake_peer *p = *state;
    struct net_http_client *c = net_http_client_new(NULL);
    struct worker workers[8];

    for (int i = 0; i < 8; i++) {
        workers[i] = (struct worker){ .client = c, .url = url_of(p, "/hello") };
        assert_int_equal(pthread_create(&workers[i].thread, NULL, on_worker, &workers[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(workers[i].thread, NULL);
        assert_int_equal(workers[i].ok, 10);
    }
    net_http_client_free(c);
}

struct sleeps {
    long long delays[8];
    int n;
};

static void on_sleep(long long ms, void *ctx)
{
    struct sleeps *s = ctx;
    s->delays[s->n++ % 8] = ms;
}

static uint64_t on_random_zero(void *ctx)
{
    (void)ctx;
    return 0;
}

static void test_http_client_retry_after_then_ok(void **state)
{
    struct fake_peer *p = *state;
    struct sleeps s = { .n = 0 };
    struct net_retry_policy policy = { .sleep_ms = on_sleep, .random = on_random_zero, .ctx = &s };
    struct net_http_client *c = net_http_client_new(NULL);
    struct net_http_request req = { .url = url_of(p, "/flaky") };
    struct net_http_response resp = { 0 };

    assert_int_equal(net_retry_send(c, &policy, &req, &resp), PARLEY_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(flaky_calls, 2);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.delays[0], 2000);       /* Retry-After: 2, over a zero backoff */
    net_http_response_free(&resp);

    /* A 404 is final: one call, no sleep. */
    req.url = url_of(p, "/missing");
    assert_int_equal(net_retry_send(c, &policy, &req, &resp), PARLEY_OK);
    assert_int_equal(resp.status, 404);
    assert_int_equal(missing_calls, 1);
    assert_int_equal(s.n, 1);
    net_http_response_free(&resp);
    net_http_client_free(c);
}

static void test_http_client_tls(void **state)
{
    (void)state;
    struct fake_peer *p = peer_start(1);
    struct net_http_client *trusted = net_http_client_new(&(struct net_http_config){
        .ca_file = p->ca_path });
    struct net_http_client *plain = net_http_client_new(NULL);
    struct net_http_client *bad_ca = net_http_client_new(&(struct net_http_config){
        .ca_file = "/nonexistent/ca.pem" });
    struct net_http_request req = { .url = url_of(p, "/hello") };
    struct net_http_response resp = { 0 };

    assert_int_equal(strncmp(p->base, "https://", 8), 0);
    assert_int_equal(net_http_send(trusted, &req, &resp), PARLEY_OK);
    assert_int_equal(resp.status, 200);
    net_http_response_free(&resp);

    assert_int_equal(net_http_send(plain, &req, &resp), PARLEY_ERR_TLS);
    assert_int_equal(resp.status, 0);
    assert_int_equal(strncmp(resp.error, "TLS verification failed", 23), 0);
    net_http_response_free(&resp);

    assert_int_equal(net_http_send(bad_ca, &req, &resp), PARLEY_ERR_TLS);
    net_http_response_free(&resp);

    /* A TLS failure is configuration, not weather: never retried. */
    struct sleeps s = { .n = 0 };
    struct net_retry_policy policy = { .sleep_ms = on_sleep, .ctx = &s };
    assert_int_equal(net_retry_send(plain, &policy, &req, &resp), PARLEY_ERR_TLS);
    assert_int_equal(s.n, 0);
    net_http_response_free(&resp);

    net_http_client_free(trusted);
    net_http_client_free(plain);
    net_http_client_free(bad_ca);
    fake_peer_free(p);
}

static void test_http_client_timeout_and_scheme(void **state)
{
    struct fake_peer *p = *state;
    struct net_http_client *c = net_http_client_new(&(struct net_http_config){ .timeout_ms = 100 });
    struct net_http_request req = { .url = url_of(p, "/slow") };
    struct net_http_response resp = { 0 };

    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_ERR_TIMEOUT);
    assert_non_null(strstr(resp.error, "timed out"));
    net_http_response_free(&resp);

    req.url = "ftp://127.0.0.1/x";
    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_ERR_INVALID);
    assert_non_null(resp.error);
    net_http_response_free(&resp);

    req.url = NULL;
    assert_int_equal(net_http_send(c, &req, &resp), PARLEY_ERR_INVALID);
    net_http_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_http_client_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_client_post_and_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_client_body_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_client_reuses_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_client_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_client_retry_after_then_ok, setup, teardown),
        cmocka_unit_test(test_http_client_tls),
        cmocka_unit_test_setup_teardown(test_http_client_timeout_and_scheme, setup, teardown),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
