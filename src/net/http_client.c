/* http_client.c - libcurl requests through a pool of reusable easy handles,
 * with CURLcode mapped to parley errors (see http_client.h). */
#include "net/http_client.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "net/url.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct net_http_client {
    char *ca_file;
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_body;
    char *user_agent;

    pthread_mutex_t lock;                  /* guards idle[] and nidle */
    CURL *idle[NET_HTTP_POOL_IDLE_MAX];    /* handles with their warm connections */
    int nidle;
};

/* What the curl callbacks of one request fill. */
struct transfer {
    struct net_http_response *resp;
    int body_too_large;
};

/* CURLcode -> parley error, and the words the admin reads before curl's detail. */
static const struct {
    CURLcode code;
    enum parley_err err;
    const char *what;
} curl_errors[] = {
    { CURLE_COULDNT_RESOLVE_HOST, PARLEY_ERR_NETWORK, "host not found" },
    { CURLE_COULDNT_RESOLVE_PROXY, PARLEY_ERR_NETWORK, "proxy not found" },
    { CURLE_COULDNT_CONNECT, PARLEY_ERR_NETWORK, "host unreachable" },
    { CURLE_SEND_ERROR, PARLEY_ERR_NETWORK, "connection lost while sending" },
    { CURLE_RECV_ERROR, PARLEY_ERR_NETWORK, "connection lost while receiving" },
    { CURLE_GOT_NOTHING, PARLEY_ERR_NETWORK, "connection closed without an answer" },
    { CURLE_PARTIAL_FILE, PARLEY_ERR_NETWORK, "answer cut short" },
    { CURLE_HTTP2, PARLEY_ERR_NETWORK, "HTTP/2 error" },
    { CURLE_HTTP2_STREAM, PARLEY_ERR_NETWORK, "HTTP/2 stream error" },
    { CURLE_OPERATION_TIMEDOUT, PARLEY_ERR_TIMEOUT, "timed out" },
    { CURLE_PEER_FAILED_VERIFICATION, PARLEY_ERR_TLS, "TLS verification failed" },
    { CURLE_SSL_CACERT_BADFILE, PARLEY_ERR_TLS, "TLS verification failed (cannot read the CA file)" },
    { CURLE_SSL_CONNECT_ERROR, PARLEY_ERR_TLS, "TLS handshake failed" },
    { CURLE_SSL_CERTPROBLEM, PARLEY_ERR_TLS, "TLS client certificate problem" },
    { CURLE_SSL_ISSUER_ERROR, PARLEY_ERR_TLS, "TLS verification failed (issuer)" },
    { CURLE_SSL_CRL_BADFILE, PARLEY_ERR_TLS, "TLS verification failed (CRL file)" },
    { CURLE_SSL_PINNEDPUBKEYNOTMATCH, PARLEY_ERR_TLS, "TLS verification failed (pinned key)" },
    { CURLE_SSL_INVALIDCERTSTATUS, PARLEY_ERR_TLS, "TLS verification failed (certificate status)" },
    { CURLE_FILESIZE_EXCEEDED, PARLEY_ERR_TOO_LARGE, "answer larger than the limit" },
    { CURLE_URL_MALFORMAT, PARLEY_ERR_INVALID, "malformed URL" },
    { CURLE_UNSUPPORTED_PROTOCOL, PARLEY_ERR_INVALID, "unsupported URL scheme" },
    { CURLE_OUT_OF_MEMORY, PARLEY_ERR_NOMEM, "out of memory" },
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void on_global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct net_http_client *net_http_client_new(const struct net_http_config *cfg)
{
    static const struct net_http_config defaults;
    struct net_http_client *client;

    pthread_once(&global_once, on_global_init);
    if (global_rc != CURLE_OK)
        return NULL;
    if (!cfg)
        cfg = &defaults;
    client = xcalloc(1, sizeof *client);
    client->ca_file = xstrdup(cfg->ca_file);
    client->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms
                                                             : NET_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
    client->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : NET_HTTP_DEFAULT_TIMEOUT_MS;
    client->max_body = cfg->max_body ? cfg->max_body : NET_HTTP_DEFAULT_MAX_BODY;
    client->user_agent = xstrdup(cfg->user_agent ? cfg->user_agent : "parley");
    pthread_mutex_init(&client->lock, NULL);
    return client;
}

void net_http_client_free(struct net_http_client *client)
{
    if (!client)
        return;
    for (int i = 0; i < client->nidle; i++)
        curl_easy_cleanup(client->idle[i]);
    pthread_mutex_destroy(&client->lock);
    free(client->ca_file);
    free(client->user_agent);
    free(client);
}

void net_http_response_free(struct net_http_response *resp)
{
    if (!resp)
        return;
    buf_free(&resp->body);
    free(resp->content_type);
    free(resp->retry_after);
    free(resp->request_id);
    free(resp->location);
    free(resp->error);
    memset(resp, 0, sizeof *resp);
}

/* ---- the pool ---- */

static CURL *handle_borrow(struct net_http_client *client)
{
    CURL *h = NULL;

    pthread_mutex_lock(&client->lock);
    if (client->nidle > 0)
        h = client->idle[--client->nidle];
    pthread_mutex_unlock(&client->lock);
    return h ? h : curl_easy_init();
}

/* Reset the options (curl_easy_reset keeps the live connections, the TLS
 * session and DNS caches) and park the handle; past the idle limit, close it. */
static void handle_return(struct net_http_client *client, CURL *h)
{
    curl_easy_reset(h);
    pthread_mutex_lock(&client->lock);
    if (client->nidle < NET_HTTP_POOL_IDLE_MAX) {
        client->idle[client->nidle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&client->lock);
    if (h)
        curl_easy_cleanup(h);
}

/* ---- curl callbacks ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t len = size * nmemb;

    if (buf_append(&t->resp->body, data, len) != PARLEY_OK) {
        t->body_too_large = 1;
        return 0;                   /* curl aborts with CURLE_WRITE_ERROR */
    }
    return len;
}

/* Replace *SLOT by the header's value when LINE is "NAME: value". */
static void capture_header(const char *line, size_t len, const char *name, char **slot)
{
    size_t nlen = strlen(name);
    const char *v, *end = line + len;

    if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
        return;
    for (v = line + nlen + 1; v < end && (*v == ' ' || *v == '\t'); v++)
        ;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    free(*slot);
    *slot = xstrndup(v, (size_t)(end - v));
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    struct net_http_response *r = t->resp;
    size_t len = size * nmemb;

    /* A new status line starts a new header block (after "100 Continue"). */
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        free(r->content_type);
        free(r->retry_after);
        free(r->request_id);
        free(r->location);
        r->content_type = r->retry_after = r->request_id = r->location = NULL;
        return len;
    }
    capture_header(line, len, "content-type", &r->content_type);
    capture_header(line, len, "retry-after", &r->retry_after);
    capture_header(line, len, "location", &r->location);
    capture_header(line, len, "request-id", &r->request_id);
    if (!r->request_id)
        capture_header(line, len, "x-request-id", &r->request_id);
    return len;
}

/* ---- one request ---- */

/* The header list of REQ; *AUTH keeps the bearer line so it can be wiped. */
static struct curl_slist *build_headers(const struct net_http_request *req, char **auth)
{
    struct curl_slist *list = NULL;
    char *line;

    for (const char *const *h = req->headers; h && *h; h++)
        list = curl_slist_append(list, *h);
    if (req->content_type) {
        line = xasprintf("Content-Type: %s", req->content_type);
        list = curl_slist_append(list, line);
        free(line);
    }
    if (req->bearer) {
        *auth = xasprintf("Authorization: Bearer %s", req->bearer);
        list = curl_slist_append(list, *auth);
    }
    /* No "Expect: 100-continue" round trip before bodies. */
    return curl_slist_append(list, "Expect:");
}

/* Zero every line (one of them carries the token), then free the list. */
static void free_headers(struct curl_slist *list, char *auth)
{
    for (struct curl_slist *l = list; l; l = l->next)
        sodium_memzero(l->data, strlen(l->data));
    curl_slist_free_all(list);
    if (auth) {
        sodium_memzero(auth, strlen(auth));
        free(auth);
    }
}

static void set_options(struct net_http_client *client, CURL *h, const struct net_http_request *req,
                        struct curl_slist *headers, struct transfer *t, char *errbuf)
{
    const char *method = req->method ? req->method : "GET";

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, client->user_agent);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, client->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, client->timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (client->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, client->ca_file);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)client->max_body);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");   /* whatever curl can decode */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t);

    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (req->body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }
}

/* Turn a failed transfer's CURLCODE into our code and a message for the admin. */
static enum parley_err map_curl_error(CURLcode code, const struct transfer *t, const char *errbuf,
                                      char **message)
{
    enum parley_err err = PARLEY_ERR_NETWORK;
    const char *what = "HTTP request failed";
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(code);

    if (code == CURLE_WRITE_ERROR && t->body_too_large) {
        err = PARLEY_ERR_TOO_LARGE;
        what = "answer larger than the limit";
    }
    for (size_t i = 0; i < sizeof curl_errors / sizeof curl_errors[0]; i++) {
        if (curl_errors[i].code == code) {
            err = curl_errors[i].err;
            what = curl_errors[i].what;
            break;
        }
    }
    *message = xasprintf("%s: %s", what, detail);
    return err;
}

enum parley_err net_http_send(struct net_http_client *client, const struct net_http_request *req,
                              struct net_http_response *resp)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct transfer t = { resp, 0 };
    struct curl_slist *headers = NULL;
    char *auth = NULL, *logged_url = NULL;
    long long started = clock_mono_ms();
    enum parley_err rc = PARLEY_OK;
    CURLcode code;
    long status = 0, connects = 0;
    CURL *h = NULL;

    if (!client || !req || !req->url || !resp)
        return PARLEY_ERR_INVALID;
    resp->body.limit = client->max_body;
    rc = net_url_check_transport(req->url, &resp->error);
    if (rc != PARLEY_OK)
        goto out;
    h = handle_borrow(client);
    if (!h) {
        resp->error = xstrdup("cannot create a libcurl handle");
        rc = PARLEY_ERR_NOMEM;
        goto out;
    }
    headers = build_headers(req, &auth);
    set_options(client, h, req, headers, &t, errbuf);

    code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    resp->new_connections = connects;
    if (code != CURLE_OK) {
        rc = map_curl_error(code, &t, errbuf, &resp->error);
        goto out;
    }
    resp->status = (int)status;

out:
    logged_url = net_url_for_log(req->url);
    log_debug("net", "http request", "s:method", req->method ? req->method : "GET",
              "s:url", logged_url, "i:status", resp->status, "l:ms", clock_mono_ms() - started,
              "s:result", parley_errname(rc));
    free(logged_url);
    free_headers(headers, auth);
    if (h)
        handle_return(client, h);
    return rc;
}
