/* err.c - messages and names for enum parley_err (see err.h). */
#include "util/err.h"

static const char *const messages[] = {
#define XX(name, lname, msg) msg,
    PARLEY_ERR_MAP(XX)
#undef XX
};

static const char *const names[] = {
#define XX(name, lname, msg) lname,
    PARLEY_ERR_MAP(XX)
#undef XX
};

const char *parley_strerror(enum parley_err err)
{
    if ((unsigned)err >= PARLEY_ERR__COUNT)
        return "unknown error";
    return messages[err];
}

const char *parley_errname(enum parley_err err)
{
    if ((unsigned)err >= PARLEY_ERR__COUNT)
        return "unknown";
    return names[err];
}
