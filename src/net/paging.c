/* paging.c - the page loop for OData next links and Google page tokens
 * (see paging.h). */
#include "net/paging.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/url.h"
#include "util/buf.h"
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

/* The URL of the page after PAGE, or NULL at the end; a new string. */
static char *next_url(const struct net_paging *p, const json_t *page)
{
    const char *link;
    struct buf url = BUF_INIT;

    if (p->style == NET_PAGING_ODATA) {
        link = json_string_value(json_object_get(page, "@odata.nextLink"));
        return link && *link ? xstrdup(link) : NULL;
    }
    link = json_string_value(json_object_get(page, "nextPageToken"));
    if (!link || !*link)
        return NULL;
    buf_puts(&url, p->first_url);
    net_url_query_add(&url, "pageToken", link);
    return buf_steal(&url);
}

enum parley_err net_paging_run(const struct net_paging *p, char **why)
{
    int max_pages = p && p->max_pages > 0 ? p->max_pages : NET_PAGING_DEFAULT_MAX_PAGES;
    char *url = NULL, *next = NULL, *get_why = NULL;
    json_t *page = NULL;
    enum parley_err rc = PARLEY_OK;

    if (why)
        *why = NULL;
    if (!p || !p->first_url || !p->get || !p->on_page)
        return PARLEY_ERR_INVALID;
    url = xstrdup(p->first_url);
    for (int n = 0; url; n++) {
        if (n == max_pages) {
            rc = PARLEY_ERR_TOO_LARGE;
            get_why = xasprintf("more than %d pages", max_pages);
            goto out;
        }
        rc = p->get(p->ctx, url, &page, &get_why);
        if (rc != PARLEY_OK)
            goto out;
        rc = p->on_page(p->ctx, page);
        if (rc != PARLEY_OK)
            goto out;
        next = next_url(p, page);
        json_decref(page);
        page = NULL;
        if (next && (!same_origin(next, p->first_url) || strcmp(next, url) == 0)) {
            rc = PARLEY_ERR_PLATFORM;
            get_why = xstrdup(same_origin(next, p->first_url)
                                  ? "the next page link repeats the page just read"
                                  : "the next page link points to another host");
            goto out;
        }
        free(url);
        url = next;
        next = NULL;
    }

out:
    if (why)
        *why = get_why;
    else
        free(get_why);
    json_decref(page);
    free(next);
    free(url);
    return rc;
}
