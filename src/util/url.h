/* url.h - percent-encoding and -decoding, the one implementation behind the
 * hub's query strings and form bodies (net/url.h), its request paths
 * (http/router.c) and the emulators' links and form bodies.
 *
 *   url_encode(&b, "a b/c", URL_UNRESERVED)          -> "a%20b%2Fc"
 *   url_decode("a+b%2F", 6, URL_DECODE_FORM)         -> "a b/"
 *   url_decode("%zz", 3, URL_DECODE_STRICT)          -> NULL */
#ifndef PARLEY_UTIL_URL_H
#define PARLEY_UTIL_URL_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* The characters RFC 3986 never needs escaped besides letters and digits. */
#define URL_UNRESERVED "-._~"

/* Append VALUE to OUT with every byte percent-encoded (%XX, upper case)
 * except ASCII letters and digits and the characters in KEEP.  Returns the
 * buf_append result (only a buffer with a limit can refuse). */
enum parley_err url_encode(struct buf *out, const char *value, const char *keep);

enum url_decode_flags {
    URL_DECODE_FORM = 1 << 0,    /* '+' is a space (x-www-form-urlencoded) */
    URL_DECODE_STRICT = 1 << 1,  /* a malformed escape or %00 fails (NULL); without
                                  * it a malformed escape stays as it is */
};

/* Percent-decode LEN bytes of S (FLAGS: enum url_decode_flags) into a new
 * string the caller frees; NULL only with URL_DECODE_STRICT. */
char *url_decode(const char *s, size_t len, unsigned flags);

#endif
