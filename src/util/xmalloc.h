/* xmalloc.h - allocation that never returns NULL: out of memory aborts the
 * process (as redis zmalloc and h2o_mem_alloc do).  Free with free(). */
#ifndef PARLEY_UTIL_XMALLOC_H
#define PARLEY_UTIL_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);              /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
