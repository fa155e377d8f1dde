/* paging.c - the page loop for OData next links and Google page tokens,
 * with the next page optionally fetched on a second thread while the
 * current one is handled (see paging.h). */
#include "net/paging.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/url.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Length of "scheme://authority" at the start of URL (0 when it has none). */
static size_t origin_len(const char *url)
{
    const char *p = strstr(url, "://");

    return p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : 0;
}

static int same_origin(const char *a, const char *b)
{
    size_t n = origin_len(a);

    return n && n == origin_len(b) && strncasecmp(a, b, n) == 0;
}

char *net_paging_next_of(enum net_paging_style style, const json_t *page)
{
    const char *next = json_string_value(json_object_get(page, style == NET_PAGING_ODATA
                                                                   ? "@odata.nextLink"
                                                                   : "nextPageToken"));

    return next && *next ? xstrdup(next) : NULL;
}

/* The URL of the page after PAGE, or NULL at the end; a new string. */
static char *next_url(const struct net_paging *p, const struct net_paging_page *page)
{
    struct buf url = BUF_INIT;

    if (!page->next || !*page->next)
        return NULL;
    if (p->style == NET_PAGING_ODATA)
        return xstrdup(page->next);
    buf_puts(&url, p->first_url);
    net_url_query_add(&url, "pageToken", page->next);
    return buf_steal(&url);
}

/* Release what PAGE holds and empty it. */
static void page_release(const struct net_paging *p, struct net_paging_page *page)
{
    if (page->data && p->free_data)
        p->free_data(page->data);
    free(page->next);
    page->data = NULL;
    page->next = NULL;
}

/* One GET of the walk: on the caller's thread, or on a thread of its own
 * when prefetching. */
struct fetch {
    const struct net_paging *p;
    char *url;                   /* owned; NULL: nothing to fetch */
    struct net_paging_page page; /* the answer ... */
    char *why;                   /* ... or why not */
    enum parley_err rc;
    int threaded;                /* a thread is running it: join before reading */
    pthread_t thread;
    struct log_context log;      /* the caller's, so the GET's log lines name its job */
};

static void fetch_run(struct fetch *f)
{
    memset(&f->page, 0, sizeof f->page);
    f->why = NULL;
    f->rc = f->p->get(f->p->ctx, f->url, &f->page, &f->why);
}

static void *on_fetch_thread(void *arg)
{
    struct fetch *f = arg;

    log_context_restore(&f->log);
    fetch_run(f);
    return NULL;
}

/* Begin the GET of F->url: at once on a thread when prefetching (and a
 * thread can be had), else later, in fetch_finish. */
static void fetch_start(struct fetch *f)
{
    log_context_save(&f->log);
    f->threaded = f->p->prefetch && pthread_create(&f->thread, NULL, on_fetch_thread, f) == 0;
}

/* Complete the GET begun by fetch_start: F->rc, F->page, F->why are its result. */
static void fetch_finish(struct fetch *f)
{
    if (f->threaded)
        pthread_join(f->thread, NULL);
    else
        fetch_run(f);
    f->threaded = 0;
}

/* Wait for a GET still running and drop its result (the walk is over). */
static void fetch_discard(struct fetch *f)
{
    if (f->threaded) {
        pthread_join(f->thread, NULL);
        f->threaded = 0;
        page_release(f->p, &f->page);
        free(f->why);
    }
    free(f->url);
    f->url = NULL;
}

/* Why the walk must not follow NEXT after URL (the N-th page, 0-based):
 * a new message and *rc, or NULL when it may. */
static char *refuse_next(const struct net_paging *p, const char *url, const char *next, int n,
                         int max_pages, enum parley_err *rc)
{
    *rc = PARLEY_ERR_PLATFORM;
    if (!same_origin(next, p->first_url))
        return xstrdup("the next page link points to another host");
    if (strcmp(next, url) == 0)
        return xstrdup("the next page link repeats the page just read");
    *rc = PARLEY_ERR_TOO_LARGE;
    if (n + 1 >= max_pages)
        return xasprintf("more than %d pages", max_pages);
    *rc = PARLEY_OK;
    return NULL;
}

enum parley_err net_paging_run(const struct net_paging *p, char **why)
{
    int max_pages = p && p->max_pages > 0 ? p->max_pages : NET_PAGING_DEFAULT_MAX_PAGES;
    struct fetch f = { .p = p };
    char *url = NULL, *refused = NULL, *get_why = NULL;
    struct net_paging_page page = { 0 };
    enum parley_err rc = PARLEY_OK, refused_rc = PARLEY_OK;

    if (why)
        *why = NULL;
    if (!p || !p->first_url || !p->get || !p->on_page)
        return PARLEY_ERR_INVALID;
    f.url = xstrdup(p->first_url);
    fetch_run(&f);
    for (int n = 0;; n++) {
        char *next;

        rc = f.rc;
        page = f.page;
        if (rc != PARLEY_OK) {
            get_why = f.why;
            goto out;
        }
        free(url);
        url = f.url;
        f.url = NULL;
        /* Decide on the next page now, and fetch it while this one is handled. */
        next = next_url(p, &page);
        if (next)
            refused = refuse_next(p, url, next, n, max_pages, &refused_rc);
        if (next && !refused) {
            f.url = next;
            fetch_start(&f);
        } else {
            free(next);
        }
        rc = p->on_page(p->ctx, page.data);
        page_release(p, &page);
        if (rc == PARLEY_OK && refused) {
            rc = refused_rc;
            get_why = refused;
            refused = NULL;
        }
        if (rc != PARLEY_OK || !f.url)
            goto out;               /* stopped, refused, or the last page */
        fetch_finish(&f);
    }

out:
    fetch_discard(&f);
    if (why)
        *why = get_why;
    else
        free(get_why);
    free(refused);
    page_release(p, &page);
    free(url);
    return rc;
}
