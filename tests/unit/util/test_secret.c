/* test_secret.c - unit tests for src/util/secret.c: key files and secretbox round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/secret.h"
#include "util/xmalloc.h"

struct fixture {
    char dir[64];
    char *key_path;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);

    snprintf(f->dir, sizeof f->dir, "/tmp/parley-secret-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->key_path = xasprintf("%s/master.key", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char *other = xasprintf("%s/other.key", f->dir);

    unlink(f->key_path);
    unlink(other);
    rmdir(f->dir);
    free(other);
    free(f->key_path);
    free(f);
    return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void test_secret_key_created_0600_and_stable(void **state)
{
    struct fixture *f = *state;
    struct secret_key *k1 = NULL, *k2 = NULL;
    unsigned char *box = NULL, *plain = NULL;
    size_t box_len, plain_len;
    struct stat sb;

    assert_int_equal(secret_key_load(f->key_path, 0, &k1), PARLEY_ERR_NOT_FOUND);
    assert_null(k1);
    assert_int_equal(secret_key_load(f->key_path, 1, &k1), PARLEY_OK);
    assert_int_equal(stat(f->key_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, SECRET_KEY_BYTES);

    /* Loading again reads the same key: a box made by k1 opens with k2. */
    assert_int_equal(secret_key_load(f->key_path, 1, &k2), PARLEY_OK);
    assert_int_equal(secret_encrypt(k1, "hunter2", 7, &box, &box_len), PARLEY_OK);
    assert_int_equal(secret_decrypt(k2, box, box_len, &plain, &plain_len), PARLEY_OK);
    assert_int_equal(plain_len, 7);
    assert_string_equal((char *)plain, "hunter2");

    secret_wipe_free(plain, plain_len);
    free(box);
    secret_key_free(k1);
    secret_key_free(k2);
}

static void test_secret_round_trip_and_random_nonce(void **state)
{
    struct fixture *f = *state;
    struct secret_key *key = NULL;
    const char *text = "{\"client_secret\":\"s3cr3t\"}";
    unsigned char *a = NULL, *b = NULL, *plain = NULL;
    size_t a_len, b_len, plain_len;

    assert_int_equal(secret_key_load(f->key_path, 1, &key), PARLEY_OK);
    assert_int_equal(secret_encrypt(key, text, strlen(text), &a, &a_len), PARLEY_OK);
    assert_int_equal(secret_encrypt(key, text, strlen(text), &b, &b_len), PARLEY_OK);
    assert_int_equal(a_len, b_len);
    assert_true(a_len > strlen(text));
    assert_memory_not_equal(a, b, a_len);           /* fresh nonce each time */
    assert_null(memmem(a, a_len, "s3cr3t", 6));     /* no plaintext at rest */
    assert_int_equal(secret_decrypt(key, a, a_len, &plain, &plain_len), PARLEY_OK);
    assert_int_equal(plain_len, strlen(text));
    assert_string_equal((char *)plain, text);
    secret_wipe_free(plain, plain_len);

    /* The empty secret is a valid secret too. */
    free(b);
    assert_int_equal(secret_encrypt(key, NULL, 0, &b, &b_len), PARLEY_OK);
    assert_int_equal(secret_decrypt(key, b, b_len, &plain, &plain_len), PARLEY_OK);
    assert_int_equal(plain_len, 0);
    assert_string_equal((char *)plain, "");
    secret_wipe_free(plain, plain_len);

    free(a);
    free(b);
    secret_key_free(key);
}

static void test_secret_wrong_key_fails(void **state)
{
    struct fixture *f = *state;
    char *other_path = xasprintf("%s/other.key", f->dir);
    struct secret_key *key = NULL, *other = NULL;
    unsigned char *box = NULL, *plain = NULL;
    size_t box_len, plain_len = 99;

    assert_int_equal(secret_key_load(f->key_path, 1, &key), PARLEY_OK);
    assert_int_equal(secret_key_load(other_path, 1, &other), PARLEY_OK);
    assert_int_equal(secret_encrypt(key, "token", 5, &box, &box_len), PARLEY_OK);
    assert_int_equal(secret_decrypt(other, box, box_len, &plain, &plain_len), PARLEY_ERR_CRYPTO);
    assert_null(plain);
    assert_int_equal(plain_len, 0);

    free(box);
    free(other_path);
    secret_key_free(key);
    secret_key_free(other);
}

static void test_secret_tampered_or_short_fails(void **state)
{
    struct fixture *f = *state;
    struct secret_key *key = NULL;
    unsigned char *box = NULL, *plain = NULL;
    size_t box_len, plain_len;

    assert_int_equal(secret_key_load(f->key_path, 1, &key), PARLEY_OK);
    assert_int_equal(secret_encrypt(key, "refresh-token", 13, &box, &box_len), PARLEY_OK);
    box[box_len - 1] ^= 0x01;                       /* flip a ciphertext bit */
    assert_int_equal(secret_decrypt(key, box, box_len, &plain, &plain_len), PARLEY_ERR_CRYPTO);
    box[box_len - 1] ^= 0x01;
    box[0] ^= 0x80;                                 /* flip a nonce bit */
    assert_int_equal(secret_decrypt(key, box, box_len, &plain, &plain_len), PARLEY_ERR_CRYPTO);
    box[0] ^= 0x80;
    assert_int_equal(secret_decrypt(key, box, 10, &plain, &plain_len), PARLEY_ERR_CRYPTO);
    assert_int_equal(secret_decrypt(key, box, box_len, &plain, &plain_len), PARLEY_OK);
    assert_string_equal((char *)plain, "refresh-token");

    secret_wipe_free(plain, plain_len);
    free(box);
    secret_key_free(key);
}

static void test_secret_wrong_size_key_file_refused(void **state)
{
    struct fixture *f = *state;
    struct secret_key *key = NULL;
    unsigned char bytes[SECRET_KEY_BYTES + 1] = { 0 };

    write_file(f->key_path, bytes, SECRET_KEY_BYTES - 1);
    assert_int_equal(secret_key_load(f->key_path, 1, &key), PARLEY_ERR_INVALID);
    assert_null(key);
    write_file(f->key_path, bytes, SECRET_KEY_BYTES + 1);
    assert_int_equal(secret_key_load(f->key_path, 0, &key), PARLEY_ERR_INVALID);
    write_file(f->key_path, bytes, 0);
    assert_int_equal(secret_key_load(f->key_path, 1, &key), PARLEY_ERR_INVALID);
    assert_null(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_secret_key_created_0600_and_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_round_trip_and_random_nonce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_wrong_key_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_tampered_or_short_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_wrong_size_key_file_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
