/* jwt.h - compact JWS signing with RS256 (RSASSA-PKCS1-v1_5 + SHA-256), for
 * the Google service-account assertion.  Only signing: Parley never needs to
 * read the access tokens it receives (they are opaque). */
#ifndef PARLEY_NET_JWT_H
#define PARLEY_NET_JWT_H

#include <jansson.h>

#include "util/err.h"

/* Sign HEADER and CLAIMS (borrowed JSON objects) with the PEM private RSA key
 * KEY_PEM (PKCS#8 or PKCS#1).  *jwt is "b64url(header).b64url(claims).b64url(sig)"
 * (the caller frees it).  PARLEY_ERR_CRYPTO with a message in *why (caller
 * frees) when the key cannot be read, is not RSA, or signing fails. */
enum parley_err net_jwt_sign_rs256(const json_t *header, const json_t *claims, const char *key_pem,
                                   char **jwt, char **why);
/* Whether KEY_PEM is a private RSA key net_jwt_sign_rs256 can sign with. */
int net_jwt_key_usable(const char *key_pem);

#endif
