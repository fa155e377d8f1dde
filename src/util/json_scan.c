/* json_scan.c - the pull scanner of json_scan.h: RFC 8259 grammar, UTF-8
 * and escapes checked, strings unescaped in place (an escape is never
 * shorter than what it stands for, so the write position never passes the
 * read position), errors sticky. */
#include "util/json_scan.h"

#include <string.h>

#include "util/json.h"

/* Record the first error, at AT. */
static int fail(struct json_scan *s, const char *at, const char *why)
{
    if (!s->error) {
        s->error = why;
        s->error_at = (size_t)(at - s->start);
    }
    s->p = s->end;
    return 0;
}

static void skip_blank(struct json_scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

/* The next byte after white space, or 0 at the end (NUL is never valid there). */
static char peek(struct json_scan *s)
{
    skip_blank(s);
    return s->p < s->end ? *s->p : '\0';
}

void json_scan_init(struct json_scan *s, char *text, size_t len)
{
    memset(s, 0, sizeof *s);
    s->start = s->p = text;
    s->end = text + len;
}

/* ---- containers ---- */

static uint64_t depth_bit(const struct json_scan *s)
{
    return (uint64_t)1 << (s->depth - 1);
}

/* Enter the container OPEN ('{' or '['). */
static int enter(struct json_scan *s, char open)
{
    if (s->error)
        return 0;
    if (peek(s) != open)
        return fail(s, s->p, s->p < s->end ? (open == '{' ? "expected an object"
                                                          : "expected an array")
                                           : "unexpected end of text");
    if (s->depth >= JSON_MAX_DEPTH)
        return fail(s, s->p, "nesting too deep");
    s->p++;
    s->depth++;
    s->first |= depth_bit(s);
    return 1;
}

/* Before the next entry of the container closed by CLOSE: 1 when one
 * follows (its separator consumed), 0 when the container ended (left). */
static int next_entry(struct json_scan *s, char close)
{
    char c;

    if (s->error || s->depth == 0)
        return s->error ? 0 : fail(s, s->p, "no object or array to read from");
    c = peek(s);
    if (c == close) {
        s->p++;
        s->first &= ~depth_bit(s);
        s->depth--;
        return 0;
    }
    if (s->first & depth_bit(s)) {
        s->first &= ~depth_bit(s);
    } else if (c == ',') {
        s->p++;
    } else {
        return fail(s, s->p, s->p < s->end ? "expected ',' or the end of the container"
                                           : "unexpected end of text");
    }
    if (s->p >= s->end)
        return fail(s, s->p, "unexpected end of text");
    return 1;
}

int json_scan_object(struct json_scan *s)
{
    return enter(s, '{');
}

int json_scan_array(struct json_scan *s)
{
    return enter(s, '[');
}

int json_scan_at_object(struct json_scan *s)
{
    return !s->error && peek(s) == '{';
}

int json_scan_at_array(struct json_scan *s)
{
    return !s->error && peek(s) == '[';
}

int json_scan_element(struct json_scan *s)
{
    return next_entry(s, ']');
}

/* ---- strings ---- */

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;

    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* Write code point CP as UTF-8 at W; returns the byte after it. */
static char *put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | (cp >> 6));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | (cp >> 12));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | (cp >> 18));
        *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* The length of the well-formed UTF-8 sequence at P (before END), 0 if none. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t n;

    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0;                  /* no overlong forms */
    else if (c == 0xED)
        hi = 0x9F;                  /* no UTF-16 surrogates */
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;                  /* nothing above U+10FFFF */
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* The escape at R (after its backslash): written at *W; returns the byte
 * after it, or NULL (S failed). */
static char *unescape(struct json_scan *s, char *r, char **w)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit;
    unsigned cp, low;

    if (r >= s->end)
        return fail(s, r, "unterminated string"), NULL;
    hit = *r ? strchr(from, *r) : NULL;
    if (hit) {
        *(*w)++ = to[hit - from];
        return r + 1;
    }
    if (*r != 'u' || s->end - r < 5 || !hex4(r + 1, &cp))
        return fail(s, r - 1, "invalid escape in a string"), NULL;
    r += 5;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(s, r - 6, "invalid Unicode escape (a lone low surrogate)"), NULL;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (s->end - r < 6 || r[0] != '\\' || r[1] != 'u' || !hex4(r + 2, &low) ||
            low < 0xDC00 || low > 0xDFFF)
            return fail(s, r - 6, "invalid Unicode escape (a lone high surrogate)"), NULL;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        r += 6;
    }
    if (cp == 0)
        return fail(s, r - 6, "\\u0000 is not allowed in a string"), NULL;
    *w = put_utf8(*w, cp);
    return r;
}

/* The string at s->p (its opening quote), unescaped in place and
 * NUL-terminated where its closing quote was. */
static const char *read_string(struct json_scan *s)
{
    char *r = s->p + 1, *w = r, *out = r;

    for (;;) {
        unsigned char c;
        size_t n;

        if (r >= s->end)
            return fail(s, s->p, "unterminated string"), NULL;
        c = (unsigned char)*r;
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(s, r, "control character in a string"), NULL;
        if (c == '\\') {
            r = unescape(s, r + 1, &w);
            if (!r)
                return NULL;
            continue;
        }
        if (c < 0x80) {
            *w++ = *r++;
            continue;
        }
        n = utf8_len((const unsigned char *)r, (const unsigned char *)s->end);
        if (!n)
            return fail(s, r, "invalid UTF-8 in a string"), NULL;
        memmove(w, r, n);
        w += n;
        r += n;
    }
    *w = '\0';
    s->p = r + 1;
    return out;
}

int json_scan_member(struct json_scan *s, const char **key)
{
    *key = NULL;
    if (!next_entry(s, '}'))
        return 0;
    if (peek(s) != '"')
        return fail(s, s->p, "expected a member name");
    *key = read_string(s);
    if (!*key)
        return 0;
    if (peek(s) != ':')
        return fail(s, s->p, "expected ':' after a member name");
    s->p++;
    return 1;
}

/* ---- scalars ---- */

static int read_literal(struct json_scan *s, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return fail(s, s->p, "invalid literal");
    s->p += n;
    return 1;
}

static int is_digit(const struct json_scan *s, const char *p)
{
    return p < s->end && *p >= '0' && *p <= '9';
}

static int read_number(struct json_scan *s)
{
    char *p = s->p;

    if (p < s->end && *p == '-')
        p++;
    if (!is_digit(s, p))
        return fail(s, s->p, "invalid number");
    if (*p == '0')
        p++;
    else
        while (is_digit(s, p))
            p++;
    if (p < s->end && *p == '.') {
        if (!is_digit(s, ++p))
            return fail(s, s->p, "invalid number");
        while (is_digit(s, p))
            p++;
    }
    if (p < s->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < s->end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(s, p))
            return fail(s, s->p, "invalid number");
        while (is_digit(s, p))
            p++;
    }
    s->p = p;
    return 1;
}

void json_scan_skip(struct json_scan *s)
{
    const char *key;
    char c;

    if (s->error)
        return;
    c = peek(s);
    switch (c) {
    case '{':
        if (json_scan_object(s))
            while (json_scan_member(s, &key))
                json_scan_skip(s);
        break;
    case '[':
        if (json_scan_array(s))
            while (json_scan_element(s))
                json_scan_skip(s);
        break;
    case '"':
        read_string(s);
        break;
    case 't':
        read_literal(s, "true");
        break;
    case 'f':
        read_literal(s, "false");
        break;
    case 'n':
        read_literal(s, "null");
        break;
    case '\0':
        fail(s, s->p, s->p < s->end ? "unexpected character" : "unexpected end of text");
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            read_number(s);
        else
            fail(s, s->p, "unexpected character");
    }
}

const char *json_scan_string(struct json_scan *s)
{
    if (s->error)
        return NULL;
    if (peek(s) == '"')
        return read_string(s);
    json_scan_skip(s);
    return NULL;
}

int json_scan_bool(struct json_scan *s, int def)
{
    if (s->error)
        return def;
    if (peek(s) == 't')
        return read_literal(s, "true") ? 1 : def;
    if (peek(s) == 'f')
        return read_literal(s, "false") ? 0 : def;
    json_scan_skip(s);
    return def;
}

int json_scan_finish(struct json_scan *s)
{
    if (s->error)
        return 0;
    if (s->depth)
        return fail(s, s->p, "unexpected end of text");
    skip_blank(s);
    if (s->p != s->end)
        return fail(s, s->p, "text after the end of the document");
    return 1;
}
