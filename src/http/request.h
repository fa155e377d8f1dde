/* request.h - the object behind struct http_req (internal to src/http/).
 *
 * server.c drives a request through libmicrohttpd's callbacks: it creates it
 * when the request line arrives, fills the body, dispatches it, queues the
 * reply and frees it when the connection is done with it.  request.c holds
 * the accessors and the http_reply_* functions declared in server.h; the
 * handler's reply is recorded here and only turned into an MHD response by
 * http_req_queue_reply, once the handler has returned. */
#ifndef PARLEY_HTTP_REQUEST_H
#define PARLEY_HTTP_REQUEST_H

#include <microhttpd.h>
#include <time.h>

#include "http/router.h"
#include "http/server.h"
#include "util/buf.h"

#define HTTP_REQ_ID_BYTES 8          /* 16 hex characters */

struct reply_header {
    char *name;
    char *value;
};

struct http_req {
    struct MHD_Connection *conn;
    const char *method;              /* libmicrohttpd's; NULL before the headers */
    char *path;                      /* as sent, without the query; owned */
    char id[2 * HTTP_REQ_ID_BYTES + 1];
    char client_ip[64];
    int tls;
    struct timespec started;         /* CLOCK_MONOTONIC */
    http_error_fn on_error;          /* NULL: the default error body */
    void *on_error_ctx;

    struct buf body;                 /* limited to the server's max_body */
    int body_begun;                  /* the access handler has seen it */
    int body_too_large;              /* the rest of the body is discarded */

    struct http_route_match match;
    void *user;
    char *json_why;                  /* last http_req_json failure; owned */

    /* The reply, as the handler gave it. */
    int replied;
    int dropped;
    int is_json;
    int status;
    char *content_type;
    char *data;
    size_t len;
    struct reply_header *headers;
    size_t nheaders;
};

/* A new request for the raw URI of CONN's request line (the query string is
 * cut off), with a fresh random id. */
struct http_req *http_req_new(struct MHD_Connection *conn, const char *uri);
void http_req_free(struct http_req *req);   /* NULL is a no-op */
/* Queue the recorded reply on the connection, with the X-Request-Id, the
 * handler's headers and, for JSON, Cache-Control: no-store. */
enum MHD_Result http_req_queue_reply(struct http_req *req);

#endif
