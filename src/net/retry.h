/* retry.h - the one retry policy of both connectors (Graph and Google).
 *
 * What is retried:
 *   - HTTP 408, 429, 500, 502, 503 and 504;
 *   - transport failures that may pass: PARLEY_ERR_NETWORK and
 *     PARLEY_ERR_TIMEOUT.
 * Never retried: every other status (a 400, 401, 403, 404 or 409 will not
 * change by asking again), TLS failures (a configuration problem) and
 * oversize answers.
 *
 * The wait before attempt N+1 is exponential backoff with full jitter,
 * uniform in [0, min(max_delay, base * 2^(N-1))] (jobs_backoff_ms, the job
 * queue's own formula), but never shorter than the server's Retry-After.
 * When Retry-After asks for more than max_delay, we give up at once instead of
 * holding a worker thread: the caller hands resp.retry_after to the job queue
 * (jobs_queue_fail), which parks the job until then.
 *
 * A retried POST may have been applied by the server before the failure
 * (a 504, a connection lost after sending): the engines make each job
 * idempotent (message map, dedup keys), which is what makes this safe. */
#ifndef PARLEY_NET_RETRY_H
#define PARLEY_NET_RETRY_H

#include <stdint.h>

#include "net/http_client.h"
#include "util/err.h"

#define NET_RETRY_DEFAULT_MAX_ATTEMPTS 6
#define NET_RETRY_DEFAULT_BASE_MS      500LL
#define NET_RETRY_DEFAULT_MAX_DELAY_MS (5LL * 60 * 1000)

struct net_retry_policy {
    int max_attempts;            /* attempts in all, the first included; 0: default */
    long long base_ms;           /* first backoff window; 0: default */
    long long max_delay_ms;      /* longest single wait; 0: default */
    /* Injected for tests; NULL: clock_sleep_ms, a libsodium random draw,
     * clock_now_ms (to read Retry-After dates). */
    void (*sleep_ms)(long long ms, void *ctx);
    uint64_t (*random)(void *ctx);
    long long (*now_ms)(void *ctx);
    void *ctx;
};

/* Parse a Retry-After VALUE (RFC 9110 10.2.3): delta-seconds ("120") or an
 * HTTP-date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", or the obsolete
 * RFC 850 and asctime forms), relative to NOW_MS (Unix ms).  *delay_ms is
 * the wait in ms, 0 for a date in the past.  PARLEY_ERR_INVALID for
 * anything else (the caller then ignores the header). */
enum parley_err net_retry_after_parse(const char *value, long long now_ms, long long *delay_ms);

/* Whether to try again after attempt ATTEMPT (1 = the first) failed with
 * transport error ERR, or, when ERR is PARLEY_OK, with HTTP STATUS.
 * RETRY_AFTER_MS is the parsed Retry-After (-1: none); RANDOM any 64-bit
 * value drawn at random.  Returns 1 and sets *delay_ms to the wait, or 0 to
 * give up.  POLICY NULL: defaults. */
int net_retry_decide(const struct net_retry_policy *policy, int attempt, int status,
                     enum parley_err err, long long retry_after_ms, uint64_t random,
                     long long *delay_ms);

/* net_http_send REQ, retrying as net_retry_decide says and sleeping in
 * between.  Returns what the last attempt returned: PARLEY_OK with the last
 * answer in *RESP (maybe still a 429 or 503: read resp->status), or the last
 * transport error with resp->error.  *RESP is as for net_http_send. */
enum parley_err net_retry_send(struct net_http_client *client, const struct net_retry_policy *policy,
                               const struct net_http_request *req, struct net_http_response *resp);

#endif
