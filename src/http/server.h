/* server.h - Parley's HTTP server on libmicrohttpd, shared by `parley serve`
 * and `parley-emu`.
 *
 * A server owns a listening daemon and dispatches each request, once its body
 * has been read in full (within the size limit), to a router (router.h).
 * The handler answers through the http_reply_* functions below, exactly once;
 * a handler that does not answer yields a 500.
 *
 * The server gives every request an id (echoed in the X-Request-Id header and
 * set as the log context of the handling thread), writes an access-log line
 * per request, turns oversize bodies into 413 and unknown paths / methods into
 * 404 / 405.  Error bodies are built by the error formatter (the default gives
 * {"error":{"code":..., "message":..., "request_id":...}}); the emulators set
 * their own to speak the platforms' error shapes. */
#ifndef PARLEY_HTTP_SERVER_H
#define PARLEY_HTTP_SERVER_H

#include <stddef.h>
#include <jansson.h>

#include "util/err.h"

struct http_server;
struct http_req;
struct http_router;

/* Builds the body of an error reply: status, a short machine code
 * ("not_found", "bad_json", ...) and a human message.  Return a new
 * reference; the server sends it as JSON with the given status. */
typedef json_t *(*http_error_fn)(struct http_req *req, int status, const char *code,
                                 const char *message, void *ctx);

struct http_server_config {
    const char *listen;          /* "ADDR:PORT"; port 0 picks a free one */
    size_t max_body;             /* bytes; 0 means 1 MiB */
    const char *tls_cert_pem;    /* both NULL: plain HTTP */
    const char *tls_key_pem;
    const char *log_module;      /* module name of the access log ("http") */
    unsigned threads;            /* 0: one thread per connection */
    http_error_fn on_error;      /* NULL: the default error body */
    void *on_error_ctx;
};

/* Start listening; on success *out is the running server. */
enum parley_err http_server_start(const struct http_server_config *cfg,
                                  struct http_router *router, struct http_server **out);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *srv);
/* Stop accepting, wait for in-flight requests to finish (at most 30 s),
 * close idle keep-alive connections, free the server.  The router is not
 * freed.  NULL is a no-op. */
void http_server_stop(struct http_server *srv);

/* ---- the request ---- */
const char *http_req_method(const struct http_req *req);
const char *http_req_path(const struct http_req *req);     /* as sent (not decoded), without query */
const char *http_req_id(const struct http_req *req);
const char *http_req_header(const struct http_req *req, const char *name); /* NULL if absent */
const char *http_req_query(const struct http_req *req, const char *name);  /* decoded; NULL if absent */
const char *http_req_cookie(const struct http_req *req, const char *name);
const char *http_req_param(const struct http_req *req, const char *name);  /* route parameter */
const char *http_req_client_ip(const struct http_req *req);
int http_req_is_tls(const struct http_req *req);
/* The raw body (NUL-terminated, *len bytes); "" when there is none. */
const char *http_req_body(const struct http_req *req, size_t *len);
/* Parse the body as JSON.  On malformed or non-UTF-8 input, too deep nesting
 * or an empty body, returns PARLEY_ERR_BAD_JSON and a message in *why (static
 * or owned by req).  *out is a new reference on success. */
enum parley_err http_req_json(struct http_req *req, json_t **out, const char **why);
/* Same, but answers 400 itself on failure and returns NULL. */
json_t *http_req_json_or_400(struct http_req *req);
/* Per-request slot for the handler layers (e.g. the authenticated admin). */
void http_req_set_user(struct http_req *req, void *user);
void *http_req_user(const struct http_req *req);

/* ---- the reply (call exactly one of the first four) ---- */
/* Send BODY as JSON; steals the reference (NULL body: empty 204-style reply). */
void http_reply_json(struct http_req *req, int status, json_t *body);
/* Send bytes as they are (copied). */
void http_reply_bytes(struct http_req *req, int status, const char *content_type,
                      const void *data, size_t len);
/* Send an error body built by the server's error formatter. */
void http_reply_error(struct http_req *req, int status, const char *code, const char *message);
/* Close the connection without answering (emulators' "connection reset" fault). */
void http_reply_drop(struct http_req *req);
/* Add a response header; call before the reply. */
void http_reply_header(struct http_req *req, const char *name, const char *value);
/* Whether a reply has been given. */
int http_req_replied(const struct http_req *req);

#endif
