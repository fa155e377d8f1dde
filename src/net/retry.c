/* retry.c - Retry-After parsing, the retry-or-give-up decision, and the
 * send loop that sleeps between attempts (see retry.h). */
#include "net/retry.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "jobs/backoff.h"
#include "net/url.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Longer waits than this (~31 years) are clamped before the ms conversion. */
#define MAX_DELTA_SECONDS 1000000000LL

/* The three HTTP-date forms of RFC 9110 5.6.7, preferred one first. */
static const char *const http_date_formats[] = {
    "%a, %d %b %Y %H:%M:%S GMT",     /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    "%A, %d-%b-%y %H:%M:%S GMT",     /* RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT */
    "%a %b %e %H:%M:%S %Y",          /* asctime:     Sun Nov  6 08:49:37 1994 */
};

static enum parley_err parse_delta_seconds(const char *s, size_t len, long long *seconds)
{
    long long v = 0;

    if (len == 0)
        return PARLEY_ERR_INVALID;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return PARLEY_ERR_INVALID;
        if (v < MAX_DELTA_SECONDS)
            v = v * 10 + (s[i] - '0');
    }
    *seconds = v < MAX_DELTA_SECONDS ? v : MAX_DELTA_SECONDS;
    return PARLEY_OK;
}

/* Parse an HTTP-date (strptime's names are the C locale's, which Parley
 * never changes) into Unix seconds. */
static enum parley_err parse_http_date(const char *s, long long *unix_s)
{
    for (size_t i = 0; i < sizeof http_date_formats / sizeof http_date_formats[0]; i++) {
        struct tm tm;
        const char *end;

        memset(&tm, 0, sizeof tm);
        end = strptime(s, http_date_formats[i], &tm);
        while (end && isspace((unsigned char)*end))
            end++;
        if (end && *end == '\0') {
            *unix_s = (long long)timegm(&tm);
            return PARLEY_OK;
        }
    }
    return PARLEY_ERR_INVALID;
}

enum parley_err net_retry_after_parse(const char *value, long long now_ms, long long *delay_ms)
{
    long long seconds, at_s;
    size_t len;

    if (!value || !delay_ms)
        return PARLEY_ERR_INVALID;
    while (isspace((unsigned char)*value))
        value++;
    len = strlen(value);
    while (len && isspace((unsigned char)value[len - 1]))
        len--;
    if (len && isdigit((unsigned char)value[0])) {
        if (parse_delta_seconds(value, len, &seconds) != PARLEY_OK)
            return PARLEY_ERR_INVALID;
        *delay_ms = seconds * 1000;
        return PARLEY_OK;
    }
    if (parse_http_date(value, &at_s) != PARLEY_OK)
        return PARLEY_ERR_INVALID;
    if (at_s > now_ms / 1000 + MAX_DELTA_SECONDS)
        at_s = now_ms / 1000 + MAX_DELTA_SECONDS;
    *delay_ms = at_s * 1000 > now_ms ? at_s * 1000 - now_ms : 0;
    return PARLEY_OK;
}

static int is_retryable(int status, enum parley_err err)
{
    if (err != PARLEY_OK)
        return err == PARLEY_ERR_NETWORK || err == PARLEY_ERR_TIMEOUT;
    switch (status) {
    case 408: case 429: case 500: case 502: case 503: case 504:
        return 1;
    default:
        return 0;
    }
}

int net_retry_decide(const struct net_retry_policy *policy, int attempt, int status,
                     enum parley_err err, long long retry_after_ms, uint64_t random,
                     long long *delay_ms)
{
    int max_attempts = policy && policy->max_attempts > 0 ? policy->max_attempts
                                                          : NET_RETRY_DEFAULT_MAX_ATTEMPTS;
    struct jobs_backoff backoff = {
        .base_ms = policy && policy->base_ms > 0 ? policy->base_ms : NET_RETRY_DEFAULT_BASE_MS,
        .cap_ms = policy && policy->max_delay_ms > 0 ? policy->max_delay_ms
                                                     : NET_RETRY_DEFAULT_MAX_DELAY_MS,
    };
    long long delay;

    if (!is_retryable(status, err) || attempt >= max_attempts)
        return 0;
    delay = jobs_retry_delay_ms(attempt, &backoff, retry_after_ms > 0 ? retry_after_ms : 0, random);
    if (delay > backoff.cap_ms)
        return 0;       /* the server wants a longer pause: the job queue waits, not us */
    *delay_ms = delay;
    return 1;
}

/* ---- the loop ---- */

static uint64_t draw_random(const struct net_retry_policy *policy)
{
    uint64_t v;

    if (policy && policy->random)
        return policy->random(policy->ctx);
    if (sodium_init() < 0)          /* idempotent; needed once before randombytes */
        return 0;
    randombytes_buf(&v, sizeof v);
    return v;
}

static long long read_now_ms(const struct net_retry_policy *policy)
{
    return policy && policy->now_ms ? policy->now_ms(policy->ctx) : clock_now_ms();
}

static void pause_ms(const struct net_retry_policy *policy, long long ms)
{
    if (policy && policy->sleep_ms)
        policy->sleep_ms(ms, policy->ctx);
    else
        clock_sleep_ms(ms);
}

static void log_retry(const struct net_http_request *req, const struct net_http_response *resp,
                      enum parley_err rc, int attempt, long long delay)
{
    char *url;

    if (!log_enabled(LOG_WARN))
        return;
    url = net_url_for_log(req->url);
    log_warn("net", "retrying request", "s:method", req->method ? req->method : "GET",
             "s:url", url, "i:status", resp->status, "s:result", parley_errname(rc),
             "s:error", resp->error, "i:attempt", attempt, "l:delay_ms", delay);
    free(url);
}

enum parley_err net_retry_send(struct net_http_client *client, const struct net_retry_policy *policy,
                               const struct net_http_request *req, struct net_http_response *resp)
{
    enum parley_err rc;
    long long retry_after, delay;

    for (int attempt = 1;; attempt++) {
        net_http_response_free(resp);
        rc = net_http_send(client, req, resp);
        retry_after = -1;
        if (rc == PARLEY_OK && resp->retry_after &&
            net_retry_after_parse(resp->retry_after, read_now_ms(policy), &retry_after) != PARLEY_OK)
            retry_after = -1;
        if (!net_retry_decide(policy, attempt, resp->status, rc, retry_after, draw_random(policy),
                              &delay))
            return rc;
        log_retry(req, resp, rc, attempt, delay);
        pause_ms(policy, delay);
    }
}
