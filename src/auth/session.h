/* session.h - admin login sessions.
 *
 * A session is identified by a random 256-bit token sent to the browser as
 * the cookie value (base64url).  The store keeps only the token's SHA-256
 * (hex), so a leaked database cannot be replayed as cookies.  Each session
 * also carries its own random CSRF token, which state-changing requests echo
 * in the X-CSRF-Token header. */
#ifndef PARLEY_AUTH_SESSION_H
#define PARLEY_AUTH_SESSION_H

#include "util/err.h"

struct store;
struct store_session;

#define AUTH_SESSION_COOKIE "parley_session"
#define AUTH_SESSION_TTL_MS (12LL * 60 * 60 * 1000)
/* 32 random bytes as unpadded base64url: 43 characters. */
#define AUTH_TOKEN_LEN 43
/* SHA-256 as lower-case hex, plus the NUL. */
#define AUTH_TOKEN_HASH_SIZE 65

/* Create a session for ADMIN_ID valid until NOW + AUTH_SESSION_TTL_MS.
 * *token (the cookie value) and *csrf_token are new strings the caller
 * frees; both are NULL on failure. */
enum parley_err auth_session_create(struct store *st, long long admin_id, long long now,
                                    char **token, char **csrf_token);

/* Find the live session of cookie value TOKEN at NOW into *out (clear it with
 * store_session_clear).  PARLEY_ERR_NOT_FOUND when absent, expired or TOKEN
 * is malformed. */
enum parley_err auth_session_lookup(struct store *st, const char *token, long long now,
                                    struct store_session *out);

/* End the session of TOKEN (PARLEY_OK also when there was none). */
enum parley_err auth_session_destroy(struct store *st, const char *token);

/* The stored form of TOKEN: SHA-256 as lower-case hex into OUT. */
void auth_session_token_hash(const char *token, char out[AUTH_TOKEN_HASH_SIZE]);

/* Constant-time comparison of a CSRF token from a request (may be NULL)
 * with the session's; 1 when they match. */
int auth_csrf_matches(const char *expected, const char *got);

#endif
