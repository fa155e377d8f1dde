/* request.c - what a handler sees of a request (http_req_*) and how it
 * answers (http_reply_*); see server.h for the contracts and request.h for
 * the object.  Replies are only recorded here; server.c queues them. */
#include "http/request.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

static void client_ip_of(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, size, "-");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

struct http_req *http_req_new(struct MHD_Connection *conn, const char *uri)
{
    struct http_req *req = xcalloc(1, sizeof *req);
    unsigned char random[HTTP_REQ_ID_BYTES];

    req->conn = conn;
    req->path = xstrndup(uri, strcspn(uri, "?"));
    randombytes_buf(random, sizeof random);
    sodium_bin2hex(req->id, sizeof req->id, random, sizeof random);
    client_ip_of(conn, req->client_ip, sizeof req->client_ip);
    clock_gettime(CLOCK_MONOTONIC, &req->started);
    return req;
}

void http_req_free(struct http_req *req)
{
    if (!req)
        return;
    free(req->path);
    buf_free(&req->body);
    http_route_match_clear(&req->match);
    free(req->json_why);
    free(req->content_type);
    free(req->data);
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->headers);
    free(req);
}

static enum MHD_Result add_header(struct MHD_Response *resp, const char *name, const char *value)
{
    enum MHD_Result ok = MHD_add_response_header(resp, name, value);
    if (ok != MHD_YES)
        log_warn("http", "response header refused", "s:header", name);
    return ok;
}

enum MHD_Result http_req_queue_reply(struct http_req *req)
{
    struct MHD_Response *resp;
    enum MHD_Result ok;

    /* The body is handed to MHD, which frees it once sent: no copy of a
     * large reply.  req->len stays for the access log. */
    if (req->data)
        resp = MHD_create_response_from_buffer(req->len, req->data, MHD_RESPMEM_MUST_FREE);
    else
        resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    req->data = NULL;
    add_header(resp, "X-Request-Id", req->id);
    if (req->content_type)
        add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    if (req->is_json)
        add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (size_t i = 0; i < req->nheaders; i++)
        add_header(resp, req->headers[i].name, req->headers[i].value);
    ok = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---- the request ---- */

const char *http_req_method(const struct http_req *req)
{
    return req->method ? req->method : "";
}

const char *http_req_path(const struct http_req *req)
{
    return req->path;
}

const char *http_req_id(const struct http_req *req)
{
    return req->id;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(const struct http_req *req, const char *name)
{
    const char *value = NULL;

    /* "?flag" (a key without '=') is present with the value "". */
    if (MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name),
                                      &value, NULL) != MHD_YES)
        return NULL;
    return value ? value : "";
}

const char *http_req_cookie(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_req_param(const struct http_req *req, const char *name)
{
    for (int i = 0; i < req->match.nparams; i++)
        if (strcmp(req->match.names[i], name) == 0)
            return req->match.values[i];
    return NULL;
}

const char *http_req_client_ip(const struct http_req *req)
{
    return req->client_ip;
}

int http_req_is_tls(const struct http_req *req)
{
    return req->tls;
}

const char *http_req_body(const struct http_req *req, size_t *len)
{
    if (len)
        *len = req->body.len;
    return buf_str(&req->body);
}

enum parley_err http_req_json(struct http_req *req, json_t **out, const char **why)
{
    char *reason = NULL;
    enum parley_err err = json_parse(req->body.data, req->body.len, out, &reason);

    if (err) {
        free(req->json_why);
        req->json_why = reason;
    }
    if (why)
        *why = err ? req->json_why : NULL;
    return err;
}

json_t *http_req_json_or_400(struct http_req *req)
{
    const char *why;
    json_t *body;

    if (http_req_json(req, &body, &why) != PARLEY_OK) {
        http_reply_error(req, 400, "bad_json", why);
        return NULL;
    }
    return body;
}

void http_req_set_user(struct http_req *req, void *user)
{
    req->user = user;
}

void *http_req_user(const struct http_req *req)
{
    return req->user;
}

/* ---- the reply ---- */

/* Claim the single reply; 0 (and a log line) when one was already given. */
static int begin_reply(struct http_req *req)
{
    if (req->replied) {
        log_error("http", "second reply ignored", "s:path", req->path);
        return 0;
    }
    req->replied = 1;
    return 1;
}

void http_reply_json(struct http_req *req, int status, json_t *body)
{
    if (!begin_reply(req))
        goto out;
    req->status = status;
    if (!body)
        goto out;
    req->data = json_to_string(body);
    if (!req->data) {
        /* Only an invalid value (e.g. a NaN real) gets here. */
        log_error("http", "reply body not serialisable", "s:path", req->path);
        req->status = 500;
        req->data = xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"bad reply\"}}");
    }
    req->len = strlen(req->data);
    req->content_type = xstrdup("application/json; charset=utf-8");
    req->is_json = 1;

out:
    json_decref(body);
}

void http_reply_bytes(struct http_req *req, int status, const char *content_type,
                      const void *data, size_t len)
{
    if (!begin_reply(req))
        return;
    req->status = status;
    req->content_type = xstrdup(content_type);
    req->data = xmalloc(len + 1);
    if (len)
        memcpy(req->data, data, len);
    req->data[len] = '\0';
    req->len = len;
}

static json_t *default_error_body(struct http_req *req, const char *code, const char *message)
{
    json_t *body = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "message",
                             message ? message : "", "request_id", req->id);
    /* json_pack fails only on invalid UTF-8, e.g. a message quoting raw input. */
    if (!body)
        body = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "internal", "message",
                         "unprintable error message", "request_id", req->id);
    return body;
}

void http_reply_error(struct http_req *req, int status, const char *code, const char *message)
{
    json_t *body = req->on_error ? req->on_error(req, status, code, message, req->on_error_ctx)
                                 : NULL;
    if (!body)
        body = default_error_body(req, code, message);
    http_reply_json(req, status, body);
}

void http_reply_drop(struct http_req *req)
{
    if (begin_reply(req))
        req->dropped = 1;
}

void http_reply_header(struct http_req *req, const char *name, const char *value)
{
    req->headers = xrealloc(req->headers, (req->nheaders + 1) * sizeof *req->headers);
    req->headers[req->nheaders].name = xstrdup(name);
    req->headers[req->nheaders].value = xstrdup(value);
    req->nheaders++;
}

int http_req_replied(const struct http_req *req)
{
    return req->replied;
}
