/* password.c - argon2id password hashing and generation on libsodium
 * (see password.h). */
#include "auth/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

/* Unambiguous characters: 57 symbols, log2(57) ~ 5.83 bits each. */
static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

/* sodium_init is idempotent and thread-safe; < 0 means no usable RNG. */
static enum parley_err sodium_ready(void)
{
    if (sodium_init() < 0) {
        log_error("auth", "libsodium failed to initialise");
        return PARLEY_ERR_CRYPTO;
    }
    return PARLEY_OK;
}

enum parley_err auth_password_check(const char *password, const char **why)
{
    size_t len = password ? strlen(password) : 0;
    const char *reason = NULL;

    if (len < AUTH_PASSWORD_MIN_LEN)
        reason = "password must be at least 12 characters";
    else if (len > AUTH_PASSWORD_MAX_LEN)
        reason = "password must be at most 1024 characters";
    if (why)
        *why = reason;
    return reason ? PARLEY_ERR_INVALID : PARLEY_OK;
}

enum parley_err auth_password_hash(const char *password, char **out)
{
    char hash[crypto_pwhash_STRBYTES];
    enum parley_err err;

    *out = NULL;
    if ((err = sodium_ready()))
        return err;
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        log_error("auth", "password hashing failed");
        return PARLEY_ERR_CRYPTO;
    }
    *out = xstrdup(hash);
    return PARLEY_OK;
}

enum parley_err auth_password_verify(const char *hash, const char *password)
{
    size_t len = password ? strlen(password) : 0;

    if (!hash || !password || len > AUTH_PASSWORD_MAX_LEN || sodium_ready() != PARLEY_OK)
        return PARLEY_ERR_AUTH;
    return crypto_pwhash_str_verify(hash, password, len) == 0 ? PARLEY_OK : PARLEY_ERR_AUTH;
}

/* N random characters of the alphabet, then a NUL; sodium must be ready. */
static void fill_random(char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[n] = '\0';
}

static void on_dummy_init(void)
{
    char random_password[AUTH_PASSWORD_GENERATED_LEN + 1];

    fill_random(random_password, AUTH_PASSWORD_GENERATED_LEN);
    if (crypto_pwhash_str(dummy_hash, random_password, strlen(random_password),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

void auth_password_verify_dummy(const char *password)
{
    if (sodium_ready() != PARLEY_OK)
        return;
    pthread_once(&dummy_once, on_dummy_init);
    /* The result is meaningless by construction; only the time spent matters. */
    (void)auth_password_verify(dummy_hash, password);
}

char *auth_password_generate(void)
{
    char *pw = xmalloc(AUTH_PASSWORD_GENERATED_LEN + 1);

    /* Without an RNG there is no safe password to make: fail hard. */
    if (sodium_ready() != PARLEY_OK)
        abort();
    fill_random(pw, AUTH_PASSWORD_GENERATED_LEN);
    return pw;
}
