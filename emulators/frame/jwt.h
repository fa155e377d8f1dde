/* jwt.h - RS256 JSON Web Tokens signed and checked by the emulators, and the
 * JWKS entry that publishes the public key.
 *
 * Only the signature and the shape are checked here; claims (exp, aud, iss)
 * are the caller's business. */
#ifndef EMU_FRAME_JWT_H
#define EMU_FRAME_JWT_H

#include <jansson.h>

#include "util/err.h"

struct emu_jwt_key;

/* A fresh RSA-2048 signing key; NULL on failure. */
struct emu_jwt_key *emu_jwt_key_new(void);
void emu_jwt_key_free(struct emu_jwt_key *key);
/* The key id ("kid", also "x5t"): base64url SHA-1 of the public key. */
const char *emu_jwt_key_id(const struct emu_jwt_key *key);
/* The public key as a JWK object (kty, use, kid, x5t, n, e); new reference. */
json_t *emu_jwt_key_jwk(const struct emu_jwt_key *key);

/* Sign CLAIMS (borrowed) with header {typ, alg:RS256, kid}; the caller frees
 * the compact token. */
char *emu_jwt_sign(const struct emu_jwt_key *key, const json_t *claims);
/* Check TOKEN's form, algorithm, kid and signature.  On success *claims is a
 * new reference to the payload; PARLEY_ERR_AUTH otherwise. */
enum parley_err emu_jwt_verify(const struct emu_jwt_key *key, const char *token, json_t **claims);

/* A cache of verified tokens (token text -> claims), so that a token used for
 * many requests has its RS256 signature checked once.  Only successes are
 * kept; at MAX entries the cache starts over.  Thread-safe.  Claims handed out
 * are shared and must not be changed; expiry stays the caller's check. */
struct emu_jwt_cache;
struct emu_jwt_cache *emu_jwt_cache_new(const struct emu_jwt_key *key, size_t max);
void emu_jwt_cache_free(struct emu_jwt_cache *cache);     /* NULL is a no-op */
/* emu_jwt_verify through CACHE. */
enum parley_err emu_jwt_cache_verify(struct emu_jwt_cache *cache, const char *token,
                                     json_t **claims);

/* ---- added for the Google emulator (gemu) ---- */
/* Like emu_jwt_verify, but the header's kid is not checked (Google's token
 * endpoint gets assertions without one; the caller picks KEY by iss). */
enum parley_err emu_jwt_verify_signature(const struct emu_jwt_key *key, const char *token,
                                         json_t **claims);
/* The private key as PKCS#8 PEM, for a service-account key file; the
 * caller frees it.  NULL on failure. */
char *emu_jwt_key_private_pem(const struct emu_jwt_key *key);
/* A self-signed X.509 certificate (PEM) for the public key with common name
 * CN, valid for 10 years; the caller frees it.  NULL on failure. */
char *emu_jwt_key_cert_pem(const struct emu_jwt_key *key, const char *cn);

#endif
