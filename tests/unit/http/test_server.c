/* test_server.c - tests for src/http/server.c and request.c over loopback:
 * a real server on 127.0.0.1:0 answering libcurl requests (JSON echo, route
 * and query parameters, error bodies, 413 / 400 / 404 / 405 / 500, request
 * ids, custom error formatter, dropped connections, TLS with a certificate
 * made here, HEAD, the thread pool, and a graceful stop with a request in
 * flight). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/router.h"
#include "http/server.h"
#include "lib/test_tls.h"
#include "util/buf.h"
#include "util/log.h"

#define SMALL_LIMIT 1024

/* ---- handlers ---- */

static atomic_int echo_calls;
static atomic_int slow_entered;

static void on_echo(struct http_req *req, void *ctx)
{
    (void)ctx;
    json_t *body = http_req_json_or_400(req);
    echo_calls++;
    if (!body)
        return;
    http_reply_json(req, 201, json_pack("{s:s, s:o}", "method", http_req_method(req),
                                        "got", body));
}

static void on_user(struct http_req *req, void *ctx)
{
    (void)ctx;
    const char *flag = http_req_query(req, "flag");
    const char *cookie = http_req_cookie(req, "sid");
    const char *header = http_req_header(req, "x-test");

    http_reply_header(req, "Set-Cookie", "a=1; Path=/");
    http_reply_header(req, "Set-Cookie", "b=2; Path=/");
    http_reply_json(req, 200, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:b}",
                                        "id", http_req_param(req, "id"),
                                        "q", http_req_query(req, "q"),
                                        "flag", flag, "cookie", cookie, "header", header,
                                        "ip", http_req_client_ip(req),
                                        "path", http_req_path(req),
                                        "tls", http_req_is_tls(req)));
}

static void on_silent(struct http_req *req, void *ctx)
{
    (void)req;
    (void)ctx;
}

static void on_drop(struct http_req *req, void *ctx)
{
    (void)ctx;
    http_reply_drop(req);
}

static void on_bytes(struct http_req *req, void *ctx)
{
    (void)ctx;
    http_reply_bytes(req, 200, "text/plain; charset=utf-8", "hello", 5);
}

static void on_slow(struct http_req *req, void *ctx)
{
    (void)ctx;
    struct timespec pause = { 0, 400 * 1000 * 1000 };
    slow_entered = 1;
    nanosleep(&pause, NULL);
    http_reply_bytes(req, 200, "text/plain", "done", 4);
}

static json_t *on_error_custom(struct http_req *req, int status, const char *code,
                               const char *message, void *ctx)
{
    (void)req;
    (void)message;
    return json_pack("{s:s, s:i, s:s}", "oops", code, "status", status, "tag", (char *)ctx);
}

/* ---- fixture ---- */

struct fixture {
    struct http_router *router;
    struct http_server *srv;
    char base[64];
};

static struct fixture *fixture_start(const struct http_server_config *cfg)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->router = http_router_new();
    http_router_add(f->router, "POST", "/echo", on_echo, NULL);
    http_router_add(f->router, "PUT", "/echo", on_echo, NULL);
    http_router_add(f->router, "GET", "/users/:id", on_user, NULL);
    http_router_add(f->router, "GET", "/silent", on_silent, NULL);
    http_router_add(f->router, "GET", "/drop", on_drop, NULL);
    http_router_add(f->router, "GET", "/bytes", on_bytes, NULL);
    http_router_add(f->router, "GET", "/slow", on_slow, NULL);
    if (http_server_start(cfg, f->router, &f->srv) != PARLEY_OK) {
        http_router_free(f->router);
        free(f);
        return NULL;
    }
    assert_true(http_server_port(f->srv) > 0);
    snprintf(f->base, sizeof f->base, "%s://%s:%d", cfg->tls_cert_pem ? "https" : "http",
             strchr(cfg->listen, '[') ? "[::1]" : "127.0.0.1", http_server_port(f->srv));
    return f;
}

static void fixture_stop(struct fixture *f)
{
    if (!f)
        return;
    http_server_stop(f->srv);
    http_router_free(f->router);
    free(f);
}

static int setup_plain(void **state)
{
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .max_body = SMALL_LIMIT };
    *state = fixture_start(&cfg);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_stop(*state);
    return 0;
}

/* ---- the client ---- */

struct reply {
    CURLcode rc;
    long status;
    struct buf body;
    char request_id[64];
    char content_type[128];
    char cache_control[64];
    char allow[64];
    int set_cookies;
    json_t *json;
};

struct upload {
    const char *data;
    size_t len;
    size_t sent;
};

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    struct reply *r = userp;
    buf_append(&r->body, data, size * n);
    return size * n;
}

static void copy_header_value(char *dst, size_t size, const char *line, size_t len, size_t skip)
{
    size_t n = len - skip;
    while (n && (line[skip + n - 1] == '\r' || line[skip + n - 1] == '\n'))
        n--;
    snprintf(dst, size, "%.*s", (int)n, line + skip);
}

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
    struct reply *r = userp;
    size_t len = size * n;

    if (strncasecmp(line, "X-Request-Id: ", 14) == 0)
        copy_header_value(r->request_id, sizeof r->request_id, line, len, 14);
    else if (strncasecmp(line, "Content-Type: ", 14) == 0)
        copy_header_value(r->content_type, sizeof r->content_type, line, len, 14);
    else if (strncasecmp(line, "Cache-Control: ", 15) == 0)
        copy_header_value(r->cache_control, sizeof r->cache_control, line, len, 15);
    else if (strncasecmp(line, "Allow: ", 7) == 0)
        copy_header_value(r->allow, sizeof r->allow, line, len, 7);
    else if (strncasecmp(line, "Set-Cookie: ", 12) == 0)
        r->set_cookies++;
    return len;
}

static size_t on_read(char *dst, size_t size, size_t n, void *userp)
{
    struct upload *u = userp;
    size_t len = u->len - u->sent < size * n ? u->len - u->sent : size * n;
    memcpy(dst, u->data + u->sent, len);
    u->sent += len;
    return len;
}

struct request {
    const char *method;
    const char *url;
    const char *body;          /* NULL: none */
    size_t body_len;
    int chunked;               /* send the body with Transfer-Encoding: chunked */
    const char *header;        /* one extra request header, or NULL */
    const char *cookie;
    const char *ca_pem;        /* trust this certificate for https */
};

static void request_do(const struct request *q, struct reply *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *headers = NULL;
    struct upload up = { q->body, q->body_len, 0 };

    memset(r, 0, sizeof *r);
    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (strcmp(q->method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (q->body && q->chunked) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
    } else if (q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)q->body_len);
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    if (q->header)
        headers = curl_slist_append(headers, q->header);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (q->cookie)
        curl_easy_setopt(c, CURLOPT_COOKIE, q->cookie);
    if (q->ca_pem) {
        struct curl_blob ca = { (void *)q->ca_pem, strlen(q->ca_pem), CURL_BLOB_COPY };
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
    }
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->body.len)
        r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
}

static void reply_free(struct reply *r)
{
    buf_free(&r->body);
    json_decref(r->json);
}

static void get(void **state, const char *path, struct reply *r)
{
    struct fixture *f = *state;
    char url[256];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    request_do(&(struct request){ .method = "GET", .url = url }, r);
}

static void post(void **state, const char *path, const char *body, size_t len, int chunked,
                 struct reply *r)
{
    struct fixture *f = *state;
    char url[256];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    request_do(&(struct request){ .method = "POST", .url = url, .body = body,
                                  .body_len = len, .chunked = chunked }, r);
}

/* The error body's "code", or "" when absent. */
static const char *error_code(const struct reply *r)
{
    json_t *err = json_object_get(r->json, "error");
    const char *code = json_string_value(json_object_get(err, "code"));
    return code ? code : "";
}

/* ---- tests ---- */

static void test_server_json_echo(void **state)
{
    struct reply r;
    const char *body = "{\"text\":\"héllo\",\"n\":[1,2]}";

    post(state, "/echo", body, strlen(body), 0, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.content_type, "application/json; charset=utf-8");
    assert_string_equal(r.cache_control, "no-store");
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "POST");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "got"),
                                                          "text")), "héllo");
    /* 16 lower-case hex characters. */
    assert_int_equal(strlen(r.request_id), 16);
    assert_int_equal(strspn(r.request_id, "0123456789abcdef"), 16);
    reply_free(&r);

    /* Each request gets its own id. */
    char first[64];
    post(state, "/echo", body, strlen(body), 0, &r);
    snprintf(first, sizeof first, "%s", r.request_id);
    reply_free(&r);
    post(state, "/echo", body, strlen(body), 0, &r);
    assert_string_not_equal(first, r.request_id);
    reply_free(&r);
}

static void test_server_params(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char url[256];

    snprintf(url, sizeof url, "%s/users/a%%2Fb%%20c?q=x%%26y+z&flag&token=s3cret", f->base);
    request_do(&(struct request){ .method = "GET", .url = url, .header = "X-Test: yes",
                                  .cookie = "sid=abc; other=1" }, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), "a/b c");
    assert_string_equal(json_string_value(json_object_get(r.json, "q")), "x&y z");
    assert_string_equal(json_string_value(json_object_get(r.json, "flag")), "");
    assert_string_equal(json_string_value(json_object_get(r.json, "cookie")), "abc");
    assert_string_equal(json_string_value(json_object_get(r.json, "header")), "yes");
    assert_string_equal(json_string_value(json_object_get(r.json, "ip")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(r.json, "path")), "/users/a%2Fb%20c");
    assert_true(json_is_false(json_object_get(r.json, "tls")));
    assert_int_equal(r.set_cookies, 2);
    reply_free(&r);

    /* %00 in the path is refused before any handler runs. */
    get(state, "/users/a%00b", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(error_code(&r), "bad_path");
    reply_free(&r);
}

static void test_server_not_found_and_method(void **state)
{
    struct reply r;

    get(state, "/nowhere?secret=1", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(error_code(&r), "not_found");
    json_t *err = json_object_get(r.json, "error");
    assert_string_equal(json_string_value(json_object_get(err, "request_id")), r.request_id);
    assert_non_null(json_string_value(json_object_get(err, "message")));
    reply_free(&r);

    get(state, "/echo", &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(error_code(&r), "method_not_allowed");
    assert_string_equal(r.allow, "POST, PUT");
    reply_free(&r);
}

static void test_server_too_large(void **state)
{
    char *big = malloc(4 * SMALL_LIMIT);
    struct reply r;
    int calls = echo_calls;

    memset(big, ' ', 4 * SMALL_LIMIT);
    big[0] = '[';
    big[4 * SMALL_LIMIT - 1] = ']';

    post(state, "/echo", big, 4 * SMALL_LIMIT, 0, &r);     /* Content-Length */
    assert_int_equal(r.status, 413);
    assert_string_equal(error_code(&r), "too_large");
    reply_free(&r);

    post(state, "/echo", big, 4 * SMALL_LIMIT, 1, &r);     /* chunked */
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 413);
    assert_string_equal(error_code(&r), "too_large");
    reply_free(&r);
    assert_int_equal(echo_calls, calls);

    /* Exactly at the limit is fine, chunked too. */
    post(state, "/echo", big + 3 * SMALL_LIMIT, SMALL_LIMIT, 1, &r);
    assert_int_equal(r.status, 400);    /* not JSON on its own: "  ...]" */
    big[3 * SMALL_LIMIT] = '[';
    reply_free(&r);
    post(state, "/echo", big + 3 * SMALL_LIMIT, SMALL_LIMIT, 1, &r);
    assert_int_equal(r.status, 201);
    reply_free(&r);
    free(big);
}

static void test_server_bad_json(void **state)
{
    struct reply r;

    post(state, "/echo", "{\"a\":", 5, 0, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(error_code(&r), "bad_json");
    const char *msg = json_string_value(json_object_get(json_object_get(r.json, "error"),
                                                        "message"));
    assert_non_null(strstr(msg, "line 1"));
    reply_free(&r);

    post(state, "/echo", "", 0, 0, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(error_code(&r), "bad_json");
    reply_free(&r);
}

static void test_server_no_reply_is_500(void **state)
{
    struct reply r;

    get(state, "/silent", &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(error_code(&r), "internal");
    reply_free(&r);
}

static void test_server_bytes_and_head(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char url[256];

    get(state, "/bytes", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_str(&r.body), "hello");
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    assert_string_equal(r.cache_control, "");
    reply_free(&r);

    snprintf(url, sizeof url, "%s/bytes", f->base);
    request_do(&(struct request){ .method = "HEAD", .url = url }, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    reply_free(&r);
}

static void test_server_drop(void **state)
{
    struct reply r;

    get(state, "/drop", &r);
    assert_int_not_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 0);
    reply_free(&r);

    /* The server is still fine afterwards. */
    get(state, "/bytes", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

static void test_server_custom_error_formatter(void **state)
{
    (void)state;
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .on_error = on_error_custom,
                                      .on_error_ctx = "emu", .threads = 2 };
    struct fixture *f = fixture_start(&cfg);
    void *fs = f;
    struct reply r;

    assert_non_null(f);
    get(&fs, "/nowhere", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(json_string_value(json_object_get(r.json, "oops")), "not_found");
    assert_int_equal(json_integer_value(json_object_get(r.json, "status")), 404);
    assert_string_equal(json_string_value(json_object_get(r.json, "tag")), "emu");
    reply_free(&r);

    post(&fs, "/echo", "nope", 4, 0, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "oops")), "bad_json");
    reply_free(&r);
    fixture_stop(f);
}

static void test_server_tls(void **state)
{
    (void)state;
    char *cert, *key;
    assert_int_equal(test_tls_localhost_cert(&cert, &key), 0);
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .tls_cert_pem = cert,
                                      .tls_key_pem = key };
    struct fixture *f = fixture_start(&cfg);
    struct reply r;
    char url[256];

    assert_non_null(f);
    assert_int_equal(strncmp(f->base, "https://", 8), 0);
    snprintf(url, sizeof url, "%s/users/7", f->base);
    request_do(&(struct request){ .method = "GET", .url = url, .ca_pem = cert }, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "tls")));
    assert_int_equal(strlen(r.request_id), 16);
    reply_free(&r);

    /* Plain HTTP to the TLS port gets no HTTP answer. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/users/7", http_server_port(f->srv));
    request_do(&(struct request){ .method = "GET", .url = url }, &r);
    assert_int_not_equal(r.status, 200);
    reply_free(&r);

    fixture_stop(f);
    free(cert);
    free(key);
}

static void *slow_client(void *arg)
{
    struct fixture *f = arg;
    struct reply *r = malloc(sizeof *r);
    char url[256];
    snprintf(url, sizeof url, "%s/slow", f->base);
    request_do(&(struct request){ .method = "GET", .url = url }, r);
    return r;
}

static void test_server_graceful_stop(void **state)
{
    (void)state;
    struct http_server_config cfg = { .listen = "127.0.0.1:0" };
    struct fixture *f = fixture_start(&cfg);
    struct timespec tick = { 0, 5 * 1000 * 1000 };
    pthread_t client;
    struct reply *r;
    char url[256];

    assert_non_null(f);
    slow_entered = 0;
    pthread_create(&client, NULL, slow_client, f);
    while (!slow_entered)
        nanosleep(&tick, NULL);
    snprintf(url, sizeof url, "%s/bytes", f->base);

    /* Stop while the handler sleeps: its reply still arrives. */
    http_server_stop(f->srv);
    f->srv = NULL;
    pthread_join(client, (void **)&r);
    assert_int_equal(r->rc, CURLE_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(buf_str(&r->body), "done");
    reply_free(r);
    free(r);

    /* And nothing listens any more. */
    struct reply after;
    request_do(&(struct request){ .method = "GET", .url = url }, &after);
    assert_int_not_equal(after.rc, CURLE_OK);
    reply_free(&after);
    fixture_stop(f);
}

/* Send RAW on a fresh connection and return what comes back (caller frees). */
static char *raw_exchange(int port, const char *raw)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct buf got = BUF_INIT;
    char chunk[512];
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
    shutdown(fd, SHUT_WR);
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        buf_append(&got, chunk, (size_t)n);
    close(fd);
    return buf_steal(&got);
}

static void test_server_malformed_and_idle(void **state)
{
    (void)state;
    struct http_server_config cfg = { .listen = "127.0.0.1:0" };
    struct fixture *f = fixture_start(&cfg);
    struct timespec t0, t1;

    assert_non_null(f);
    /* libmicrohttpd answers a broken header itself; the request object made
     * for it must still be freed and must not hold up the stop. */
    char *got = raw_exchange(http_server_port(f->srv),
                             "GET /bytes HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n");
    assert_non_null(strstr(got, "HTTP/1.1 400"));
    free(got);
    got = raw_exchange(http_server_port(f->srv), "GET /bytes HTTP/1.1\r\nHost: x\r\n");
    free(got);

    /* An idle keep-alive connection does not hold up the stop either. */
    char url[256];
    CURL *idle = curl_easy_init();
    snprintf(url, sizeof url, "%s/bytes", f->base);
    curl_easy_setopt(idle, CURLOPT_URL, url);
    curl_easy_setopt(idle, CURLOPT_WRITEFUNCTION, on_body);
    struct reply r = { 0 };
    curl_easy_setopt(idle, CURLOPT_WRITEDATA, &r);
    assert_int_equal(curl_easy_perform(idle), CURLE_OK);
    reply_free(&r);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    fixture_stop(f);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec < 5);
    curl_easy_cleanup(idle);
}

static void test_server_ipv6_and_bad_listen(void **state)
{
    (void)state;
    struct http_server_config cfg = { .listen = "[::1]:0" };
    struct http_router *router = http_router_new();
    struct http_server *srv = (struct http_server *)1;

    struct http_server_config bad = { .listen = "127.0.0.1" };
    assert_int_equal(http_server_start(&bad, router, &srv), PARLEY_ERR_INVALID);
    assert_null(srv);
    bad.listen = "127.0.0.1:70000";
    assert_int_equal(http_server_start(&bad, router, &srv), PARLEY_ERR_INVALID);
    bad.listen = "[::1:80";
    assert_int_equal(http_server_start(&bad, router, &srv), PARLEY_ERR_INVALID);
    http_router_free(router);
    http_server_stop(NULL);

    struct fixture *f = fixture_start(&cfg);
    if (!f)
        skip();                 /* no IPv6 loopback in this environment */
    void *fs = f;
    struct reply r;
    get(&fs, "/users/6", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "ip")), "::1");
    reply_free(&r);
    fixture_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_server_json_echo, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_params, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_not_found_and_method, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_too_large, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_bad_json, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_no_reply_is_500, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_bytes_and_head, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_server_drop, setup_plain, teardown),
        cmocka_unit_test(test_server_custom_error_formatter),
        cmocka_unit_test(test_server_tls),
        cmocka_unit_test(test_server_graceful_stop),
        cmocka_unit_test(test_server_malformed_and_idle),
        cmocka_unit_test(test_server_ipv6_and_bad_listen),
    };
    int failed;

    signal(SIGPIPE, SIG_IGN);
    log_set_level(LOG_WARN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
