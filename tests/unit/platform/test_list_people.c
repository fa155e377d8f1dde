/* test_list_people.c - tests for platform_api_list_people (the people walk
 * of src/platform/api.c, read with util/json_scan.h): against a scripted
 * fake peer on 127.0.0.1 over plain HTTP, Google page-token and OData
 * next-link listings hand every person over once, in order, one batch per
 * page, and request the exact pages; escapes and Unicode arrive decoded,
 * unknown members and non-object items are skipped, people without an id
 * are left out, empty pages are passed over without a callback; a 200
 * answer that is not valid JSON (truncated, trailing text, invalid UTF-8)
 * fails the walk with PARLEY_ERR_PLATFORM after the earlier pages; a
 * callback's error stops the walk with its code; non-2xx answers go
 * through the connection's describe function. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/net/fake_peer.h"
#include "platform/api.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json_scan.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SERVICE "Test Service"
#define WHAT "list the test people"
#define TOKEN "test-token"
#define EXTRA_HEADER "X-Test-Header: walk"
#define MAX_STEPS 16
#define MAX_PEOPLE 64
#define MAX_CALLS 16

/* ---- the scripted peer: answers in order, records what it was asked ---- */

struct step {
    int status;
    char *body;                 /* owned */
    size_t len;
};

struct script {
    pthread_mutex_t mu;
    struct step steps[MAX_STEPS];
    int nsteps;
    int served;                 /* requests that arrived */
    char *seen[MAX_STEPS];      /* "path name=[value] ..." of each request (owned) */
    int bad_headers;            /* requests without the bearer token / Accept / extra header */
};

/* The query parameters the tests' URLs use, in the order they are recorded. */
static const char *const query_names[] = {
    "customer", "maxResults", "pageToken", "$select", "$top", "$skiptoken", NULL,
};

static void on_request(struct http_req *req, void *ctx)
{
    struct script *sc = ctx;
    struct buf seen = BUF_INIT;
    const char *auth = http_req_header(req, "authorization");
    const char *accept = http_req_header(req, "accept");
    const char *extra = http_req_header(req, "x-test-header");
    struct step step = { 404, NULL, 0 };
    int idx;

    buf_puts(&seen, http_req_path(req));
    for (int i = 0; query_names[i]; i++) {
        const char *v = http_req_query(req, query_names[i]);
        if (v)
            buf_printf(&seen, " %s=[%s]", query_names[i], v);
    }
    pthread_mutex_lock(&sc->mu);
    idx = sc->served++;
    if (idx < MAX_STEPS)
        sc->seen[idx] = buf_steal(&seen);
    if (!auth || strcmp(auth, "Bearer " TOKEN) != 0 || !accept ||
        strcmp(accept, "application/json") != 0 || !extra || strcmp(extra, "walk") != 0)
        sc->bad_headers++;
    if (idx < sc->nsteps)
        step = sc->steps[idx];
    pthread_mutex_unlock(&sc->mu);
    buf_free(&seen);
    if (step.body)
        http_reply_bytes(req, step.status, "application/json", step.body, step.len);
    else
        http_reply_error(req, 404, "not_found", "no such page in the script");
}

/* ---- the connection's callbacks ---- */

static atomic_int fetches;          /* token fetches */
static atomic_int describes;        /* describe calls */
static int described_status;
static char described_body[512];

static enum parley_err on_fetch(void *ctx, struct net_token *out, char **why)
{
    (void)ctx;
    (void)why;
    fetches++;
    out->access_token = xstrdup(TOKEN);
    out->expires_at_ms = clock_now_ms() + 3600 * 1000LL;
    return PARLEY_OK;
}

/* Like a connector's: the status picks the code, the error body's
 * error.message goes into the message. */
static void on_describe(const struct platform_answer *answer, const struct platform_call *call,
                        struct platform_error *err)
{
    json_t *doc = platform_answer_json(answer);
    const char *msg = json_string_value(json_object_get(json_object_get(doc, "error"),
                                                        "message"));
    enum parley_err code = answer->status == 403   ? PARLEY_ERR_FORBIDDEN
                           : answer->status == 404 ? PARLEY_ERR_NOT_FOUND
                           : answer->status == 401 ? PARLEY_ERR_AUTH
                                                   : PARLEY_ERR_PLATFORM;

    describes++;
    described_status = answer->status;
    snprintf(described_body, sizeof described_body, "%.*s", (int)answer->len,
             answer->body ? answer->body : "");
    platform_error_set(err, code, answer->status, "described: %s refused to %s: %s",
                       SERVICE, call->what, msg ? msg : "(no message)");
    json_decref(doc);
}

/* ---- the people handed over ---- */

struct person_copy {
    char *id, *email, *name;    /* owned; name NULL when absent */
    int suspended;
};

struct people_log {
    int calls;
    size_t counts[MAX_CALLS];   /* people per call */
    struct person_copy people[MAX_PEOPLE];
    size_t npeople;
    int fail_on_call;           /* 1-based call that returns FAIL_CODE; 0: never */
    enum parley_err fail_code;
    int overflow;               /* more calls or people than the log holds */
};

static enum parley_err on_people(const struct platform_person *people, size_t count, void *arg)
{
    struct people_log *log = arg;

    /* No cmocka assertion here: a failure would jump out of the walk with
     * its fetch thread running.  What arrived is checked afterwards (an
     * empty batch shows as a count of 0). */
    if (log->calls >= MAX_CALLS || log->npeople + count > MAX_PEOPLE) {
        log->overflow = 1;
        return PARLEY_ERR_TOO_LARGE;
    }
    log->counts[log->calls++] = count;
    for (size_t i = 0; i < count; i++) {
        struct person_copy *c = &log->people[log->npeople++];
        c->id = xstrdup(people[i].external_id);
        c->email = xstrdup(people[i].email);
        c->name = xstrdup(people[i].display_name);
        c->suspended = people[i].suspended;
    }
    return log->calls == log->fail_on_call ? log->fail_code : PARLEY_OK;
}

/* The test's own scan, shaped like the connectors'. */
static int scan_person(struct json_scan *s, struct platform_person *p)
{
    const char *key;

    while (json_scan_member(s, &key)) {
        if (strcmp(key, "id") == 0)
            p->external_id = json_scan_string(s);
        else if (strcmp(key, "email") == 0)
            p->email = json_scan_string(s);
        else if (strcmp(key, "name") == 0)
            p->display_name = json_scan_string(s);
        else if (strcmp(key, "suspended") == 0)
            p->suspended = json_scan_bool(s, 0);
        else
            json_scan_skip(s);
    }
    return p->external_id && p->email;
}

/* ---- fixture ---- */

struct fixture {
    struct fake_peer *peer;
    struct script script;
    struct platform_conn conn;
    struct platform_token token;
    struct platform_call call;
    struct people_log log;
    struct platform_error err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct platform_error err = { 0 };

    fetches = 0;
    describes = 0;
    described_status = 0;
    described_body[0] = '\0';
    pthread_mutex_init(&f->script.mu, NULL);
    f->peer = fake_peer_new();
    http_router_add(f->peer->router, "*", "/*rest", on_request, &f->script);
    fake_peer_start(f->peer, 0);
    assert_int_equal(platform_conn_init(&f->conn, PLATFORM_GOOGLE, SERVICE, on_describe, NULL,
                                        &err),
                     PARLEY_OK);
    f->token = (struct platform_token){ .key = "test/key", .fetch = on_fetch, .ctx = NULL };
    f->call = (struct platform_call){ .what = WHAT, .needs = "people.read", .token = &f->token,
                                      .header = EXTRA_HEADER };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    fake_peer_free(f->peer);
    platform_conn_fini(&f->conn);
    for (int i = 0; i < f->script.nsteps; i++)
        free(f->script.steps[i].body);
    for (int i = 0; i < MAX_STEPS; i++)
        free(f->script.seen[i]);
    for (size_t i = 0; i < f->log.npeople; i++) {
        free(f->log.people[i].id);
        free(f->log.people[i].email);
        free(f->log.people[i].name);
    }
    pthread_mutex_destroy(&f->script.mu);
    free(f);
    return 0;
}

/* Script the next answer: STATUS with LEN bytes of BODY as they are. */
static void serve_bytes(struct fixture *f, int status, const char *body, size_t len)
{
    struct step *st;

    pthread_mutex_lock(&f->script.mu);
    assert_true(f->script.nsteps < MAX_STEPS);
    st = &f->script.steps[f->script.nsteps++];
    st->status = status;
    st->body = xmalloc(len + 1);
    memcpy(st->body, body, len);
    st->body[len] = '\0';
    st->len = len;
    pthread_mutex_unlock(&f->script.mu);
}

static void serve(struct fixture *f, int status, const char *body)
{
    serve_bytes(f, status, body, strlen(body));
}

/* The peer's base URL with PATH (new string). */
static char *url_of(const struct fixture *f, const char *path)
{
    return xasprintf("%s%s", f->peer->base, path);
}

/* Walk FIRST_URL (a path on the peer) in STYLE with the array ARRAY. */
static enum parley_err walk(struct fixture *f, enum net_paging_style style, const char *path,
                            const char *array)
{
    struct platform_people_walk w = { array, scan_person, on_people, &f->log };
    char *url = url_of(f, path);
    enum parley_err rc;

    memset(&f->err, 0x5a, sizeof f->err);   /* the walk must set it whatever happens */
    rc = platform_api_list_people(&f->conn, &f->call, style, url, &w, &f->err);
    free(url);
    assert_false(f->log.overflow);
    for (int i = 0; i < f->log.calls; i++)
        assert_true(f->log.counts[i] > 0);      /* never called for an empty page */
    return rc;
}

static void assert_person(const struct fixture *f, size_t i, const char *id, const char *email,
                          const char *name, int suspended)
{
    const struct person_copy *p;

    assert_true(i < f->log.npeople);
    p = &f->log.people[i];
    assert_string_equal(p->id, id);
    assert_string_equal(p->email, email);
    if (name)
        assert_string_equal(p->name, name);
    else
        assert_null(p->name);
    assert_int_equal(p->suspended, suspended);
}

static void assert_seen(const struct fixture *f, int i, const char *want)
{
    assert_true(i < f->script.served);
    assert_non_null(f->script.seen[i]);
    assert_string_equal(f->script.seen[i], want);
}

/* ---- 1. two pages, each style ---- */

#define GOOGLE_PATH "/admin/directory/v1/users?customer=my_customer&maxResults=3"
#define GOOGLE_SEEN "/admin/directory/v1/users customer=[my_customer] maxResults=[3]"
/* A page token that needs every kind of escaping in a query. */
#define GOOGLE_TOKEN "tok/2+a b&c=d%41?#"

static void test_google_two_pages(void **state)
{
    struct fixture *f = *state;

    /* The token comes before the array on page 1 and is "" on page 2. */
    serve(f, 200,
          "{\"kind\":\"admin#directory#users\",\"nextPageToken\":\"" GOOGLE_TOKEN "\","
          "\"users\":[{\"id\":\"g1\",\"email\":\"ann@example.com\",\"name\":\"Ann\","
          "\"suspended\":false},"
          "{\"id\":\"g2\",\"email\":\"bob@example.com\",\"suspended\":true},"
          "{\"email\":\"cy@example.com\",\"id\":\"g3\",\"name\":\"Cy\"}]}");
    serve(f, 200,
          "{\"users\":[{\"id\":\"g4\",\"email\":\"dee@example.com\",\"name\":\"Dee\"},"
          "{\"id\":\"g5\",\"email\":\"eve@example.com\",\"name\":\"Eve\",\"suspended\":true}],"
          "\"nextPageToken\":\"\"}");

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, GOOGLE_PATH, "users"), PARLEY_OK);
    assert_int_equal(f->err.code, PARLEY_OK);

    assert_int_equal(f->log.calls, 2);
    assert_int_equal(f->log.counts[0], 3);
    assert_int_equal(f->log.counts[1], 2);
    assert_int_equal(f->log.npeople, 5);
    assert_person(f, 0, "g1", "ann@example.com", "Ann", 0);
    assert_person(f, 1, "g2", "bob@example.com", NULL, 1);
    assert_person(f, 2, "g3", "cy@example.com", "Cy", 0);
    assert_person(f, 3, "g4", "dee@example.com", "Dee", 0);
    assert_person(f, 4, "g5", "eve@example.com", "Eve", 1);

    assert_int_equal(f->script.served, 2);
    assert_seen(f, 0, GOOGLE_SEEN);
    /* The peer decoded exactly the token: it was percent-encoded whole. */
    assert_seen(f, 1, GOOGLE_SEEN " pageToken=[" GOOGLE_TOKEN "]");
    assert_int_equal(f->script.bad_headers, 0);
    assert_int_equal(fetches, 1);               /* one token for the whole walk */
    assert_int_equal(describes, 0);
}

static void test_odata_two_pages(void **state)
{
    struct fixture *f = *state;
    char *page1 = xasprintf(
        "{\"@odata.context\":\"%s/v1.0/$metadata#users\","
        "\"value\":[{\"id\":\"m1\",\"email\":\"ann@contoso.com\",\"name\":\"Ann\"},"
        "{\"id\":\"m2\",\"email\":\"bob@contoso.com\",\"name\":\"Bob\",\"suspended\":true}],"
        "\"@odata.nextLink\":\"%s/v1.0/users?$top=2&$skiptoken=X%%2BY\"}",
        f->peer->base, f->peer->base);

    serve(f, 200, page1);
    serve(f, 200, "{\"@odata.context\":\"ctx\",\"value\":["
                  "{\"id\":\"m3\",\"email\":\"cy@contoso.com\",\"name\":\"Cy\"}]}");
    free(page1);

    assert_int_equal(walk(f, NET_PAGING_ODATA, "/v1.0/users?$top=2", "value"), PARLEY_OK);
    assert_int_equal(f->err.code, PARLEY_OK);

    assert_int_equal(f->log.calls, 2);
    assert_int_equal(f->log.counts[0], 2);
    assert_int_equal(f->log.counts[1], 1);
    assert_int_equal(f->log.npeople, 3);
    assert_person(f, 0, "m1", "ann@contoso.com", "Ann", 0);
    assert_person(f, 1, "m2", "bob@contoso.com", "Bob", 1);
    assert_person(f, 2, "m3", "cy@contoso.com", "Cy", 0);

    assert_int_equal(f->script.served, 2);
    assert_seen(f, 0, "/v1.0/users $top=[2]");
    assert_seen(f, 1, "/v1.0/users $top=[2] $skiptoken=[X+Y]");
    assert_int_equal(f->script.bad_headers, 0);
    assert_int_equal(fetches, 1);
}

/* The next link written with escaped slashes, before the array. */
static void test_odata_escaped_next_link(void **state)
{
    struct fixture *f = *state;
    struct buf page1 = BUF_INIT;

    buf_puts(&page1, "{\"@odata.nextLink\":\"");
    for (const char *p = f->peer->base; *p; p++)
        buf_puts(&page1, *p == '/' ? "\\/" : (char[]){ *p, '\0' });
    buf_puts(&page1, "\\/v1.0\\/users?$top=1&$skiptoken=\\u0041B\","
                     "\"value\":[{\"id\":\"m1\",\"email\":\"a@contoso.com\"}]}");
    serve(f, 200, buf_str(&page1));
    serve(f, 200, "{\"value\":[{\"id\":\"m2\",\"email\":\"b@contoso.com\"}]}");
    buf_free(&page1);

    assert_int_equal(walk(f, NET_PAGING_ODATA, "/v1.0/users?$top=1", "value"), PARLEY_OK);
    assert_int_equal(f->log.calls, 2);
    assert_int_equal(f->log.counts[0], 1);
    assert_int_equal(f->log.counts[1], 1);
    assert_person(f, 0, "m1", "a@contoso.com", NULL, 0);
    assert_person(f, 1, "m2", "b@contoso.com", NULL, 0);
    assert_int_equal(f->script.served, 2);
    assert_seen(f, 0, "/v1.0/users $top=[1]");
    assert_seen(f, 1, "/v1.0/users $top=[1] $skiptoken=[AB]");
}

/* A next link to another origin is not followed (the token stays home). */
static void test_odata_next_link_elsewhere(void **state)
{
    struct fixture *f = *state;

    serve(f, 200, "{\"value\":[{\"id\":\"m1\",\"email\":\"a@contoso.com\"}],"
                  "\"@odata.nextLink\":\"http://127.0.0.2:9/v1.0/users?$skiptoken=x\"}");

    assert_int_equal(walk(f, NET_PAGING_ODATA, "/v1.0/users", "value"), PARLEY_ERR_PLATFORM);
    assert_int_equal(f->err.code, PARLEY_ERR_PLATFORM);
    assert_string_equal(f->err.message, "Cannot " WHAT ": " SERVICE
                                        ": the next page link points to another host.");
    assert_int_equal(f->log.calls, 1);
    assert_person(f, 0, "m1", "a@contoso.com", NULL, 0);
    assert_int_equal(f->script.served, 1);
}

/* ---- 2. what a page may hold ---- */

static void test_escapes_unknown_members_and_odd_items(void **state)
{
    struct fixture *f = *state;

    serve(f, 200,
          "{\"kind\":\"k\",\"etag\":\"\\\"e\\\"\",\"trigger\":{\"users\":[{\"id\":\"nested\","
          "\"email\":\"no@example.com\"}]},\"users\":[\n"
          "  {\"id\":\"u1\",\"email\":\"jose@example.com\",\"name\":\"Jos\\u00e9\",\n"
          "   \"obj\":{\"a\":[1,-2.5e3,{\"b\":null}],\"c\":\"x\",\"d\":{}},\"arr\":[[],[{}],\"s\"],\n"
          "   \"num\":-0.5E+2,\"int\":0,\"nul\":null,\"t\":true,\"f\":false,\"str\":\"\\\\\"},\n"
          "  42, \"a string\", null, true, [ {\"id\":\"in-array\",\"email\":\"x@example.com\"} ],\n"
          "  {\"email\":\"noid@example.com\",\"name\":\"No Id\"},\n"
          "  {\"id\":7,\"email\":\"numid@example.com\"},\n"
          "  {\"id\":\"noemail\",\"name\":\"No Email\"},\n"
          "  {},\n"
          "  {\"id\":\"u2\",\"email\":\"smile@example.com\",\"name\":\"\\ud83d\\ude00\","
          "\"suspended\":\"yes\"},\n"
          "  {\"id\":\"u3\",\"email\":\"q@example.com\",\"name\":\"a\\\"b\",\"suspended\":true},\n"
          "  {\"id\":\"u4\",\"email\":\"esc@example.com\","
          "\"name\":\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC raw \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}\n"
          "], \"nextPageToken\":\"p2\"}");
    /* An empty array, no array at all, an array member that is not an
     * array: nothing handed over, but the walk goes on. */
    serve(f, 200, "{\"users\":[],\"nextPageToken\":\"p3\"}");
    serve(f, 200, "{\"kind\":\"admin#directory#users\",\"nextPageToken\":\"p4\"}");
    serve(f, 200, "{\"users\":null,\"nextPageToken\":\"p5\"}");
    serve(f, 200, "{\"users\":[42,{\"email\":\"x@example.com\"}],\"nextPageToken\":\"p6\"}");
    serve(f, 200, "  {\"users\":[{\"id\":\"u5\",\"email\":\"last@example.com\"}]}\r\n\t ");

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_OK);
    assert_int_equal(f->err.code, PARLEY_OK);

    assert_int_equal(f->log.calls, 2);
    assert_int_equal(f->log.counts[0], 4);
    assert_int_equal(f->log.counts[1], 1);
    assert_int_equal(f->log.npeople, 5);
    assert_person(f, 0, "u1", "jose@example.com", "Jos\xc3\xa9", 0);
    assert_person(f, 1, "u2", "smile@example.com", "\xf0\x9f\x98\x80", 0);
    assert_person(f, 2, "u3", "q@example.com", "a\"b", 1);
    assert_person(f, 3, "u4", "esc@example.com",
                  "\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac raw \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0);
    assert_person(f, 4, "u5", "last@example.com", NULL, 0);

    assert_int_equal(f->script.served, 6);
    assert_seen(f, 0, "/users");
    assert_seen(f, 1, "/users pageToken=[p2]");
    assert_seen(f, 2, "/users pageToken=[p3]");
    assert_seen(f, 3, "/users pageToken=[p4]");
    assert_seen(f, 4, "/users pageToken=[p5]");
    assert_seen(f, 5, "/users pageToken=[p6]");
}

/* A listing whose only pages are empty: the callback is never called. */
static void test_only_empty_pages(void **state)
{
    struct fixture *f = *state;

    serve(f, 200, "{\"value\":[],\"@odata.nextLink\":\"\"}");

    assert_int_equal(walk(f, NET_PAGING_ODATA, "/v1.0/users", "value"), PARLEY_OK);
    assert_int_equal(f->err.code, PARLEY_OK);
    assert_int_equal(f->log.calls, 0);
    assert_int_equal(f->script.served, 1);
}

/* ---- 3. a 200 answer that is not valid JSON ---- */

/* Page 1 is fine (two people, token "p2"); page 2 is BAD (LEN bytes):
 * the walk fails with WHY at byte AT, after handing page 1 over. */
static void check_bad_second_page(struct fixture *f, const char *bad, size_t len,
                                  const char *why, size_t at)
{
    char *want;

    serve(f, 200, "{\"users\":[{\"id\":\"u1\",\"email\":\"a@example.com\"},"
                  "{\"id\":\"u2\",\"email\":\"b@example.com\"}],\"nextPageToken\":\"p2\"}");
    serve_bytes(f, 200, bad, len);

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_ERR_PLATFORM);
    assert_int_equal(f->err.code, PARLEY_ERR_PLATFORM);
    assert_int_equal(f->err.http_status, 200);
    assert_non_null(strstr(f->err.message, "not valid JSON"));
    assert_non_null(strstr(f->err.message, SERVICE));
    assert_non_null(strstr(f->err.message, WHAT));
    want = xasprintf(SERVICE " answered the request to " WHAT " with something that is not "
                     "valid JSON (HTTP 200: %s at byte %zu).", why, at);
    assert_string_equal(f->err.message, want);
    free(want);

    /* Page 1's people, none of page 2's (u3 came before the damage). */
    assert_int_equal(f->log.calls, 1);
    assert_int_equal(f->log.counts[0], 2);
    assert_int_equal(f->log.npeople, 2);
    assert_person(f, 0, "u1", "a@example.com", NULL, 0);
    assert_person(f, 1, "u2", "b@example.com", NULL, 0);
    /* No page after the bad one, even when it named one before the damage. */
    assert_int_equal(f->script.served, 2);
    assert_seen(f, 1, "/users pageToken=[p2]");
    assert_int_equal(describes, 0);
}

static void test_bad_json_truncated_in_string(void **state)
{
    static const char bad[] = "{\"nextPageToken\":\"p3\",\"users\":[{\"id\":\"u3\","
                              "\"email\":\"c@example.com\"},{\"id\":\"u4\",\"ema";

    /* At the opening quote of the cut member name. */
    check_bad_second_page(*state, bad, strlen(bad), "unterminated string",
                          (size_t)(strrchr(bad, '"') - bad));
}

static void test_bad_json_truncated_between_items(void **state)
{
    static const char bad[] = "{\"nextPageToken\":\"p3\",\"users\":[{\"id\":\"u3\","
                              "\"email\":\"c@example.com\"},";

    check_bad_second_page(*state, bad, strlen(bad), "unexpected end of text", strlen(bad));
}

static void test_bad_json_truncated_after_array(void **state)
{
    static const char bad[] = "{\"users\":[{\"id\":\"u3\",\"email\":\"c@example.com\"}]";

    check_bad_second_page(*state, bad, strlen(bad), "unexpected end of text", strlen(bad));
}

static void test_bad_json_text_after_document(void **state)
{
    static const char bad[] = "{\"users\":[{\"id\":\"u3\",\"email\":\"c@example.com\"}]} \n{}";

    check_bad_second_page(*state, bad, strlen(bad), "text after the end of the document",
                          (size_t)(strrchr(bad, '{') - bad));
}

static void test_bad_json_invalid_utf8_in_name(void **state)
{
    static const char bad[] = "{\"users\":[{\"id\":\"u3\",\"email\":\"c@example.com\","
                              "\"name\":\"bad \xff name\"}]}";

    check_bad_second_page(*state, bad, strlen(bad), "invalid UTF-8 in a string",
                          (size_t)(strchr(bad, '\xff') - bad));
}

/* In a member nobody reads, and an overlong encoding of '/'. */
static void test_bad_json_invalid_utf8_in_skipped_member(void **state)
{
    static const char bad[] = "{\"users\":[{\"id\":\"u3\",\"email\":\"c@example.com\","
                              "\"junk\":{\"deep\":[\"ok\",\"\xc0\xaf\"]}}]}";

    check_bad_second_page(*state, bad, strlen(bad), "invalid UTF-8 in a string",
                          (size_t)(strchr(bad, '\xc0') - bad));
}

/* Not an object at all. */
static void test_bad_json_array_document(void **state)
{
    static const char bad[] = "[{\"id\":\"u3\",\"email\":\"c@example.com\"}]";

    check_bad_second_page(*state, bad, strlen(bad), "expected an object", 0);
}

/* A bad first page: nothing is handed over. */
static void test_bad_json_first_page(void **state)
{
    struct fixture *f = *state;

    serve(f, 200, "{\"users\":[{\"id\":\"u1\",\"email\":\"a@example.com\"}],\"nextPageToken\":"
                  "\"p2\"} x");

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_ERR_PLATFORM);
    assert_int_equal(f->err.code, PARLEY_ERR_PLATFORM);
    assert_non_null(strstr(f->err.message, "not valid JSON"));
    assert_int_equal(f->log.calls, 0);
    assert_int_equal(f->script.served, 1);
}

/* ---- 4. the callback stops the walk ---- */

static void serve_three_pages(struct fixture *f)
{
    serve(f, 200, "{\"users\":[{\"id\":\"u1\",\"email\":\"a@example.com\"}],"
                  "\"nextPageToken\":\"p2\"}");
    serve(f, 200, "{\"users\":[{\"id\":\"u2\",\"email\":\"b@example.com\"}],"
                  "\"nextPageToken\":\"p3\"}");
    serve(f, 200, "{\"users\":[{\"id\":\"u3\",\"email\":\"c@example.com\"}]}");
}

static void test_callback_error_stops_walk(void **state)
{
    struct fixture *f = *state;

    serve_three_pages(f);
    f->log.fail_on_call = 2;
    f->log.fail_code = PARLEY_ERR_CANCELLED;

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_ERR_CANCELLED);
    assert_int_equal(f->err.code, PARLEY_ERR_CANCELLED);
    assert_string_equal(f->err.message, "The listing to " WHAT " was stopped: cancelled.");
    assert_int_equal(f->log.calls, 2);
    assert_int_equal(f->log.npeople, 2);
    assert_person(f, 0, "u1", "a@example.com", NULL, 0);
    assert_person(f, 1, "u2", "b@example.com", NULL, 0);
    /* Page 3 was fetched while page 2 was handled, then discarded. */
    assert_int_equal(f->script.served, 3);
}

static void test_callback_error_on_last_page(void **state)
{
    struct fixture *f = *state;

    serve_three_pages(f);
    f->log.fail_on_call = 3;
    f->log.fail_code = PARLEY_ERR_STORE;

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_ERR_STORE);
    assert_int_equal(f->err.code, PARLEY_ERR_STORE);
    assert_int_equal(f->log.calls, 3);
    assert_int_equal(f->script.served, 3);
}

/* The callback fails while the prefetched next page is refused: the
 * callback's code wins, the refusal is not reported. */
static void test_callback_error_while_next_page_fails(void **state)
{
    struct fixture *f = *state;

    serve(f, 200, "{\"users\":[{\"id\":\"u1\",\"email\":\"a@example.com\"}],"
                  "\"nextPageToken\":\"p2\"}");
    serve(f, 403, "{\"error\":{\"code\":403,\"message\":\"Not Authorized\"}}");
    f->log.fail_on_call = 1;
    f->log.fail_code = PARLEY_ERR_STORE;

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_ERR_STORE);
    assert_int_equal(f->err.code, PARLEY_ERR_STORE);
    assert_string_equal(f->err.message, "The listing to " WHAT " was stopped: database error.");
    assert_int_equal(f->log.calls, 1);
    assert_int_equal(f->script.served, 2);
    assert_int_equal(describes, 1);
}

/* ---- 5. non-2xx answers go through describe ---- */

static void test_forbidden_first_page(void **state)
{
    struct fixture *f = *state;
    static const char body[] = "{\"error\":{\"code\":403,\"message\":\"Not Authorized to access "
                               "this resource/api\",\"errors\":[{\"reason\":\"forbidden\"}]}}";

    serve(f, 403, body);

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, GOOGLE_PATH, "users"), PARLEY_ERR_FORBIDDEN);
    assert_int_equal(f->err.code, PARLEY_ERR_FORBIDDEN);
    assert_int_equal(f->err.http_status, 403);
    assert_string_equal(f->err.message, "described: " SERVICE " refused to " WHAT
                                        ": Not Authorized to access this resource/api");
    assert_int_equal(describes, 1);
    assert_int_equal(described_status, 403);
    assert_string_equal(described_body, body);
    assert_int_equal(f->log.calls, 0);
    assert_int_equal(f->script.served, 1);
    assert_seen(f, 0, GOOGLE_SEEN);
}

static void test_not_found_second_page(void **state)
{
    struct fixture *f = *state;
    char *page1 = xasprintf("{\"value\":[{\"id\":\"m1\",\"email\":\"a@contoso.com\"}],"
                            "\"@odata.nextLink\":\"%s/v1.0/users?$skiptoken=2\"}",
                            f->peer->base);

    serve(f, 200, page1);
    free(page1);
    serve(f, 404, "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Gone\"}}");

    assert_int_equal(walk(f, NET_PAGING_ODATA, "/v1.0/users", "value"), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(f->err.code, PARLEY_ERR_NOT_FOUND);
    assert_int_equal(f->err.http_status, 404);
    assert_string_equal(f->err.message, "described: " SERVICE " refused to " WHAT ": Gone");
    assert_int_equal(describes, 1);
    assert_int_equal(described_status, 404);
    assert_int_equal(f->log.calls, 1);
    assert_person(f, 0, "m1", "a@contoso.com", NULL, 0);
    assert_int_equal(f->script.served, 2);
    assert_seen(f, 1, "/v1.0/users $skiptoken=[2]");
}

/* A 401 drops the token and the page is asked for once more. */
static void test_unauthorised_once_then_ok(void **state)
{
    struct fixture *f = *state;

    serve(f, 401, "{\"error\":{\"code\":401,\"message\":\"expired\"}}");
    serve(f, 200, "{\"users\":[{\"id\":\"u1\",\"email\":\"a@example.com\"}]}");

    assert_int_equal(walk(f, NET_PAGING_PAGE_TOKEN, "/users", "users"), PARLEY_OK);
    assert_int_equal(f->err.code, PARLEY_OK);
    assert_int_equal(fetches, 2);
    assert_int_equal(describes, 0);
    assert_int_equal(f->log.calls, 1);
    assert_int_equal(f->script.served, 2);
    assert_seen(f, 0, "/users");
    assert_seen(f, 1, "/users");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_google_two_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odata_two_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odata_escaped_next_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odata_next_link_elsewhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_unknown_members_and_odd_items, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_only_empty_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_truncated_in_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_truncated_between_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_truncated_after_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_text_after_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_invalid_utf8_in_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_invalid_utf8_in_skipped_member, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_array_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json_first_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_error_stops_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_error_on_last_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_error_while_next_page_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forbidden_first_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_second_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unauthorised_once_then_ok, setup, teardown),
    };
    log_set_level(LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
