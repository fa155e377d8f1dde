/* endpoints.c - atomic write of endpoints.json (see endpoints.h). */
#include "frame/endpoints.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/xmalloc.h"

enum parley_err emu_endpoints_write(const char *dir, const json_t *doc)
{
    char *tmp = xasprintf("%s/.endpoints.json.tmp", dir);
    char *path = xasprintf("%s/endpoints.json", dir);
    enum parley_err err = PARLEY_ERR_IO;

    if (json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 ||
        rename(tmp, path) != 0) {
        log_error("emu", "cannot write endpoints.json", "s:path", path);
        remove(tmp);
        goto out;
    }
    err = PARLEY_OK;
out:
    free(tmp);
    free(path);
    return err;
}
