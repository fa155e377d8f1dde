/* reqlog.c - a mutex-protected ring buffer of requests (see reqlog.h). */
#include "frame/reqlog.h"

#include <pthread.h>
#include <stdlib.h>

#include "frame/ids.h"
#include "util/clock.h"
#include "util/xmalloc.h"

struct entry {
    long long seq;
    long long ms;
    char *method;
    char *path;
    char *request_id;
    int status;
};

struct emu_reqlog {
    pthread_mutex_t lock;
    struct entry ring[EMU_REQLOG_MAX];
    long long next_seq;      /* seq of the next entry; entries are next_seq - n .. next_seq - 1 */
    size_t count;
};

struct emu_reqlog *emu_reqlog_new(void)
{
    struct emu_reqlog *log = xcalloc(1, sizeof *log);
    pthread_mutex_init(&log->lock, NULL);
    log->next_seq = 1;
    return log;
}

static void entry_clear(struct entry *e)
{
    free(e->method);
    free(e->path);
    free(e->request_id);
    e->method = e->path = e->request_id = NULL;
}

void emu_reqlog_clear(struct emu_reqlog *log)
{
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < EMU_REQLOG_MAX; i++)
        entry_clear(&log->ring[i]);
    log->count = 0;
    pthread_mutex_unlock(&log->lock);
}

void emu_reqlog_free(struct emu_reqlog *log)
{
    if (!log)
        return;
    emu_reqlog_clear(log);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

void emu_reqlog_add(struct emu_reqlog *log, const char *method, const char *path, int status,
                    const char *request_id)
{
    pthread_mutex_lock(&log->lock);
    struct entry *e = &log->ring[log->next_seq % EMU_REQLOG_MAX];
    entry_clear(e);
    e->seq = log->next_seq++;
    e->ms = clock_now_ms();
    e->method = xstrdup(method);
    e->path = xstrdup(path);
    e->request_id = xstrdup(request_id);
    e->status = status;
    if (log->count < EMU_REQLOG_MAX)
        log->count++;
    pthread_mutex_unlock(&log->lock);
}

json_t *emu_reqlog_json(struct emu_reqlog *log, long long since)
{
    json_t *list = json_array();
    char when[32];

    pthread_mutex_lock(&log->lock);
    for (long long seq = log->next_seq - (long long)log->count; seq < log->next_seq; seq++) {
        struct entry *e = &log->ring[seq % EMU_REQLOG_MAX];
        if (e->seq <= since)
            continue;
        emu_ids_time_iso(e->ms, when);
        json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:i, s:s?}", "seq",
                                              (json_int_t)e->seq, "time", when, "method",
                                              e->method, "path", e->path, "status", e->status,
                                              "request_id", e->request_id));
    }
    pthread_mutex_unlock(&log->lock);
    return json_pack("{s:o}", "requests", list);
}
