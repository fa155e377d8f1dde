/* ratelimit.h - fixed-window request counters per key ("app id", "tenant"),
 * for --rate-limit and --real-quotas.  Thread-safe. */
#ifndef EMU_FRAME_RATELIMIT_H
#define EMU_FRAME_RATELIMIT_H

struct emu_ratelimit;

/* At most LIMIT hits per WINDOW_MS for each key. */
struct emu_ratelimit *emu_ratelimit_new(int limit, int window_ms);
void emu_ratelimit_free(struct emu_ratelimit *rl);
/* Count one hit for KEY.  Returns 0 when allowed; otherwise the whole
 * seconds (>= 1) until the window ends, for Retry-After. */
int emu_ratelimit_hit(struct emu_ratelimit *rl, const char *key);
void emu_ratelimit_clear(struct emu_ratelimit *rl);

#endif
