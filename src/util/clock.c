/* clock.c - wall-clock and monotonic milliseconds, and a sleep (see clock.h). */
#include "util/clock.h"

#include <errno.h>
#include <time.h>

static long long read_ms(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long clock_now_ms(void)
{
    return read_ms(CLOCK_REALTIME);
}

long long clock_mono_ms(void)
{
    return read_ms(CLOCK_MONOTONIC);
}

void clock_sleep_ms(long long ms)
{
    struct timespec left;

    if (ms <= 0)
        return;
    left.tv_sec = (time_t)(ms / 1000);
    left.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}
