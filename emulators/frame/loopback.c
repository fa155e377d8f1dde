/* loopback.c - concurrent requests to the frame's own listener (see
 * loopback.h).  With --tls the listener's certificate is not verified: the
 * peer is this very process, on the address it just bound. */
#include "frame/loopback.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "frame/frame.h"
#include "util/url.h"
#include "util/xmalloc.h"

#define CALL_TIMEOUT_MS 60000

/* Headers that describe the connection, not the answer. */
static int hop_by_hop(const char *name, size_t len)
{
    static const char *const names[] = {"connection", "content-length", "date",
                                        "transfer-encoding", "keep-alive", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
            return 1;
    return 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct emu_loopback_call *c = ctx;
    size_t len = size * nmemb;
    const char *colon = memchr(data, ':', len);

    if (strncmp(data, "HTTP/", len < 5 ? len : 5) == 0) {
        json_object_clear(c->reply_headers);     /* a new response (after 100 Continue) */
        return len;
    }
    if (!colon || hop_by_hop(data, (size_t)(colon - data)))
        return len;
    char *name = xstrndup(data, (size_t)(colon - data));
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    char *value = xstrndup(v, (size_t)(end - v));
    if (strcasecmp(name, "Content-Type") == 0) {
        free(c->content_type);
        c->content_type = xstrdup(value);
    }
    json_object_set_new(c->reply_headers, name, json_string(value));
    free(name);
    free(value);
    return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct emu_loopback_call *c = ctx;
    buf_append(&c->reply_body, data, size * nmemb);
    return size * nmemb;
}

/* ORIGIN + TARGET with the bytes a URL cannot hold raw percent-encoded
 * (callers send queries unencoded, as graph-js does: "userType eq 'Guest'"). */
static char *make_url(const char *origin, const char *target)
{
    /* Printable ASCII but space and "<>\^`{|}# stays as it is. */
    static const char keep[] = "!$%&'()*+,-./:;=?@[]_~";
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s", origin);
    url_encode(&b, target, keep);
    return buf_steal(&b);
}

static CURL *prepare(const char *origin, struct emu_loopback_call *c, struct curl_slist **headers,
                     char **url)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return NULL;
    *url = make_url(origin, c->target);
    /* No "Expect: 100-continue" round trip; no default Content-Type. */
    *headers = curl_slist_append(NULL, "Expect:");
    *headers = curl_slist_append(*headers, "Content-Type:");
    for (size_t i = 0; c->headers && c->headers[i]; i++)
        *headers = curl_slist_append(*headers, c->headers[i]);
    curl_easy_setopt(curl, CURLOPT_URL, *url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c->method);
    if (c->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
    } else if (strcasecmp(c->method, "GET") != 0 && strcasecmp(c->method, "HEAD") != 0) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)CALL_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "parley-emu-batch");
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
    return curl;
}

void emu_loopback_run(struct emu_frame *frame, struct emu_loopback_call *calls, size_t n)
{
    CURLM *multi = curl_multi_init();
    CURL **easy = xcalloc(n + 1, sizeof *easy);
    struct curl_slist **headers = xcalloc(n + 1, sizeof *headers);
    char **urls = xcalloc(n + 1, sizeof *urls);
    int running = 0;

    for (size_t i = 0; i < n; i++) {
        calls[i].status = 0;
        calls[i].reply_headers = json_object();
        calls[i].content_type = NULL;
        calls[i].reply_body = (struct buf)BUF_INIT;
        easy[i] = multi ? prepare(emu_frame_origin(frame), &calls[i], &headers[i], &urls[i])
                        : NULL;
        if (easy[i])
            curl_multi_add_handle(multi, easy[i]);
    }
    do {
        if (!multi || curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    } while (running);
    for (size_t i = 0; i < n; i++) {
        if (!easy[i])
            continue;
        long status = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
        calls[i].status = status;
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
        curl_slist_free_all(headers[i]);
        free(urls[i]);
    }
    curl_multi_cleanup(multi);
    free(easy);
    free(headers);
    free(urls);
}

void emu_loopback_call_clear(struct emu_loopback_call *call)
{
    json_decref(call->reply_headers);
    call->reply_headers = NULL;
    free(call->content_type);
    call->content_type = NULL;
    buf_free(&call->reply_body);
}
