/* jwt.c - RS256 JWTs on OpenSSL 3 (see jwt.h). */
#include "frame/jwt.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "frame/ids.h"
#include "frame/map.h"
#include "frame/vec.h"
#include "util/json.h"
#include "util/xmalloc.h"

struct emu_jwt_key {
    EVP_PKEY *pkey;
    char *kid;
};

static char *bn_param_b64(const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    char *text = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
        return NULL;
    int len = BN_num_bytes(bn);
    unsigned char *bytes = xmalloc((size_t)len + 1);
    BN_bn2bin(bn, bytes);
    text = emu_ids_base64url(bytes, (size_t)len);
    free(bytes);
    BN_free(bn);
    return text;
}

struct emu_jwt_key *emu_jwt_key_new(void)
{
    EVP_PKEY *pkey = EVP_RSA_gen(2048);
    unsigned char *der = NULL;
    unsigned char sha1[EVP_MAX_MD_SIZE];
    unsigned int sha1_len = 0;

    if (!pkey)
        return NULL;
    int der_len = i2d_PUBKEY(pkey, &der);
    if (der_len <= 0 || !EVP_Digest(der, (size_t)der_len, sha1, &sha1_len, EVP_sha1(), NULL)) {
        OPENSSL_free(der);
        EVP_PKEY_free(pkey);
        return NULL;
    }
    OPENSSL_free(der);
    struct emu_jwt_key *key = xcalloc(1, sizeof *key);
    key->pkey = pkey;
    key->kid = emu_ids_base64url(sha1, sha1_len);
    return key;
}

void emu_jwt_key_free(struct emu_jwt_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    free(key->kid);
    free(key);
}

const char *emu_jwt_key_id(const struct emu_jwt_key *key)
{
    return key->kid;
}

json_t *emu_jwt_key_jwk(const struct emu_jwt_key *key)
{
    char *n = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_N);
    char *e = bn_param_b64(key->pkey, OSSL_PKEY_PARAM_RSA_E);
    json_t *jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "use", "sig", "kid",
                            key->kid, "x5t", key->kid, "n", n ? n : "", "e", e ? e : "");
    free(n);
    free(e);
    return jwk;
}

/* RS256 over DATA; the caller frees the base64url signature. */
static char *sign_b64(EVP_PKEY *pkey, const char *data, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t sig_len = sizeof sig;
    char *out = NULL;

    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
        EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)data, len) == 1)
        out = emu_ids_base64url(sig, sig_len);
    EVP_MD_CTX_free(ctx);
    return out;
}

char *emu_jwt_sign(const struct emu_jwt_key *key, const json_t *claims)
{
    json_t *header = json_pack("{s:s, s:s, s:s}", "typ", "JWT", "alg", "RS256", "kid", key->kid);
    char *header_json = json_to_string(header);
    char *claims_json = json_to_string(claims);
    char *h64 = emu_ids_base64url((const unsigned char *)header_json, strlen(header_json));
    char *c64 = emu_ids_base64url((const unsigned char *)claims_json, strlen(claims_json));
    char *signing_input = xasprintf("%s.%s", h64, c64);
    char *sig = sign_b64(key->pkey, signing_input, strlen(signing_input));
    char *token = sig ? xasprintf("%s.%s", signing_input, sig) : NULL;

    free(sig);
    free(signing_input);
    free(c64);
    free(h64);
    free(claims_json);
    free(header_json);
    json_decref(header);
    return token;
}

static json_t *decode_part(const char *text, size_t len)
{
    char *part = xstrndup(text, len);
    size_t raw_len = 0;
    unsigned char *raw = emu_ids_base64url_decode(part, &raw_len);
    json_t *value = NULL;
    char *why = NULL;
    if (raw && json_parse((const char *)raw, raw_len, &value, &why) != PARLEY_OK)
        value = NULL;
    free(why);
    free(raw);
    free(part);
    if (value && !json_is_object(value)) {
        json_decref(value);
        value = NULL;
    }
    return value;
}

static enum parley_err verify(const struct emu_jwt_key *key, const char *token, int check_kid,
                              json_t **claims)
{
    enum parley_err err = PARLEY_ERR_AUTH;
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    json_t *header = NULL, *payload = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    EVP_MD_CTX *ctx = NULL;

    *claims = NULL;
    if (!dot2 || strchr(dot2 + 1, '.'))
        goto out;
    header = decode_part(token, (size_t)(dot1 - token));
    payload = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    sig = emu_ids_base64url_decode(dot2 + 1, &sig_len);
    if (!header || !payload || !sig)
        goto out;
    const char *alg = json_get_str(header, "alg");
    const char *kid = json_get_str(header, "kid");
    if (!alg || strcmp(alg, "RS256") != 0 || (check_kid && (!kid || strcmp(kid, key->kid) != 0)))
        goto out;
    ctx = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) != 1 ||
        EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)token,
                         (size_t)(dot2 - token)) != 1)
        goto out;
    *claims = payload;
    payload = NULL;
    err = PARLEY_OK;
out:
    EVP_MD_CTX_free(ctx);
    free(sig);
    json_decref(header);
    json_decref(payload);
    return err;
}

enum parley_err emu_jwt_verify(const struct emu_jwt_key *key, const char *token, json_t **claims)
{
    return verify(key, token, 1, claims);
}

enum parley_err emu_jwt_verify_signature(const struct emu_jwt_key *key, const char *token,
                                         json_t **claims)
{
    return verify(key, token, 0, claims);
}

/* ---- verified tokens ---- */

struct emu_jwt_cache {
    const struct emu_jwt_key *key;   /* borrowed */
    size_t max;
    pthread_mutex_t lock;
    struct emu_map *claims;          /* token -> json_t *, one reference held in `held` */
    struct emu_vec held;
};

/* Drop every entry, the map included.  Lock held (or no longer shared). */
static void cache_release(struct emu_jwt_cache *c)
{
    for (size_t i = 0; i < c->held.len; i++)
        json_decref(c->held.items[i]);
    c->held.len = 0;
    emu_map_free(c->claims);
    c->claims = NULL;
}

struct emu_jwt_cache *emu_jwt_cache_new(const struct emu_jwt_key *key, size_t max)
{
    struct emu_jwt_cache *c = xcalloc(1, sizeof *c);
    c->key = key;
    c->max = max;
    pthread_mutex_init(&c->lock, NULL);
    c->claims = emu_map_new();
    return c;
}

void emu_jwt_cache_free(struct emu_jwt_cache *cache)
{
    if (!cache)
        return;
    cache_release(cache);
    emu_vec_free(&cache->held);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

enum parley_err emu_jwt_cache_verify(struct emu_jwt_cache *cache, const char *token,
                                     json_t **claims)
{
    pthread_mutex_lock(&cache->lock);
    *claims = json_incref(emu_map_get(cache->claims, token));
    pthread_mutex_unlock(&cache->lock);
    if (*claims)
        return PARLEY_OK;

    /* Checked outside the lock; two threads may check the same new token. */
    enum parley_err err = emu_jwt_verify(cache->key, token, claims);
    if (err != PARLEY_OK)
        return err;
    pthread_mutex_lock(&cache->lock);
    if (!emu_map_get(cache->claims, token)) {
        if (cache->held.len >= cache->max) {
            cache_release(cache);
            cache->claims = emu_map_new();
        }
        emu_map_put(cache->claims, token, json_incref(*claims));
        emu_vec_push(&cache->held, *claims);
    }
    pthread_mutex_unlock(&cache->lock);
    return PARLEY_OK;
}

/* The text of memory BIO (freed here) when OK; NULL otherwise. */
static char *bio_text(BIO *bio, int ok)
{
    char *data = NULL;
    long len = ok ? BIO_get_mem_data(bio, &data) : 0;
    char *text = len > 0 ? xstrndup(data, (size_t)len) : NULL;
    BIO_free(bio);
    return text;
}

char *emu_jwt_key_private_pem(const struct emu_jwt_key *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio_text(bio, PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL));
}

char *emu_jwt_key_cert_pem(const struct emu_jwt_key *key, const char *cn)
{
    X509 *cert = X509_new();
    BIO *bio = BIO_new(BIO_s_mem());
    X509_NAME *name = X509_get_subject_name(cert);
    int ok = X509_set_version(cert, 2) && ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) &&
             X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600) &&
             X509_set_pubkey(cert, key->pkey) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                        -1, 0) &&
             X509_set_issuer_name(cert, name) && X509_sign(cert, key->pkey, EVP_sha256()) > 0 &&
             PEM_write_bio_X509(bio, cert);
    X509_free(cert);
    return bio_text(bio, ok);
}
