/* role.c - role names and their ordering (see role.h). */
#include "auth/role.h"

#include <string.h>

static const char *const names[] = { "none", "viewer", "admin", "owner" };

enum parley_err auth_role_parse(const char *name, enum auth_role *out)
{
    for (int r = AUTH_ROLE_VIEWER; r <= AUTH_ROLE_OWNER; r++) {
        if (name && strcmp(name, names[r]) == 0) {
            *out = (enum auth_role)r;
            return PARLEY_OK;
        }
    }
    return PARLEY_ERR_INVALID;
}

const char *auth_role_name(enum auth_role role)
{
    return role >= AUTH_ROLE_NONE && role <= AUTH_ROLE_OWNER ? names[role] : "none";
}

int auth_role_allows(enum auth_role have, enum auth_role need)
{
    return have != AUTH_ROLE_NONE && have >= need;
}
