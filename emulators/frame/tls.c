/* tls.c - create the emulators' CA and server certificate with OpenSSL 3
 * (see tls.h). */
#include "frame/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/log.h"
#include "util/xmalloc.h"

#define TEN_YEARS_S (10L * 365 * 24 * 3600)

static EVP_PKEY *new_key(void)
{
    return EVP_EC_gen("P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* A certificate for KEY named CN, signed by ISSUER/ISSUER_KEY (NULL: self). */
static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                      int is_ca)
{
    X509 *cert = X509_new();
    unsigned char serial[16];

    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_set_version(cert, 2);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), TEN_YEARS_S);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Parley emulator",
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);

    X509 *signer = issuer ? issuer : cert;
    int rc = 0;
    if (is_ca) {
        rc |= add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        rc |= add_ext(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        rc |= add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        rc |= add_ext(cert, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        rc |= add_ext(cert, signer, NID_ext_key_usage, "serverAuth");
        rc |= add_ext(cert, signer, NID_subject_alt_name,
                      "IP:127.0.0.1,IP:::1,DNS:localhost");
    }
    rc |= add_ext(cert, signer, NID_subject_key_identifier, "hash");
    rc |= add_ext(cert, signer, NID_authority_key_identifier, "keyid:always");
    if (rc != 0 || !X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static char *bio_text(BIO *bio)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    return xstrndup(data, (size_t)len);
}

static char *cert_pem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *text = bio_text(bio);
    BIO_free(bio);
    return text;
}

static char *key_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
    char *text = bio_text(bio);
    BIO_free(bio);
    return text;
}

static enum parley_err write_text(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    enum parley_err err = PARLEY_OK;
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF)
        err = PARLEY_ERR_IO;
    if (f && fclose(f) != 0)
        err = PARLEY_ERR_IO;
    if (err)
        log_error("emu", "cannot write TLS file", "s:path", path);
    free(path);
    return err;
}

enum parley_err emu_tls_create(const char *dir, struct emu_tls *out)
{
    enum parley_err err = PARLEY_ERR_CRYPTO;
    EVP_PKEY *ca_key = new_key(), *srv_key = new_key();
    X509 *ca = NULL, *srv = NULL;
    char *ca_text = NULL, *srv_text = NULL;

    memset(out, 0, sizeof *out);
    if (!ca_key || !srv_key)
        goto out;
    ca = new_cert(ca_key, "Parley emulator local CA", NULL, NULL, 1);
    srv = ca ? new_cert(srv_key, "localhost", ca, ca_key, 0) : NULL;
    if (!srv)
        goto out;
    ca_text = cert_pem(ca);
    srv_text = cert_pem(srv);
    out->cert_pem = xasprintf("%s%s", srv_text, ca_text);
    out->key_pem = key_pem(srv_key);
    out->ca_file = xasprintf("%s/ca.pem", dir);
    err = write_text(dir, "ca.pem", ca_text);
    if (!err)
        err = write_text(dir, "server.pem", out->cert_pem);
    if (!err)
        err = write_text(dir, "server-key.pem", out->key_pem);
out:
    if (err == PARLEY_ERR_CRYPTO)
        log_error("emu", "cannot create the local CA and certificate");
    if (err)
        emu_tls_clear(out);
    free(ca_text);
    free(srv_text);
    X509_free(ca);
    X509_free(srv);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(srv_key);
    return err;
}

void emu_tls_clear(struct emu_tls *tls)
{
    free(tls->ca_file);
    free(tls->cert_pem);
    free(tls->key_pem);
    memset(tls, 0, sizeof *tls);
}
