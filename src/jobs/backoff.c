/* backoff.c - exponential backoff with full jitter (see backoff.h). */
#include "jobs/backoff.h"

long long jobs_backoff_ms(int attempt, long long base_ms, long long cap_ms, uint64_t random)
{
    long long ceiling = base_ms;

    if (base_ms <= 0 || cap_ms <= 0)
        return 0;
    /* Double per attempt, stopping at the cap before anything can overflow. */
    for (int i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    return (long long)(random % ((uint64_t)ceiling + 1));
}

long long jobs_retry_delay_ms(int attempt, const struct jobs_backoff *backoff,
                              long long retry_after_ms, uint64_t random)
{
    long long base = backoff && backoff->base_ms ? backoff->base_ms : JOBS_BACKOFF_BASE_MS;
    long long cap = backoff && backoff->cap_ms ? backoff->cap_ms : JOBS_BACKOFF_CAP_MS;
    long long delay = jobs_backoff_ms(attempt, base, cap, random);

    return retry_after_ms > delay ? retry_after_ms : delay;
}
