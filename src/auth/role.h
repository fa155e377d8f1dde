/* role.h - an admin's role in an org: owner > admin > viewer.
 *
 * viewer: reads everything of the org; admin: also changes it (imports,
 * syncs, retries); owner: also manages connections and other admins. */
#ifndef PARLEY_AUTH_ROLE_H
#define PARLEY_AUTH_ROLE_H

#include "util/err.h"

enum auth_role {
    AUTH_ROLE_NONE = 0,     /* no role in the org */
    AUTH_ROLE_VIEWER,
    AUTH_ROLE_ADMIN,
    AUTH_ROLE_OWNER,
};

/* "owner", "admin" or "viewer" (case-sensitive); PARLEY_ERR_INVALID otherwise. */
enum parley_err auth_role_parse(const char *name, enum auth_role *out);
/* The role's name; "none" for AUTH_ROLE_NONE. */
const char *auth_role_name(enum auth_role role);
/* Whether HAVE is at least NEED.  No role never allows anything, even a
 * NEED of AUTH_ROLE_NONE. */
int auth_role_allows(enum auth_role have, enum auth_role need);

#endif
