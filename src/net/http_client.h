/* http_client.h - the connectors' HTTP client, on libcurl.
 *
 * One client per platform connection (it carries that connection's CA file
 * and timeouts).  A client keeps a pool of curl easy handles: a request
 * borrows one, performs, and gives it back, so the next request - from any
 * thread - finds the handle's live keep-alive connection and its TLS session
 * and skips the TCP and TLS handshakes.  A pool per client (rather than a
 * handle per thread through a pthread key) ties the cached connections to
 * the connection settings they were made with, frees everything with the
 * client, and lets a handful of idle handles serve any number of worker
 * threads.  The client is thread-safe: each request uses its own handle.
 *
 * TLS peer and host verification are always on; there is no switch to turn
 * them off.  A private CA (the emulators') is trusted through ca_file.
 * Redirects are not followed (a bearer token must not travel to another
 * host), and only https:// URLs, or http:// to a loopback host, are accepted
 * (net_url_check_transport: credentials never cross a network unencrypted).
 *
 * net_http_send returns PARLEY_OK whenever an HTTP answer arrived, whatever
 * its status: the caller reads resp->status.  Transport failures are mapped
 * from CURLcode here, with a message for the admin in resp->error:
 *   PARLEY_ERR_NETWORK    host not found, unreachable, connection reset
 *   PARLEY_ERR_TLS        certificate not trusted, wrong host name, handshake
 *   PARLEY_ERR_TIMEOUT    connect or total timeout
 *   PARLEY_ERR_TOO_LARGE  the body passed max_body
 *   PARLEY_ERR_INVALID    malformed URL, unsupported scheme, or http:// to a
 *                         host that is not loopback */
#ifndef PARLEY_NET_HTTP_CLIENT_H
#define PARLEY_NET_HTTP_CLIENT_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define NET_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define NET_HTTP_DEFAULT_TIMEOUT_MS         60000L
#define NET_HTTP_DEFAULT_MAX_BODY           (16u * 1024 * 1024)
#define NET_HTTP_POOL_IDLE_MAX              8

struct net_http_client;

struct net_http_config {
    const char *ca_file;         /* PEM bundle to trust instead of the system's; NULL: system */
    long connect_timeout_ms;     /* 0: NET_HTTP_DEFAULT_CONNECT_TIMEOUT_MS */
    long timeout_ms;             /* whole request; 0: NET_HTTP_DEFAULT_TIMEOUT_MS */
    size_t max_body;             /* response body limit; 0: NET_HTTP_DEFAULT_MAX_BODY */
    const char *user_agent;      /* NULL: "parley" */
};

struct net_http_request {
    const char *method;          /* "GET", "POST", "PATCH", ...; NULL: GET */
    const char *url;             /* absolute http:// or https:// URL */
    const char *const *headers;  /* "Name: value" lines, NULL-terminated; may be NULL */
    const char *bearer;          /* access token sent as "Authorization: Bearer"; may be NULL */
    const char *body;            /* may be NULL */
    size_t body_len;
    const char *content_type;    /* of BODY, e.g. "application/json" */
};

struct net_http_response {
    int status;                  /* 0 when no answer arrived */
    struct buf body;             /* NUL-terminated */
    char *content_type;          /* headers we use; NULL when absent */
    char *retry_after;           /* raw value; see net_retry_after_parse */
    char *request_id;            /* "request-id" (Graph), else "x-request-id" */
    char *location;
    long new_connections;        /* connections opened for this request: 0 = reused */
    char *error;                 /* on failure: what went wrong, for the admin */
};

/* A new client with CFG (NULL: defaults); NULL when libcurl cannot start.
 * CA_FILE is copied. */
struct net_http_client *net_http_client_new(const struct net_http_config *cfg);
/* Free the client and its pooled handles.  No request may be in flight.
 * NULL is a no-op. */
void net_http_client_free(struct net_http_client *client);

/* Perform REQ and fill *RESP, which the caller has zeroed (or freed with
 * net_http_response_free) beforehand and frees after.  See the head
 * comment for the return codes. */
enum parley_err net_http_send(struct net_http_client *client, const struct net_http_request *req,
                              struct net_http_response *resp);
/* Free what RESP holds and zero it (ready for reuse).  NULL is a no-op. */
void net_http_response_free(struct net_http_response *resp);

#endif
