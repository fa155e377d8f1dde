/* platform.c - the connector registry (platform kind <-> name <-> ops), the
 * platform_error filler shared by the connectors and their callers, and the
 * release of a struct platform_account (its password wiped). */
#include "platform/platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "platform/google/google.h"
#include "platform/graph/graph.h"

static const struct {
    enum platform_kind kind;
    const char *name;
} kinds[] = {
    { PLATFORM_MICROSOFT, "microsoft" },
    { PLATFORM_GOOGLE, "google" },
};

const char *platform_kind_name(enum platform_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return "unknown";
}

int platform_kind_parse(const char *name, enum platform_kind *out)
{
    for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].name, name) == 0) {
            *out = kinds[i].kind;
            return 0;
        }
    }
    return -1;
}

const struct platform_ops *platform_ops_for(enum platform_kind kind)
{
    switch (kind) {
    case PLATFORM_MICROSOFT:
        return &graph_ops;
    case PLATFORM_GOOGLE:
        return &google_ops;
    }
    return NULL;
}

static int is_retryable(enum parley_err code, int http_status)
{
    switch (code) {
    case PARLEY_ERR_THROTTLED:
    case PARLEY_ERR_NETWORK:
    case PARLEY_ERR_TIMEOUT:
        return 1;
    case PARLEY_ERR_PLATFORM:
        return http_status >= 500 || http_status == 408;
    default:
        return 0;
    }
}

void platform_error_set(struct platform_error *err, enum parley_err code, int http_status,
                        const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = code;
    err->http_status = http_status;
    err->retryable = is_retryable(code, http_status);
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void platform_account_clear(struct platform_account *account)
{
    if (!account)
        return;
    if (account->password)
        sodium_memzero(account->password, strlen(account->password));
    free(account->password);
    free(account->external_id);
    free(account->login);
    memset(account, 0, sizeof *account);
}
