/* url.c - percent-encoding of query parameters and form fields, and the
 * https-or-loopback rule for URLs that carry credentials (see url.h). */
#include "net/url.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"
#include "util/xmalloc.h"

enum parley_err net_url_encode(struct buf *out, const char *value)
{
    return url_encode(out, value, URL_UNRESERVED);
}

static enum parley_err add_pair(struct buf *out, const char *sep, const char *name,
                                const char *value)
{
    enum parley_err rc = buf_puts(out, sep);

    if (!rc)
        rc = net_url_encode(out, name);
    if (!rc)
        rc = buf_puts(out, "=");
    if (!rc)
        rc = net_url_encode(out, value);
    return rc;
}

enum parley_err net_url_form_add(struct buf *out, const char *name, const char *value)
{
    return add_pair(out, out->len ? "&" : "", name, value);
}

enum parley_err net_url_query_add(struct buf *url, const char *name, const char *value)
{
    return add_pair(url, strchr(buf_str(url), '?') ? "&" : "?", name, value);
}

char *net_url_for_log(const char *url)
{
    return xstrndup(url ? url : "", strcspn(url ? url : "", "?#"));
}

int net_url_host_is_loopback(const char *host, size_t len)
{
    char text[INET6_ADDRSTRLEN + 2];
    unsigned char addr[sizeof(struct in6_addr)];

    if (len == 9 && strncasecmp(host, "localhost", 9) == 0)
        return 1;
    if (len == 0 || len >= sizeof text)
        return 0;
    if (host[0] == '[') {                       /* an IPv6 literal: ::1 only */
        if (len < 3 || host[len - 1] != ']')
            return 0;
        memcpy(text, host + 1, len - 2);
        text[len - 2] = '\0';
        return inet_pton(AF_INET6, text, addr) == 1 &&
               memcmp(addr, &in6addr_loopback, sizeof in6addr_loopback) == 0;
    }
    memcpy(text, host, len);
    text[len] = '\0';
    return inet_pton(AF_INET, text, addr) == 1 && addr[0] == 127;
}

enum parley_err net_url_check_transport(const char *url, char **why)
{
    const char *host, *end, *at;
    char *shown;

    *why = NULL;
    if (url && strncasecmp(url, "https://", 8) == 0)
        return PARLEY_OK;
    if (url && strncasecmp(url, "http://", 7) == 0) {
        host = url + 7;
        end = host + strcspn(host, "/?#");
        at = memchr(host, '@', (size_t)(end - host));
        if (at)
            host = at + 1;
        if (*host != '[')
            end = host + strcspn(host, ":/?#");
        else if (memchr(host, ']', (size_t)(end - host)))
            end = (const char *)memchr(host, ']', (size_t)(end - host)) + 1;
        if (net_url_host_is_loopback(host, (size_t)(end - host)))
            return PARLEY_OK;
    }
    shown = net_url_for_log(url);
    *why = xasprintf("%s must use https:// (plain http:// is allowed only for localhost, "
                     "127.0.0.0/8 and ::1, so credentials never cross a network unencrypted)",
                     shown);
    free(shown);
    return PARLEY_ERR_INVALID;
}
