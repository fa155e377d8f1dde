/* fake_peer.h - the in-process peer of the net tests: an HTTP(S) server on
 * 127.0.0.1:0 (src/http/server.h) whose routes the test adds, a
 * self-signed certificate for it, and a temporary file for CA bundles. */
#ifndef PARLEY_TESTS_UNIT_NET_FAKE_PEER_H
#define PARLEY_TESTS_UNIT_NET_FAKE_PEER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "http/router.h"
#include "http/server.h"

struct fake_peer {
    struct http_router *router;
    struct http_server *srv;
    char base[64];               /* "http://127.0.0.1:PORT" or https:// */
    char *cert_pem;              /* with TLS: the server's certificate */
    char *key_pem;
    char ca_path[64];            /* with TLS: CERT_PEM written to a temp file */
};

/* A self-signed certificate for IP 127.0.0.1; PEM strings the caller frees. */
static void fake_peer_make_cert(char **cert_pem, char **key_pem)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *x = X509_new();
    X509V3_CTX ctx;
    X509_NAME *name;
    X509_EXTENSION *san;
    BIO *bio;
    char *data;
    long len;

    assert_non_null(key);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1",
                               -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    san = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(x, san, -1);
    X509_EXTENSION_free(san);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);

    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x);
    len = BIO_get_mem_data(bio, &data);
    *cert_pem = strndup(data, (size_t)len);
    BIO_free(bio);
    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
    len = BIO_get_mem_data(bio, &data);
    *key_pem = strndup(data, (size_t)len);
    BIO_free(bio);
    X509_free(x);
    EVP_PKEY_free(key);
}

/* Write TEXT to a new temporary file whose path goes to PATH (64 bytes). */
static void fake_peer_temp_file(const char *text, char path[64])
{
    strcpy(path, "/tmp/parley-net-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* A new peer with an empty router; add routes to p->router, then start it. */
static struct fake_peer *fake_peer_new(void)
{
    struct fake_peer *p = calloc(1, sizeof *p);
    p->router = http_router_new();
    return p;
}

/* Start listening, over TLS (with a fresh self-signed certificate) when TLS. */
static void fake_peer_start(struct fake_peer *p, int tls)
{
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .max_body = 1 << 20 };

    if (tls) {
        fake_peer_make_cert(&p->cert_pem, &p->key_pem);
        fake_peer_temp_file(p->cert_pem, p->ca_path);
        cfg.tls_cert_pem = p->cert_pem;
        cfg.tls_key_pem = p->key_pem;
    }
    assert_int_equal(http_server_start(&cfg, p->router, &p->srv), PARLEY_OK);
    snprintf(p->base, sizeof p->base, "%s://127.0.0.1:%d", tls ? "https" : "http",
             http_server_port(p->srv));
}

static void fake_peer_free(struct fake_peer *p)
{
    if (!p)
        return;
    http_server_stop(p->srv);
    http_router_free(p->router);
    if (p->ca_path[0])
        unlink(p->ca_path);
    free(p->cert_pem);
    free(p->key_pem);
    free(p);
}

#endif
