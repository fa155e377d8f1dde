/* clock.h - time helpers in milliseconds.
 *
 * Wall-clock time (clock_now_ms) is what the store records and compares
 * (leases, not_before, expiry); the monotonic clock measures durations and
 * timeouts inside one process, where a wall-clock jump must not matter. */
#ifndef PARLEY_UTIL_CLOCK_H
#define PARLEY_UTIL_CLOCK_H

/* Unix time in milliseconds (CLOCK_REALTIME). */
long long clock_now_ms(void);
/* Milliseconds from an arbitrary fixed point (CLOCK_MONOTONIC). */
long long clock_mono_ms(void);
/* Sleep MS milliseconds (resumes after signals); MS <= 0 returns at once. */
void clock_sleep_ms(long long ms);

#endif
