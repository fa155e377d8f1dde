/* log.h - structured logs: one JSON object per line on stderr.
 *
 *   log_info("http", "request done", "s:method", "GET", "i:status", 200);
 *
 * After the module and the message come (key, value) pairs.  The key's
 * prefix gives the value's type: "s:" const char *, "i:" int, "l:" long long,
 * "d:" double, "b:" int used as a boolean.  Each line carries ts, level,
 * module, msg, the thread's request_id / job_id (see log_context_set) and the
 * fields.  Values of keys that look secret (password, secret, token, key,
 * cookie, authorization) are written as "[redacted]".
 * The macros test the level before evaluating any argument. */
#ifndef PARLEY_UTIL_LOG_H
#define PARLEY_UTIL_LOG_H

#include "util/err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
/* "debug", "info", "warn", "error" or "off". */
enum parley_err log_parse_level(const char *name, enum log_level *out);

/* Tag this thread's following lines with a request or job id (NULL clears). */
void log_context_set(const char *request_id, const char *job_id);

/* A thread's context, to carry to a helper thread working for it. */
struct log_context {
    char request_id[64];
    char job_id[64];
};
void log_context_save(struct log_context *out);
void log_context_restore(const struct log_context *ctx);

/* Write one line.  The variadic list is (key, value) pairs ended by NULL. */
void log_write(enum log_level level, const char *module, const char *msg, ...);

#define LOG_AT(level, module, ...)                                      \
    do {                                                                \
        if (log_enabled(level))                                         \
            log_write(level, module, __VA_ARGS__, (const char *)0);     \
    } while (0)
#define log_debug(module, ...) LOG_AT(LOG_DEBUG, module, __VA_ARGS__)
#define log_info(module, ...)  LOG_AT(LOG_INFO, module, __VA_ARGS__)
#define log_warn(module, ...)  LOG_AT(LOG_WARN, module, __VA_ARGS__)
#define log_error(module, ...) LOG_AT(LOG_ERROR, module, __VA_ARGS__)

#endif
