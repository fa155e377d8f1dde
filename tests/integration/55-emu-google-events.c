/* 55-emu-google-events.c - the emulator's outbound events, received by a
 * local HTTP server: Workspace Events through a Pub/Sub push subscription
 * (CloudEvent attributes, base64 data, OIDC token verified against the
 * emulator's certificate, retry after a refusal), the subscription
 * lifecycle, Pub/Sub pull, and Directory users.watch channels (sync, then
 * add). */
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

/* ---- outbound events, caught by a local receiver ---- */

/* One request the receiver got. */
struct received {
    char *path;
    char *authorization;     /* may be NULL */
    char *state;             /* X-Goog-Resource-State, may be NULL */
    char *number;            /* X-Goog-Message-Number, may be NULL */
    char *body;
};

static struct {
    pthread_mutex_t lock;
    struct received items[64];
    size_t count;
    int refuse;              /* answer 503 to the next N requests */
    struct http_router *router;
    struct http_server *srv;
} R = {.lock = PTHREAD_MUTEX_INITIALIZER};

static char *dup_header(struct http_req *req, const char *name)
{
    return xstrdup(http_req_header(req, name));
}

static void on_receive(struct http_req *req, void *ctx)
{
    (void)ctx;
    size_t len = 0;
    const char *body = http_req_body(req, &len);
    pthread_mutex_lock(&R.lock);
    int refuse = R.refuse > 0;
    if (refuse)
        R.refuse--;
    if (R.count < sizeof R.items / sizeof R.items[0]) {
        struct received *r = &R.items[R.count++];
        r->path = xstrdup(http_req_path(req));
        r->authorization = dup_header(req, "Authorization");
        r->state = dup_header(req, "X-Goog-Resource-State");
        r->number = dup_header(req, "X-Goog-Message-Number");
        r->body = xstrndup(body, len);
    }
    pthread_mutex_unlock(&R.lock);
    http_reply_bytes(req, refuse ? 503 : 204, "text/plain", "", 0);
}

static void receiver_clear(void)
{
    pthread_mutex_lock(&R.lock);
    for (size_t i = 0; i < R.count; i++) {
        free(R.items[i].path);
        free(R.items[i].authorization);
        free(R.items[i].state);
        free(R.items[i].number);
        free(R.items[i].body);
    }
    R.count = 0;
    R.refuse = 0;
    pthread_mutex_unlock(&R.lock);
}

/* Wait until the receiver has N requests (at most 10 s); returns the count. */
static size_t receiver_wait(size_t n)
{
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&R.lock);
        size_t count = R.count;
        pthread_mutex_unlock(&R.lock);
        if (count >= n)
            return count;
        clock_sleep_ms(50);
    }
    return R.count;
}

/* Start the receiver on 127.0.0.1 (every POST); returns its port. */
static int receiver_start(void)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .log_module = "receiver"};

    R.router = http_router_new();
    http_router_add(R.router, "POST", "/*rest", on_receive, NULL);
    assert_int_equal(http_server_start(&cfg, R.router, &R.srv), 0);
    return http_server_port(R.srv);
}

/* Stop it and forget what it received. */
static void receiver_stop(void)
{
    receiver_clear();
    http_server_stop(R.srv);
    http_router_free(R.router);
    R.srv = NULL;
    R.router = NULL;
}

/* Base64 (standard or url alphabet) to a new NUL-terminated string. */
static char *unbase64(const char *text, int url)
{
    char *copy = xstrdup(text);
    size_t n = strlen(copy);
    for (char *p = copy; url && *p; p++)
        *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
    char *padded = xasprintf("%s%s", copy, n % 4 == 2 ? "==" : n % 4 == 3 ? "=" : "");
    unsigned char *out = xcalloc(1, strlen(padded) + 1);
    int got = EVP_DecodeBlock(out, (unsigned char *)padded, (int)strlen(padded));
    assert_true(got >= 0);
    free(padded);
    free(copy);
    return (char *)out;
}

/* Check JWT's RS256 signature with the emulator's published certificate
 * and return its claims (new reference). */
static json_t *verified_claims(const char *jwt)
{
    struct harness_resp r;
    call("GET", NULL, NULL, &r, "/oauth2/v1/certs");
    const char *kid;
    json_t *pem;
    EVP_PKEY *key = NULL;
    json_object_foreach(r.json, kid, pem) {
        BIO *bio = BIO_new_mem_buf(json_string_value(pem), -1);
        X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        key = X509_get_pubkey(cert);
        X509_free(cert);
        BIO_free(bio);
    }
    harness_resp_clear(&r);
    assert_non_null(key);

    const char *dot1 = strchr(jwt, '.'), *dot2 = strrchr(jwt, '.');
    char *sig_b64 = xstrdup(dot2 + 1);
    char *sig = unbase64(sig_b64, 1);
    size_t sig_len = 256;     /* RSA-2048 */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestVerify(ctx, (unsigned char *)sig, sig_len, (const unsigned char *)jwt,
                                      (size_t)(dot2 - jwt)), 1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    char *claims_b64 = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    char *claims_text = unbase64(claims_b64, 1);
    json_t *claims = json_loads(claims_text, 0, NULL);
    assert_non_null(claims);
    free(claims_text);
    free(claims_b64);
    free(sig);
    free(sig_b64);
    return claims;
}

static void test_workspace_events_pushed_through_pubsub(void **state)
{
    (void)state;
    int port = receiver_start();
    char *endpoint = xasprintf("http://127.0.0.1:%d/intake/google", port);

    char *sa = token_for(&E, NULL, "pubsub");
    char *admin = token_for(&E, "admin@example.com", "chat.spaces chat.messages");
    struct harness_resp r;

    expect_status(200, "PUT", sa, "{}", "/v1/projects/parley-test/topics/chat-events");
    expect_status(409, "PUT", sa, "{}", "/v1/projects/parley-test/topics/chat-events");
    char *push = xasprintf("{\"topic\": \"projects/parley-test/topics/chat-events\","
                           " \"ackDeadlineSeconds\": 30, \"pushConfig\": {\"pushEndpoint\": \"%s\","
                           " \"oidcToken\": {\"serviceAccountEmail\": \"push@parley-test.iam.gserviceaccount.com\","
                           " \"audience\": \"https://hub.example/intake/google\"}}}", endpoint);
    expect_status(200, "PUT", sa, push, "/v1/projects/parley-test/subscriptions/chat-events-push");
    free(push);

    const char *sub = "{\"targetResource\": \"//chat.googleapis.com/spaces/-\","
                      " \"eventTypes\": [\"google.workspace.chat.message.v1.created\"],"
                      " \"notificationEndpoint\": {\"pubsubTopic\": \"projects/parley-test/topics/chat-events\"},"
                      " \"payloadOptions\": {\"includeResource\": true}, \"ttl\": \"0s\"}";
    call("POST", admin, sub, &r, "/v1/subscriptions");
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "done")));
    json_t *created = json_object_get(r.json, "response");
    assert_string_equal(json_string_value(json_object_get(created, "state")), "ACTIVE");
    char *sub_name = xstrdup(json_string_value(json_object_get(created, "name")));
    harness_resp_clear(&r);
    expect_status(409, "POST", admin, sub, "/v1/subscriptions");
    call("GET", admin, NULL, &r, "/v1/subscriptions?filter=event_types%%3A%%22"
                                  "google.workspace.chat.message.v1.created%%22");
    assert_int_equal(json_array_size(json_object_get(r.json, "subscriptions")), 1);
    harness_resp_clear(&r);

    /* The first push is refused: Pub/Sub delivers it again. */
    receiver_clear();
    R.refuse = 1;
    char *space = named_space(&E, admin, "Events test");
    call("POST", admin, "{\"text\": \"to the relay\"}", &r, "/v1/%s/messages", space);
    assert_int_equal(r.status, 200);
    char *msg = xstrdup(json_string_value(json_object_get(r.json, "name")));
    harness_resp_clear(&r);
    assert_int_equal(receiver_wait(2), 2);

    for (size_t i = 0; i < 2; i++) {
        struct received *got = &R.items[i];
        assert_string_equal(got->path, "/intake/google");
        json_t *body = json_loads(got->body, 0, NULL);
        assert_non_null(body);
        json_t *message = json_object_get(body, "message");
        json_t *attributes = json_object_get(message, "attributes");
        assert_string_equal(json_string_value(json_object_get(attributes, "ce-type")),
                            "google.workspace.chat.message.v1.created");
        assert_string_equal(json_string_value(json_object_get(attributes, "ce-specversion")), "1.0");
        char *source = xasprintf("//workspaceevents.googleapis.com/%s", sub_name);
        assert_string_equal(json_string_value(json_object_get(attributes, "ce-source")), source);
        free(source);
        assert_string_equal(json_string_value(json_object_get(body, "subscription")),
                            "projects/parley-test/subscriptions/chat-events-push");
        char *data = unbase64(json_string_value(json_object_get(message, "data")), 0);
        json_t *event = json_loads(data, 0, NULL);
        json_t *m = json_object_get(event, "message");
        assert_string_equal(json_string_value(json_object_get(m, "name")), msg);
        assert_string_equal(json_string_value(json_object_get(m, "text")), "to the relay");
        json_decref(event);
        free(data);

        assert_non_null(got->authorization);
        assert_int_equal(strncmp(got->authorization, "Bearer ", 7), 0);
        json_t *claims = verified_claims(got->authorization + 7);
        assert_string_equal(json_string_value(json_object_get(claims, "aud")),
                            "https://hub.example/intake/google");
        assert_string_equal(json_string_value(json_object_get(claims, "email")),
                            "push@parley-test.iam.gserviceaccount.com");
        assert_true(json_is_true(json_object_get(claims, "email_verified")));
        json_decref(claims);
        json_decref(body);
    }

    call("DELETE", admin, NULL, &r, "/v1/%s", sub_name);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "done")));
    harness_resp_clear(&r);

    receiver_stop();
    free(msg);
    free(space);
    free(sub_name);
    free(admin);
    free(sa);
    free(endpoint);
}

/* A subscription with a 1 s TTL: a reminder at once (under 1 h left), then
 * the expired event, and it is gone. */
static void test_workspace_events_lifecycle(void **state)
{
    (void)state;
    int port = receiver_start();
    char *sa = token_for(&E, NULL, "pubsub");
    char *admin = token_for(&E, "admin@example.com", "chat.spaces chat.messages");
    struct harness_resp r;

    receiver_clear();
    expect_status(200, "PUT", sa, "{}", "/v1/projects/parley-test/topics/lifecycle");
    char *push = xasprintf("{\"topic\": \"projects/parley-test/topics/lifecycle\","
                           " \"pushConfig\": {\"pushEndpoint\": \"http://127.0.0.1:%d/lifecycle\"}}",
                           port);
    expect_status(200, "PUT", sa, push, "/v1/projects/parley-test/subscriptions/lifecycle-push");
    char *space = named_space(&E, admin, "Lifecycle test");
    char *sub = xasprintf("{\"targetResource\": \"//chat.googleapis.com/%s\","
                          " \"eventTypes\": [\"google.workspace.chat.message.v1.created\"],"
                          " \"notificationEndpoint\": {\"pubsubTopic\": \"projects/parley-test/topics/lifecycle\"},"
                          " \"ttl\": \"1s\"}", space);
    call("POST", admin, sub, &r, "/v1/subscriptions");
    assert_int_equal(r.status, 200);
    char *name = xstrdup(json_string_value(json_object_get(json_object_get(r.json, "response"),
                                                           "name")));
    harness_resp_clear(&r);

    assert_int_equal(receiver_wait(2), 2);
    const char *types[] = {"google.workspace.events.subscription.v1.expirationReminder",
                           "google.workspace.events.subscription.v1.expired"};
    for (size_t i = 0; i < 2; i++) {
        json_t *body = json_loads(R.items[i].body, 0, NULL);
        json_t *attributes = json_object_get(json_object_get(body, "message"), "attributes");
        assert_string_equal(json_string_value(json_object_get(attributes, "ce-type")), types[i]);
        assert_null(R.items[i].authorization);     /* no oidcToken configured */
        json_decref(body);
    }
    expect_status(404, "GET", admin, NULL, "/v1/%s", name);

    receiver_stop();
    free(name);
    free(sub);
    free(space);
    free(push);
    free(admin);
    free(sa);
}

/* Pull mode: a subscription without a push endpoint keeps the messages. */
static void test_pubsub_pull(void **state)
{
    (void)state;
    char *sa = token_for(&E, NULL, "pubsub");
    struct harness_resp r;
    const char *base = "/v1/projects/parley-test";

    expect_status(200, "PUT", sa, "{}", "%s/topics/pulled", base);
    expect_status(200, "PUT", sa,
                  "{\"topic\": \"projects/parley-test/topics/pulled\", \"ackDeadlineSeconds\": 10}", "%s/subscriptions/pulled-sub", base);
    expect_status(404, "PUT", sa, "{\"topic\": \"projects/parley-test/topics/none\"}",
         "%s/subscriptions/orphan", base);

    call("POST", sa, "{\"messages\": [{\"data\": \"aGVsbG8=\", \"attributes\": {\"k\": \"v\"}}]}",
         &r, "%s/topics/pulled:publish", base);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "messageIds")), 1);
    harness_resp_clear(&r);

    call("POST", sa, "{\"maxMessages\": 10}", &r, "%s/subscriptions/pulled-sub:pull", base);
    assert_int_equal(r.status, 200);
    json_t *got = json_array_get(json_object_get(r.json, "receivedMessages"), 0);
    json_t *message = json_object_get(got, "message");
    assert_string_equal(json_string_value(json_object_get(message, "data")), "aGVsbG8=");
    assert_string_equal(json_string_value(json_object_get(json_object_get(message, "attributes"),
                                                          "k")), "v");
    char *ack = xasprintf("{\"ackIds\": [\"%s\"]}",
                          json_string_value(json_object_get(got, "ackId")));
    harness_resp_clear(&r);

    /* Leased: not handed out again before the deadline. */
    call("POST", sa, "{\"maxMessages\": 10}", &r, "%s/subscriptions/pulled-sub:pull", base);
    assert_null(json_object_get(r.json, "receivedMessages"));
    harness_resp_clear(&r);
    expect_status(200, "POST", sa, ack, "%s/subscriptions/pulled-sub:acknowledge", base);
    expect_status(200, "DELETE", sa, NULL, "%s/subscriptions/pulled-sub", base);
    free(ack);
    free(sa);
}

static void test_directory_watch_channel(void **state)
{
    (void)state;
    int port = receiver_start();
    char *t = token_for(&E, "admin@example.com", "admin.directory.user");
    struct harness_resp r;

    receiver_clear();
    char *channel = xasprintf("{\"id\": \"chan-1\", \"type\": \"web_hook\", \"address\":"
                              " \"http://127.0.0.1:%d/intake/directory\", \"token\": \"verify-me\"}",
                              port);
    call("POST", t, channel, &r, "/admin/directory/v1/users/watch?customer=my_customer&event=add");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "api#channel");
    char *resource_id = xstrdup(json_string_value(json_object_get(r.json, "resourceId")));
    harness_resp_clear(&r);
    assert_int_equal(receiver_wait(1), 1);
    assert_string_equal(R.items[0].state, "sync");
    assert_string_equal(R.items[0].number, "1");

    expect_status(200, "POST", t,
                  "{\"primaryEmail\": \"fay@example.com\", \"password\": \"Passw0rd-long\","
                    " \"name\": {\"givenName\": \"Fay\", \"familyName\": \"Oh\"}}", "/admin/directory/v1/users");
    assert_int_equal(receiver_wait(2), 2);
    assert_string_equal(R.items[1].state, "add");
    assert_string_equal(R.items[1].number, "2");
    assert_non_null(strstr(R.items[1].body, "fay@example.com"));

    char *stop = xasprintf("{\"id\": \"chan-1\", \"resourceId\": \"%s\"}", resource_id);
    expect_status(204, "POST", t, stop, "/admin/directory_v1/channels/stop");

    receiver_stop();
    free(stop);
    free(resource_id);
    free(channel);
    free(t);
}

/* --real-quotas: Chat allows one write per second per space. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workspace_events_pushed_through_pubsub),
        cmocka_unit_test(test_workspace_events_lifecycle),
        cmocka_unit_test(test_pubsub_pull),
        cmocka_unit_test(test_directory_watch_channel),
    };
    return cmocka_run_group_tests_name("integration/emu-google-events", tests, setup, teardown);
}
