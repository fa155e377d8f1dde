/* connectors_fixture.h - what the connectors' integration tests share
 * (tests/integration/20-connectors-*.c): parley-emu started over HTTPS with
 * its CA on the demo seed plus generated users and teams (so listings span
 * several pages; E, started by setup), connector settings for it, a
 * recorder of the retry policy's pauses (waited for without sleeping),
 * listing callbacks, fault injection and the emulator's request log.
 * Header-only: each test program includes it once. */
#ifndef PARLEY_TESTS_CONNECTORS_FIXTURE_H
#define PARLEY_TESTS_CONNECTORS_FIXTURE_H

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
static inline char *write_seed(void)
{
    json_error_t jerr;
    json_t *seed = json_load_file(DEMO_SEED, 0, &jerr);
    json_t *ms, *google, *users;
    char *path;

    assert_non_null(seed);
    ms = json_object_get(seed, "microsoft");
    /* Hana has no mailbox: Graph lists her as a team member with a null email. */
    for (size_t i = 0; i < json_array_size(json_object_get(ms, "users")); i++) {
        json_t *u = json_array_get(json_object_get(ms, "users"), i);
        if (strcmp(json_string_value(json_object_get(u, "userPrincipalName")),
                   "hana@parleydemo.onmicrosoft.com") == 0)
            json_object_del(u, "mail");
    }
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

static inline int setup(void **state)
{
    char *seed = write_seed();
    int rc = emu_client_start(&E, seed, 1, NULL);

    (void)state;
    free(seed);
    return rc;
}

static inline int teardown(void **state)
{
    int status = emu_client_stop(&E);

    (void)state;
    harness_rmrf(seed_dir);
    free(seed_dir);
    return status == 0 ? 0 : -1;
}

static inline const json_t *endpoint(const char *platform)
{
    return json_object_get(E.endpoints, platform);
}

static inline const char *ca_file(void)
{
    return json_get_str(E.endpoints, "ca_file");
}

static inline struct platform_settings ms_settings(void)
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
static inline struct platform_settings google_settings(char **key_json)
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

static inline void record_wait(long long ms, void *ctx)
{
    (void)ctx;
    if (nwaits < (int)(sizeof waits / sizeof waits[0]))
        waits[nwaits] = ms;
    nwaits++;
}

/* Open S with ops of its kind; retry pauses are recorded, not slept. */
static inline struct platform_conn *open_conn(const struct platform_settings *s)
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

static inline void close_conn(struct platform_conn *conn)
{
    platform_ops_for(conn->kind)->close(conn);
}

/* open + test S: the test's code, with the message in ERR. */
static inline enum parley_err test_settings(const struct platform_settings *s,
                                            struct platform_error *err)
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

static inline enum parley_err on_people(const struct platform_person *people, size_t count,
                                        void *arg)
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

static inline int seen_email(const struct people_seen *seen, const char *email)
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

static inline enum parley_err on_teams(const struct platform_team *teams, size_t count, void *arg)
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
static inline void inject_fault(const char *method, int count, int status, int retry_after)
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
static inline void list_ms_users(struct platform_conn *conn, struct people_seen *users)
{
    struct platform_error err;

    assert_int_equal(platform_ops_for(PLATFORM_MICROSOFT)->list_users(conn, on_people, users,
                                                                       &err), PARLEY_OK);
    assert_int_equal(users->people, MS_DEMO_USERS + MS_GENERATED_USERS);
}

static inline void clear_request_log(void)
{
    struct harness_resp resp = { 0 };

    assert_int_equal(emu_client_control(&E, "DELETE", "/requests", NULL, &resp), 0);
    harness_resp_clear(&resp);
}

/* How many logged requests had STATUS and a path starting with PREFIX. */
static inline int logged(int status, const char *prefix)
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
static inline char *write_other_ca(void)
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


#endif
