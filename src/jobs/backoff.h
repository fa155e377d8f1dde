/* backoff.h - how long to wait before retrying failed work: exponential
 * backoff with full jitter, never sooner than a platform's Retry-After.
 * Pure arithmetic, shared by the job queue (jobs/queue.c) and the
 * connectors' HTTP retry policy (net/retry.c), so the formula exists once. */
#ifndef PARLEY_JOBS_BACKOFF_H
#define PARLEY_JOBS_BACKOFF_H

#include <stdint.h>

#define JOBS_BACKOFF_BASE_MS      1000LL
#define JOBS_BACKOFF_CAP_MS       (15LL * 60 * 1000)

struct jobs_backoff {
    long long base_ms;      /* 0: JOBS_BACKOFF_BASE_MS */
    long long cap_ms;       /* 0: JOBS_BACKOFF_CAP_MS */
};

/* Backoff after failed attempt ATTEMPT (1 = the first), "full jitter":
 * uniform in [0, min(CAP_MS, BASE_MS * 2^(ATTEMPT-1))], the draw taken from
 * RANDOM (any 64-bit value; pass a random one).  Spreads retries of many
 * jobs failing together (a 5xx burst) over the whole window. */
long long jobs_backoff_ms(int attempt, long long base_ms, long long cap_ms, uint64_t random);

/* The delay before retrying: the backoff, but at least RETRY_AFTER_MS
 * (a platform Retry-After hint; 0: none).  BACKOFF NULL: defaults. */
long long jobs_retry_delay_ms(int attempt, const struct jobs_backoff *backoff,
                              long long retry_after_ms, uint64_t random);

#endif
