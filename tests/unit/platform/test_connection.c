/* test_connection.c - unit tests for src/platform/connection.c: parsing and
 * checking settings, saving with the secret encrypted (and never shown),
 * keeping the stored secret, and opening through a fake connector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/test_tls.h"
#include "unit/platform/source_fixture.h"
#include "platform/connection.h"
#include "util/json.h"
#include "util/secret.h"
#include "util/xmalloc.h"

/* A service-account key file's JSON around a key made at run time. */
static char *sa_key;

static int make_sa_key(void **state)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    char *pem = key ? test_tls_key_pem(key) : NULL;
    json_t *file = pem ? json_pack("{ss ss ss}", "type", "service_account", "client_email",
                                   "hub@proj.iam.gserviceaccount.com", "private_key", pem)
                       : NULL;

    (void)state;
    sa_key = file ? json_dumps(file, JSON_COMPACT) : NULL;
    json_decref(file);
    free(pem);
    EVP_PKEY_free(key);
    return sa_key ? 0 : -1;
}

static int free_sa_key(void **state)
{
    (void)state;
    free(sa_key);
    return 0;
}

/* ---- a fake connector that records the settings it was opened with ---- */
static struct platform_settings opened;      /* its strings dangle after open: */
static char opened_secret[256];                /* copies of the ones checked */
static char opened_guest_domain[256];

static enum parley_err on_fake_open(const struct platform_settings *s, struct platform_conn **out,
                                    struct platform_error *err)
{
    (void)err;
    opened = *s;
    snprintf(opened_secret, sizeof opened_secret, "%s",
             s->client_secret ? s->client_secret : s->service_account_json);
    snprintf(opened_guest_domain, sizeof opened_guest_domain, "%s",
             s->guest_domain ? s->guest_domain : "");
    *out = (struct platform_conn *)&opened;
    return PARLEY_OK;
}

static const struct platform_ops fake_ops = { .kind = PLATFORM_MICROSOFT, .open = on_fake_open };

static const struct platform_ops *fake_ops_for(enum platform_kind kind)
{
    (void)kind;
    return &fake_ops;
}

static int setup(void **state)
{
    *state = source_fixture_open("connection", fake_ops_for);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    source_fixture_close(*state);
    return 0;
}

/* Parse TEXT as a KIND connection into *C; returns the validation result. */
static enum parley_err parse_and_check(enum platform_kind kind, const char *text,
                                       struct platform_connection *c, char *why, size_t size)
{
    json_t *body = NULL;
    char *parse_why = NULL;
    enum parley_err err;

    assert_int_equal(json_parse(text, strlen(text), &body, &parse_why), PARLEY_OK);
    err = platform_connection_from_json(kind, body, c, why, size);
    if (!err)
        err = platform_connection_validate(c, 0, why, size);
    json_decref(body);
    return err;
}

static void expect_invalid(enum platform_kind kind, const char *text, const char *words)
{
    struct platform_connection c = { 0 };
    char why[512] = "";

    assert_int_equal(parse_and_check(kind, text, &c, why, sizeof why), PARLEY_ERR_INVALID);
    if (!strstr(why, words))
        fail_msg("expected \"%s\" in \"%s\"", words, why);
    platform_connection_clear(&c);
}

static void test_validation_messages(void **state)
{
    (void)state;
    expect_invalid(PLATFORM_MICROSOFT, "{\"client_id\":\"c\",\"client_secret\":\"s\"}",
                   "tenant_id is required");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t\",\"client_id\":\"c\"}",
                   "client_secret is required");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t/x\",\"client_id\":\"c\","
                   "\"client_secret\":\"s\"}", "tenant_id may contain only");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t\",\"client_id\":\"c\","
                   "\"client_secret\":\"s\",\"graph_base\":\"ftp://x\"}", "https://");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t\",\"client_id\":\"c\","
                   "\"client_secret\":\"s\",\"graph_base\":\"http://graph.example.com\"}",
                   "only allowed for localhost");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t\",\"client_id\":\"c\","
                   "\"client_secret\":\"s\",\"ca_file\":\"/nonexistent/ca.pem\"}",
                   "cannot be read");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t\",\"client_id\":\"c\","
                   "\"client_secret\":\"s\",\"domain\":\"x.com\"}", "domain is not a setting");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":5}", "tenant_id must be a string");
    expect_invalid(PLATFORM_GOOGLE, "{\"domain\":\"example.com\",\"admin_email\":\"a@example.com\","
                   "\"service_account_key\":\"{\\\"type\\\":\\\"authorized_user\\\"}\"}",
                   "not a service-account key");
    expect_invalid(PLATFORM_GOOGLE, "{\"domain\":\"example.com\",\"admin_email\":\"a@example.com\","
                   "\"service_account_key\":\"not json\"}", "is not JSON");
    expect_invalid(PLATFORM_GOOGLE, "{\"domain\":\"example.com\",\"admin_email\":\"nobody\","
                   "\"service_account_key\":\"{}\"}", "admin_email must be an email");
    expect_invalid(PLATFORM_GOOGLE, "{\"domain\":\"example.com\",\"admin_email\":\"a@example.com\","
                   "\"interop_domain\":\"not a domain\"}", "interop_domain must be a domain");
    expect_invalid(PLATFORM_GOOGLE, "{\"domain\":\"example.com\",\"admin_email\":\"a@example.com\","
                   "\"interop_org_unit\":\"Parley\"}", "interop_org_unit must be an org unit path");
    expect_invalid(PLATFORM_MICROSOFT, "{\"tenant_id\":\"t\",\"client_id\":\"c\","
                   "\"client_secret\":\"s\",\"guest_domain\":\"-x\"}", "guest_domain must be a domain");
}

/* A key file whose private key is damaged (its PEM cut in half) is refused
 * when it is saved, not when the first import signs with it. */
static void test_damaged_private_key_refused(void **state)
{
    json_t *file = json_loads(sa_key, 0, NULL), *body;
    char *pem = xstrdup(json_string_value(json_object_get(file, "private_key")));
    char *damaged, *text;

    (void)state;
    pem[strlen(pem) / 2] = '\0';
    json_object_set_new(file, "private_key", json_string(pem));
    damaged = json_dumps(file, JSON_COMPACT);
    body = json_pack("{ss ss ss}", "domain", "example.com", "admin_email", "a@example.com",
                     "service_account_key", damaged);
    text = json_dumps(body, JSON_COMPACT);
    expect_invalid(PLATFORM_GOOGLE, text, "no usable private_key");
    free(text);
    json_decref(body);
    free(damaged);
    free(pem);
    json_decref(file);
}

static void test_valid_loopback_http_and_ca_file(void **state)
{
    struct source_fixture *f = *state;
    struct platform_connection c = { 0 };
    char why[512] = "", *ca = xasprintf("%s/ca.pem", f->store->dir), *text;
    FILE *fp = fopen(ca, "w");

    fputs("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", fp);
    fclose(fp);
    text = xasprintf("{\"tenant_id\":\"contoso.onmicrosoft.com\",\"client_id\":\"c-1\","
                     "\"client_secret\":\"s3cr3t\",\"graph_base\":\"http://127.0.0.1:9/v1.0\","
                     "\"authority_host\":\"https://login.example.com\",\"ca_file\":\"%s\"}", ca);
    assert_int_equal(parse_and_check(PLATFORM_MICROSOFT, text, &c, why, sizeof why), PARLEY_OK);
    platform_connection_clear(&c);
    free(text);
    free(ca);
}

static void test_save_get_hides_secret_and_keeps_it(void **state)
{
    struct source_fixture *f = *state;
    struct platform_connection c = { .kind = PLATFORM_GOOGLE }, got = { 0 };
    struct store_connection row = { 0 };
    char why[512] = "";
    int created = 0, set = 0;

    c.domain = xstrdup("example.com");
    c.admin_email = xstrdup("admin@example.com");
    c.secret = xstrdup(sa_key);
    assert_int_equal(platform_connection_save(&f->src, f->org_id, &c, &created, why, sizeof why),
                     PARLEY_OK);
    assert_true(created);

    /* Encrypted at rest: the key's text is nowhere in the row. */
    assert_int_equal(store_connection_get(f->store->st, f->org_id, "google", &row), PARLEY_OK);
    assert_null(strstr(row.config_json, "PRIVATE"));
    assert_null(memmem(row.secret, row.secret_len, "PRIVATE", 7));
    store_connection_clear(&row);

    /* Shown without the secret. */
    assert_int_equal(platform_connection_get(&f->src, f->org_id, PLATFORM_GOOGLE, 0, &got, &set),
                     PARLEY_OK);
    assert_null(got.secret);
    assert_true(set);
    json_t *shown = platform_connection_to_json(&got, set);
    char *text = json_to_string(shown);
    assert_non_null(strstr(text, "\"service_account_key_set\":true"));
    assert_null(strstr(text, "PRIVATE"));
    free(text);
    json_decref(shown);
    platform_connection_clear(&got);

    /* Saving again without a secret keeps the stored one. */
    free(c.secret);
    c.secret = NULL;
    free(c.domain);
    c.domain = xstrdup("example.org");
    assert_int_equal(platform_connection_save(&f->src, f->org_id, &c, &created, why, sizeof why),
                     PARLEY_OK);
    assert_false(created);
    assert_int_equal(platform_connection_get(&f->src, f->org_id, PLATFORM_GOOGLE, 1, &got, NULL),
                     PARLEY_OK);
    assert_string_equal(got.domain, "example.org");
    assert_string_equal(got.secret, sa_key);
    platform_connection_clear(&got);
    platform_connection_clear(&c);
}

static void test_open_passes_decrypted_settings(void **state)
{
    struct source_fixture *f = *state;
    struct platform_connection c = { .kind = PLATFORM_MICROSOFT };
    const struct platform_ops *ops = NULL;
    struct platform_conn *conn = NULL;
    struct platform_error perr;
    char why[512];

    /* Nothing saved: a sentence pointing to the settings page. */
    assert_int_equal(platform_source_open_conn(&f->src, f->org_id, PLATFORM_MICROSOFT, &ops, &conn,
                                               &perr), PARLEY_ERR_NOT_FOUND);
    assert_non_null(strstr(perr.message, "No Microsoft connection"));

    c.tenant_id = xstrdup("tenant-1");
    c.client_id = xstrdup("client-1");
    c.secret = xstrdup("s3cr3t");
    assert_int_equal(platform_connection_save(&f->src, f->org_id, &c, NULL, why, sizeof why),
                     PARLEY_OK);
    assert_int_equal(platform_source_open_conn(&f->src, f->org_id, PLATFORM_MICROSOFT, &ops, &conn,
                                               &perr), PARLEY_OK);
    assert_ptr_equal(ops, &fake_ops);
    assert_string_equal(opened_secret, "s3cr3t");
    assert_null(opened.graph_base);
    assert_string_equal(opened_guest_domain, "");
    platform_connection_clear(&c);

    /* The account settings reach the connector. */
    c = (struct platform_connection){ .kind = PLATFORM_MICROSOFT };
    c.tenant_id = xstrdup("tenant-1");
    c.client_id = xstrdup("client-1");
    c.guest_domain = xstrdup("guests.example.com");
    assert_int_equal(platform_connection_save(&f->src, f->org_id, &c, NULL, why, sizeof why),
                     PARLEY_OK);
    assert_int_equal(platform_source_open_conn(&f->src, f->org_id, PLATFORM_MICROSOFT, &ops, &conn,
                                               &perr), PARLEY_OK);
    assert_string_equal(opened_guest_domain, "guests.example.com");
    assert_string_equal(opened_secret, "s3cr3t");              /* the saved secret kept */
    platform_connection_clear(&c);

    /* A secret saved under another master key: say so, not "crypto error". */
    struct secret_key *other = NULL;
    char *path = xasprintf("%s/other.key", f->store->dir);
    assert_int_equal(secret_key_load(path, 1, &other), PARLEY_OK);
    struct platform_source src2 = { f->store->st, other, fake_ops_for };
    assert_int_equal(platform_connection_open(&src2, f->org_id, PLATFORM_MICROSOFT, &ops, &conn,
                                              &perr), PARLEY_ERR_CRYPTO);
    assert_non_null(strstr(perr.message, "master key"));
    secret_key_free(other);
    free(path);
}

static void test_delete(void **state)
{
    struct source_fixture *f = *state;
    struct platform_connection c = { .kind = PLATFORM_MICROSOFT };
    char why[512];

    assert_int_equal(platform_connection_delete(&f->src, f->org_id, PLATFORM_GOOGLE),
                     PARLEY_ERR_NOT_FOUND);
    c.tenant_id = xstrdup("t");
    c.client_id = xstrdup("c");
    c.secret = xstrdup("s");
    assert_int_equal(platform_connection_save(&f->src, f->org_id, &c, NULL, why, sizeof why),
                     PARLEY_OK);
    assert_int_equal(platform_connection_delete(&f->src, f->org_id, PLATFORM_MICROSOFT), PARLEY_OK);
    assert_int_equal(platform_connection_get(&f->src, f->org_id, PLATFORM_MICROSOFT, 0, &c, NULL),
                     PARLEY_ERR_NOT_FOUND);
    platform_connection_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_messages),
        cmocka_unit_test(test_damaged_private_key_refused),
        cmocka_unit_test_setup_teardown(test_valid_loopback_http_and_ca_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_get_hides_secret_and_keeps_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_passes_decrypted_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
    };
    return cmocka_run_group_tests(tests, make_sa_key, free_sa_key);
}
