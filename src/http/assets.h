/* assets.h - files compiled into the binary by tools/embed.c.
 *
 * An asset table is an array ended by an entry whose path is NULL; paths
 * start with '/' ("/index.html", "/js/app.js"). */
#ifndef PARLEY_HTTP_ASSETS_H
#define PARLEY_HTTP_ASSETS_H

#include <stddef.h>

struct embedded_asset {
    const char *path;
    const unsigned char *data;
    size_t size;
};

/* The Hub UI (web/). */
extern const struct embedded_asset web_assets[];

/* Find PATH in TABLE; NULL when absent. */
const struct embedded_asset *assets_find(const struct embedded_asset *table, const char *path);

/* The Content-Type for a path, from its extension ("text/html; charset=utf-8", ...). */
const char *assets_content_type(const char *path);

#endif
