/* notify.c - the delivery threads (see notify.h).  Jobs wait in one list
 * sorted by due time; validations jump the queue.  A small pool of threads
 * takes them, so a slow receiver (up to the 3 s timeout per try) holds up
 * only its own deliveries: a thread takes the first due job whose URL no
 * other thread is posting to, which also keeps each receiver's notifications
 * in order. */
#include "frame/notify.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "frame/ids.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define LOG_KEEP 1000
#define ANSWER_KEEP 512

struct job {
    struct job *next;
    long long due_ms;            /* monotonic */
    char *url;
    char *body;                  /* JSON text */
    const char *kind;            /* static */
    char *headers;               /* extra "Name: value" lines, '\n'-separated, or NULL */
    int attempt;                 /* 1-based, of the coming try */
    /* validation only */
    int is_validation;
    const char *token;
    int done;
    enum parley_err result;
};

#define THREADS 4

struct emu_notify {
    pthread_mutex_t lock;
    pthread_cond_t wake;         /* the threads wait for work */
    pthread_cond_t finished;     /* validators wait for their job */
    pthread_t threads[THREADS];
    int nthreads;                /* started */
    const char *busy[THREADS];   /* the URL each thread is posting to, or NULL */
    int stop;
    int delay_ms;
    struct job *queue;
    int drop, duplicate;
    json_t *log;                 /* array of delivery records */
    long long log_seq;
};

struct answer {
    long status;
    struct buf body;
};

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * nmemb;
    if (a->body.len < ANSWER_KEEP)
        buf_append(&a->body, data, len);
    return len;
}

/* One POST; fills *a.  Returns 0 when a response arrived in time. */
static int http_post(const char *url, const char *content_type, const char *extra_headers,
                     const char *body, int timeout_ms, struct answer *a)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char *ct = xasprintf("Content-Type: %s", content_type);
    int rc = -1;

    if (!curl)
        goto out;
    headers = curl_slist_append(headers, ct);
    for (const char *h = extra_headers; h && *h;) {
        const char *end = strchr(h, '\n');
        char *line = end ? xstrndup(h, (size_t)(end - h)) : xstrdup(h);
        headers = curl_slist_append(headers, line);
        free(line);
        h = end ? end + 1 : NULL;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "parley-emu");
    if (curl_easy_perform(curl) == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
        rc = 0;
    }
out:
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(ct);
    return rc;
}

static void job_free(struct job *j)
{
    if (!j)
        return;
    free(j->url);
    free(j->body);
    free(j->headers);
    free(j);
}

/* Insert J by due time (after jobs due at the same time).  Lock held. */
static void enqueue(struct emu_notify *n, struct job *j)
{
    struct job **link = &n->queue;
    while (*link && (*link)->due_ms <= j->due_ms)
        link = &(*link)->next;
    j->next = *link;
    *link = j;
    pthread_cond_signal(&n->wake);
}

static void record(struct emu_notify *n, const struct job *j, const char *outcome, long status,
                   const char *answer, long long duration_ms)
{
    char when[32];
    json_t *body = NULL;
    char *why = NULL;

    emu_ids_time_iso(clock_now_ms(), when);
    if (j->body && json_parse(j->body, strlen(j->body), &body, &why) != PARLEY_OK)
        body = json_string(j->body);
    free(why);
    json_t *entry = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:i, s:s?, s:I, s:o*}", "seq",
                              (json_int_t)++n->log_seq, "time", when, "kind", j->kind, "url",
                              j->url, "attempt", j->attempt, "outcome", outcome, "status",
                              (int)status, "answer", answer, "duration_ms",
                              (json_int_t)duration_ms, "body", body);
    json_array_append_new(n->log, entry);
    if (json_array_size(n->log) > LOG_KEEP)
        json_array_remove(n->log, 0);
}

static void deliver(struct emu_notify *n, struct job *j)
{
    struct answer a = {0, BUF_INIT};
    long long start = clock_mono_ms();
    int rc = http_post(j->url, "application/json; charset=utf-8", j->headers, j->body,
                       EMU_NOTIFY_TIMEOUT_MS, &a);
    long long took = clock_mono_ms() - start;
    int ok = rc == 0 && a.status >= 200 && a.status < 300;
    const char *outcome = ok ? "delivered" : (rc != 0 ? "no_answer" : "refused");

    if (!ok)
        log_info("emu", "notification not accepted", "s:url", j->url, "i:status", (int)a.status,
                 "i:attempt", j->attempt);
    pthread_mutex_lock(&n->lock);
    record(n, j, outcome, a.status, buf_str(&a.body), took);
    if (!ok && j->attempt < EMU_NOTIFY_ATTEMPTS && !n->stop) {
        j->due_ms = clock_mono_ms() + (1000LL << (j->attempt - 1));
        j->attempt++;
        enqueue(n, j);
        j = NULL;
    }
    pthread_mutex_unlock(&n->lock);
    job_free(j);
    buf_free(&a.body);
}

static void validate(struct emu_notify *n, struct job *j)
{
    struct answer a = {0, BUF_INIT};
    CURL *curl = curl_easy_init();
    char *escaped = curl ? curl_easy_escape(curl, j->token, 0) : NULL;
    char *url = xasprintf("%s%svalidationToken=%s", j->url, strchr(j->url, '?') ? "&" : "?",
                          escaped ? escaped : "");
    long long start = clock_mono_ms();
    int rc = http_post(url, "text/plain; charset=utf-8", NULL, "",
                       EMU_NOTIFY_VALIDATION_TIMEOUT_MS, &a);
    int ok = rc == 0 && a.status == 200 && strcmp(buf_str(&a.body), j->token) == 0;

    pthread_mutex_lock(&n->lock);
    record(n, j, ok ? "validated" : "validation_failed", a.status, buf_str(&a.body),
           clock_mono_ms() - start);
    j->result = ok ? PARLEY_OK : PARLEY_ERR_INVALID;
    j->done = 1;
    pthread_cond_broadcast(&n->finished);
    pthread_mutex_unlock(&n->lock);
    curl_free(escaped);
    curl_easy_cleanup(curl);
    free(url);
    buf_free(&a.body);
}

/* Whether a thread is posting to URL.  Lock held. */
static int url_busy(const struct emu_notify *n, const char *url)
{
    for (int i = 0; i < THREADS; i++)
        if (n->busy[i] && strcmp(n->busy[i], url) == 0)
            return 1;
    return 0;
}

/* Unlink and return the first job due by NOW that may start (validations
 * always may; notifications when their URL is free); else NULL with
 * *NEXT_DUE the earliest due time of a job that may start later (or -1).
 * Lock held. */
static struct job *take(struct emu_notify *n, long long now, long long *next_due)
{
    *next_due = -1;
    for (struct job **link = &n->queue; *link; link = &(*link)->next) {
        struct job *j = *link;
        if (!j->is_validation && url_busy(n, j->url))
            continue;
        if (j->due_ms > now) {
            *next_due = j->due_ms;
            return NULL;
        }
        *link = j->next;
        return j;
    }
    return NULL;
}

static void wait_until(struct emu_notify *n, long long due_ms, long long now)
{
    struct timespec until;
    long long wait_ms = due_ms - now;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&n->wake, &n->lock, &until);
}

struct worker {
    struct emu_notify *n;
    int index;
};

static void *run(void *arg)
{
    struct worker *w = arg;
    struct emu_notify *n = w->n;
    int self = w->index;

    free(w);
    pthread_mutex_lock(&n->lock);
    while (!n->stop) {
        long long now = clock_mono_ms(), next_due;
        struct job *j = take(n, now, &next_due);
        if (!j) {
            if (next_due < 0)
                pthread_cond_wait(&n->wake, &n->lock);
            else
                wait_until(n, next_due, now);
            continue;
        }
        char *url = j->is_validation ? NULL : xstrdup(j->url);   /* J may be freed by deliver */
        n->busy[self] = url;
        pthread_mutex_unlock(&n->lock);
        if (j->is_validation)
            validate(n, j);
        else
            deliver(n, j);
        pthread_mutex_lock(&n->lock);
        n->busy[self] = NULL;
        free(url);
        pthread_cond_broadcast(&n->wake);     /* jobs for that URL may start now */
    }
    pthread_mutex_unlock(&n->lock);
    return NULL;
}

struct emu_notify *emu_notify_new(int delay_ms)
{
    struct emu_notify *n = xcalloc(1, sizeof *n);
    pthread_condattr_t attr;

    pthread_mutex_init(&n->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&n->wake, &attr);
    pthread_cond_init(&n->finished, &attr);
    pthread_condattr_destroy(&attr);
    n->delay_ms = delay_ms;
    n->log = json_array();
    for (int i = 0; i < THREADS; i++) {
        struct worker *w = xcalloc(1, sizeof *w);
        w->n = n;
        w->index = i;
        if (pthread_create(&n->threads[i], NULL, run, w) != 0) {
            free(w);
            emu_notify_free(n);
            return NULL;
        }
        n->nthreads++;
    }
    return n;
}

/* Discard queued jobs, waking any validator whose job goes.  Lock held. */
static void drop_queue(struct emu_notify *n)
{
    while (n->queue) {
        struct job *j = n->queue;
        n->queue = j->next;
        if (j->is_validation) {
            j->result = PARLEY_ERR_CANCELLED;
            j->done = 1;
        } else {
            job_free(j);
        }
    }
    pthread_cond_broadcast(&n->finished);
}

void emu_notify_free(struct emu_notify *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->lock);
    n->stop = 1;
    drop_queue(n);
    pthread_cond_broadcast(&n->wake);
    pthread_mutex_unlock(&n->lock);
    for (int i = 0; i < n->nthreads; i++)
        pthread_join(n->threads[i], NULL);
    json_decref(n->log);
    pthread_cond_destroy(&n->wake);
    pthread_cond_destroy(&n->finished);
    pthread_mutex_destroy(&n->lock);
    free(n);
}

void emu_notify_post(struct emu_notify *n, const char *url, json_t *body, const char *kind)
{
    emu_notify_post_with_headers(n, url, body, NULL, kind);
}

void emu_notify_post_with_headers(struct emu_notify *n, const char *url, json_t *body,
                                  const char *const headers[], const char *kind)
{
    char *text = body ? json_to_string(body) : xstrdup("");
    struct buf lines = BUF_INIT;
    json_decref(body);
    for (size_t i = 0; headers && headers[i]; i++)
        buf_printf(&lines, "%s%s", i ? "\n" : "", headers[i]);

    pthread_mutex_lock(&n->lock);
    int copies = 1;
    if (n->drop > 0) {
        n->drop--;
        struct job dropped = {.url = (char *)url, .body = text, .kind = kind, .attempt = 0};
        record(n, &dropped, "dropped_by_fault", 0, NULL, 0);
        copies = 0;
    } else if (n->duplicate > 0) {
        n->duplicate--;
        copies = 2;
    }
    for (int i = 0; i < copies; i++) {
        struct job *j = xcalloc(1, sizeof *j);
        j->url = xstrdup(url);
        j->body = xstrdup(text);
        j->headers = lines.len ? xstrdup(buf_str(&lines)) : NULL;
        j->kind = kind;
        j->attempt = 1;
        j->due_ms = clock_mono_ms() + n->delay_ms;
        enqueue(n, j);
    }
    pthread_mutex_unlock(&n->lock);
    buf_free(&lines);
    free(text);
}

enum parley_err emu_notify_validate(struct emu_notify *n, const char *url, const char *token)
{
    struct job *j = xcalloc(1, sizeof *j);
    enum parley_err result;

    j->url = xstrdup(url);
    j->token = token;
    j->kind = "validation";
    j->attempt = 1;
    j->is_validation = 1;
    j->due_ms = 0;              /* before any notification */

    pthread_mutex_lock(&n->lock);
    enqueue(n, j);
    while (!j->done)
        pthread_cond_wait(&n->finished, &n->lock);
    result = j->result;
    pthread_mutex_unlock(&n->lock);
    job_free(j);
    return result;
}

void emu_notify_add_faults(struct emu_notify *n, int drop, int duplicate)
{
    pthread_mutex_lock(&n->lock);
    n->drop += drop;
    n->duplicate += duplicate;
    pthread_mutex_unlock(&n->lock);
}

json_t *emu_notify_json(struct emu_notify *n)
{
    int pending = 0;

    pthread_mutex_lock(&n->lock);
    for (struct job *j = n->queue; j; j = j->next)
        pending++;
    /* A deep copy: the delivery thread keeps appending to the log. */
    json_t *view = json_pack("{s:i, s:i, s:i, s:o}", "pending", pending, "drop", n->drop,
                             "duplicate", n->duplicate, "deliveries", json_deep_copy(n->log));
    pthread_mutex_unlock(&n->lock);
    return view;
}

void emu_notify_reset(struct emu_notify *n)
{
    pthread_mutex_lock(&n->lock);
    drop_queue(n);
    json_array_clear(n->log);
    n->drop = n->duplicate = 0;
    pthread_mutex_unlock(&n->lock);
}
