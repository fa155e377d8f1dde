/* throttle.c - failed-login counting on the store's login_failure records
 * (see throttle.h).  Keys are "email:<address>" and "ip:<address>". */
#include "auth/throttle.h"

#include <stdlib.h>

#include "store/store.h"
#include "util/xmalloc.h"

/* Whether the failures under "PREFIX:VALUE" since the window start reach
 * LIMIT; *over receives the answer. */
static enum parley_err over_limit(struct store *st, const char *prefix, const char *value,
                                  long long now, int limit, int *over)
{
    int count = 0;
    enum parley_err err;
    char *key;

    *over = 0;
    if (!value)
        return PARLEY_OK;
    key = xasprintf("%s:%s", prefix, value);
    err = store_login_failures_count(st, key, now - AUTH_THROTTLE_WINDOW_MS, &count);
    free(key);
    if (!err)
        *over = count >= limit;
    return err;
}

enum parley_err auth_throttle_check(struct store *st, const char *email, const char *ip,
                                    long long now, long long *retry_after_s)
{
    int email_over = 0, ip_over = 0;
    enum parley_err err;

    *retry_after_s = 0;
    if ((err = over_limit(st, "email", email, now, AUTH_THROTTLE_MAX_PER_EMAIL, &email_over)) ||
        (err = over_limit(st, "ip", ip, now, AUTH_THROTTLE_MAX_PER_IP, &ip_over)))
        return err;
    if (!email_over && !ip_over)
        return PARLEY_OK;
    /* The store gives counts, not the oldest failure's time, so the wait
     * quoted is the whole window: an upper bound, never too short. */
    *retry_after_s = AUTH_THROTTLE_WINDOW_MS / 1000;
    return PARLEY_ERR_THROTTLED;
}

static enum parley_err add_failure(struct store *st, const char *prefix, const char *value,
                                   long long now)
{
    enum parley_err err;
    char *key;

    if (!value)
        return PARLEY_OK;
    key = xasprintf("%s:%s", prefix, value);
    err = store_login_failure_add(st, key, now);
    free(key);
    return err;
}

enum parley_err auth_throttle_record_failure(struct store *st, const char *email, const char *ip,
                                             long long now)
{
    enum parley_err err = add_failure(st, "email", email, now);
    enum parley_err ip_err = add_failure(st, "ip", ip, now);
    return err ? err : ip_err;
}

enum parley_err auth_throttle_clear(struct store *st, const char *email)
{
    enum parley_err err;
    char *key;

    if (!email)
        return PARLEY_OK;
    key = xasprintf("email:%s", email);
    err = store_login_failures_clear(st, key);
    free(key);
    return err;
}
