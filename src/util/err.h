/* err.h - Parley's error codes: one X-macro list gives the enum and the messages.
 *
 * Fallible functions return enum parley_err (0 = PARLEY_OK) and hand results
 * back through out-parameters.  Foreign codes (errno, SQLITE_*, CURLcode,
 * PGRES_*) are converted at the boundary file that meets them. */
#ifndef PARLEY_UTIL_ERR_H
#define PARLEY_UTIL_ERR_H

#define PARLEY_ERR_MAP(XX)                                              \
    XX(OK, "ok", "ok")                                               \
    XX(NOMEM, "nomem", "out of memory")                                    \
    XX(INVALID, "invalid", "invalid argument")                                 \
    XX(NOT_FOUND, "not_found", "not found")                                        \
    XX(EXISTS, "exists", "already exists")                                   \
    XX(CONFLICT, "conflict", "conflict")                                         \
    XX(IO, "io", "input/output error")                               \
    XX(STORE, "store", "database error")                                   \
    XX(BUSY, "busy", "resource busy")                                    \
    XX(SCHEMA, "schema", "database schema is newer than this program")       \
    XX(CRYPTO, "crypto", "cryptographic failure")                            \
    XX(BAD_JSON, "bad_json", "malformed JSON")                                   \
    XX(TOO_LARGE, "too_large", "too large")                                        \
    XX(AUTH, "auth", "authentication failed")                            \
    XX(FORBIDDEN, "forbidden", "permission denied")                                \
    XX(THROTTLED, "throttled", "too many requests")                                \
    XX(NETWORK, "network", "network error")                                    \
    XX(TLS, "tls", "TLS verification failed")                          \
    XX(TIMEOUT, "timeout", "timed out")                                        \
    XX(PLATFORM, "platform", "platform error")                                   \
    XX(UNSUPPORTED, "unsupported", "not supported")                                    \
    XX(CANCELLED, "cancelled", "cancelled")

enum parley_err {
#define XX(name, lname, msg) PARLEY_ERR_##name,
    PARLEY_ERR_MAP(XX)
#undef XX
    PARLEY_ERR__COUNT
};

#define PARLEY_OK PARLEY_ERR_OK

/* A static, human-readable message for an error code (never NULL). */
const char *parley_strerror(enum parley_err err);

/* The code's short name in lower case, e.g. "not_found" (never NULL). */
const char *parley_errname(enum parley_err err);

#endif
