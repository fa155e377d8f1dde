/* 55-emu-google.c - build/parley-emu's Google side over real HTTP: seed
 * errors (exit 2 naming the JSON path), the service-account key file and
 * endpoints.json entry, the JWT-bearer token grant and its refusals, the
 * certs and OpenID configuration, access-token checks (401 / 403), the
 * Admin SDK Directory (users paging, queries, insert / patch / delete,
 * groups and members), the Chat API (spaces.setup, findDirectMessage,
 * messages with messageId / requestId, patch, delete, list), and outbound
 * events received by a local HTTP server: Workspace Events through a Pub/Sub
 * push subscription (CloudEvent attributes, base64 data, OIDC token verified
 * against the emulator's certificate, retry after a refusal) and Directory
 * users.watch channels (sync, then add).
 *
 * Assertions are signed from the key file the emulator wrote, as a client
 * library would (tests/lib/google_client.c). */
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
#include "lib/harness.h"
#include "util/clock.h"
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

static struct google_client E;

static char *write_seed(const char *dir, const char *name, const char *text)
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
static char *token_for(struct google_client *g, const char *sub, const char *short_scopes)
{
    char *token = google_client_token(g, sub, short_scopes);
    assert_non_null(token);
    return token;
}

/* A signed assertion of the seeded service account (KEY NULL) or of KEY. */
static char *assertion(EVP_PKEY *key, const char *sub, const char *scopes, const char *aud,
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

static const char *err_status(const struct harness_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "status"));
}

static const char *err_reason(const struct harness_resp *r)
{
    json_t *errors = json_object_get(json_object_get(r->json, "error"), "errors");
    return json_string_value(json_object_get(json_array_get(errors, 0), "reason"));
}

static int setup(void **state)
{
    (void)state;
    return google_client_start(&E, SEED, NULL);
}

static int teardown(void **state)
{
    (void)state;
    return google_client_stop(&E);
}

/* ---- seed, key file, endpoints ---- */

/* Run parley-emu on SEED_TEXT, which must be refused: exit 2 and a message
 * naming PATH. */
static void expect_bad_seed(const char *seed_text, const char *path)
{
    char *dir = harness_tmpdir("parley-gemu-bad");
    char *seed = write_seed(dir, "seed.json", seed_text);
    char *out = xasprintf("%s/out", dir);
    char *log_path = xasprintf("%s/emu.log", dir);
    const char *argv[] = {harness_bin("parley-emu"), "--seed", seed, "--dir", out,
                          "--listen-microsoft", "127.0.0.1:0", "--listen-google", "127.0.0.1:0",
                          NULL};
    struct harness_proc *p = harness_proc_start(argv, NULL, log_path);
    assert_non_null(p);
    int status = harness_proc_stop(p, 0, 10000);
    harness_proc_free(p);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    char *log = harness_read_file(log_path);
    assert_non_null(log);
    assert_non_null(strstr(log, path));
    free(log);
    free(log_path);
    free(out);
    free(seed);
    harness_rmrf(dir);
    free(dir);
}

static void test_bad_seed_names_the_path(void **state)
{
    (void)state;
    expect_bad_seed("{\"google\": {\"users\": [{\"primaryEmail\": \"a@example.com\"},"
                    " {\"primaryEmail\": 7}]}}",
                    "google.users[1].primaryEmail");
    expect_bad_seed("{\"google\": {\"groups\": [{\"email\": \"g@example.com\","
                    " \"members\": [\"x\"]}]}}",
                    "google.groups[0].members[0]");
    expect_bad_seed("{\"google\": {\"service_account\": {\"client_mail\": \"x\"}}}",
                    "google.service_account.client_mail");
    expect_bad_seed("{\"google\": {\"generate\": {\"users\": -1}}}", "google.generate.users");
}

static void test_key_file_and_endpoints(void **state)
{
    (void)state;
    json_t *g = E.google;
    assert_string_equal(json_string_value(json_object_get(g, "customer_id")), "C0test01");
    assert_string_equal(json_string_value(json_object_get(g, "domain")), "example.com");
    assert_string_equal(json_string_value(json_object_get(g, "admin_email")), "admin@example.com");
    char *token_uri = xasprintf("%stoken", E.root);
    assert_string_equal(json_string_value(json_object_get(g, "token_uri")), token_uri);
    assert_string_equal(json_string_value(json_object_get(E.key, "token_uri")), token_uri);
    free(token_uri);
    assert_string_equal(json_string_value(json_object_get(E.key, "type")), "service_account");
    assert_string_equal(json_string_value(json_object_get(E.key, "client_email")), SA_EMAIL);
    assert_string_equal(json_string_value(json_object_get(E.key, "project_id")), "parley-test");
    assert_int_equal(strlen(json_string_value(json_object_get(E.key, "private_key_id"))), 40);
}

/* ---- the token endpoint ---- */

static void expect_token_error(char *jwt, long status, const char *error, const char *text)
{
    struct harness_resp r;
    assert_int_equal(google_client_token_request(&E, jwt, &r), 0);
    assert_int_equal(r.status, status);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), error);
    if (text)
        assert_non_null(strstr(json_string_value(json_object_get(r.json, "error_description")),
                               text));
    harness_resp_clear(&r);
}

static void test_token_grant_and_refusals(void **state)
{
    (void)state;
    const char *dir_scope = SCOPE "admin.directory.user.readonly";
    struct harness_resp r = {0};

    /* Our own token URI is an accepted audience too. */
    char *own = xasprintf("%stoken", E.root);
    assert_int_equal(google_client_token_request(
                         &E, assertion(NULL, "admin@example.com", dir_scope, own, 3600), &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 3599);
    harness_resp_clear(&r);
    free(own);

    EVP_PKEY *other = EVP_RSA_gen(2048);
    expect_token_error(assertion(other, "admin@example.com", dir_scope, GOOGLE_AUD, 3600),
                       400, "invalid_grant", "Invalid JWT Signature.");
    EVP_PKEY_free(other);
    expect_token_error(assertion(NULL, "admin@example.com", dir_scope, GOOGLE_AUD, 3601),
                       400, "invalid_grant", "short-lived token");
    expect_token_error(assertion(NULL, "admin@example.com", dir_scope, "https://example.com/token",
                                 3600),
                       400, "invalid_grant", "audience");
    expect_token_error(assertion(NULL, "nobody@example.com", dir_scope, GOOGLE_AUD, 3600),
                       400, "invalid_grant", "Invalid email or User ID");
    expect_token_error(assertion(NULL, "bob@example.com", dir_scope, GOOGLE_AUD, 3600),
                       400, "invalid_grant", "Invalid email or User ID");
    expect_token_error(assertion(NULL, "admin@example.com", SCOPE "admin.directory.group", GOOGLE_AUD,
                                 3600),
                       401, "unauthorized_client", "not authorized for any of the scopes");
    expect_token_error(assertion(NULL, "admin@example.com", "", GOOGLE_AUD, 3600), 400,
                       "invalid_scope", NULL);

    char *url = xasprintf("%stoken", E.root);
    assert_int_equal(harness_http_do(E.http, "POST", url, NULL, "grant_type=client_credentials", &r),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                        "unsupported_grant_type");
    harness_resp_clear(&r);
    free(url);
}

static void test_certs_and_openid_configuration(void **state)
{
    (void)state;
    struct harness_resp r;
    call("GET", NULL, NULL, &r, "/oauth2/v3/certs");
    assert_int_equal(r.status, 200);
    json_t *jwk = json_array_get(json_object_get(r.json, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(jwk, "alg")), "RS256");
    char *kid = xstrdup(json_string_value(json_object_get(jwk, "kid")));
    harness_resp_clear(&r);

    call("GET", NULL, NULL, &r, "/oauth2/v1/certs");
    assert_int_equal(r.status, 200);
    const char *pem = json_string_value(json_object_get(r.json, kid));
    assert_non_null(pem);
    assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE-----"));
    harness_resp_clear(&r);
    free(kid);

    call("GET", NULL, NULL, &r, "/.well-known/openid-configuration");
    assert_int_equal(r.status, 200);
    char *jwks = xasprintf("%soauth2/v3/certs", E.root);
    assert_string_equal(json_string_value(json_object_get(r.json, "jwks_uri")), jwks);
    free(jwks);
    harness_resp_clear(&r);
}

static void test_access_token_checks(void **state)
{
    (void)state;
    struct harness_resp r;
    call("GET", NULL, NULL, &r, "/admin/directory/v1/users?customer=my_customer");
    assert_int_equal(r.status, 401);
    assert_string_equal(err_status(&r), "UNAUTHENTICATED");
    harness_resp_clear(&r);

    call("GET", "ya29.bogus", NULL, &r, "/v1/spaces");
    assert_int_equal(r.status, 401);
    assert_string_equal(err_status(&r), "UNAUTHENTICATED");
    harness_resp_clear(&r);

    char *chat_only = token_for(&E, "admin@example.com", "chat.spaces");
    call("GET", chat_only, NULL, &r, "/admin/directory/v1/users?customer=my_customer");
    assert_int_equal(r.status, 403);
    assert_string_equal(err_status(&r), "PERMISSION_DENIED");
    harness_resp_clear(&r);
    call("GET", chat_only, NULL, &r, "/v1/spaces/AAAAnone/messages");
    assert_int_equal(r.status, 403);
    json_t *detail = json_array_get(json_object_get(json_object_get(r.json, "error"), "details"), 0);
    assert_string_equal(json_string_value(json_object_get(detail, "reason")),
                        "ACCESS_TOKEN_SCOPE_INSUFFICIENT");
    harness_resp_clear(&r);
    free(chat_only);

    /* A user who is not an admin cannot use the Directory. */
    char *ann = token_for(&E, "ann@example.com", "admin.directory.user.readonly");
    call("GET", ann, NULL, &r, "/admin/directory/v1/users?customer=my_customer");
    assert_int_equal(r.status, 403);
    assert_string_equal(err_reason(&r), "forbidden");
    harness_resp_clear(&r);
    free(ann);
}

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

/* ---- Chat ---- */

static void test_chat_dm_setup_and_find(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "chat.spaces chat.memberships.readonly");
    struct harness_resp r;
    const char *dm = "{\"space\": {\"spaceType\": \"DIRECT_MESSAGE\"}, \"memberships\": "
                     "[{\"member\": {\"name\": \"users/cat@example.com\", \"type\": \"HUMAN\"}}]}";

    call("GET", t, NULL, &r, "/v1/spaces:findDirectMessage?name=users/cat%%40example.com");
    assert_int_equal(r.status, 404);
    assert_string_equal(err_status(&r), "NOT_FOUND");
    harness_resp_clear(&r);

    call("POST", t, dm, &r, "/v1/spaces:setup");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "spaceType")), "DIRECT_MESSAGE");
    char *name = xstrdup(json_string_value(json_object_get(r.json, "name")));
    harness_resp_clear(&r);

    call("POST", t, dm, &r, "/v1/spaces:setup");
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), name);
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/v1/spaces:findDirectMessage?name=users/cat%%40example.com");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), name);
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/v1/%s/members", name);
    assert_int_equal(json_array_size(json_object_get(r.json, "memberships")), 2);
    harness_resp_clear(&r);

    /* Not listed before its first message. */
    call("GET", t, NULL, &r, "/v1/spaces");
    assert_int_equal(r.status, 200);
    assert_null(json_object_get(r.json, "spaces"));
    harness_resp_clear(&r);

    call("POST", t, "{\"space\": {\"spaceType\": \"SPACE\"}}", &r, "/v1/spaces:setup");
    assert_int_equal(r.status, 400);
    assert_string_equal(err_status(&r), "INVALID_ARGUMENT");
    harness_resp_clear(&r);
    free(name);
    free(t);
}

/* Set up a named space with Ann and Cat as the admin of G; returns its name. */
static char *named_space(struct google_client *g, const char *token, const char *display)
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

static void test_chat_members_add_remove(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "chat.spaces chat.memberships");
    char *ann = token_for(&E, "ann@example.com", "chat.memberships");
    struct harness_resp r;
    char *space = named_space(&E, t, "Members test");
    const char *add = "{\"member\": {\"name\": \"users/user00001@example.com\", \"type\": \"HUMAN\"}}";

    /* spaces.create: a named space with only its creator, as manager. */
    call("POST", t, "{\"spaceType\": \"SPACE\", \"displayName\": \"Created\"}", &r, "/v1/spaces");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "membershipCount"),
                                                        "joinedDirectHumanUserCount")), 1);
    harness_resp_clear(&r);
    expect_status(400, "POST", t, "{\"spaceType\": \"GROUP_CHAT\"}", "/v1/spaces");

    call("POST", t, add, &r, "/v1/%s/members", space);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "role")), "ROLE_MEMBER");
    harness_resp_clear(&r);
    expect_status(409, "POST", t, add, "/v1/%s/members", space);
    call("GET", t, NULL, &r, "/v1/%s/members/admin@example.com", space);
    assert_string_equal(json_string_value(json_object_get(r.json, "role")), "ROLE_MANAGER");
    harness_resp_clear(&r);

    /* Ann may leave, not remove others; the manager may remove anyone. */
    expect_status(403, "DELETE", ann, NULL, "/v1/%s/members/cat@example.com", space);
    call("DELETE", ann, NULL, &r, "/v1/%s/members/ann@example.com", space);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "NOT_A_MEMBER");
    harness_resp_clear(&r);
    expect_status(200, "DELETE", t, NULL, "/v1/%s/members/user00001@example.com", space);
    call("GET", t, NULL, &r, "/v1/%s/members", space);
    assert_int_equal(json_array_size(json_object_get(r.json, "memberships")), 2);
    harness_resp_clear(&r);
    /* Ann is no longer in it: the space is not found for her. */
    expect_status(404, "GET", ann, NULL, "/v1/%s/members", space);

    free(space);
    free(ann);
    free(t);
}

static void test_chat_messages(void **state)
{
    (void)state;
    char *t = token_for(&E, "admin@example.com", "chat.spaces chat.messages");
    char *ann = token_for(&E, "ann@example.com", "chat.messages");
    struct harness_resp r;
    char *space = named_space(&E, t, "Relay test");

    /* The same requestId gives the same space. */
    char *again = named_space(&E, t, "Relay test");
    assert_string_equal(again, space);
    free(again);

    call("POST", t, "{\"text\": \"hello <users/ann@example.com>\"}", &r,
         "/v1/%s/messages?messageId=client-abc-1&requestId=req-1", space);
    assert_int_equal(r.status, 200);
    char *msg = xstrdup(json_string_value(json_object_get(r.json, "name")));
    assert_string_equal(json_string_value(json_object_get(r.json, "clientAssignedMessageId")),
                        "client-abc-1");
    json_t *ann_ref = json_object_get(json_object_get(r.json, "sender"), "type");
    assert_string_equal(json_string_value(ann_ref), "HUMAN");
    json_t *mention = json_array_get(json_object_get(r.json, "annotations"), 0);
    assert_int_equal(json_integer_value(json_object_get(mention, "startIndex")), 6);
    assert_int_equal(json_integer_value(json_object_get(mention, "length")), 23);
    harness_resp_clear(&r);

    /* requestId is idempotent; a reused messageId conflicts. */
    call("POST", t, "{\"text\": \"hello again\"}", &r, "/v1/%s/messages?requestId=req-1", space);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), msg);
    harness_resp_clear(&r);
    call("POST", t, "{\"text\": \"x\"}", &r, "/v1/%s/messages?messageId=client-abc-1", space);
    assert_int_equal(r.status, 409);
    assert_string_equal(err_status(&r), "ALREADY_EXISTS");
    harness_resp_clear(&r);
    expect_status(400, "POST", t, "{\"text\": \"x\"}",
                  "/v1/%s/messages?messageId=Client-ABC", space);

    /* 4,096 characters at most (multi-byte characters count once). */
    size_t n = 4096;
    char *long_text = xmalloc(2 * n + 64);
    char *p = long_text + sprintf(long_text, "{\"text\": \"");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "\xc3\xa9");
    strcpy(p, "\"}");
    expect_status(200, "POST", t, long_text, "/v1/%s/messages", space);
    strcpy(p, "x\"}");
    call("POST", t, long_text, &r, "/v1/%s/messages", space);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "error"),
                                                             "message")),
                           "Maximum length of the field is 4096"));
    harness_resp_clear(&r);
    free(long_text);

    /* Only the sender edits; updateMask is required. */
    expect_status(403, "PATCH", ann, "{\"text\": \"hijack\"}",
                  "/v1/%s/messages/client-abc-1?updateMask=text",
         space);
    expect_status(400, "PATCH", t, "{\"text\": \"edited\"}", "/v1/%s/messages/client-abc-1", space);
    call("PATCH", t, "{\"text\": \"edited\"}", &r, "/v1/%s?updateMask=text", msg);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "text")), "edited");
    assert_non_null(json_object_get(r.json, "lastUpdateTime"));
    harness_resp_clear(&r);

    /* list pages one by one; newest first with orderBy. */
    call("GET", t, NULL, &r, "/v1/%s/messages?pageSize=1", space);
    assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(r.json, "messages"), 0), "name")), msg);
    assert_non_null(json_object_get(r.json, "nextPageToken"));
    harness_resp_clear(&r);
    expect_status(400, "GET", t, NULL, "/v1/%s/messages?pageSize=-1", space);

    /* A reply in the message's thread; an unknown thread fails with OR_FAIL. */
    call("GET", t, NULL, &r, "/v1/%s", msg);
    char *thread = xstrdup(json_string_value(json_object_get(json_object_get(r.json, "thread"),
                                                             "name")));
    harness_resp_clear(&r);
    char *reply = xasprintf("{\"text\": \"a reply\", \"thread\": {\"name\": \"%s\"}}", thread);
    call("POST", t, reply, &r,
         "/v1/%s/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", space);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "threadReply")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "thread"), "name")),
                        thread);
    harness_resp_clear(&r);
    expect_status(404, "POST", t,
                  "{\"text\": \"x\", \"thread\": {\"name\": \"spaces/X/threads/none\"}}",
         "/v1/%s/messages?messageReplyOption=REPLY_MESSAGE_OR_FAIL", space);
    free(reply);
    free(thread);

    expect_status(403, "DELETE", ann, NULL, "/v1/%s", msg);
    call("DELETE", t, NULL, &r, "/v1/%s", msg);
    assert_int_equal(r.status, 400);     /* it has a reply */
    harness_resp_clear(&r);
    expect_status(200, "DELETE", t, NULL, "/v1/%s?force=true", msg);
    expect_status(404, "GET", t, NULL, "/v1/%s", msg);
    call("GET", t, NULL, &r, "/v1/%s/messages?showDeleted=true", space);
    assert_non_null(json_object_get(json_array_get(json_object_get(r.json, "messages"), 0),
                                    "deleteTime"));
    harness_resp_clear(&r);

    call("GET", t, NULL, &r, "/v1/spaces");
    assert_int_equal(json_array_size(json_object_get(r.json, "spaces")), 1);
    harness_resp_clear(&r);

    free(msg);
    free(space);
    free(ann);
    free(t);
}

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
static void test_real_quotas_limit_space_writes(void **state)
{
    (void)state;
    struct google_client limited;
    struct harness_resp r;
    const char *const quotas[] = {"--real-quotas", NULL};
    assert_int_equal(google_client_start(&limited, SEED, quotas), 0);

    char *t = token_for(&limited, "admin@example.com", "chat.spaces chat.messages");
    char *space = named_space(&limited, t, "Quota test");
    assert_int_equal(google_client_call(&limited, "POST", t, "{\"text\": \"one\"}", &r,
                                        "/v1/%s/messages", space), 0);
    assert_int_equal(r.status, 200);
    harness_resp_clear(&r);
    assert_int_equal(google_client_call(&limited, "POST", t, "{\"text\": \"two\"}", &r,
                                        "/v1/%s/messages", space), 0);
    assert_int_equal(r.status, 429);
    assert_string_equal(err_status(&r), "RESOURCE_EXHAUSTED");
    json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
    assert_string_equal(json_string_value(json_object_get(json_array_get(details, 1), "retryDelay")),
                        "1s");
    harness_resp_clear(&r);

    free(space);
    free(t);
    assert_int_equal(google_client_stop(&limited), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_seed_names_the_path),
        cmocka_unit_test(test_key_file_and_endpoints),
        cmocka_unit_test(test_token_grant_and_refusals),
        cmocka_unit_test(test_certs_and_openid_configuration),
        cmocka_unit_test(test_access_token_checks),
        cmocka_unit_test(test_users_paging_and_queries),
        cmocka_unit_test(test_user_ids_are_stable_for_a_seed),
        cmocka_unit_test(test_user_insert_patch_delete),
        cmocka_unit_test(test_groups_and_members),
        cmocka_unit_test(test_chat_dm_setup_and_find),
        cmocka_unit_test(test_chat_messages),
        cmocka_unit_test(test_chat_members_add_remove),
        cmocka_unit_test(test_workspace_events_pushed_through_pubsub),
        cmocka_unit_test(test_workspace_events_lifecycle),
        cmocka_unit_test(test_pubsub_pull),
        cmocka_unit_test(test_directory_watch_channel),
        cmocka_unit_test(test_real_quotas_limit_space_writes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
