/* router.h - method + path-pattern routing.
 *
 * Patterns are split on '/': a segment ":name" matches any one non-empty
 * segment and binds it as parameter NAME; a last segment "*name" matches the
 * rest of the path (possibly empty); every other segment matches literally
 * (so "spaces:setup" is a literal).  Routes are tried in the order added.
 * A path that matches some route but not with this method gives 405. */
#ifndef PARLEY_HTTP_ROUTER_H
#define PARLEY_HTTP_ROUTER_H

#include "util/err.h"

struct http_req;
struct http_router;

typedef void (*http_handler_fn)(struct http_req *req, void *ctx);

#define HTTP_ROUTE_MAX_PARAMS 8

struct http_route_match {
    http_handler_fn handler;
    void *ctx;
    int nparams;
    char *names[HTTP_ROUTE_MAX_PARAMS];    /* owned by the match */
    char *values[HTTP_ROUTE_MAX_PARAMS];   /* owned by the match, URL-decoded */
};

struct http_router *http_router_new(void);
void http_router_free(struct http_router *router);   /* NULL is a no-op */
/* METHOD "*" matches any method. */
void http_router_add(struct http_router *router, const char *method, const char *pattern,
                     http_handler_fn handler, void *ctx);
/* Returns 200 and fills *m (free with http_route_match_clear) on a match,
 * 404 when no pattern matches the path, 405 when only the method differs,
 * 400 when the path has a malformed percent-escape or encodes NUL (%00).
 * Segments are percent-decoded before they are compared; GET routes also
 * match HEAD. */
int http_router_match(const struct http_router *router, const char *method, const char *path,
                      struct http_route_match *m);
void http_route_match_clear(struct http_route_match *m);
/* The methods of the routes whose pattern matches PATH, as an Allow header
 * value ("GET, POST"); NULL when none.  The caller frees it. */
char *http_router_allow(const struct http_router *router, const char *path);

#endif
