/* router.c - method + path-pattern routing (see router.h).
 *
 * Patterns are split into segments once, when added; a request path is split
 * and percent-decoded once per match, then the routes are scanned in order.
 * A linear scan is plenty for the ~100 routes of the admin API. */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/url.h"
#include "util/xmalloc.h"

enum seg_kind { SEG_LITERAL, SEG_PARAM, SEG_REST };

struct segment {
    enum seg_kind kind;
    char *text;              /* the literal, or the parameter's name */
};

struct route {
    char *method;            /* "GET", ... or "*" */
    struct segment *segs;
    int nsegs;
    http_handler_fn handler;
    void *ctx;
};

struct http_router {
    struct route *routes;
    size_t nroutes;
    size_t cap;
};

/* A request path split on '/': the raw text of each segment and its
 * percent-decoded form. */
struct path {
    const char *full;
    const char **raw;
    char **decoded;
    int n;
};

/* The number of '/'-separated segments of S after its leading '/'
 * ("/" has none, "/a" one, "/a/" two: "a" and ""). */
static int count_segments(const char *s)
{
    if (*s == '/')
        s++;
    if (*s == '\0')
        return 0;
    int n = 1;
    for (; *s; s++)
        n += *s == '/';
    return n;
}

static void path_clear(struct path *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->decoded[i]);
    free(p->decoded);
    free(p->raw);
    memset(p, 0, sizeof *p);
}

/* Split and decode PATH; PARLEY_ERR_INVALID on a bad escape. */
static enum parley_err path_split(const char *path, struct path *p)
{
    int n = count_segments(path);
    const char *s = path + (*path == '/');

    p->full = path;
    p->n = 0;
    p->raw = xcalloc((size_t)n, sizeof *p->raw);
    p->decoded = xcalloc((size_t)n, sizeof *p->decoded);
    for (int i = 0; i < n; i++) {
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        p->raw[i] = s;
        p->decoded[i] = url_decode(s, len, URL_DECODE_STRICT);
        p->n = i + 1;
        if (!p->decoded[i])
            return PARLEY_ERR_INVALID;
        s += len + 1;
    }
    return PARLEY_OK;
}

struct http_router *http_router_new(void)
{
    return xcalloc(1, sizeof(struct http_router));
}

void http_router_free(struct http_router *router)
{
    if (!router)
        return;
    for (size_t i = 0; i < router->nroutes; i++) {
        struct route *r = &router->routes[i];
        for (int j = 0; j < r->nsegs; j++)
            free(r->segs[j].text);
        free(r->segs);
        free(r->method);
    }
    free(router->routes);
    free(router);
}

/* A malformed pattern is a programming error in a static route table:
 * fail loudly at startup rather than route wrongly. */
static void bad_pattern(const char *pattern, const char *why)
{
    log_error("http", "bad route pattern", "s:pattern", pattern, "s:reason", why);
    abort();
}

void http_router_add(struct http_router *router, const char *method, const char *pattern,
                     http_handler_fn handler, void *ctx)
{
    int n = count_segments(pattern);
    int nparams = 0;
    const char *s = pattern + (*pattern == '/');
    struct route r = { xstrdup(method), xcalloc((size_t)n, sizeof(struct segment)), n,
                       handler, ctx };

    if (*pattern != '/')
        bad_pattern(pattern, "must start with '/'");
    for (int i = 0; i < n; i++) {
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        struct segment *seg = &r.segs[i];

        seg->kind = SEG_LITERAL;
        if (len > 1 && (s[0] == ':' || s[0] == '*')) {
            seg->kind = s[0] == ':' ? SEG_PARAM : SEG_REST;
            s++;
            len--;
            if (++nparams > HTTP_ROUTE_MAX_PARAMS)
                bad_pattern(pattern, "too many parameters");
            if (seg->kind == SEG_REST && i != n - 1)
                bad_pattern(pattern, "'*name' must be the last segment");
        }
        seg->text = xstrndup(s, len);
        s += len + 1;
    }
    if (router->nroutes == router->cap) {
        router->cap = router->cap ? router->cap * 2 : 16;
        router->routes = xrealloc(router->routes, router->cap * sizeof *router->routes);
    }
    router->routes[router->nroutes++] = r;
}

/* GET routes also answer HEAD (the server sends no body for HEAD). */
static int method_matches(const struct route *r, const char *method)
{
    return strcmp(r->method, "*") == 0 || strcmp(r->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

static int path_matches(const struct route *r, const struct path *p)
{
    for (int i = 0; i < r->nsegs; i++) {
        const struct segment *seg = &r->segs[i];
        if (seg->kind == SEG_REST)
            return 1;
        if (i >= p->n)
            return 0;
        if (seg->kind == SEG_LITERAL && strcmp(seg->text, p->decoded[i]) != 0)
            return 0;
        if (seg->kind == SEG_PARAM && p->decoded[i][0] == '\0')
            return 0;
    }
    return r->nsegs == p->n;
}

/* Fill M with the route's handler and its bound parameters. */
static void bind_params(const struct route *r, const struct path *p, struct http_route_match *m)
{
    m->handler = r->handler;
    m->ctx = r->ctx;
    for (int i = 0; i < r->nsegs; i++) {
        const struct segment *seg = &r->segs[i];
        char *value;

        if (seg->kind == SEG_LITERAL)
            continue;
        if (seg->kind == SEG_PARAM) {
            value = xstrdup(p->decoded[i]);
        } else {
            /* The rest is decoded as a whole; every segment already decoded
             * cleanly, so this cannot fail. */
            const char *rest = i < p->n ? p->raw[i] : "";
            value = url_decode(rest, strlen(rest), URL_DECODE_STRICT);
        }
        m->names[m->nparams] = xstrdup(seg->text);
        m->values[m->nparams] = value;
        m->nparams++;
    }
}

int http_router_match(const struct http_router *router, const char *method, const char *path,
                      struct http_route_match *m)
{
    struct path p = { 0 };
    int status = 404;

    memset(m, 0, sizeof *m);
    if (path[0] != '/')
        goto out;
    if (path_split(path, &p) != PARLEY_OK) {
        status = 400;
        goto out;
    }
    for (size_t i = 0; i < router->nroutes; i++) {
        const struct route *r = &router->routes[i];
        if (!path_matches(r, &p))
            continue;
        if (!method_matches(r, method)) {
            status = 405;
            continue;
        }
        bind_params(r, &p, m);
        status = 200;
        break;
    }

out:
    path_clear(&p);
    return status;
}

/* Whether LIST ("GET, POST") already names METHOD. */
static int list_has(const char *list, const char *method)
{
    size_t len = strlen(method);
    for (const char *p = list; *p; p += strspn(p, ", ")) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, method, len) == 0)
            return 1;
        p += n;
    }
    return 0;
}

char *http_router_allow(const struct http_router *router, const char *path)
{
    struct path p = { 0 };
    struct buf allow = BUF_INIT;

    if (path[0] != '/' || path_split(path, &p) != PARLEY_OK)
        goto out;
    for (size_t i = 0; i < router->nroutes; i++) {
        const struct route *r = &router->routes[i];
        if (path_matches(r, &p) && !list_has(buf_str(&allow), r->method))
            buf_printf(&allow, "%s%s", allow.len ? ", " : "", r->method);
    }

out:
    path_clear(&p);
    if (allow.len == 0) {
        buf_free(&allow);
        return NULL;
    }
    return buf_steal(&allow);
}

void http_route_match_clear(struct http_route_match *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->nparams; i++) {
        free(m->names[i]);
        free(m->values[i]);
    }
    memset(m, 0, sizeof *m);
}
