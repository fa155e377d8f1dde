/* buf.h - a growable byte buffer, always NUL-terminated (like curl's dynbuf).
 *
 * struct buf b = BUF_INIT; buf_append(&b, "x", 1); ... buf_free(&b);
 * Appending never fails (allocation aborts on OOM); a buffer with a limit
 * refuses to grow past it and returns PARLEY_ERR_TOO_LARGE. */
#ifndef PARLEY_UTIL_BUF_H
#define PARLEY_UTIL_BUF_H

#include <stddef.h>
#include "util/err.h"

struct buf {
    char *data;     /* NUL-terminated; NULL while empty */
    size_t len;
    size_t cap;
    size_t limit;   /* 0 = unlimited */
};

#define BUF_INIT { NULL, 0, 0, 0 }

enum parley_err buf_append(struct buf *b, const void *data, size_t len);
enum parley_err buf_puts(struct buf *b, const char *s);
enum parley_err buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand the contents to the caller (who frees them) and reset the buffer.
 * Returns "" (allocated) for an empty buffer, never NULL. */
char *buf_steal(struct buf *b);
const char *buf_str(const struct buf *b);   /* "" while empty */
void buf_reset(struct buf *b);              /* keeps the memory */
void buf_free(struct buf *b);

#endif
