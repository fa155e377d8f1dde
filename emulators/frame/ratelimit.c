/* ratelimit.c - per-key fixed windows in a hash map (see ratelimit.h). */
#include "frame/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>

#include "frame/map.h"
#include "frame/vec.h"
#include "util/clock.h"
#include "util/xmalloc.h"

struct window {
    long long start_ms;
    int count;
};

struct emu_ratelimit {
    pthread_mutex_t lock;
    int limit;
    int window_ms;
    struct emu_map *windows;     /* key -> struct window */
    struct emu_vec all;          /* every struct window, for freeing */
};

struct emu_ratelimit *emu_ratelimit_new(int limit, int window_ms)
{
    struct emu_ratelimit *rl = xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->lock, NULL);
    rl->limit = limit;
    rl->window_ms = window_ms;
    rl->windows = emu_map_new();
    return rl;
}

void emu_ratelimit_clear(struct emu_ratelimit *rl)
{
    pthread_mutex_lock(&rl->lock);
    for (size_t i = 0; i < rl->all.len; i++)
        free(rl->all.items[i]);
    emu_vec_free(&rl->all);
    emu_map_free(rl->windows);
    rl->windows = emu_map_new();
    pthread_mutex_unlock(&rl->lock);
}

void emu_ratelimit_free(struct emu_ratelimit *rl)
{
    if (!rl)
        return;
    emu_ratelimit_clear(rl);
    emu_map_free(rl->windows);
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

int emu_ratelimit_hit(struct emu_ratelimit *rl, const char *key)
{
    long long now = clock_mono_ms();
    int wait_s = 0;

    pthread_mutex_lock(&rl->lock);
    struct window *w = emu_map_get(rl->windows, key);
    if (!w) {
        w = xcalloc(1, sizeof *w);
        w->start_ms = now;
        emu_map_put(rl->windows, key, w);
        emu_vec_push(&rl->all, w);
    }
    if (now - w->start_ms >= rl->window_ms) {
        w->start_ms = now;
        w->count = 0;
    }
    if (w->count < rl->limit) {
        w->count++;
    } else {
        long long left = w->start_ms + rl->window_ms - now;
        wait_s = (int)((left + 999) / 1000);
        if (wait_s < 1)
            wait_s = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait_s;
}
