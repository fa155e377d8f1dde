/* 20-connectors.c - the Microsoft and Google connectors (platform_ops_for)
 * against build/parley-emu over HTTPS with its CA: the demo seed plus
 * generated users and teams, so listings span several pages.
 *
 * Microsoft: test ok; a bad secret (AADSTS7000215), a wrong CA (TLS), an
 * unreachable host (NETWORK); teams, a team's members, users across pages
 * with exact counts; 429 + Retry-After and a 503 storm injected through the
 * control API, retried (the request log shows it) until the listing
 * completes; a 401 makes the connector fetch a new token once.
 * Google: test ok; a key that is not the service account's (invalid_grant);
 * an admin_email that is not an admin (403); domain-wide delegation without
 * the scope (a second emulator, plain HTTP on loopback); users across pages
 * with the suspended ones flagged; teams UNSUPPORTED.
 * Secondary accounts: a Teams guest's whole life (create as a Guest with
 * the person's mail, verify by ROPC with the generated password, find,
 * EXISTS, delete twice), a wrong password, a taken mail (otherMails), a
 * 429 on POST /users retried; a Google interop account's life, an unknown
 * interop domain, and an org unit plus missing Chat delegation (a second
 * emulator).
 *
 * The connectors' retry pauses are recorded instead of slept (the policy's
 * sleep hook), so the test checks what was waited without waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/emu_client.h"
#include "lib/google_client.h"
#include "lib/harness.h"
#include "lib/test_tls.h"
#include "platform/api.h"
#include "platform/platform.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define DEMO_SEED "emulators/seeds/demo.json"
#define MS_GENERATED_USERS 2500
#define MS_GENERATED_TEAMS 3
#define MS_DEMO_USERS 14
#define MS_DEMO_DISABLED 1
#define G_GENERATED_USERS 1200
#define G_DEMO_USERS 7
#define G_SUSPENDED 2

static struct emu_client E;
static char *seed_dir;

/* ---- fixtures ---- */

/* The demo seed with generated users and teams, and two suspended Google
 * users, written to a temp file; its path (caller frees). */
static char *write_seed(void)
{
    json_error_t jerr;
    json_t *seed = json_load_file(DEMO_SEED, 0, &jerr);
    json_t *ms, *google, *users;
    char *path;

    assert_non_null(seed);
    ms = json_object_get(seed, "microsoft");
    google = json_object_get(seed, "google");
    json_object_set_new(ms, "generate", json_pack("{s:i, s:i}", "users", MS_GENERATED_USERS,
                                                  "teams", MS_GENERATED_TEAMS));
    json_object_set_new(google, "generate", json_pack("{s:i}", "users", G_GENERATED_USERS));
    users = json_object_get(google, "users");
    assert_int_equal(json_array_size(users), G_DEMO_USERS);
    for (int i = 1; i <= G_SUSPENDED; i++) {
        char *email = xasprintf("gone%d@parleydemo.example", i);
        json_array_append_new(users, json_pack("{s:s, s:{s:s, s:s}, s:b}", "primaryEmail", email,
                                               "name", "givenName", "Gone", "familyName", "Away",
                                               "suspended", 1));
        free(email);
    }
    seed_dir = harness_tmpdir("parley-conn-seed");
    path = xasprintf("%s/seed.json", seed_dir);
    assert_int_equal(json_dump_file(seed, path, JSON_INDENT(1)), 0);
    json_decref(seed);
    return path;
}

static int setup(void **state)
{
    char *seed = write_seed();
    int rc = emu_client_start(&E, seed, 1, NULL);

    (void)state;
    free(seed);
    return rc;
}

static int teardown(void **state)
{
    int status = emu_client_stop(&E);

    (void)state;
    harness_rmrf(seed_dir);
    free(seed_dir);
    return status == 0 ? 0 : -1;
}

static const json_t *endpoint(const char *platform)
{
    return json_object_get(E.endpoints, platform);
}

static const char *ca_file(void)
{
    return json_get_str(E.endpoints, "ca_file");
}

static struct platform_settings ms_settings(void)
{
    const json_t *ms = endpoint("microsoft");

    return (struct platform_settings){
        .kind = PLATFORM_MICROSOFT,
        .tenant_id = json_get_str(ms, "tenant_id"),
        .client_id = json_get_str(ms, "client_id"),
        .client_secret = json_get_str(ms, "client_secret"),
        .authority_host = json_get_str(ms, "authority_host"),
        .graph_base = json_get_str(ms, "graph_base"),
        .ca_file = ca_file(),
    };
}

/* The Google settings; *key_json (caller frees) holds the key file's text. */
static struct platform_settings google_settings(char **key_json)
{
    const json_t *g = endpoint("google");

    *key_json = harness_read_file(json_get_str(g, "service_account_key_file"));
    assert_non_null(*key_json);
    return (struct platform_settings){
        .kind = PLATFORM_GOOGLE,
        .customer_id = json_get_str(g, "customer_id"),
        .domain = json_get_str(g, "domain"),
        .admin_email = json_get_str(g, "admin_email"),
        .service_account_json = *key_json,
        .root_url = json_get_str(g, "root_url"),
        .ca_file = ca_file(),
    };
}

/* The pauses the retry policy asked for, recorded instead of slept. */
static long long waits[64];
static int nwaits;

static void record_wait(long long ms, void *ctx)
{
    (void)ctx;
    if (nwaits < (int)(sizeof waits / sizeof waits[0]))
        waits[nwaits] = ms;
    nwaits++;
}

/* Open S with ops of its kind; retry pauses are recorded, not slept. */
static struct platform_conn *open_conn(const struct platform_settings *s)
{
    struct platform_conn *conn = NULL;
    struct platform_error err;
    enum parley_err rc = platform_ops_for(s->kind)->open(s, &conn, &err);

    if (rc != PARLEY_OK)
        fail_msg("open: %s: %s", parley_errname(rc), err.message);
    conn->retry.sleep_ms = record_wait;
    nwaits = 0;
    return conn;
}

static void close_conn(struct platform_conn *conn)
{
    platform_ops_for(conn->kind)->close(conn);
}

/* open + test S: the test's code, with the message in ERR. */
static enum parley_err test_settings(const struct platform_settings *s, struct platform_error *err)
{
    struct platform_conn *conn = open_conn(s);
    enum parley_err rc = platform_ops_for(s->kind)->test(conn, err);

    close_conn(conn);
    return rc;
}

/* What a listing of people delivered. */
struct people_seen {
    int pages, people, suspended, guests;
    int with_names;             /* given and family name both present */
    char emails[16][128];       /* the first 16 */
};

static enum parley_err on_people(const struct platform_person *people, size_t count, void *arg)
{
    struct people_seen *seen = arg;

    seen->pages++;
    for (size_t i = 0; i < count; i++) {
        const struct platform_person *p = &people[i];
        assert_non_null(p->external_id);
        assert_non_null(p->email);
        if (seen->people < 16)
            snprintf(seen->emails[seen->people], sizeof seen->emails[0], "%s", p->email);
        seen->people++;
        seen->suspended += p->suspended;
        seen->guests += p->guest;
        seen->with_names += p->given_name && p->family_name;
    }
    return PARLEY_OK;
}

static int seen_email(const struct people_seen *seen, const char *email)
{
    for (int i = 0; i < seen->people && i < 16; i++)
        if (strcmp(seen->emails[i], email) == 0)
            return 1;
    return 0;
}

struct teams_seen {
    int count;
    char engineering_id[128];
    int demo_found;             /* Engineering, Sales, Leadership */
};

static enum parley_err on_teams(const struct platform_team *teams, size_t count, void *arg)
{
    struct teams_seen *seen = arg;

    for (size_t i = 0; i < count; i++) {
        const struct platform_team *t = &teams[i];
        assert_non_null(t->external_id);
        assert_non_null(t->name);
        assert_true(t->member_count >= 0);
        seen->count++;
        if (strcmp(t->name, "Engineering") == 0) {
            snprintf(seen->engineering_id, sizeof seen->engineering_id, "%s", t->external_id);
            assert_string_equal(t->description, "Builders of things");
            assert_int_equal(t->member_count, 6);
        }
        seen->demo_found += strcmp(t->name, "Engineering") == 0 ||
                            strcmp(t->name, "Sales") == 0 || strcmp(t->name, "Leadership") == 0;
    }
    return PARLEY_OK;
}

/* Make the Microsoft listener answer the next COUNT METHOD requests under
 * /v1.0/users with STATUS (and Retry-After: RETRY_AFTER s, unless 0): one
 * fault rule POSTed to its control API. */
static void inject_fault(const char *method, int count, int status, int retry_after)
{
    struct harness_resp resp = { 0 };
    char retry[32] = "";
    char *rule;

    if (retry_after)
        snprintf(retry, sizeof retry, ",\"retry_after\":%d", retry_after);
    rule = xasprintf("{\"method\":\"%s\",\"path_prefix\":\"/v1.0/users\",\"count\":%d,"
                     "\"status\":%d%s}", method, count, status, retry);
    assert_int_equal(emu_client_control(&E, "POST", "/faults", rule, &resp), 0);
    assert_int_equal(resp.status, 201);
    harness_resp_clear(&resp);
    free(rule);
}

/* List every user of the Microsoft tenant through CONN into USERS: all
 * of them must come. */
static void list_ms_users(struct platform_conn *conn, struct people_seen *users)
{
    struct platform_error err;

    assert_int_equal(platform_ops_for(PLATFORM_MICROSOFT)->list_users(conn, on_people, users,
                                                                       &err), PARLEY_OK);
    assert_int_equal(users->people, MS_DEMO_USERS + MS_GENERATED_USERS);
}

static void clear_request_log(void)
{
    struct harness_resp resp = { 0 };

    assert_int_equal(emu_client_control(&E, "DELETE", "/requests", NULL, &resp), 0);
    harness_resp_clear(&resp);
}

/* How many logged requests had STATUS and a path starting with PREFIX. */
static int logged(int status, const char *prefix)
{
    struct harness_resp resp = { 0 };
    const json_t *r;
    size_t i;
    int n = 0;

    assert_int_equal(emu_client_control(&E, "GET", "/requests", NULL, &resp), 0);
    json_array_foreach(json_object_get(resp.json, "requests"), i, r) {
        const char *path = json_get_str(r, "path");
        n += json_get_int(r, "status", -1) == status && path &&
             strncmp(path, prefix, strlen(prefix)) == 0;
    }
    harness_resp_clear(&resp);
    return n;
}

/* A PEM file in the seed dir holding a self-signed certificate that did not
 * sign the emulator's: a CA that is the wrong one.  Path: caller frees. */
static char *write_other_ca(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x;
    char *path = xasprintf("%s/other-ca.pem", seed_dir);
    FILE *f;

    assert_non_null(key);
    x = test_tls_self_signed(key, 7, "Not the emulator's CA", NULL);
    assert_non_null(x);
    f = fopen(path, "w");
    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
    return path;
}

/* ---- Microsoft ---- */

static void test_ms_test_ok(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;

    (void)state;
    assert_int_equal(test_settings(&s, &err), PARLEY_OK);
}

static void test_ms_bad_secret(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;

    (void)state;
    s.client_secret = "not-the-secret";
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_AUTH);
    assert_int_equal(err.code, PARLEY_ERR_AUTH);
    assert_false(err.retryable);
    assert_non_null(strstr(err.message, "AADSTS7000215"));
    assert_non_null(strstr(err.message, "client secret is wrong"));
    assert_null(strstr(err.message, "not-the-secret"));
}

static void test_ms_wrong_ca(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;
    char *other = write_other_ca();

    (void)state;
    s.ca_file = other;
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_TLS);
    assert_non_null(strstr(err.message, "TLS verification failed"));
    assert_non_null(strstr(err.message, "ca_file"));
    assert_int_equal(nwaits, 0);                /* a TLS failure is not retried */
    free(other);
}

static void test_ms_unreachable(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_error err;
    char *authority = xasprintf("https://127.0.0.1:%d", harness_free_port());

    (void)state;
    s.authority_host = authority;
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_NETWORK);
    assert_true(err.retryable);
    assert_non_null(strstr(err.message, "unreachable"));
    assert_true(nwaits > 0);                    /* retried by the shared policy */
    free(authority);
}

static void test_ms_plain_http_refused(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = NULL;
    struct platform_error err;

    (void)state;
    s.graph_base = "http://graph.example.com/v1.0";
    assert_int_equal(platform_ops_for(PLATFORM_MICROSOFT)->open(&s, &conn, &err),
                     PARLEY_ERR_INVALID);
    assert_null(conn);
    assert_non_null(strstr(err.message, "graph_base"));
    assert_non_null(strstr(err.message, "https://"));
}

static void test_ms_teams_and_members(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct teams_seen teams = { 0 };
    struct people_seen members = { 0 };
    struct platform_error err;

    (void)state;
    assert_int_equal(ops->list_teams(conn, on_teams, &teams, &err), PARLEY_OK);
    assert_int_equal(teams.count, 3 + MS_GENERATED_TEAMS);
    assert_int_equal(teams.demo_found, 3);
    assert_true(teams.engineering_id[0]);

    assert_int_equal(ops->list_team_members(conn, teams.engineering_id, on_people, &members,
                                            &err), PARLEY_OK);
    assert_int_equal(members.people, 6);
    assert_true(seen_email(&members, "alice@parleydemo.onmicrosoft.com"));
    assert_true(seen_email(&members, "ivan@parleydemo.onmicrosoft.com"));
    assert_false(seen_email(&members, "erin@parleydemo.onmicrosoft.com"));

    assert_int_equal(ops->list_team_members(conn, "no-such-team", on_people, &members, &err),
                     PARLEY_ERR_NOT_FOUND);
    assert_int_equal(err.http_status, 404);
    assert_non_null(strstr(err.message, "list the team's members"));
    close_conn(conn);
}

static void test_ms_users_paged(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    struct people_seen users = { 0 };

    (void)state;
    list_ms_users(conn, &users);
    assert_int_equal(users.pages, 3);            /* 999 a page */
    assert_int_equal(users.suspended, MS_DEMO_DISABLED);
    assert_int_equal(users.guests, 0);
    assert_true(seen_email(&users, "alice@parleydemo.onmicrosoft.com"));
    close_conn(conn);
}

/* 429 + Retry-After twice: the listing completes, having waited at least
 * what the server asked each time. */
static void test_ms_throttled_then_done(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    struct people_seen users = { 0 };

    (void)state;
    clear_request_log();
    inject_fault("GET", 2, 429, 2);
    list_ms_users(conn, &users);
    assert_int_equal(logged(429, "/v1.0/users"), 2);
    assert_int_equal(logged(200, "/v1.0/users"), 3);
    assert_int_equal(nwaits, 2);
    assert_true(waits[0] >= 2000 && waits[1] >= 2000);
    close_conn(conn);
}

/* A run of 503s, then the platform recovers: retried with backoff. */
static void test_ms_5xx_storm_then_recovery(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    struct people_seen users = { 0 };
    struct platform_error err;

    (void)state;
    clear_request_log();
    inject_fault("GET", 4, 503, 0);
    list_ms_users(conn, &users);
    assert_int_equal(logged(503, "/v1.0/users"), 4);
    assert_int_equal(nwaits, 4);

    /* More failures than the policy's attempts: a retryable PLATFORM error. */
    inject_fault("GET", 6, 503, 0);
    assert_int_equal(platform_ops_for(PLATFORM_MICROSOFT)->test(conn, &err), PARLEY_ERR_PLATFORM);
    assert_int_equal(err.http_status, 503);
    assert_true(err.retryable);
    assert_non_null(strstr(err.message, "Microsoft Graph refused to read the tenant's users"));
    close_conn(conn);
}

/* A 401 from Graph: the token is fetched again and the call made once more. */
static void test_ms_401_refetches_token(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_error err;
    const char *tenant = json_get_str(endpoint("microsoft"), "tenant_id");
    char *token_path = xasprintf("/%s/oauth2/v2.0/token", tenant);

    (void)state;
    assert_int_equal(ops->test(conn, &err), PARLEY_OK);
    clear_request_log();
    inject_fault("GET", 1, 401, 0);
    assert_int_equal(ops->test(conn, &err), PARLEY_OK);
    assert_int_equal(logged(401, "/v1.0/users"), 1);
    assert_int_equal(logged(200, token_path), 1);
    assert_int_equal(logged(200, "/v1.0/users"), 1);

    /* 401 twice: an AUTH error, not a loop. */
    inject_fault("GET", 2, 401, 0);
    assert_int_equal(ops->test(conn, &err), PARLEY_ERR_AUTH);
    assert_int_equal(err.http_status, 401);
    free(token_path);
    close_conn(conn);
}

/* ---- Google ---- */

static void test_google_test_ok(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_error err;

    (void)state;
    assert_int_equal(test_settings(&s, &err), PARLEY_OK);
    free(key);
}

/* A copy of the key file with another RSA key: Google's invalid_grant. */
static void test_google_wrong_key(void **state)
{
    char *key, *pem, *other_json;
    struct platform_settings s = google_settings(&key);
    struct platform_error err;
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    json_t *doc = json_loads(key, 0, NULL);

    (void)state;
    assert_non_null(rsa);
    pem = test_tls_key_pem(rsa);
    assert_non_null(pem);
    json_object_set_new(doc, "private_key", json_string(pem));
    other_json = json_dumps(doc, 0);
    s.service_account_json = other_json;
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_AUTH);
    assert_non_null(strstr(err.message, "invalid_grant"));
    assert_non_null(strstr(err.message, "private key does not belong to the service account"));
    assert_false(err.retryable);
    free(other_json);
    json_decref(doc);
    free(pem);
    EVP_PKEY_free(rsa);
    free(key);
}

static void test_google_not_admin(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_error err;

    (void)state;
    s.admin_email = "priya@parleydemo.example";
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_FORBIDDEN);
    assert_int_equal(err.http_status, 403);
    assert_non_null(strstr(err.message, "priya@parleydemo.example"));
    assert_non_null(strstr(err.message, "super admin"));
    free(key);
}

/* A service account whose delegation lacks the Directory scope: the
 * message names the client ID and the scopes to add. */
static void test_google_dwd_missing(void **state)
{
    static const char seed[] =
        "{\"google\": {\"admin_email\": \"admin@example.com\",\n"
        " \"service_account\": {\"client_email\": \"p@proj.iam.gserviceaccount.com\",\n"
        "   \"client_id\": \"222222222222222222222\",\n"
        "   \"scopes\": [\"" GOOGLE_CLIENT_SCOPE "chat.messages\"]}}}\n";
    struct google_client g;
    struct platform_error err;
    char *key_json;

    (void)state;
    assert_int_equal(google_client_start(&g, seed, NULL), 0);
    key_json = json_dumps(g.key, 0);
    struct platform_settings s = {
        .kind = PLATFORM_GOOGLE,
        .admin_email = "admin@example.com",
        .service_account_json = key_json,
        .root_url = g.root,                     /* http:// on loopback: allowed */
    };
    assert_int_equal(strncmp(g.root, "http://", 7), 0);
    assert_int_equal(test_settings(&s, &err), PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "domain-wide delegation is not granted for client ID "
                                        "222222222222222222222"));
    assert_non_null(strstr(err.message, "admin.directory.user.readonly"));
    assert_non_null(strstr(err.message, "Security > API controls > Domain-wide delegation"));
    free(key_json);
    assert_int_equal(google_client_stop(&g), 0);
}

static void test_google_users_paged(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct people_seen users = { 0 };
    struct teams_seen teams = { 0 };
    struct platform_error err;
    int total = G_DEMO_USERS + G_SUSPENDED + G_GENERATED_USERS;

    (void)state;
    assert_int_equal(ops->list_users(conn, on_people, &users, &err), PARLEY_OK);
    assert_int_equal(users.people, total);
    assert_int_equal(users.pages, (total + 499) / 500);
    assert_int_equal(users.suspended, G_SUSPENDED);
    assert_int_equal(users.with_names, total);
    assert_true(seen_email(&users, "greg@parleydemo.example"));

    assert_int_equal(ops->list_teams(conn, on_teams, &teams, &err), PARLEY_ERR_UNSUPPORTED);
    assert_int_equal(ops->list_team_members(conn, "x", on_people, &users, &err),
                     PARLEY_ERR_UNSUPPORTED);
    close_conn(conn);
    free(key);
}

/* ---- secondary accounts ---- */

/* GET the Graph user ID as the app ($select SELECT); the status, *user a
 * new reference (NULL unless 200). */
static long graph_user(const char *id, const char *select, json_t **user)
{
    struct harness_resp resp = { 0 };
    char *token = emu_client_app_token(&E);
    char *path = xasprintf("/users/%s?$select=%s", id, select);
    long status;

    assert_non_null(token);
    assert_int_equal(emu_client_graph(&E, token, "GET", path, NULL, NULL, &resp), 0);
    status = resp.status;
    *user = status == 200 ? json_incref(resp.json) : NULL;
    harness_resp_clear(&resp);
    free(path);
    free(token);
    return status;
}

static const struct platform_account_spec greg = {
    .person_email = "Greg@ParleyDemo.example", .display_name = "Greg Wilson",
    .given_name = "Greg", .family_name = "Wilson",
};
#define GREG_GUEST "greg_parleydemo.example@parleydemo.onmicrosoft.com"

/* The whole life of a guest account: login from the tenant's initial
 * domain, create (a Guest with the person's mail), verify by ROPC with the
 * generated password, find, create again (EXISTS, the account named),
 * delete, delete again. */
static void test_ms_guest_lifecycle(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 }, found = { 0 }, again = { 0 };
    struct platform_error err;
    char *login = ops->account_login(conn, &greg);
    json_t *user = NULL;

    (void)state;
    assert_string_equal(login, GREG_GUEST);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);

    assert_int_equal(ops->account_create(conn, &greg, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, GREG_GUEST);
    assert_non_null(acc.external_id);
    assert_non_null(acc.password);
    assert_int_equal(strlen(acc.password), 24);
    assert_int_equal(graph_user(acc.external_id, "userType,userPrincipalName,displayName,mail,"
                                "accountEnabled,givenName,surname", &user), 200);
    assert_string_equal(json_get_str(user, "userType"), "Guest");
    assert_string_equal(json_get_str(user, "userPrincipalName"), GREG_GUEST);
    assert_string_equal(json_get_str(user, "displayName"), "Greg Wilson (Google Chat)");
    assert_string_equal(json_get_str(user, "mail"), "Greg@ParleyDemo.example");
    assert_string_equal(json_get_str(user, "surname"), "Wilson");
    assert_true(json_get_bool(user, "accountEnabled", 0));
    json_decref(user);

    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_OK);
    assert_string_equal(found.external_id, acc.external_id);
    assert_null(found.password);
    platform_account_clear(&found);

    assert_int_equal(ops->account_create(conn, &greg, &again, &err), PARLEY_ERR_EXISTS);
    assert_non_null(strstr(err.message, "already exists"));
    assert_string_equal(again.external_id, acc.external_id);
    assert_null(again.password);

    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    assert_int_equal(graph_user(acc.external_id, "id", &user), 404);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);
    platform_account_clear(&acc);
    platform_account_clear(&found);
    platform_account_clear(&again);
    free(login);
    close_conn(conn);
}

/* A wrong password is refused by the sign-in, in the admin's words; a
 * guest without a password cannot be verified at all. */
static void test_ms_guest_verify_refused(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 };
    struct platform_error err;
    char *good;

    (void)state;
    assert_int_equal(ops->account_create(conn, &greg, &acc, &err), PARLEY_OK);
    good = acc.password;
    acc.password = xstrdup("Not-the-passw0rd!");
    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_ERR_AUTH);
    assert_non_null(strstr(err.message, "AADSTS50126"));
    assert_null(strstr(err.message, "Not-the-passw0rd!"));
    platform_secret_free(acc.password);
    acc.password = NULL;
    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_ERR_INVALID);
    acc.password = good;
    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_OK);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
}

/* The person's email is already an address of another tenant account:
 * the guest is created with it in otherMails instead of mail. */
static void test_ms_guest_mail_taken(void **state)
{
    static const struct platform_account_spec bob = {
        .person_email = "bob@parleydemo.onmicrosoft.com", .display_name = "Bob M",
    };
    struct platform_settings s = ms_settings();
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 };
    struct platform_error err;
    json_t *user = NULL;

    (void)state;
    assert_int_equal(ops->account_create(conn, &bob, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, "bob_parleydemo.onmicrosoft.com@parleydemo.onmicrosoft.com");
    assert_int_equal(graph_user(acc.external_id, "mail,displayName", &user), 200);
    assert_true(json_is_null(json_object_get(user, "mail")) || !json_object_get(user, "mail"));
    assert_string_equal(json_get_str(user, "displayName"), "Bob M (Google Chat)");
    json_decref(user);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
}

/* A 429 on POST /users is retried after Retry-After; guest_domain set
 * replaces the tenant's initial domain (no GET /organization). */
static void test_ms_guest_create_throttled(void **state)
{
    struct platform_settings s = ms_settings();
    struct platform_conn *conn;
    const struct platform_ops *ops = platform_ops_for(PLATFORM_MICROSOFT);
    struct platform_account acc = { 0 };
    struct platform_error err;

    (void)state;
    s.guest_domain = "guests.parleydemo.onmicrosoft.com";
    conn = open_conn(&s);
    clear_request_log();
    inject_fault("POST", 1, 429, 1);
    assert_int_equal(ops->account_create(conn, &greg, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, "greg_parleydemo.example@guests.parleydemo.onmicrosoft.com");
    assert_int_equal(logged(429, "/v1.0/users"), 1);
    assert_int_equal(logged(201, "/v1.0/users"), 1);
    assert_int_equal(logged(200, "/v1.0/organization"), 0);
    assert_int_equal(nwaits, 1);
    assert_true(waits[0] >= 1000);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
}

static const struct platform_account_spec alice = {
    .person_email = "alice@parleydemo.onmicrosoft.com", .display_name = "Alice Johnson",
    .given_name = "Alice", .family_name = "Johnson",
};
#define ALICE_INTEROP "alice_parleydemo.onmicrosoft.com@parleydemo.example"

/* What a listing saw of one person (by email). */
struct person_seen {
    const char *email;
    int found;
    char given[64], family[64], display[128];
};

static enum parley_err on_person(const struct platform_person *people, size_t count, void *arg)
{
    struct person_seen *seen = arg;

    for (size_t i = 0; i < count; i++) {
        if (strcmp(people[i].email, seen->email) != 0)
            continue;
        seen->found++;
        snprintf(seen->given, sizeof seen->given, "%s", people[i].given_name);
        snprintf(seen->family, sizeof seen->family, "%s", people[i].family_name);
        snprintf(seen->display, sizeof seen->display, "%s", people[i].display_name);
    }
    return PARLEY_OK;
}

/* An interop account: create (in the Directory with the expected names),
 * verify (a delegated Chat token and a Chat call as it), find, create
 * again (EXISTS), delete, delete again. */
static void test_google_interop_lifecycle(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_conn *conn = open_conn(&s);
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct platform_account acc = { 0 }, found = { 0 }, again = { 0 };
    struct person_seen seen = { .email = ALICE_INTEROP };
    struct platform_error err;
    char *login = ops->account_login(conn, &alice);

    (void)state;
    assert_string_equal(login, ALICE_INTEROP);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(ops->account_create(conn, &alice, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, ALICE_INTEROP);
    assert_non_null(acc.external_id);
    assert_null(acc.password);

    assert_int_equal(ops->list_users(conn, on_person, &seen, &err), PARLEY_OK);
    assert_int_equal(seen.found, 1);
    assert_string_equal(seen.given, "Alice");
    assert_string_equal(seen.family, "Johnson (Teams)");
    assert_string_equal(seen.display, "Alice Johnson (Teams)");

    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_OK);
    assert_string_equal(found.external_id, acc.external_id);
    platform_account_clear(&found);
    assert_int_equal(ops->account_create(conn, &alice, &again, &err), PARLEY_ERR_EXISTS);
    assert_string_equal(again.external_id, acc.external_id);

    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    assert_int_equal(ops->account_find(conn, login, &found, &err), PARLEY_ERR_NOT_FOUND);
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    platform_account_clear(&found);
    platform_account_clear(&again);
    free(login);
    close_conn(conn);
    free(key);
}

/* An interop domain the Workspace does not have: Google's "Domain not
 * found." becomes a permanent INVALID naming the setting. */
static void test_google_interop_unknown_domain(void **state)
{
    char *key;
    struct platform_settings s = google_settings(&key);
    struct platform_conn *conn;
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct platform_account acc = { 0 };
    struct platform_error err;

    (void)state;
    s.interop_domain = "not-ours.example";
    conn = open_conn(&s);
    assert_int_equal(ops->account_create(conn, &alice, &acc, &err), PARLEY_ERR_INVALID);
    assert_int_equal(err.http_status, 404);
    assert_false(err.retryable);
    assert_non_null(strstr(err.message, "interop domain not-ours.example is not a domain of "
                                        "this Google Workspace"));
    assert_non_null(strstr(err.message, "Domain not found."));
    assert_null(acc.external_id);
    close_conn(conn);
    free(key);
}

/* A service account allowed the Directory but not Chat (a second
 * emulator, plain HTTP on loopback): the interop account is created in
 * the org unit asked for, and verify names the delegation to add. */
static void test_google_interop_without_chat_delegation(void **state)
{
    static const char seed[] =
        "{\"google\": {\"admin_email\": \"admin@example.com\",\n"
        " \"service_account\": {\"client_email\": \"p@proj.iam.gserviceaccount.com\",\n"
        "   \"client_id\": \"333333333333333333333\",\n"
        "   \"scopes\": [\"" GOOGLE_CLIENT_SCOPE "admin.directory.user\"]}}}\n";
    struct google_client g;
    struct platform_account acc = { 0 };
    struct platform_error err;
    struct harness_resp resp = { 0 };
    const struct platform_ops *ops = platform_ops_for(PLATFORM_GOOGLE);
    struct platform_conn *conn;
    char *key_json, *token;

    (void)state;
    assert_int_equal(google_client_start(&g, seed, NULL), 0);
    key_json = json_dumps(g.key, 0);
    struct platform_settings s = {
        .kind = PLATFORM_GOOGLE, .admin_email = "admin@example.com",
        .service_account_json = key_json, .root_url = g.root,
        .interop_org_unit = "/Teams Interop",
    };
    conn = open_conn(&s);
    assert_int_equal(ops->account_create(conn, &alice, &acc, &err), PARLEY_OK);
    assert_string_equal(acc.login, "alice_parleydemo.onmicrosoft.com@example.com");
    token = google_client_token(&g, "admin@example.com", "admin.directory.user");
    assert_non_null(token);
    assert_int_equal(google_client_call(&g, "GET", token, NULL, &resp,
                                        "admin/directory/v1/users/%s", acc.external_id), 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(json_get_str(resp.json, "primaryEmail"), acc.login);
    assert_string_equal(json_get_str(resp.json, "orgUnitPath"), "/Teams Interop");
    assert_string_equal(json_get_str(json_object_get(resp.json, "name"), "familyName"),
                        "Johnson (Teams)");
    harness_resp_clear(&resp);

    assert_int_equal(ops->account_verify(conn, &acc, &err), PARLEY_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "acting as " "alice_parleydemo.onmicrosoft.com@example.com"));
    assert_non_null(strstr(err.message, "domain-wide delegation is not granted for client ID "
                                        "333333333333333333333"));
    assert_non_null(strstr(err.message, "chat.messages,"));
    assert_int_equal(ops->account_delete(conn, acc.external_id, &err), PARLEY_OK);
    platform_account_clear(&acc);
    close_conn(conn);
    free(token);
    free(key_json);
    assert_int_equal(google_client_stop(&g), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_test_ok),
        cmocka_unit_test(test_ms_bad_secret),
        cmocka_unit_test(test_ms_wrong_ca),
        cmocka_unit_test(test_ms_unreachable),
        cmocka_unit_test(test_ms_plain_http_refused),
        cmocka_unit_test(test_ms_teams_and_members),
        cmocka_unit_test(test_ms_users_paged),
        cmocka_unit_test(test_ms_throttled_then_done),
        cmocka_unit_test(test_ms_5xx_storm_then_recovery),
        cmocka_unit_test(test_ms_401_refetches_token),
        cmocka_unit_test(test_google_test_ok),
        cmocka_unit_test(test_google_wrong_key),
        cmocka_unit_test(test_google_not_admin),
        cmocka_unit_test(test_google_dwd_missing),
        cmocka_unit_test(test_google_users_paged),
        cmocka_unit_test(test_ms_guest_lifecycle),
        cmocka_unit_test(test_ms_guest_verify_refused),
        cmocka_unit_test(test_ms_guest_mail_taken),
        cmocka_unit_test(test_ms_guest_create_throttled),
        cmocka_unit_test(test_google_interop_lifecycle),
        cmocka_unit_test(test_google_interop_unknown_domain),
        cmocka_unit_test(test_google_interop_without_chat_delegation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
