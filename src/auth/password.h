/* password.h - admin passwords: argon2id hashing and verification
 * (libsodium crypto_pwhash_str, INTERACTIVE limits) and generation of strong
 * random passwords. */
#ifndef PARLEY_AUTH_PASSWORD_H
#define PARLEY_AUTH_PASSWORD_H

#include <stddef.h>

#include "util/err.h"

/* Accepted password lengths in bytes.  The upper bound keeps one login
 * request from hashing megabytes. */
#define AUTH_PASSWORD_MIN_LEN 12
#define AUTH_PASSWORD_MAX_LEN 1024
/* Length of auth_password_generate's passwords (~116 bits of entropy). */
#define AUTH_PASSWORD_GENERATED_LEN 20

/* PARLEY_OK when PASSWORD is acceptable for a new account (length within the
 * bounds above), else PARLEY_ERR_INVALID with a static reason in *why
 * (WHY may be NULL). */
enum parley_err auth_password_check(const char *password, const char **why);

/* Hash PASSWORD into *out (an argon2id "$argon2id$..." string, the caller
 * frees it).  PARLEY_ERR_CRYPTO when libsodium fails (e.g. out of memory). */
enum parley_err auth_password_hash(const char *password, char **out);

/* PARLEY_OK when PASSWORD matches HASH, PARLEY_ERR_AUTH otherwise (also for a
 * malformed hash or an over-long password). */
enum parley_err auth_password_verify(const char *hash, const char *password);

/* Spend the same time as a real verification and fail: called for unknown
 * accounts so response times do not reveal which emails exist. */
void auth_password_verify_dummy(const char *password);

/* A new random password of AUTH_PASSWORD_GENERATED_LEN characters from an
 * alphabet without look-alikes (no 0/O, 1/l/I).  The caller frees it. */
char *auth_password_generate(void);

#endif
