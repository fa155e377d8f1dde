/* throttle.h - failed-login throttling.
 *
 * Failures are counted per email and per client IP over a sliding window.
 * Once either count reaches its limit, further attempts are refused without
 * checking the password until old failures leave the window.  A successful
 * login clears the email's count; the IP's count is left to age out, so one
 * valid account cannot be used to reset the guessing budget of an address. */
#ifndef PARLEY_AUTH_THROTTLE_H
#define PARLEY_AUTH_THROTTLE_H

#include "util/err.h"

struct store;

#define AUTH_THROTTLE_WINDOW_MS   (15LL * 60 * 1000)
#define AUTH_THROTTLE_MAX_PER_EMAIL 5
/* Higher: many admins may share one address (an office NAT). */
#define AUTH_THROTTLE_MAX_PER_IP    30

/* PARLEY_OK when an attempt for EMAIL from IP (either may be NULL) may
 * proceed at NOW; PARLEY_ERR_THROTTLED otherwise, with the seconds to wait
 * in *retry_after_s.  Store errors are returned as they are. */
enum parley_err auth_throttle_check(struct store *st, const char *email, const char *ip,
                                    long long now, long long *retry_after_s);
/* Count one failed attempt against EMAIL and IP. */
enum parley_err auth_throttle_record_failure(struct store *st, const char *email, const char *ip,
                                             long long now);
/* Forget EMAIL's failures (after a successful login). */
enum parley_err auth_throttle_clear(struct store *st, const char *email);

#endif
