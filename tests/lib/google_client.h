/* google_client.h - drive build/parley-emu's Google side from integration
 * tests and benches: start it on free loopback ports with a seed, read
 * endpoints.json and the service-account key file, sign JWT-bearer
 * assertions as gtoken does, get access tokens and call the APIs. */
#ifndef PARLEY_TESTS_GOOGLE_CLIENT_H
#define PARLEY_TESTS_GOOGLE_CLIENT_H

#include <jansson.h>
#include <openssl/evp.h>

#include "lib/harness.h"

#define GOOGLE_CLIENT_SCOPE "https://www.googleapis.com/auth/"
#define GOOGLE_CLIENT_AUD "https://oauth2.googleapis.com/token"

struct google_client {
    struct harness_proc *proc;
    struct harness_http *http;
    char *dir;               /* temp dir: seed, --dir, log; removed by stop */
    char *log_path;
    json_t *google;          /* endpoints.json's "google" entry */
    json_t *key;             /* the service-account key file */
    EVP_PKEY *pkey;          /* its private key */
    const char *root;        /* "http://127.0.0.1:P/" (borrowed from google) */
};

/* Start parley-emu with the seed SEED_TEXT and EXTRA_ARGS (NULL-terminated,
 * may be NULL); wait for endpoints.json and load the key.  0 when up. */
int google_client_start(struct google_client *g, const char *seed_text,
                        const char *const extra_args[]);
/* SIGTERM, wait, remove the directory.  0 when the emulator exited 0 (under
 * ASan: also no leak); otherwise its log is printed first. */
int google_client_stop(struct google_client *g);

/* Claims {iss, scope, aud, iat, exp = iat + LIFETIME_S} (+ sub unless NULL);
 * SCOPES are full URLs, space-separated.  New reference. */
json_t *google_client_claims(const struct google_client *g, const char *sub, const char *scopes,
                             const char *aud, long lifetime_s);
/* The compact JWS {"alg":"RS256"}.CLAIMS signed with KEY (NULL: the service
 * account's); steals CLAIMS; the caller frees the result. */
char *google_client_sign(const struct google_client *g, EVP_PKEY *key, json_t *claims);
/* POST /token with the JWT-bearer grant of ASSERTION (freed here). */
int google_client_token_request(struct google_client *g, char *assertion,
                                struct harness_resp *resp);
/* An access token for SUB (NULL: the service account) with SHORT_SCOPES
 * ("chat.spaces chat.messages"); NULL on failure.  The caller frees it. */
char *google_client_token(struct google_client *g, const char *sub, const char *short_scopes);
/* METHOD on the printf-formatted PATH (relative to the root, leading '/'
 * optional) with TOKEN (may be NULL) and the JSON BODY (may be NULL). */
int google_client_call(struct google_client *g, const char *method, const char *token,
                       const char *body, struct harness_resp *resp, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
