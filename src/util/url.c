/* url.c - percent-encoding and -decoding (see url.h). */
#include "util/url.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static int is_alnum(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum parley_err url_encode(struct buf *out, const char *value, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    enum parley_err rc = PARLEY_OK;

    for (const unsigned char *p = (const unsigned char *)value; *p && !rc; p++) {
        if (is_alnum(*p) || strchr(keep, *p)) {
            rc = buf_append(out, p, 1);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 0x0f] };
            rc = buf_append(out, esc, sizeof esc);
        }
    }
    return rc;
}

char *url_decode(const char *s, size_t len, unsigned flags)
{
    char *out = xmalloc(len + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+' && (flags & URL_DECODE_FORM)) {
            out[o++] = ' ';
            continue;
        }
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
        int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
        int bad = hi < 0 || lo < 0;
        if ((bad || (hi == 0 && lo == 0)) && (flags & URL_DECODE_STRICT)) {
            free(out);
            return NULL;
        }
        if (bad) {
            out[o++] = s[i];
            continue;
        }
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    return out;
}
