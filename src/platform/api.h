/* api.h - what the Graph and Google connectors share: the common part of a
 * connection (its HTTP client with the connection's CA file, its token cache,
 * the retry policy), base-URL handling, and the authorised JSON GET and paged
 * walk every listing is made of.
 *
 * One call, platform_api_get:
 *   1. a token from the connection's cache (fetched once however many
 *      threads ask; a refusal becomes the admin's message);
 *   2. net_retry_send: 408/429/5xx and network failures retried by the
 *      shared policy, honouring Retry-After;
 *   3. a 401 invalidates the token and the call is made once more;
 *   4. a 2xx JSON object is the result; anything else goes through the
 *      connector's describe function (its error body -> platform_error).
 *
 * A connector's connection struct starts with struct platform_conn:
 *   struct graph_conn { struct platform_conn base; char *tenant_id; ... };
 * so the pointer the engines hold is the connector's own. */
#ifndef PARLEY_PLATFORM_API_H
#define PARLEY_PLATFORM_API_H

#include <jansson.h>

#include "net/http_client.h"
#include "net/paging.h"
#include "net/retry.h"
#include "net/token_cache.h"
#include "platform/platform.h"
#include "util/json_scan.h"

/* Where a call's access token comes from (all borrowed). */
struct platform_token {
    const char *key;            /* in the connection's cache, e.g. "google/<sub>/<scopes>" */
    net_token_fetch_fn fetch;   /* gets a new one: message for the admin in *why */
    void *ctx;
};

/* One API call, as the messages and the error mapping see it (borrowed). */
struct platform_call {
    const char *what;           /* "list the users": "Microsoft Graph refused to <what>" */
    const char *needs;          /* the permission (Graph) or scope (Google) it needs */
    const char *subject;        /* Google: the user acted as; NULL for app-only calls */
    const struct platform_token *token;
    const char *header;         /* one more request header ("Name: value"); may be NULL */
};

/* A non-2xx answer, for a connector's describe function (borrowed). */
struct platform_answer {
    int status;
    const char *body;           /* may be NULL */
    size_t len;
    long long retry_after_ms;   /* parsed Retry-After; -1 when absent */
    const char *request_id;     /* may be NULL */
};

/* Turn ANSWER to CALL into ERR (code, status, retryable, message). */
typedef void (*platform_describe_fn)(const struct platform_answer *answer,
                                     const struct platform_call *call,
                                     struct platform_error *err);

struct platform_conn {
    enum platform_kind kind;
    const char *service;            /* "Microsoft Graph", "Google": in transport messages */
    platform_describe_fn describe;
    struct net_http_client *http;   /* owned */
    struct net_token_cache *tokens; /* owned */
    struct net_retry_policy retry;  /* zero: the shared defaults */
};

/* Set up the common part of C (zeroed by the caller) for KIND, trusting
 * CA_FILE (NULL: the system's CAs).  On failure ERR says why. */
enum parley_err platform_conn_init(struct platform_conn *c, enum platform_kind kind,
                                   const char *service, platform_describe_fn describe,
                                   const char *ca_file, struct platform_error *err);
/* Free what platform_conn_init made.  NULL is a no-op. */
void platform_conn_fini(struct platform_conn *c);

/* The base URL NAME to use: CONFIGURED (NULL or "": DEF) without trailing
 * '/', then with SUFFIX appended ("" or "/").  It must pass the transport
 * rule (https://, or http:// to loopback): PARLEY_ERR_INVALID in ERR
 * otherwise.  *out is new. */
enum parley_err platform_base_url(const char *name, const char *configured, const char *def,
                                  const char *suffix, char **out, struct platform_error *err);

/* Advice for a transport failure CODE (NETWORK, TLS, TIMEOUT, INVALID...):
 * a static sentence, "" when there is nothing to add. */
const char *platform_transport_advice(enum parley_err code);

/* A token for CALL->token into *token (free with net_token_free_string). */
enum parley_err platform_api_token(struct platform_conn *c, const struct platform_call *call,
                                   char **token, struct platform_error *err);

/* GET URL as CALL; *out is a new reference to the answer's JSON object. */
enum parley_err platform_api_get(struct platform_conn *c, const struct platform_call *call,
                                 const char *url, json_t **out, struct platform_error *err);

/* METHOD ("POST", "PATCH", "DELETE", ...) URL as CALL, the same way as
 * platform_api_get.  BODY (may be NULL) is sent as application/json; the
 * serialised copy is wiped after the call, so it may carry a password.
 * OUT may be NULL; else *out is a new reference to the 2xx answer's JSON
 * object, or NULL when the answer has no body (204). */
enum parley_err platform_api_send(struct platform_conn *c, const struct platform_call *call,
                                  const char *method, const char *url, const json_t *body,
                                  json_t **out, struct platform_error *err);

/* One page of a listing read as JSON (borrowed).  A return other than
 * PARLEY_OK stops the walk. */
typedef enum parley_err (*platform_json_page_fn)(void *ctx, const json_t *page);

/* Walk every page of FIRST_URL (STYLE: OData next links or Google page
 * tokens) as CALL, handing each page to ON_PAGE(CTX).  The next page is
 * fetched (on a second thread) while ON_PAGE handles the current one, so
 * at most two pages are held at once; ON_PAGE is always called on the
 * caller's thread, in page order.  A page callback that returns an error
 * stops the walk; it may fill ERR itself, else ERR says the listing was
 * stopped. */
enum parley_err platform_api_list(struct platform_conn *c, const struct platform_call *call,
                                  enum net_paging_style style, const char *first_url,
                                  platform_json_page_fn on_page, void *ctx,
                                  struct platform_error *err);

/* One item of a page of people, read from S, which has just entered the
 * item's object: read its members up to the end of the object (every value
 * consumed: json_scan_string, json_scan_bool, json_scan_skip ...) into
 * *person, whose strings point into the page.  Return 0 to leave it out. */
typedef int (*platform_person_scan_fn)(struct json_scan *s, struct platform_person *person);

/* A listing of people: the page's array named ARRAY ("value", "users"),
 * each item read by SCAN, handed to FN(ARG) as one batch per page. */
struct platform_people_walk {
    const char *array;
    platform_person_scan_fn scan;
    platform_people_fn fn;
    void *arg;
};

/* platform_api_list for listings of people, the hot path of an import:
 * each page is read straight from its text on the fetch thread (no JSON
 * tree), so reading page N+1 overlaps handing page N to WALK->fn. */
enum parley_err platform_api_list_people(struct platform_conn *c,
                                         const struct platform_call *call,
                                         enum net_paging_style style, const char *first_url,
                                         const struct platform_people_walk *walk,
                                         struct platform_error *err);

/* The JSON body of ANSWER as an object (a new reference), or NULL. */
json_t *platform_answer_json(const struct platform_answer *answer);

/* ---- secondary accounts (the same rules on both platforms) ---- */

/* Longest account name before the '@' (Entra UPN prefix, Google username). */
#define PLATFORM_ACCOUNT_NAME_MAX 64

/* The name before the '@' of the secondary account of the person with
 * EMAIL: "<local>_<domain>", lower case, e.g. "greg_parleydemo.example" for
 * Greg@ParleyDemo.example.  '_' never occurs in a domain, so distinct
 * emails give distinct names.  When the result would hold a character
 * outside [a-z0-9._-], a '.' at either end or "..", or be longer than
 * PLATFORM_ACCOUNT_NAME_MAX, each such character becomes '-', the name is
 * cut and "-" + 8 hex digits of SHA-256(lower-case email) is appended, so
 * it stays unique and deterministic.  New string; NULL when EMAIL has no
 * local part or domain. */
char *platform_account_name(const char *email);

/* A new random password of 24 characters drawn (libsodium) from upper and
 * lower case letters, digits and symbols, with at least one of each: it
 * meets Entra's and Google's complexity rules.  Wipe it before freeing
 * (platform_secret_free). */
char *platform_random_password(void);

/* The length of the longest prefix of S that has at most MAX bytes and
 * does not split a UTF-8 character (for names with length limits). */
size_t platform_utf8_prefix(const char *s, size_t max);

/* Wipe the string S and free it.  NULL is a no-op. */
void platform_secret_free(char *s);

#endif
