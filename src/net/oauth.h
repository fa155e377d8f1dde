/* oauth.h - the OAuth 2.0 token flows of the connectors, on the wire:
 *
 *   Microsoft identity platform (microsoft.md 1.2):
 *     POST {authority}/{tenant}/oauth2/v2.0/token, form-encoded
 *     - client credentials: the app itself (client_id, client_secret, scope)
 *     - password (ROPC): a user, e.g. a Teams guest account Parley posts as
 *   Google service account (google.md 1.2):
 *     POST {token_uri} grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
 *     with an RS256 assertion {iss, scope, aud, sub, iat, exp = iat + 1 h}
 *
 * Each flow returns a struct net_token ready for the token cache, or an error
 * from net_oauth_error_describe with a message for the admin in *why (the
 * caller frees it).  Requests go through net_retry_send, so a 429 or 5xx of
 * the token endpoint is retried by the shared policy.  Secrets and tokens
 * are never logged. */
#ifndef PARLEY_NET_OAUTH_H
#define PARLEY_NET_OAUTH_H

#include "net/http_client.h"
#include "net/retry.h"
#include "net/token_cache.h"
#include "util/err.h"

#define NET_OAUTH_MS_AUTHORITY   "https://login.microsoftonline.com"
#define NET_OAUTH_GRAPH_SCOPE    "https://graph.microsoft.com/.default"
#define NET_OAUTH_GOOGLE_TOKEN_URI "https://oauth2.googleapis.com/token"
#define NET_OAUTH_JWT_BEARER     "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define NET_OAUTH_ASSERTION_LIFETIME_S 3600

/* A Microsoft app registration (all strings borrowed). */
struct net_oauth_ms_app {
    const char *authority;       /* NULL: NET_OAUTH_MS_AUTHORITY; no trailing '/' needed */
    const char *tenant;          /* GUID or domain */
    const char *client_id;
    const char *client_secret;   /* NULL: a public client (password grant only) */
};

/* Client-credentials token for APP; SCOPE NULL: NET_OAUTH_GRAPH_SCOPE. */
enum parley_err net_oauth_ms_client_credentials(struct net_http_client *client,
                                                const struct net_retry_policy *policy,
                                                const struct net_oauth_ms_app *app,
                                                const char *scope, struct net_token *out,
                                                char **why);

/* Password-grant (ROPC) token for USERNAME through APP.  SCOPE is the
 * space-separated delegated scopes; NULL: NET_OAUTH_GRAPH_SCOPE. */
enum parley_err net_oauth_ms_password(struct net_http_client *client,
                                      const struct net_retry_policy *policy,
                                      const struct net_oauth_ms_app *app, const char *username,
                                      const char *password, const char *scope,
                                      struct net_token *out, char **why);

/* A Google service account, as in its JSON key file (strings borrowed). */
struct net_oauth_google_sa {
    const char *client_email;
    const char *private_key_pem;
    const char *private_key_id;  /* sent as "kid"; NULL: omitted (as gtoken does) */
    const char *token_uri;       /* NULL: NET_OAUTH_GOOGLE_TOKEN_URI; also the "aud" */
};

/* The signed JWT-bearer assertion for SA acting as SUBJECT (NULL: as itself)
 * with SCOPE (space-separated), issued at NOW_S (Unix seconds).  *jwt is
 * new; on PARLEY_ERR_CRYPTO (bad key) *why says why. */
enum parley_err net_oauth_google_assertion(const struct net_oauth_google_sa *sa, const char *subject,
                                           const char *scope, long long now_s, char **jwt,
                                           char **why);

/* Token for SA acting as SUBJECT (domain-wide delegation; NULL: as itself)
 * with SCOPE, by the JWT-bearer grant. */
enum parley_err net_oauth_google_jwt_bearer(struct net_http_client *client,
                                            const struct net_retry_policy *policy,
                                            const struct net_oauth_google_sa *sa,
                                            const char *subject, const char *scope,
                                            struct net_token *out, char **why);

#endif
