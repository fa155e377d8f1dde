/* log.c - JSON-lines logger on stderr (see log.h). */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"

static enum log_level min_level = LOG_INFO;
static _Thread_local char ctx_request_id[64];
static _Thread_local char ctx_job_id[64];

static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

void log_set_level(enum log_level level)
{
    min_level = level;
}

int log_enabled(enum log_level level)
{
    return level >= min_level && level != LOG_OFF;
}

enum parley_err log_parse_level(const char *name, enum log_level *out)
{
    for (unsigned i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (name && strcasecmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return PARLEY_OK;
        }
    }
    return PARLEY_ERR_INVALID;
}

void log_context_set(const char *request_id, const char *job_id)
{
    snprintf(ctx_request_id, sizeof ctx_request_id, "%s", request_id ? request_id : "");
    snprintf(ctx_job_id, sizeof ctx_job_id, "%s", job_id ? job_id : "");
}

void log_context_save(struct log_context *out)
{
    snprintf(out->request_id, sizeof out->request_id, "%s", ctx_request_id);
    snprintf(out->job_id, sizeof out->job_id, "%s", ctx_job_id);
}

void log_context_restore(const struct log_context *ctx)
{
    log_context_set(ctx->request_id, ctx->job_id);
}

static void put_string(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *run = p;

    buf_puts(b, "\"");
    for (; *p; p++) {
        const char *esc;
        char hex[8];
        switch (*p) {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (*p >= 0x20)
                continue;                   /* part of the run copied in one go */
            snprintf(hex, sizeof hex, "\\u%04x", *p);
            esc = hex;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, esc);
        run = p + 1;
    }
    buf_append(b, run, (size_t)(p - run));
    buf_puts(b, "\"");
}

static int is_secret_key(const char *key)
{
    static const char *const words[] = {
        "password", "secret", "token", "key", "cookie", "authorization",
    };
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasestr(key, words[i]))
            return 1;
    return 0;
}

static void put_field(struct buf *b, const char *spec, va_list *ap)
{
    char type = (spec[0] && spec[1] == ':') ? spec[0] : 's';
    const char *key = (spec[0] && spec[1] == ':') ? spec + 2 : spec;
    int secret = is_secret_key(key) && strcmp(key, "key_kind") != 0;

    buf_puts(b, ",");
    put_string(b, key);
    buf_puts(b, ":");
    switch (type) {
    case 'i': {
        int v = va_arg(*ap, int);
        buf_printf(b, "%d", v);
        break;
    }
    case 'l': {
        long long v = va_arg(*ap, long long);
        buf_printf(b, "%lld", v);
        break;
    }
    case 'd': {
        double v = va_arg(*ap, double);
        buf_printf(b, "%.6g", v);
        break;
    }
    case 'b': {
        int v = va_arg(*ap, int);
        buf_puts(b, v ? "true" : "false");
        break;
    }
    default: {
        const char *v = va_arg(*ap, const char *);
        put_string(b, secret ? "[redacted]" : v);
        break;
    }
    }
}

void log_write(enum log_level level, const char *module, const char *msg, ...)
{
    struct buf b = BUF_INIT;
    struct timespec ts;
    struct tm tm;
    char when[40];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    buf_printf(&b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"module\":", when,
               ts.tv_nsec / 1000000, level_names[level < LOG_OFF ? level : LOG_ERROR]);
    put_string(&b, module);
    buf_puts(&b, ",\"msg\":");
    put_string(&b, msg);
    if (ctx_request_id[0]) {
        buf_puts(&b, ",\"request_id\":");
        put_string(&b, ctx_request_id);
    }
    if (ctx_job_id[0]) {
        buf_puts(&b, ",\"job_id\":");
        put_string(&b, ctx_job_id);
    }

    va_list ap;
    va_start(ap, msg);
    for (const char *spec = va_arg(ap, const char *); spec; spec = va_arg(ap, const char *))
        put_field(&b, spec, &ap);
    va_end(ap);

    buf_puts(&b, "}\n");
    /* One write(2) per line, so lines from threads never interleave. */
    ssize_t n = write(STDERR_FILENO, b.data, b.len);
    (void)n;
    buf_free(&b);
}
