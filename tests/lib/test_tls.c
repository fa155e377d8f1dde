/* test_tls.c - throw-away keys and self-signed certificates for tests (see
 * test_tls.h). */
#include "lib/test_tls.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* What WRITE put into BIO, as a string the caller frees (NULL if it failed). */
static char *bio_text(BIO *bio, int written)
{
    char *data = NULL;
    long len = 0;
    char *text = NULL;

    if (written > 0)
        len = BIO_get_mem_data(bio, &data);
    if (len > 0)
        text = strndup(data, (size_t)len);
    BIO_free(bio);
    return text;
}

char *test_tls_key_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio_text(bio, PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL));
}

char *test_tls_cert_pem(X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio_text(bio, PEM_write_bio_X509(bio, x));
}

X509 *test_tls_self_signed(EVP_PKEY *key, long serial, const char *cn, const char *ip_san)
{
    X509 *x = X509_new();
    X509_NAME *name;
    int ok;

    if (!x)
        return NULL;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (ip_san) {
        X509V3_CTX ctx;
        char *value = xasprintf("IP:%s", ip_san);
        X509_EXTENSION *san;

        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        san = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, value);
        X509_add_ext(x, san, -1);
        X509_EXTENSION_free(san);
        free(value);
    }
    ok = X509_sign(x, key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

int test_tls_localhost_cert(char **cert_pem, char **key_pem)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *x = key ? test_tls_self_signed(key, 1, "127.0.0.1", "127.0.0.1") : NULL;

    *cert_pem = x ? test_tls_cert_pem(x) : NULL;
    *key_pem = x ? test_tls_key_pem(key) : NULL;
    X509_free(x);
    EVP_PKEY_free(key);
    if (*cert_pem && *key_pem)
        return 0;
    free(*cert_pem);
    free(*key_pem);
    *cert_pem = *key_pem = NULL;
    return -1;
}
