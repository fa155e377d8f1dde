/* test_paging.c - tests for src/net/paging.c with a scripted GET: OData
 * next links followed verbatim, Google page tokens appended to the first
 * URL, each page handed over once and released, the walk stopped by the
 * page callback or a failed GET, and next links to another host, repeated
 * links and endless listings refused.  Every test runs twice: fetching one
 * page at a time, and fetching the next page while the current one is
 * handled (prefetch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/paging.h"
#include "util/xmalloc.h"

struct script {
    const char *urls[8];         /* the URLs the pager must ask for, in order */
    const char *pages[8];        /* the JSON answered to each */
    int ngets;
    int npages_seen;
    long long items;
    int stop_at;                 /* page callback fails on this page (1-based); 0: never */
    enum net_paging_style style;
    int live_pages;              /* read by the GET and not yet released */
};

static enum parley_err on_get(void *ctx, const char *url, struct net_paging_page *page,
                              char **why)
{
    struct script *s = ctx;
    int i = s->ngets++;

    assert_true(i < 8);
    if (!s->urls[i]) {
        *why = xasprintf("unexpected GET %s", url);
        return PARLEY_ERR_NOT_FOUND;
    }
    assert_string_equal(url, s->urls[i]);
    if (!s->pages[i]) {
        *why = xstrdup("503 from the fake");
        return PARLEY_ERR_PLATFORM;
    }
    page->data = json_loads(s->pages[i], 0, NULL);
    assert_non_null(page->data);
    page->next = net_paging_next_of(s->style, page->data);
    __atomic_add_fetch(&s->live_pages, 1, __ATOMIC_SEQ_CST);
    return PARLEY_OK;
}

static struct script *running;   /* the script of the walk running (for free_page) */

static void free_page(void *data)
{
    __atomic_sub_fetch(&running->live_pages, 1, __ATOMIC_SEQ_CST);
    json_decref(data);
}

static enum parley_err on_page(void *ctx, void *data)
{
    struct script *s = ctx;
    const json_t *page = data;
    const json_t *items = json_object_get(page, "value");

    if (!items)
        items = json_object_get(page, "users");
    s->npages_seen++;
    s->items += (long long)json_array_size(items);
    return s->stop_at == s->npages_seen ? PARLEY_ERR_CANCELLED : PARLEY_OK;
}

static int prefetch;             /* the mode of the test running */

static int one_at_a_time(void **state)
{
    (void)state;
    prefetch = 0;
    return 0;
}

static int fetch_ahead(void **state)
{
    (void)state;
    prefetch = 1;
    return 0;
}

static enum parley_err run(struct script *s, enum net_paging_style style, char **why)
{
    struct net_paging p = { .style = style, .first_url = s->urls[0], .get = on_get,
                            .on_page = on_page, .free_data = free_page, .ctx = s,
                            .max_pages = 5, .prefetch = prefetch };
    enum parley_err rc;

    s->style = style;
    running = s;
    rc = net_paging_run(&p, why);
    assert_int_equal(s->live_pages, 0);     /* every page read was released */
    return rc;
}

static void test_paging_odata(void **state)
{
    (void)state;
    struct script s = {
        .urls = { "https://g.test/v1.0/users?$top=2", "https://g.test/v1.0/users?$skiptoken=A",
                  "https://g.test/v1.0/users?$skiptoken=B" },
        .pages = { "{\"value\":[1,2],\"@odata.nextLink\":\"https://g.test/v1.0/users?$skiptoken=A\"}",
                   "{\"value\":[3,4],\"@odata.nextLink\":\"https://g.test/v1.0/users?$skiptoken=B\"}",
                   "{\"value\":[5],\"@odata.deltaLink\":\"https://g.test/v1.0/users?$deltatoken=C\"}" },
    };
    char *why = NULL;

    assert_int_equal(run(&s, NET_PAGING_ODATA, &why), PARLEY_OK);
    assert_null(why);
    assert_int_equal(s.ngets, 3);
    assert_int_equal(s.npages_seen, 3);
    assert_int_equal(s.items, 5);
}

static void test_paging_page_token(void **state)
{
    (void)state;
    struct script s = {
        .urls = { "https://a.test/admin/directory/v1/users?customer=my_customer",
                  "https://a.test/admin/directory/v1/users?customer=my_customer&pageToken=t%2F1",
                  "https://a.test/admin/directory/v1/users?customer=my_customer&pageToken=t2" },
        .pages = { "{\"users\":[1],\"nextPageToken\":\"t/1\"}",
                   "{\"users\":[2,3],\"nextPageToken\":\"t2\"}",
                   "{\"users\":[4],\"nextPageToken\":\"\"}" },
    };

    assert_int_equal(run(&s, NET_PAGING_PAGE_TOKEN, NULL), PARLEY_OK);
    assert_int_equal(s.npages_seen, 3);
    assert_int_equal(s.items, 4);

    /* An empty last page may be {} with no list at all. */
    struct script empty = { .urls = { "https://c.test/v1/spaces" }, .pages = { "{}" } };
    assert_int_equal(run(&empty, NET_PAGING_PAGE_TOKEN, NULL), PARLEY_OK);
    assert_int_equal(empty.npages_seen, 1);
}

static void test_paging_stops(void **state)
{
    (void)state;
    const char *first = "https://g.test/a";
    char *why = NULL;

    /* The page callback stops the walk with its own code. */
    struct script cb = { .urls = { first, "https://g.test/b" },
                         .pages = { "{\"value\":[],\"@odata.nextLink\":\"https://g.test/b\"}",
                                    "{\"value\":[]}" },
                         .stop_at = 1 };
    assert_int_equal(run(&cb, NET_PAGING_ODATA, &why), PARLEY_ERR_CANCELLED);
    assert_int_equal(cb.npages_seen, 1);
    assert_in_range(cb.ngets, 1, 1 + prefetch);    /* a page fetched ahead is dropped */

    /* A failed GET ends it with the GET's message. */
    struct script fail = { .urls = { first, "https://g.test/b" },
                           .pages = { "{\"@odata.nextLink\":\"https://g.test/b\"}", NULL } };
    assert_int_equal(run(&fail, NET_PAGING_ODATA, &why), PARLEY_ERR_PLATFORM);
    assert_string_equal(why, "503 from the fake");
    free(why);

    /* A next link to another host is never followed (the token would go there). */
    struct script evil = { .urls = { first },
                           .pages = { "{\"@odata.nextLink\":\"https://evil.test/a\"}" } };
    assert_int_equal(run(&evil, NET_PAGING_ODATA, &why), PARLEY_ERR_PLATFORM);
    assert_non_null(strstr(why, "another host"));
    assert_int_equal(evil.ngets, 1);
    free(why);

    /* Neither is one that repeats the page just read. */
    struct script loop = { .urls = { first },
                           .pages = { "{\"@odata.nextLink\":\"https://g.test/a\"}" } };
    assert_int_equal(run(&loop, NET_PAGING_ODATA, &why), PARLEY_ERR_PLATFORM);
    assert_non_null(strstr(why, "repeats"));
    free(why);

    /* More than max_pages (5). */
    struct script endless = {
        .urls = { first, "https://g.test/1", "https://g.test/2", "https://g.test/3",
                  "https://g.test/4" },
        .pages = { "{\"@odata.nextLink\":\"https://g.test/1\"}",
                   "{\"@odata.nextLink\":\"https://g.test/2\"}",
                   "{\"@odata.nextLink\":\"https://g.test/3\"}",
                   "{\"@odata.nextLink\":\"https://g.test/4\"}",
                   "{\"@odata.nextLink\":\"https://g.test/5\"}" } };
    assert_int_equal(run(&endless, NET_PAGING_ODATA, &why), PARLEY_ERR_TOO_LARGE);
    assert_int_equal(endless.ngets, 5);
    free(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_paging_odata, one_at_a_time),
        cmocka_unit_test_setup(test_paging_odata, fetch_ahead),
        cmocka_unit_test_setup(test_paging_page_token, one_at_a_time),
        cmocka_unit_test_setup(test_paging_page_token, fetch_ahead),
        cmocka_unit_test_setup(test_paging_stops, one_at_a_time),
        cmocka_unit_test_setup(test_paging_stops, fetch_ahead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
