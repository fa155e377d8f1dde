/* 50-emu-control.c - parley-emu's frame: command line and seed errors,
 * stable ids, the /_emu control API (faults, request log, reset),
 * --rate-limit, and subscriptions with the validation handshake and change
 * notifications delivered to a receiver run by this test (dropped,
 * duplicated and retried on demand). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "http/router.h"
#include "http/server.h"
#include "lib/emu_client.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define SEED "emulators/seeds/demo.json"
#define PASSWORD "Demo-Passw0rd!"

/* ---- a webhook receiver ---- */

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *rx_received;          /* every notification item, in arrival order */
static int rx_fail_next;             /* answer 500 to the next N notification POSTs */
static int rx_posts;                 /* notification POSTs seen (including failed) */

static void on_hook(struct http_req *req, void *ctx)
{
    const char *token = http_req_query(req, "validationToken");
    (void)ctx;
    if (token) {
        http_reply_bytes(req, 200, "text/plain", token, strlen(token));
        return;
    }
    json_t *body = http_req_json_or_400(req);
    if (!body)
        return;
    pthread_mutex_lock(&rx_lock);
    rx_posts++;
    int fail = rx_fail_next > 0;
    if (fail)
        rx_fail_next--;
    else
        json_array_extend(rx_received, json_object_get(body, "value"));
    pthread_mutex_unlock(&rx_lock);
    json_decref(body);
    http_reply_json(req, fail ? 500 : 202, NULL);
}

static struct http_server *rx_server;
static struct http_router *rx_router;
static char rx_url[128];

static size_t rx_count(void)
{
    pthread_mutex_lock(&rx_lock);
    size_t n = json_array_size(rx_received);
    pthread_mutex_unlock(&rx_lock);
    return n;
}

/* Wait up to MS for at least N received notifications. */
static size_t rx_wait(size_t n, int ms)
{
    long long deadline = clock_mono_ms() + ms;
    while (rx_count() < n && clock_mono_ms() < deadline)
        clock_sleep_ms(20);
    return rx_count();
}

/* ---- fixtures ---- */

static struct emu_client emu;
static char *app;

static int setup(void **state)
{
    (void)state;
    rx_received = json_array();
    rx_router = http_router_new();
    http_router_add(rx_router, "POST", "/hooks/graph", on_hook, NULL);
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .log_module = "receiver"};
    if (http_server_start(&cfg, rx_router, &rx_server) != PARLEY_OK)
        return -1;
    snprintf(rx_url, sizeof rx_url, "http://127.0.0.1:%d/hooks/graph?tenant=t1",
             http_server_port(rx_server));
    const char *args[] = {"--rate-limit", "50", NULL};
    if (emu_client_start(&emu, SEED, 0, args) != 0)
        return -1;
    app = emu_client_app_token(&emu);
    return app ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(app);
    emu_client_stop(&emu);
    http_server_stop(rx_server);
    http_router_free(rx_router);
    json_decref(rx_received);
    return 0;
}

static long graph(const char *token, const char *method, const char *path, const char *body,
                  struct harness_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    assert_int_equal(emu_client_graph(&emu, token, method, path, body, NULL, resp), 0);
    return resp->status;
}

static long control(const char *method, const char *path, const char *body,
                    struct harness_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    assert_int_equal(emu_client_control(&emu, method, path, body, resp), 0);
    return resp->status;
}

/* ---- command line and seed ---- */

/* Run parley-emu with ARGS through the shell; returns its exit code and
 * output in *out (caller frees). */
static int run_emu(const char *args, char **out)
{
    char *dir = harness_tmpdir("parley-emu-cli");
    char *log = xasprintf("%s/out.log", dir);
    char *line = xasprintf("exec %s %s", harness_bin("parley-emu"), args);
    const char *argv[] = {"/bin/sh", "-c", line, NULL};
    struct harness_proc *p = harness_proc_start(argv, NULL, log);
    assert_non_null(p);
    int status = harness_proc_stop(p, 0, 20000);
    harness_proc_free(p);
    *out = harness_read_file(log);
    harness_rmrf(dir);
    free(line);
    free(log);
    free(dir);
    return (status >= 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

static void test_cli_and_seed_errors(void **state)
{
    char *out = NULL, *seed_dir = harness_tmpdir("parley-emu-seed");
    (void)state;
    assert_int_equal(run_emu("--help", &out), 0);
    assert_non_null(strstr(out, "--seed FILE"));
    free(out);
    assert_int_equal(run_emu("--bogus", &out), 2);
    assert_non_null(strstr(out, "unknown option '--bogus'"));
    free(out);
    assert_int_equal(run_emu("--seed x.json --dir d --bogus", &out), 2);
    assert_non_null(strstr(out, "unknown option '--bogus'"));
    free(out);
    assert_int_equal(run_emu("--seed x.json --dir", &out), 2);
    assert_non_null(strstr(out, "--dir needs a value"));
    free(out);

    char *bad = xasprintf("%s/bad.json", seed_dir);
    FILE *f = fopen(bad, "w");
    fputs("{\"microsoft\":{\"users\":[{\"displayName\":\"A\",\"userPrincipalName\":\"a@x.test\"},"
          "{\"displayName\":\"B\",\"userPrincipalName\":7}]}}", f);
    fclose(f);
    char *args = xasprintf("--seed %s --dir %s/d --listen-microsoft 127.0.0.1:0 "
                           "--listen-google 127.0.0.1:0", bad, seed_dir);
    assert_int_equal(run_emu(args, &out), 2);
    assert_non_null(strstr(out, "seed: microsoft.users[1].userPrincipalName: expected a string"));
    free(out);
    free(args);

    f = fopen(bad, "w");
    fputs("{\"microsoft\":{\"teams\":[{\"displayName\":\"T\",\"members\":[\"ghost@x.test\"]}]}}", f);
    fclose(f);
    args = xasprintf("--seed %s --dir %s/d --listen-microsoft 127.0.0.1:0 "
                     "--listen-google 127.0.0.1:0", bad, seed_dir);
    assert_int_equal(run_emu(args, &out), 2);
    assert_non_null(strstr(out, "microsoft.teams[0].members[0]: unknown user 'ghost@x.test'"));
    free(out);
    free(args);
    free(bad);
    harness_rmrf(seed_dir);
    free(seed_dir);
}

static void test_ids_are_stable(void **state)
{
    struct emu_client other;
    struct harness_resp a, b;
    (void)state;
    assert_int_equal(emu_client_start(&other, SEED, 0, NULL), 0);
    char *other_app = emu_client_app_token(&other);
    assert_int_equal(graph(app, "GET", "/users/alice@parleydemo.onmicrosoft.com", NULL, &a), 200);
    memset(&b, 0, sizeof b);
    assert_int_equal(emu_client_graph(&other, other_app, "GET",
                                      "/users/alice@parleydemo.onmicrosoft.com", NULL, NULL, &b), 0);
    assert_string_equal(json_get_str(a.json, "id"), json_get_str(b.json, "id"));
    harness_resp_clear(&a);
    harness_resp_clear(&b);
    free(other_app);
    int status = emu_client_stop(&other);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- control API ---- */

static void test_faults(void **state)
{
    struct harness_resp resp;
    (void)state;
    assert_int_equal(control("POST", "/faults", "{\"faults\":[{\"method\":\"GET\",\"path_prefix\":"
                             "\"/v1.0/users\",\"count\":2,\"status\":429,\"retry_after\":3},"
                             "{\"path_prefix\":\"/v1.0/teams\",\"status\":503}]}", &resp), 201);
    harness_resp_clear(&resp);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(graph(app, "GET", "/users", NULL, &resp), 429);
        char *retry = harness_resp_header(&resp, "Retry-After");
        assert_string_equal(retry, "3");
        free(retry);
        json_t *err = json_object_get(resp.json, "error");
        assert_string_equal(json_get_str(err, "code"), "TooManyRequests");
        harness_resp_clear(&resp);
    }
    assert_int_equal(graph(app, "GET", "/users", NULL, &resp), 200);
    harness_resp_clear(&resp);
    assert_int_equal(graph(app, "GET", "/teams", NULL, &resp), 503);
    harness_resp_clear(&resp);
    assert_int_equal(graph(app, "GET", "/teams", NULL, &resp), 200);
    harness_resp_clear(&resp);

    assert_int_equal(control("POST", "/faults", "{\"path_prefix\":\"/v1.0/groups\",\"reset\":true}",
                             &resp), 201);
    harness_resp_clear(&resp);
    memset(&resp, 0, sizeof resp);                  /* the connection is dropped: no answer */
    assert_int_not_equal(emu_client_graph(&emu, app, "GET", "/groups", NULL, NULL, &resp), 0);
    assert_int_equal(resp.status, 0);
    harness_resp_clear(&resp);

    assert_int_equal(control("POST", "/faults", "{\"path_prefix\":\"users\"}", &resp), 400);
    harness_resp_clear(&resp);

    assert_int_equal(control("GET", "/requests", NULL, &resp), 200);
    json_t *seen = json_object_get(resp.json, "requests");
    int throttled = 0;
    size_t i;
    json_t *r;
    json_array_foreach(seen, i, r)
        throttled += json_get_int(r, "status", 0) == 429 &&
                     strcmp(json_get_str(r, "path"), "/v1.0/users") == 0;
    assert_int_equal(throttled, 2);
    harness_resp_clear(&resp);
}

static void test_rate_limit(void **state)
{
    struct harness_resp resp;
    int limited = 0;
    (void)state;
    /* --rate-limit 50: requests in a row from one app meet a 429 as soon as
     * 51 land in one second; up to 400 (bounded) so that a loaded machine,
     * whose requests spread over several windows, still gets there. */
    for (int i = 0; i < 400 && !limited; i++) {
        long status = graph(app, "GET", "/users?$top=1", NULL, &resp);
        if (status == 429) {
            char *retry = harness_resp_header(&resp, "Retry-After");
            assert_non_null(retry);
            free(retry);
            limited = 1;
        }
        harness_resp_clear(&resp);
    }
    assert_true(limited);
    clock_sleep_ms(1100);
}

static void test_reset(void **state)
{
    struct harness_resp resp;
    (void)state;
    assert_int_equal(graph(app, "POST", "/users", "{\"accountEnabled\":true,\"displayName\":\"Tmp\","
                           "\"mailNickname\":\"tmp\",\"userPrincipalName\":\"tmp@parleydemo.onmicrosoft.com\"}",
                           &resp), 201);
    harness_resp_clear(&resp);
    assert_int_equal(control("POST", "/reset", NULL, &resp), 204);
    harness_resp_clear(&resp);
    assert_int_equal(graph(app, "GET", "/users/tmp@parleydemo.onmicrosoft.com", NULL, &resp), 404);
    harness_resp_clear(&resp);
    assert_int_equal(graph(app, "GET", "/users/alice@parleydemo.onmicrosoft.com", NULL, &resp), 200);
    harness_resp_clear(&resp);
}

/* ---- subscriptions and notifications ---- */

static char *expiry_in(int minutes)
{
    char *text = xmalloc(32);
    time_t t = time(NULL) + minutes * 60;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(text, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

/* A oneOnOne chat of Alice and Bob; returns its id. */
static char *open_chat(const char *alice)
{
    struct harness_resp resp;
    const char *body =
        "{\"chatType\":\"oneOnOne\",\"members\":["
        "{\"roles\":[\"owner\"],\"user@odata.bind\":\"https://graph.microsoft.com/v1.0/users('alice@parleydemo.onmicrosoft.com')\"},"
        "{\"roles\":[\"owner\"],\"user@odata.bind\":\"https://graph.microsoft.com/v1.0/users('bob@parleydemo.onmicrosoft.com')\"}]}";
    assert_int_equal(graph(alice, "POST", "/chats", body, &resp), 201);
    char *id = xstrdup(json_get_str(resp.json, "id"));
    harness_resp_clear(&resp);
    return id;
}

static void send_message(const char *token, const char *chat, const char *text)
{
    struct harness_resp resp;
    char *path = xasprintf("/chats/%s/messages", chat);
    char *body = xasprintf("{\"body\":{\"content\":\"%s\"}}", text);
    assert_int_equal(graph(token, "POST", path, body, &resp), 201);
    harness_resp_clear(&resp);
    free(body);
    free(path);
}

static void test_subscriptions_and_notifications(void **state)
{
    struct harness_resp resp;
    (void)state;
    char *alice = emu_client_user_token(&emu, "alice@parleydemo.onmicrosoft.com", PASSWORD);
    assert_non_null(alice);
    char *chat = open_chat(alice);
    char *expires = expiry_in(30);

    /* More than an hour without lifecycleNotificationUrl is refused. */
    char *too_long = expiry_in(120);
    char *body = xasprintf("{\"changeType\":\"created,updated,deleted\",\"resource\":"
                           "\"/chats/getAllMessages\",\"notificationUrl\":\"%s\",\"clientState\":"
                           "\"s3cret\",\"expirationDateTime\":\"%s\"}", rx_url, too_long);
    assert_int_equal(graph(app, "POST", "/subscriptions", body, &resp), 400);
    harness_resp_clear(&resp);
    free(body);

    /* An unreachable notificationUrl fails the handshake. */
    body = xasprintf("{\"changeType\":\"created\",\"resource\":\"/chats/getAllMessages\","
                     "\"notificationUrl\":\"http://127.0.0.1:1/nothing\",\"expirationDateTime\":\"%s\"}",
                     expires);
    assert_int_equal(graph(app, "POST", "/subscriptions", body, &resp), 400);
    harness_resp_clear(&resp);
    free(body);

    body = xasprintf("{\"changeType\":\"created,updated,deleted\",\"resource\":"
                     "\"/chats/getAllMessages\",\"notificationUrl\":\"%s\",\"clientState\":"
                     "\"s3cret\",\"expirationDateTime\":\"%s\"}", rx_url, expires);
    assert_int_equal(graph(app, "POST", "/subscriptions", body, &resp), 201);
    char *sub_path = xasprintf("/subscriptions/%s", json_get_str(resp.json, "id"));
    harness_resp_clear(&resp);
    free(body);

    send_message(alice, chat, "one");
    assert_int_equal(rx_wait(1, 5000), 1);
    pthread_mutex_lock(&rx_lock);
    json_t *item = json_array_get(rx_received, 0);
    assert_string_equal(json_get_str(item, "clientState"), "s3cret");
    assert_string_equal(json_get_str(item, "changeType"), "created");
    assert_non_null(strstr(json_get_str(item, "resource"), chat));
    pthread_mutex_unlock(&rx_lock);

    /* Drop one, duplicate the next. */
    assert_int_equal(control("POST", "/notifications/faults", "{\"drop\":1,\"duplicate\":1}", &resp),
                     200);
    harness_resp_clear(&resp);
    send_message(alice, chat, "dropped");
    send_message(alice, chat, "twice");
    assert_int_equal(rx_wait(3, 5000), 3);

    /* A receiver failure is retried (first retry after 1 s). */
    pthread_mutex_lock(&rx_lock);
    rx_fail_next = 1;
    int posts_before = rx_posts;
    pthread_mutex_unlock(&rx_lock);
    send_message(alice, chat, "retried");
    assert_int_equal(rx_wait(4, 6000), 4);
    pthread_mutex_lock(&rx_lock);
    assert_int_equal(rx_posts - posts_before, 2);
    pthread_mutex_unlock(&rx_lock);

    assert_int_equal(control("GET", "/notifications", NULL, &resp), 200);
    assert_true(json_array_size(json_object_get(resp.json, "deliveries")) >= 5);
    harness_resp_clear(&resp);
    assert_int_equal(control("GET", "/subscriptions", NULL, &resp), 200);
    assert_int_equal(json_array_size(json_object_get(resp.json, "subscriptions")), 1);
    harness_resp_clear(&resp);

    /* Renew, then delete: no more notifications. */
    char *later = expiry_in(50);
    body = xasprintf("{\"expirationDateTime\":\"%s\"}", later);
    assert_int_equal(graph(app, "PATCH", sub_path, body, &resp), 200);
    assert_non_null(json_get_str(resp.json, "expirationDateTime"));
    harness_resp_clear(&resp);
    assert_int_equal(graph(app, "DELETE", sub_path, NULL, &resp), 204);
    harness_resp_clear(&resp);
    send_message(alice, chat, "unheard");
    clock_sleep_ms(300);
    assert_int_equal(rx_count(), 4);

    free(body);
    free(later);
    free(sub_path);
    free(too_long);
    free(expires);
    free(chat);
    free(alice);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_and_seed_errors),
        cmocka_unit_test(test_ids_are_stable),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_subscriptions_and_notifications),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
