/* server.c - the HTTP daemon on libmicrohttpd (see server.h).
 *
 * A request lives from the URI-log callback (the request line arrived: the
 * request object is created, with the path exactly as sent) to the
 * completed callback (access-log line, free).  In between, the access
 * handler is called first with the headers, then once per body chunk, then
 * a last time with nothing, when the request is dispatched through the
 * router and its recorded reply is queued.
 *
 * Stopping: the listening socket is quiesced, in-flight requests are waited
 * for (at most STOP_DRAIN_SECONDS), then MHD_stop_daemon closes the idle
 * keep-alive connections.  Idle connections are also closed by MHD after
 * CONNECTION_TIMEOUT seconds of silence. */
#include "http/server.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/listen.h"
#include "http/request.h"
#include "http/router.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEFAULT_MAX_BODY   (1024 * 1024)
#define CONNECTION_TIMEOUT 30          /* seconds of silence before MHD closes */
#define STOP_DRAIN_SECONDS 30          /* how long stop waits for in-flight requests */

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_router *router;        /* borrowed */
    size_t max_body;
    char *log_module;
    char *tls_cert;                    /* copies kept for the daemon's lifetime */
    char *tls_key;
    http_error_fn on_error;
    void *on_error_ctx;
    int port;

    pthread_mutex_t lock;              /* guards inflight */
    pthread_cond_t drained;
    unsigned inflight;                 /* requests between URI log and completion */
};

/* ---- libmicrohttpd callbacks ---- */

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *srv = cls;
    char text[512];

    vsnprintf(text, sizeof text, fmt, ap);
    text[strcspn(text, "\r\n")] = '\0';
    log_warn(srv->log_module, "libmicrohttpd", "s:detail", text);
}

static void *on_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *srv = cls;
    struct http_req *req = http_req_new(conn, uri);

    req->tls = srv->tls_cert != NULL;
    req->on_error = srv->on_error;
    req->on_error_ctx = srv->on_error_ctx;
    pthread_mutex_lock(&srv->lock);
    srv->inflight++;
    pthread_mutex_unlock(&srv->lock);
    return req;
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:        return "ok";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:     return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:     return "shutdown";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:        return "client_abort";
    case MHD_REQUEST_TERMINATED_READ_ERROR:          return "read_error";
    default:                                         return "error";
    }
}

static long long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_req *req = *req_cls;

    (void)conn;
    if (!req)
        return;
    /* The path only: query strings may carry secrets. */
    log_context_set(req->id, NULL);
    log_info(srv->log_module, "request", "s:method", req->method ? req->method : "-",
             "s:path", req->path, "i:status", req->dropped ? 0 : req->status,
             "l:bytes", (long long)req->len, "l:duration_ms", elapsed_ms(&req->started),
             "s:client_ip", req->client_ip,
             "s:outcome", req->dropped ? "dropped" : termination_name(toe));
    log_context_set(NULL, NULL);
    http_req_free(req);
    *req_cls = NULL;

    pthread_mutex_lock(&srv->lock);
    if (--srv->inflight == 0)
        pthread_cond_broadcast(&srv->drained);
    pthread_mutex_unlock(&srv->lock);
}

static int content_length_exceeds(struct MHD_Connection *conn, size_t limit)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return 0;
    errno = 0;
    unsigned long long n = strtoull(cl, NULL, 10);
    return errno == ERANGE || n > limit;
}

static void reply_not_routed(struct http_server *srv, struct http_req *req, int status)
{
    char *allow = NULL;

    switch (status) {
    case 405:
        allow = http_router_allow(srv->router, req->path);
        if (allow)
            http_reply_header(req, "Allow", allow);
        http_reply_error(req, 405, "method_not_allowed", "method not allowed for this path");
        break;
    case 400:
        http_reply_error(req, 400, "bad_path", "malformed percent-encoding in the path");
        break;
    default:
        http_reply_error(req, 404, "not_found", "no such path");
        break;
    }
    free(allow);
}

/* Route REQ and run its handler with the request id as the log context. */
static void dispatch(struct http_server *srv, struct http_req *req)
{
    int status;

    log_context_set(req->id, NULL);
    status = http_router_match(srv->router, req->method, req->path, &req->match);
    if (status != 200) {
        reply_not_routed(srv, req, status);
        goto out;
    }
    req->match.handler(req, req->match.ctx);
    if (!req->replied) {
        log_error(srv->log_module, "handler did not reply", "s:path", req->path);
        http_reply_error(req, 500, "internal", "the handler gave no reply");
    }

out:
    log_context_set(NULL, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct http_server *srv = cls;
    struct http_req *req = *req_cls;

    (void)url;       /* already unescaped by MHD; the router decodes req->path itself */
    (void)version;
    if (!req)
        return MHD_NO;

    /* First call: only the headers are in.  Refuse an announced oversize
     * body before any of it is read. */
    if (!req->body_begun) {
        req->body_begun = 1;
        req->method = method;
        req->body.limit = srv->max_body;
        if (!content_length_exceeds(conn, srv->max_body))
            return MHD_YES;
        req->body_too_large = 1;
        http_reply_error(req, 413, "too_large", "request body too large");
        return http_req_queue_reply(req);
    }

    /* A body chunk: keep it, or discard it once over the limit. */
    if (*upload_data_size) {
        if (!req->body_too_large &&
            buf_append(&req->body, upload_data, *upload_data_size) != PARLEY_OK) {
            req->body_too_large = 1;
            buf_free(&req->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (req->replied)        /* the early 413 is already queued */
        return MHD_YES;
    if (req->body_too_large)
        http_reply_error(req, 413, "too_large", "request body too large");
    else
        dispatch(srv, req);
    if (req->dropped)
        return MHD_NO;       /* MHD closes the connection without a response */
    return http_req_queue_reply(req);
}

/* ---- start / stop ---- */

static void server_free(struct http_server *srv)
{
    if (!srv)
        return;
    pthread_cond_destroy(&srv->drained);
    pthread_mutex_destroy(&srv->lock);
    free(srv->log_module);
    free(srv->tls_cert);
    free(srv->tls_key);
    free(srv);
}

enum parley_err http_server_start(const struct http_server_config *cfg,
                                  struct http_router *router, struct http_server **out)
{
    struct http_server *srv = NULL;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    struct MHD_OptionItem extra[4];
    unsigned nextra = 0;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    enum parley_err err = PARLEY_OK;
    const union MHD_DaemonInfo *info;

    *out = NULL;
    if (!cfg || !router || !cfg->tls_cert_pem != !cfg->tls_key_pem) {
        err = PARLEY_ERR_INVALID;
        goto out;
    }
    if (sodium_init() < 0) {
        err = PARLEY_ERR_CRYPTO;
        goto out;
    }
    if (http_listen_parse(cfg->listen, &addr, &addr_len) != PARLEY_OK) {
        log_error(cfg->log_module ? cfg->log_module : "http", "bad listen address",
                  "s:listen", cfg->listen ? cfg->listen : "");
        err = PARLEY_ERR_INVALID;
        goto out;
    }

    srv = xcalloc(1, sizeof *srv);
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->drained, NULL);
    srv->router = router;
    srv->max_body = cfg->max_body ? cfg->max_body : DEFAULT_MAX_BODY;
    srv->log_module = xstrdup(cfg->log_module ? cfg->log_module : "http");
    srv->on_error = cfg->on_error;
    srv->on_error_ctx = cfg->on_error_ctx;

    if (cfg->threads == 0) {
        flags |= MHD_USE_THREAD_PER_CONNECTION;   /* handlers may block */
    } else {
        extra[nextra++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
                                                   (intptr_t)cfg->threads, NULL };
    }
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert_pem) {
        flags |= MHD_USE_TLS;
        srv->tls_cert = xstrdup(cfg->tls_cert_pem);
        srv->tls_key = xstrdup(cfg->tls_key_pem);
        extra[nextra++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert };
        extra[nextra++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key };
    }
    extra[nextra] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,     /* first, to catch every message */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri_log, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
        MHD_OPTION_ARRAY, extra,
        MHD_OPTION_END);
    if (!srv->daemon) {
        log_error(srv->log_module, "cannot start the HTTP server", "s:listen", cfg->listen,
                  "b:tls", cfg->tls_cert_pem != NULL);
        err = PARLEY_ERR_IO;
        goto out;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    log_info(srv->log_module, "listening", "s:listen", cfg->listen, "i:port", srv->port,
             "b:tls", cfg->tls_cert_pem != NULL, "i:threads", (int)cfg->threads);
    *out = srv;
    srv = NULL;

out:
    server_free(srv);
    return err;
}

int http_server_port(const struct http_server *srv)
{
    return srv ? srv->port : 0;
}

/* Wait until no request is in flight, or the drain deadline passes. */
static void drain(struct http_server *srv)
{
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += STOP_DRAIN_SECONDS;
    pthread_mutex_lock(&srv->lock);
    while (srv->inflight > 0) {
        if (pthread_cond_timedwait(&srv->drained, &srv->lock, &deadline) == ETIMEDOUT) {
            log_warn(srv->log_module, "stopping with requests in flight",
                     "i:inflight", (int)srv->inflight);
            break;
        }
    }
    pthread_mutex_unlock(&srv->lock);
}

void http_server_stop(struct http_server *srv)
{
    MHD_socket listen_fd;

    if (!srv)
        return;
    listen_fd = MHD_quiesce_daemon(srv->daemon);
    drain(srv);
    MHD_stop_daemon(srv->daemon);
    /* After quiescing the socket is ours, closed only once MHD has stopped. */
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    log_info(srv->log_module, "stopped", "i:port", srv->port);
    server_free(srv);
}
