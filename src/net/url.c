/* url.c - percent-encoding of query parameters and form fields (see url.h). */
#include "net/url.h"

#include <string.h>

#include "util/xmalloc.h"

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

enum parley_err net_url_encode(struct buf *out, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    enum parley_err rc = PARLEY_OK;

    for (const unsigned char *p = (const unsigned char *)value; *p && !rc; p++) {
        if (is_unreserved(*p)) {
            rc = buf_append(out, p, 1);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 0x0f] };
            rc = buf_append(out, esc, sizeof esc);
        }
    }
    return rc;
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
