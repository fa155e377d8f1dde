/* test_session.c - admin sessions: creation, lookup, expiry, destruction,
 * CSRF comparison, and that only the token's hash is stored
 * (src/auth/session.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "auth/session.h"
#include "unit/store_fixture.h"

#define NOW 1700000000000LL

static long long make_admin(struct store *st, const char *email)
{
    long long id = 0;
    assert_int_equal(store_admin_create(st, email, "$argon2id$unused", &id), PARLEY_OK);
    return id;
}

static void test_create_then_lookup(void **state)
{
    struct store_fixture *f = *state;
    long long admin = make_admin(f->st, "ann@example.com");
    struct store_session s = { 0 };
    char *token = NULL, *csrf = NULL;

    assert_int_equal(auth_session_create(f->st, admin, NOW, &token, &csrf), PARLEY_OK);
    assert_int_equal(strlen(token), AUTH_TOKEN_LEN);
    assert_int_equal(strlen(csrf), AUTH_TOKEN_LEN);
    assert_string_not_equal(token, csrf);

    assert_int_equal(auth_session_lookup(f->st, token, NOW + 1000, &s), PARLEY_OK);
    assert_int_equal(s.admin_id, admin);
    assert_string_equal(s.csrf_token, csrf);
    assert_int_equal(s.expires_at, NOW + AUTH_SESSION_TTL_MS);
    store_session_clear(&s);
    free(token);
    free(csrf);
}

static void test_tokens_are_unique(void **state)
{
    struct store_fixture *f = *state;
    long long admin = make_admin(f->st, "bo@example.com");
    char *t1, *c1, *t2, *c2;

    assert_int_equal(auth_session_create(f->st, admin, NOW, &t1, &c1), PARLEY_OK);
    assert_int_equal(auth_session_create(f->st, admin, NOW, &t2, &c2), PARLEY_OK);
    assert_string_not_equal(t1, t2);
    assert_string_not_equal(c1, c2);
    free(t1);
    free(c1);
    free(t2);
    free(c2);
}

/* Whether DIR/NAME (absent: no) contains the bytes of NEEDLE. */
static int file_contains(const char *dir, const char *name, const char *needle)
{
    char path[160];
    char *data = NULL;
    size_t cap = 0, len = 0, n;
    int found = 0;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    do {
        if (len == cap)
            data = realloc(data, cap = cap ? cap * 2 : 65536);
        n = fread(data + len, 1, cap - len, fp);
        len += n;
    } while (n > 0);
    fclose(fp);
    found = memmem(data, len, needle, strlen(needle)) != NULL;
    free(data);
    return found;
}

static void test_only_the_hash_is_stored(void **state)
{
    struct store_fixture *f = *state;
    long long admin = make_admin(f->st, "cy@example.com");
    struct store_session s = { 0 };
    char hash[AUTH_TOKEN_HASH_SIZE];
    char *token, *csrf;

    assert_int_equal(auth_session_create(f->st, admin, NOW, &token, &csrf), PARLEY_OK);
    /* The raw token is not a key of the sessions table; its hash is. */
    assert_int_equal(store_session_get(f->st, token, NOW, &s), PARLEY_ERR_NOT_FOUND);
    auth_session_token_hash(token, hash);
    assert_int_equal(strlen(hash), 64);
    assert_int_equal(store_session_get(f->st, hash, NOW, &s), PARLEY_OK);
    assert_int_equal(s.admin_id, admin);
    store_session_clear(&s);

    /* And nowhere in the database files (main file and write-ahead log). */
    assert_false(file_contains(f->dir, "parley.db", token));
    assert_false(file_contains(f->dir, "parley.db-wal", token));
    assert_true(file_contains(f->dir, "parley.db", hash) || file_contains(f->dir, "parley.db-wal", hash));
    free(token);
    free(csrf);
}

static void test_token_hash_is_sha256_hex(void **state)
{
    (void)state;
    char hash[AUTH_TOKEN_HASH_SIZE];
    auth_session_token_hash("abc", hash);
    assert_string_equal(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_expired_session_is_gone(void **state)
{
    struct store_fixture *f = *state;
    long long admin = make_admin(f->st, "di@example.com");
    struct store_session s = { 0 };
    char *token, *csrf;

    assert_int_equal(auth_session_create(f->st, admin, NOW, &token, &csrf), PARLEY_OK);
    assert_int_equal(auth_session_lookup(f->st, token, NOW + AUTH_SESSION_TTL_MS - 1, &s), PARLEY_OK);
    store_session_clear(&s);
    assert_int_equal(auth_session_lookup(f->st, token, NOW + AUTH_SESSION_TTL_MS + 1, &s),
                     PARLEY_ERR_NOT_FOUND);
    free(token);
    free(csrf);
}

static void test_destroy(void **state)
{
    struct store_fixture *f = *state;
    long long admin = make_admin(f->st, "ed@example.com");
    struct store_session s = { 0 };
    char *token, *csrf;

    assert_int_equal(auth_session_create(f->st, admin, NOW, &token, &csrf), PARLEY_OK);
    assert_int_equal(auth_session_destroy(f->st, token), PARLEY_OK);
    assert_int_equal(auth_session_lookup(f->st, token, NOW, &s), PARLEY_ERR_NOT_FOUND);
    /* Destroying again, or something that never existed, is fine. */
    assert_int_equal(auth_session_destroy(f->st, token), PARLEY_OK);
    assert_int_equal(auth_session_destroy(f->st, NULL), PARLEY_OK);
    free(token);
    free(csrf);
}

static void test_malformed_tokens_are_not_found(void **state)
{
    struct store_fixture *f = *state;
    struct store_session s = { 0 };
    const char *bad[] = { NULL, "", "short", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(auth_session_lookup(f->st, bad[i], NOW, &s), PARLEY_ERR_NOT_FOUND);
}

static void test_csrf_matches(void **state)
{
    (void)state;
    assert_true(auth_csrf_matches("abcdef", "abcdef"));
    assert_false(auth_csrf_matches("abcdef", "abcdeg"));
    assert_false(auth_csrf_matches("abcdef", "abcde"));
    assert_false(auth_csrf_matches("abcdef", ""));
    assert_false(auth_csrf_matches("abcdef", NULL));
    assert_false(auth_csrf_matches("", ""));       /* no token never matches */
    assert_false(auth_csrf_matches(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_create_then_lookup),
        STORE_TEST(test_tokens_are_unique),
        STORE_TEST(test_only_the_hash_is_stored),
        cmocka_unit_test(test_token_hash_is_sha256_hex),
        STORE_TEST(test_expired_session_is_gone),
        STORE_TEST(test_destroy),
        STORE_TEST(test_malformed_tokens_are_not_found),
        cmocka_unit_test(test_csrf_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
