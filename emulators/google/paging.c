/* paging.c - page size and page tokens of the Google list methods (see
 * internal.h).  A page token is the base64url of the next offset, prefixed
 * so that a token from elsewhere is refused rather than misread. */
#include "google/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/ids.h"
#include "util/xmalloc.h"

#define TOKEN_PREFIX "gemu:"

/* A whole decimal number in TEXT, or -1 when it is not one. */
static long long whole(const char *text)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    return (*text && end && !*end) ? v : -1;
}

int gemu_page_parse(struct http_req *req, enum gemu_dialect d, const char *size_param, long def,
                    long max, int clamp, struct gemu_page *page)
{
    const char *size = http_req_query(req, size_param);
    const char *token = http_req_query(req, "pageToken");

    page->offset = 0;
    page->limit = (size_t)def;
    if (size && *size) {
        long long v = whole(size);
        if (v < 0 || (v > max && !clamp) || (d == GEMU_DIRECTORY && v == 0)) {
            char *msg = xasprintf("Invalid value '%s'. Values must be within the range: [1, %ld]",
                                  size, max);
            gemu_reply_error(req, d, 400, "invalid", msg);
            free(msg);
            return -1;
        }
        if (v > 0)
            page->limit = (size_t)(v > max ? max : v);
    }
    if (token && *token) {
        size_t len = 0;
        char *raw = (char *)emu_ids_base64url_decode(token, &len);
        long long v = raw && strncmp(raw, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0
                          ? whole(raw + strlen(TOKEN_PREFIX))
                          : -1;
        free(raw);
        if (v < 0) {
            gemu_reply_error(req, d, 400, "invalid", "Invalid page token.");
            return -1;
        }
        page->offset = (size_t)v;
    }
    return 0;
}

char *gemu_page_next_token(const struct gemu_page *page, size_t total)
{
    if (page->offset + page->limit >= total)
        return NULL;
    char raw[48];
    int n = snprintf(raw, sizeof raw, TOKEN_PREFIX "%zu", page->offset + page->limit);
    return emu_ids_base64url((const unsigned char *)raw, (size_t)n);
}

void gemu_page_next(json_t *resp, const struct gemu_page *page, size_t total)
{
    char *token = gemu_page_next_token(page, total);
    if (token)
        json_object_set_new(resp, "nextPageToken", json_string(token));
    free(token);
}
