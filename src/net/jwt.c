/* jwt.c - RS256 compact JWS signing on OpenSSL (see jwt.h). */
#include "net/jwt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "util/buf.h"
#include "util/xmalloc.h"

/* Append LEN bytes of DATA as unpadded base64url. */
static void put_base64url(struct buf *out, const void *data, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *text = xmalloc(cap);

    sodium_bin2base64(text, cap, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    buf_puts(out, text);
    free(text);
}

static void put_json_part(struct buf *out, const json_t *part)
{
    char *text = json_dumps(part, JSON_COMPACT);

    put_base64url(out, text, strlen(text));
    free(text);
}

static EVP_PKEY *read_rsa_key(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

    BIO_free(bio);
    if (key && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    return key;
}

int net_jwt_key_usable(const char *key_pem)
{
    EVP_PKEY *key = key_pem ? read_rsa_key(key_pem) : NULL;

    EVP_PKEY_free(key);
    return key != NULL;
}

enum parley_err net_jwt_sign_rs256(const json_t *header, const json_t *claims, const char *key_pem,
                                   char **jwt, char **why)
{
    struct buf out = BUF_INIT;
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *md = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    enum parley_err rc = PARLEY_ERR_CRYPTO;

    *jwt = NULL;
    *why = NULL;
    if (!header || !claims || !key_pem || sodium_init() < 0)
        return PARLEY_ERR_INVALID;
    key = read_rsa_key(key_pem);
    if (!key) {
        *why = xstrdup("the private key is not a PEM-encoded RSA private key");
        goto out;
    }
    put_json_part(&out, header);
    buf_puts(&out, ".");
    put_json_part(&out, claims);

    md = EVP_MD_CTX_new();
    if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(md, NULL, &sig_len, (const unsigned char *)out.data, out.len) != 1) {
        *why = xstrdup("cannot sign with the private key");
        goto out;
    }
    sig = xmalloc(sig_len);
    if (EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)out.data, out.len) != 1) {
        *why = xstrdup("cannot sign with the private key");
        goto out;
    }
    buf_puts(&out, ".");
    put_base64url(&out, sig, sig_len);
    *jwt = buf_steal(&out);
    rc = PARLEY_OK;

out:
    free(sig);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    buf_free(&out);
    return rc;
}
