/* assets.c - lookup of files compiled into the binary (see assets.h) and
 * their Content-Type by extension.  The tables hold a few dozen files, so a
 * linear scan is all it takes. */
#include "http/assets.h"

#include <string.h>
#include <strings.h>

struct content_type {
    const char *ext;
    const char *type;
};

static const struct content_type content_types[] = {
    { "html",  "text/html; charset=utf-8" },
    { "js",    "text/javascript; charset=utf-8" },
    { "mjs",   "text/javascript; charset=utf-8" },
    { "css",   "text/css; charset=utf-8" },
    { "svg",   "image/svg+xml" },
    { "png",   "image/png" },
    { "ico",   "image/x-icon" },
    { "json",  "application/json; charset=utf-8" },
    { "txt",   "text/plain; charset=utf-8" },
    { "woff2", "font/woff2" },
};

const struct embedded_asset *assets_find(const struct embedded_asset *table, const char *path)
{
    if (!table || !path)
        return NULL;
    for (const struct embedded_asset *a = table; a->path; a++)
        if (strcmp(a->path, path) == 0)
            return a;
    return NULL;
}

const char *assets_content_type(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *dot = path ? strrchr(path, '.') : NULL;

    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0)
                return content_types[i].type;
    }
    return "application/octet-stream";
}
