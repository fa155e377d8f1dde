/* google_fixture.h - what the Google emulator's integration tests share
 * (tests/integration/55-emu-google-*.c): the seed, one running parley-emu
 * per test program (E, started by setup), tokens and signed assertions of
 * the seeded service account, and call / expect_status on E.
 * Header-only: each test program includes it once.
 *
 * Assertions are signed from the key file the emulator wrote, as a client
 * library would (tests/lib/google_client.c). */
#ifndef PARLEY_TESTS_GOOGLE_FIXTURE_H
#define PARLEY_TESTS_GOOGLE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "lib/google_client.h"
#include "lib/harness.h"
#include "util/xmalloc.h"

#define SA_EMAIL "parley@parley-test.iam.gserviceaccount.com"
#define SCOPE GOOGLE_CLIENT_SCOPE
#define GOOGLE_AUD GOOGLE_CLIENT_AUD

static const char SEED[] =
    "{\"google\": {\"customer_id\": \"C0test01\", \"domain\": \"example.com\",\n"
    " \"admin_email\": \"admin@example.com\",\n"
    " \"service_account\": {\"client_email\": \"" SA_EMAIL "\",\n"
    "   \"client_id\": \"111111111111111111111\",\n"
    "   \"scopes\": [\"" SCOPE "admin.directory.user\", \"" SCOPE "admin.directory.user.readonly\",\n"
    "     \"" SCOPE "admin.directory.group.readonly\", \"" SCOPE "chat.spaces\",\n"
    "     \"" SCOPE "chat.messages\", \"" SCOPE "chat.messages.readonly\",\n"
    "     \"" SCOPE "chat.memberships.readonly\", \"" SCOPE "chat.memberships\",\n"
    "     \"" SCOPE "pubsub\"]},\n"
    " \"users\": [\n"
    "  {\"primaryEmail\": \"ann@example.com\", \"name\": {\"givenName\": \"Ann\", \"familyName\": \"Ng\"},\n"
    "   \"orgUnitPath\": \"/Sales\"},\n"
    "  {\"primaryEmail\": \"bob@example.com\", \"name\": {\"givenName\": \"Bob\", \"familyName\": \"Smith\"},\n"
    "   \"suspended\": true},\n"
    "  {\"primaryEmail\": \"cat@example.com\", \"name\": {\"givenName\": \"Cat\", \"familyName\": \"Ng\"}}],\n"
    " \"groups\": [{\"email\": \"eng@example.com\", \"name\": \"Engineering\",\n"
    "   \"members\": [\"ann@example.com\", \"cat@example.com\", \"guest@other.example\"]}],\n"
    " \"generate\": {\"users\": 5}}}\n";

/* The emulator of the test program (one per program, started by setup). */
static struct google_client E;

static inline char *write_seed(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* An access token of G for SUB (NULL: the service account) with the short
 * SCOPES; the grant must succeed. */
static inline char *token_for(struct google_client *g, const char *sub, const char *short_scopes)
{
    char *token = google_client_token(g, sub, short_scopes);
    assert_non_null(token);
    return token;
}

/* A signed assertion of the seeded service account (KEY NULL) or of KEY. */
static inline char *assertion(EVP_PKEY *key, const char *sub, const char *scopes, const char *aud,
                       long life)
{
    return google_client_sign(&E, key, google_client_claims(&E, sub, scopes, aud, life));
}

/* METHOD PATH on E (printf-style), with TOKEN (may be NULL) and BODY. */
#define call(method, token, body, resp, ...) \
    assert_int_equal(google_client_call(&E, method, token, body, resp, __VA_ARGS__), 0)

/* call() that only asserts the answer's STATUS. */
#define expect_status(want, method, token, body, ...)                  \
    do {                                                               \
        struct harness_resp expect_resp_;                              \
        call(method, token, body, &expect_resp_, __VA_ARGS__);         \
        assert_int_equal(expect_resp_.status, want);                   \
        harness_resp_clear(&expect_resp_);                             \
    } while (0)

static inline const char *err_status(const struct harness_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "status"));
}

static inline const char *err_reason(const struct harness_resp *r)
{
    json_t *errors = json_object_get(json_object_get(r->json, "error"), "errors");
    return json_string_value(json_object_get(json_array_get(errors, 0), "reason"));
}

static inline int setup(void **state)
{
    (void)state;
    return google_client_start(&E, SEED, NULL);
}

static inline int teardown(void **state)
{
    (void)state;
    return google_client_stop(&E);
}

/* Set up a named space with Ann and Cat as the admin of G; returns its name. */
static inline char *named_space(struct google_client *g, const char *token, const char *display)
{
    struct harness_resp r;
    char *body = xasprintf("{\"requestId\": \"%s\", \"space\": {\"spaceType\": \"SPACE\", "
                           "\"displayName\": \"%s\"}, \"memberships\": ["
                           "{\"member\": {\"name\": \"users/ann@example.com\"}},"
                           "{\"member\": {\"name\": \"users/cat@example.com\"}}]}",
                           display, display);
    assert_int_equal(google_client_call(g, "POST", token, body, &r, "/v1/spaces:setup"), 0);
    assert_int_equal(r.status, 200);
    char *name = xstrdup(json_string_value(json_object_get(r.json, "name")));
    harness_resp_clear(&r);
    free(body);
    return name;
}

#endif
