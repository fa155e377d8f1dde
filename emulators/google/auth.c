/* auth.c - the bearer-token check every Google API route starts with (see
 * internal.h): 401 UNAUTHENTICATED for a missing, unknown or expired token,
 * 403 PERMISSION_DENIED (ACCESS_TOKEN_SCOPE_INSUFFICIENT) for a token
 * without any of the scopes the method accepts. */
#include "google/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"

const struct gemu_token *gemu_auth(struct http_req *req, struct gemu_state *st,
                                   enum gemu_dialect d, const char *const scopes[])
{
    const char *header = http_req_header(req, "Authorization");
    const struct gemu_token *t = NULL;

    if (header && strncasecmp(header, "Bearer ", 7) == 0)
        t = gemu_token_find(st, header + 7);
    if (!t) {
        gemu_reply_error(req, d, 401, d == GEMU_DIRECTORY ? "authError" : NULL,
                         header ? "Request had invalid authentication credentials. Expected OAuth "
                                  "2 access token, login cookie or other valid authentication "
                                  "credential."
                                : "Login Required.");
        return NULL;
    }
    for (size_t i = 0; scopes[i]; i++) {
        char *full = xasprintf(GEMU_SCOPE_PREFIX "%s", scopes[i]);
        int ok = gemu_scopes_have(t->scopes, full);
        free(full);
        if (ok)
            return t;
    }
    gemu_reply_error(req, d, 403, "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                     "Request had insufficient authentication scopes.");
    return NULL;
}
