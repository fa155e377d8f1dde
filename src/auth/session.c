/* session.c - admin sessions stored by token hash, with a CSRF token each
 * (see session.h). */
#include "auth/session.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define TOKEN_BYTES 32

/* A new random token: TOKEN_BYTES bytes as unpadded base64url. */
static enum parley_err random_token(char **out)
{
    unsigned char raw[TOKEN_BYTES];
    char text[sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

    if (sodium_init() < 0)
        return PARLEY_ERR_CRYPTO;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    *out = xstrdup(text);
    return PARLEY_OK;
}

/* Whether TOKEN has the shape of one of ours: fixed length, base64url. */
static int token_well_formed(const char *token)
{
    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return 0;
    for (const char *p = token; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

void auth_session_token_hash(const char *token, char out[AUTH_TOKEN_HASH_SIZE])
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, AUTH_TOKEN_HASH_SIZE, digest, sizeof digest);
}

enum parley_err auth_session_create(struct store *st, long long admin_id, long long now,
                                    char **token, char **csrf_token)
{
    char hash[AUTH_TOKEN_HASH_SIZE];
    enum parley_err err;

    *token = NULL;
    *csrf_token = NULL;
    if ((err = random_token(token)) || (err = random_token(csrf_token)))
        goto out;
    auth_session_token_hash(*token, hash);
    err = store_session_create(st, hash, admin_id, *csrf_token, now + AUTH_SESSION_TTL_MS);
    if (err)
        log_error("auth", "cannot store the session", "s:reason", parley_strerror(err));

out:
    if (err) {
        free(*token);
        free(*csrf_token);
        *token = NULL;
        *csrf_token = NULL;
    }
    return err;
}

enum parley_err auth_session_lookup(struct store *st, const char *token, long long now,
                                    struct store_session *out)
{
    char hash[AUTH_TOKEN_HASH_SIZE];

    memset(out, 0, sizeof *out);
    if (!token_well_formed(token))
        return PARLEY_ERR_NOT_FOUND;
    auth_session_token_hash(token, hash);
    return store_session_get(st, hash, now, out);
}

enum parley_err auth_session_destroy(struct store *st, const char *token)
{
    char hash[AUTH_TOKEN_HASH_SIZE];
    enum parley_err err;

    if (!token_well_formed(token))
        return PARLEY_OK;
    auth_session_token_hash(token, hash);
    err = store_session_delete(st, hash);
    return err == PARLEY_ERR_NOT_FOUND ? PARLEY_OK : err;
}

int auth_csrf_matches(const char *expected, const char *got)
{
    size_t len = expected ? strlen(expected) : 0;

    if (!expected || !got || len == 0 || strlen(got) != len)
        return 0;
    return sodium_memcmp(expected, got, len) == 0;
}
