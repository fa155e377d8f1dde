/* paging.h - follow a paged collection page by page, handing each page to a
 * callback as it arrives, so no listing is ever held in memory whole.
 *
 *   NET_PAGING_ODATA       Microsoft Graph: follow "@odata.nextLink" (an
 *                          absolute URL) verbatim until it is absent.  A
 *                          delta round ends with "@odata.deltaLink", which
 *                          the page callback reads from the last page.
 *   NET_PAGING_PAGE_TOKEN  Google (AIP-158, Admin SDK): repeat the first URL
 *                          with pageToken=<nextPageToken> until the token is
 *                          absent or empty.
 *
 * The connector supplies the GET (it knows the token and the error bodies)
 * and what a page is: the GET reads the answer into the connector's own
 * page (a JSON tree, or people read straight from the text) and says where
 * the next page is.
 * A next link on another origin than the first URL is refused, so a bearer
 * token is never sent elsewhere, and so is a link that repeats the page
 * just read (a server bug that would loop forever).
 *
 * With PREFETCH the GET of page N+1 runs on a thread of its own while
 * ON_PAGE handles page N, so the server's time and the caller's overlap; at
 * most two pages are held at once (the one handed over and the one being
 * fetched).  GET must then be safe to call from another thread than ON_PAGE
 * (one GET at a time, never two together); the events keep their order:
 * ON_PAGE sees every page in turn, and a walk stopped by ON_PAGE discards
 * the page fetched meanwhile. */
#ifndef PARLEY_NET_PAGING_H
#define PARLEY_NET_PAGING_H

#include <jansson.h>

#include "util/err.h"

#define NET_PAGING_DEFAULT_MAX_PAGES 100000

enum net_paging_style { NET_PAGING_ODATA, NET_PAGING_PAGE_TOKEN };

/* A page as the GET read it: DATA is the connector's own (handed to
 * ON_PAGE, then released with FREE_DATA), NEXT where the next page is: the
 * OData next link, or Google's page token; NULL or "" at the end. */
struct net_paging_page {
    void *data;
    char *next;                  /* owned */
};

/* GET URL and read it into *page, or an error with a message in *why (the
 * pager frees it). */
typedef enum parley_err (*net_paging_get_fn)(void *ctx, const char *url,
                                             struct net_paging_page *page, char **why);
/* One page's data (released by the pager afterwards).  Any return but
 * PARLEY_OK stops the walk, which returns that code. */
typedef enum parley_err (*net_paging_page_fn)(void *ctx, void *data);

struct net_paging {
    enum net_paging_style style;
    const char *first_url;
    net_paging_get_fn get;
    net_paging_page_fn on_page;
    void (*free_data)(void *data);   /* NULL: nothing to release */
    void *ctx;
    int max_pages;               /* 0: NET_PAGING_DEFAULT_MAX_PAGES */
    int prefetch;                /* 1: fetch the next page while ON_PAGE runs (above) */
};

/* Where the JSON page PAGE says the next page is, for STYLE: a new string,
 * NULL at the end (for GETs that read pages as JSON trees). */
char *net_paging_next_of(enum net_paging_style style, const json_t *page);

/* Walk every page of P.  On failure *why (may be NULL; caller frees) says
 * what went wrong when the pager or the GET knows. */
enum parley_err net_paging_run(const struct net_paging *p, char **why);

#endif
