/* test_tls.h - throw-away keys and self-signed certificates for tests: a
 * server certificate for 127.0.0.1 (the in-process HTTPS peers of the unit
 * tests), a CA that is the wrong one, a key that is not the expected one.
 * Linked into the unit and integration tests; functions return NULL or -1
 * when OpenSSL fails, for the test to assert on. */
#ifndef PARLEY_TESTS_TEST_TLS_H
#define PARLEY_TESTS_TEST_TLS_H

#include <openssl/evp.h>
#include <openssl/x509.h>

/* KEY's private key as PEM (unencrypted PKCS#8); the caller frees it. */
char *test_tls_key_pem(EVP_PKEY *key);

/* X as PEM; the caller frees it. */
char *test_tls_cert_pem(X509 *x);

/* A certificate of KEY signed by itself (SHA-256), subject and issuer CN,
 * serial SERIAL, valid from a minute ago for an hour; with IP_SAN (e.g.
 * "127.0.0.1") a subjectAltName of that IP address.  The caller frees it
 * with X509_free. */
X509 *test_tls_self_signed(EVP_PKEY *key, long serial, const char *cn, const char *ip_san);

/* A new RSA-2048 key and a self-signed certificate for IP 127.0.0.1 (CN
 * 127.0.0.1), as PEM strings the caller frees; 0, or -1 on failure. */
int test_tls_localhost_cert(char **cert_pem, char **key_pem);

#endif
