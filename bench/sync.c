/* sync.c - "Sync users" in bulk, end to end: a real `parley serve`
 * (temporary data dir, owners made with `parley admin create`, orgs joined
 * with `parley connect`) gives Google-primary people a Teams guest account
 * each on build/parley-emu, over loopback, through the admin API:
 *
 *   1. a generated Google customer is imported into each of two orgs (an
 *      emulator each: a Google account belongs to one org only);
 *   2. per run: N people are made Google-primary (POST people/primary,
 *      ids), then synced (POST /api/orgs/ORG/sync, ids), and
 *      GET /api/orgs/ORG/sync/summary is polled until nobody is busy.
 *
 *   run          org        Microsoft emulator
 *   unthrottled  free       no --rate-limit          (PEOPLE people)
 *   throttled    throttled  --rate-limit RATE         (THROTTLED people)
 *
 * Meanwhile the Microsoft emulator's request log (GET /_emu/requests) is
 * drained at every poll, so every platform request the hub made is counted
 * by kind and status.  The emulator's limiter (emulators/frame/ratelimit.c)
 * counts every request carrying the app's token or client_id (Graph calls,
 * client-credentials and ROPC token requests alike) in fixed one-second
 * windows, and does not count refused ones.  So the platform allows
 *
 *   RATE / (requests answered, not 429, per person)   people per second,
 *
 * and the figure is people/s divided by that (target >= 0.9).  Also: the
 * hub's CPU time per person (utime+stime from /proc), its peak RSS, the
 * emulator's CPU time, and from the hub's log the in-thread retry waits
 * (net/retry.c "retrying request") and the job retries (jobs/pool.c).
 *
 *   build/bench/sync [--people N] [--throttled N] [--rate-limit N]
 *                    [--workers N]      (PARLEY_BUILD picks the build dir) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "lib/bench_util.h"
#include "lib/emu_client.h"
#include "lib/google_client.h"
#include "lib/harness.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define DEFAULT_PEOPLE 10000
#define DEFAULT_THROTTLED 2000
#define DEFAULT_RATE 200
#define PASSWORD "correct horse battery staple"
#define IMPORT_TIMEOUT_MS (5 * 60 * 1000)
#define POLL_MS 150
#define PAGE 200                      /* GET /people's largest page */
#define MAX_PAGES 10000               /* bounds the id walk */
#define MIN_SYNC_TIMEOUT_MS (2 * 60 * 1000)
#define MAX_SYNC_TIMEOUT_MS (60 * 60 * 1000)

enum { ORG_FREE, ORG_THROTTLED, ORGS };

static const char *const org_names[ORGS] = { "free", "throttled" };
static const char *const owners[ORGS] = { "owner@free.example", "owner@throttled.example" };

struct options {
    long people;                      /* the unthrottled run */
    long throttled;                   /* the throttled run */
    long rate;                        /* --rate-limit of its emulator */
    long workers;                     /* the hub's --workers; 0: its default */
};

/* The hub and the emulators. */
struct bench {
    struct options opt;
    struct bench_dirs d;
    struct google_client google[ORGS]; /* the people's own platform, a customer per org
                                          (a Google account belongs to one org only) */
    struct emu_client ms[ORGS];       /* the guests' platform, per org */
    struct harness_hub hub;
    struct bench_session session[ORGS];
    int hub_pid;
};

/* Platform requests seen in the emulator's log during one run. */
struct requests {
    long long seq;                    /* the last seen */
    long long lost;                   /* entries that left the log unseen */
    long long total, refused;         /* refused: 429 */
    long long token, find, create, me, other;   /* answered (not 429), by kind */
};

/* One measured line. */
struct figures {
    const char *run;
    long rate;                        /* the emulator's limit; 0: none */
    long long people, synced, errors;
    long long wall_ms;                /* the sync request to nobody busy */
    long long steady_ms;              /* from 10 % to 90 % synced ... */
    long long steady_people;          /* ... this many people */
    long long hub_cpu_ms, emu_cpu_ms;
    double hub_peak_mib;
    struct requests req;
    long long http_retries, http_retry_wait_ms;   /* in-thread (net/retry.c) */
    long long job_retries, job_retry_wait_ms;     /* job attempts failed, retried */
};

/* ---- setting up ---- */

static int start_microsoft(struct bench *b, int org, long rate)
{
    char *path = xasprintf("%s/seed-ms-%s.json", b->d.dir, org_names[org]);
    char *seed = xasprintf("{\"microsoft\": {\"domain\": \"%s.onmicrosoft.com\"}}\n",
                           org_names[org]);
    char rate_text[24];
    const char *args[] = { "--rate-limit", rate_text, NULL };
    int rc = -1;

    snprintf(rate_text, sizeof rate_text, "%ld", rate);
    if (bench_write_private(path, seed) == 0)
        rc = emu_client_start(&b->ms[org], path, 0, rate > 0 ? args : NULL);
    free(seed);
    free(path);
    return rc;
}

static int setup(struct bench *b)
{
    const long users[ORGS] = { b->opt.people, b->opt.throttled };
    char workers[24];
    const char *hub_args[] = { "--workers", workers, NULL };
    int rc = -1;

    snprintf(workers, sizeof workers, "%ld", b->opt.workers);
    for (int i = 0; i < ORGS; i++) {
        char *seed = xasprintf("{\"google\": {\"domain\": \"%s.example\", \"admin_email\": "
                               "\"admin@%s.example\", \"generate\": {\"users\": %ld}}}",
                               org_names[i], org_names[i], users[i] > 0 ? users[i] : 1);
        int started = google_client_start(&b->google[i], seed, NULL);

        free(seed);
        if (started != 0 || start_microsoft(b, i, i == ORG_THROTTLED ? b->opt.rate : 0) != 0) {
            fprintf(stderr, "bench: parley-emu did not start\n");
            goto out;
        }
    }
    if (mkdir(b->d.data_dir, 0700) != 0)
        goto out;
    for (int i = 0; i < ORGS; i++) {
        if (harness_admin_create(b->d.data_dir, owners[i], org_names[i], "owner", PASSWORD) ||
            bench_connect_google(&b->google[i], org_names[i], b->d.data_dir, b->d.cli_log) ||
            bench_connect_microsoft(&b->ms[i], org_names[i], b->d.data_dir, b->d.dir, b->d.cli_log))
            goto out;
    }
    if (harness_hub_start(&b->hub, b->d.data_dir, b->opt.workers > 0 ? hub_args : NULL, NULL))
        goto out;
    b->hub_pid = harness_proc_pid(b->hub.proc);
    for (int i = 0; i < ORGS; i++)
        if (bench_session_login(&b->session[i], b->hub.url, owners[i], PASSWORD) != 0)
            goto out;
    rc = 0;
out:
    return rc;
}

static void teardown(struct bench *b)
{
    for (int i = 0; i < ORGS; i++)
        bench_session_free(&b->session[i]);
    if (b->hub.proc && harness_hub_stop(&b->hub) != 0)
        fprintf(stderr, "bench: the hub did not stop cleanly; see %s\n", b->hub.log_path);
    harness_hub_free(&b->hub);
    for (int i = ORGS - 1; i >= 0; i--) {
        emu_client_stop(&b->ms[i]);
        google_client_stop(&b->google[i]);
    }
}

/* Import the Google customer into ORG and wait for the job's end. */
static int import_google(struct bench *b, int org)
{
    struct bench_session *s = &b->session[org];
    struct harness_resp resp;
    char *path = xasprintf("/api/orgs/%s/imports/google", org_names[org]);
    char job_path[64];
    long long started = clock_mono_ms();
    int rc = -1;

    if (bench_session_call(s, "POST", path, json_object(), &resp) != 202) {
        fprintf(stderr, "bench: POST %s: %ld %s\n", path, resp.status, resp.body ? resp.body : "");
        goto out;
    }
    snprintf(job_path, sizeof job_path, "/api/jobs/%lld",
             (long long)json_integer_value(json_object_get(resp.json, "job_id")));
    while (rc != 0 && clock_mono_ms() - started < IMPORT_TIMEOUT_MS) {
        const char *state;
        harness_resp_clear(&resp);
        clock_sleep_ms(POLL_MS);
        if (bench_session_call(s, "GET", job_path, NULL, &resp) != 200)
            continue;
        state = json_get_str(resp.json, "state");
        if (state && strcmp(state, "dead") == 0) {
            fprintf(stderr, "bench: %s is dead: %s\n", job_path,
                    json_get_str(resp.json, "last_error"));
            goto out;
        }
        if (state && strcmp(state, "done") == 0)
            rc = 0;
    }
    if (rc != 0)
        fprintf(stderr, "bench: the import into %s did not end in %d ms\n", org_names[org],
                IMPORT_TIMEOUT_MS);
out:
    harness_resp_clear(&resp);
    free(path);
    return rc;
}

/* The ids of ORG's first N people (name order, Google accounts) as a JSON
 * array (a new reference), or NULL. */
static json_t *person_ids(struct bench *b, int org, long n)
{
    json_t *ids = json_array();
    char *after = NULL;
    int pages = 0;

    for (; (long)json_array_size(ids) < n && pages < MAX_PAGES; pages++) {
        struct harness_resp resp;
        char *escaped = after ? curl_easy_escape(NULL, after, 0) : NULL;
        char *path = xasprintf("/api/orgs/%s/people?platform=google&limit=%d%s%s",
                               org_names[org], PAGE, escaped ? "&after=" : "",
                               escaped ? escaped : "");
        const json_t *person;
        size_t i;
        long status = bench_session_call(&b->session[org], "GET", path, NULL, &resp);

        curl_free(escaped);
        free(path);
        free(after);
        after = NULL;
        if (status == 200) {
            json_array_foreach(json_object_get(resp.json, "people"), i, person)
                if ((long)json_array_size(ids) < n)
                    json_array_append(ids, json_object_get(person, "id"));
            if (json_get_str(resp.json, "next"))
                after = xstrdup(json_get_str(resp.json, "next"));
        }
        harness_resp_clear(&resp);
        if (status != 200 || !after)
            break;
    }
    free(after);
    if ((long)json_array_size(ids) != n) {
        fprintf(stderr, "bench: %s has %zu Google people, not %ld\n", org_names[org],
                json_array_size(ids), n);
        json_decref(ids);
        return NULL;
    }
    return ids;
}

/* ---- the emulator's request log ---- */

/* Count the log's entries after R->seq into R. */
static int drain_requests(struct emu_client *e, struct requests *r)
{
    struct harness_resp resp;
    char path[64];
    const json_t *entry;
    size_t i;
    int rc = -1;

    snprintf(path, sizeof path, "/requests?since=%lld", r->seq);
    if (emu_client_control(e, "GET", path, NULL, &resp) != 0 || resp.status != 200)
        goto out;
    json_array_foreach(json_object_get(resp.json, "requests"), i, entry) {
        long long seq = json_integer_value(json_object_get(entry, "seq"));
        const char *method = json_get_str(entry, "method"), *p = json_get_str(entry, "path");
        long status = (long)json_integer_value(json_object_get(entry, "status"));

        if (seq > r->seq + 1)
            r->lost += seq - r->seq - 1;
        r->seq = seq;
        r->total++;
        if (status == 429) {
            r->refused++;
            continue;
        }
        if (!method || !p)
            r->other++;
        else if (strstr(p, "/oauth2/v2.0/token"))
            r->token++;
        else if (strcmp(p, "/v1.0/me") == 0)
            r->me++;
        else if (strcmp(method, "POST") == 0 && strcmp(p, "/v1.0/users") == 0)
            r->create++;
        else if (strcmp(method, "GET") == 0 && strncmp(p, "/v1.0/users/", 12) == 0)
            r->find++;
        else
            r->other++;
    }
    rc = 0;
out:
    harness_resp_clear(&resp);
    return rc;
}

/* Empty the log, so a run counts only its own requests. */
static int clear_requests(struct emu_client *e, struct requests *r)
{
    struct harness_resp resp;
    int rc = emu_client_control(e, "DELETE", "/requests", NULL, &resp) == 0 &&
                     resp.status / 100 == 2 ? 0 : -1;

    harness_resp_clear(&resp);
    *r = (struct requests){ 0 };
    return rc;
}

/* ---- the hub's log ---- */

/* Sum of the integer after "\"KEY\":" on LINE, or 0. */
static long long line_int(const char *line, const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = strstr(line, pattern);

    return p ? atoll(p + strlen(pattern)) : 0;
}

/* Retries in the hub's log from byte FROM on: in-thread HTTP retries and
 * their waits, failed job attempts that will run again and their delays. */
static void scan_hub_log(const char *path, long from, struct figures *f)
{
    FILE *log = fopen(path, "r");
    char line[8192];

    if (!log)
        return;
    if (fseek(log, from, SEEK_SET) == 0) {
        while (fgets(line, sizeof line, log)) {
            if (strstr(line, "\"retrying request\"")) {
                f->http_retries++;
                f->http_retry_wait_ms += line_int(line, "delay_ms");
            } else if (strstr(line, "\"job attempt failed; will retry\"")) {
                f->job_retries++;
                f->job_retry_wait_ms += line_int(line, "retry_in_ms");
            }
        }
    }
    fclose(log);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* ---- one run ---- */

/* POST PATH with BODY (stolen) on ORG; the status, printed unless WANT. */
static int post(struct bench *b, int org, const char *path, json_t *body, long want,
                json_t **answer)
{
    struct harness_resp resp;
    long status = bench_session_call(&b->session[org], "POST", path, body, &resp);

    if (status != want)
        fprintf(stderr, "bench: POST %s: %ld %s\n", path, status, resp.body ? resp.body : "");
    else if (answer)
        *answer = json_incref(resp.json);
    harness_resp_clear(&resp);
    return status == want ? 0 : -1;
}

static long long summary_count(const json_t *summary, const char *status)
{
    return json_integer_value(json_object_get(json_object_get(summary, "counts"), status));
}

/* Sync N people of ORG and follow them to the end; fills F. */
static int sync_run(struct bench *b, int org, long n, struct figures *f)
{
    struct emu_client *e = &b->ms[org];
    char *primary_path = xasprintf("/api/orgs/%s/people/primary", org_names[org]);
    char *sync_path = xasprintf("/api/orgs/%s/sync", org_names[org]);
    char *summary_path = xasprintf("/api/orgs/%s/sync/summary", org_names[org]);
    /* At least three times what the platform allows at 4 requests a person. */
    long long timeout = f->rate > 0 ? 3LL * n * 4 * 1000 / f->rate : 0;
    json_t *ids = person_ids(b, org, n), *answer = NULL;
    long long cpu0, emu0, t0, t10 = -1, t90 = -1, done_ms = -1;
    long log_from;
    int rc = -1;

    timeout = timeout < MIN_SYNC_TIMEOUT_MS ? MIN_SYNC_TIMEOUT_MS
              : timeout > MAX_SYNC_TIMEOUT_MS ? MAX_SYNC_TIMEOUT_MS : timeout;
    f->people = n;
    if (!ids || post(b, org, primary_path, json_pack("{sOss}", "ids", ids, "primary_platform",
                                                     "google"), 200, NULL) != 0)
        goto out;
    /* The guest domain lookup and app token come once per connection: warm
     * nothing, the run pays for them as an admin's first sync would. */
    if (clear_requests(e, &f->req) != 0 || bench_proc_reset_peak(b->hub_pid) != 0)
        fprintf(stderr, "bench: cannot clear the request log or the hub's VmHWM\n");
    log_from = file_size(b->hub.log_path);
    cpu0 = bench_proc_cpu_ms(b->hub_pid);
    emu0 = bench_proc_cpu_ms(harness_proc_pid(e->proc));
    t0 = clock_mono_ms();
    if (post(b, org, sync_path, json_pack("{sO}", "ids", ids), 202, &answer) != 0)
        goto out;
    if (json_integer_value(json_object_get(answer, "queued")) != n)
        fprintf(stderr, "bench: the sync queued %lld jobs, not %ld\n",
                (long long)json_integer_value(json_object_get(answer, "queued")), n);
    while (done_ms < 0 && clock_mono_ms() - t0 < timeout) {
        struct harness_resp resp;
        long long now, synced;

        clock_sleep_ms(POLL_MS);
        if (drain_requests(e, &f->req) != 0)
            fprintf(stderr, "bench: cannot read the emulator's request log\n");
        if (bench_session_call(&b->session[org], "GET", summary_path, NULL, &resp) != 200) {
            harness_resp_clear(&resp);
            continue;
        }
        now = clock_mono_ms() - t0;
        synced = summary_count(resp.json, "synced");
        if (t10 < 0 && synced >= n / 10)
            t10 = now;
        if (t90 < 0 && synced >= n - n / 10) {
            t90 = now;
            f->steady_people = synced;
        }
        if (json_integer_value(json_object_get(resp.json, "busy")) == 0) {
            done_ms = now;
            f->synced = synced;
            f->errors = summary_count(resp.json, "error");
        }
        harness_resp_clear(&resp);
    }
    f->hub_cpu_ms = bench_proc_cpu_ms(b->hub_pid) - cpu0;
    f->emu_cpu_ms = bench_proc_cpu_ms(harness_proc_pid(e->proc)) - emu0;
    f->hub_peak_mib = bench_proc_mem_mib(b->hub_pid, "VmHWM");
    drain_requests(e, &f->req);
    scan_hub_log(b->hub.log_path, log_from, f);
    if (done_ms < 0) {
        fprintf(stderr, "bench: the sync of %ld people in %s did not end in %lld ms\n", n,
                org_names[org], timeout);
        goto out;
    }
    f->wall_ms = done_ms;
    if (t10 >= 0 && t90 > t10) {
        f->steady_ms = t90 - t10;
        f->steady_people -= n / 10;
    }
    rc = 0;
out:
    json_decref(answer);
    json_decref(ids);
    free(summary_path);
    free(sync_path);
    free(primary_path);
    return rc;
}

/* ---- printing ---- */

static double per(long long a, long long b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

static long long answered(const struct requests *r)
{
    return r->total - r->refused;
}

static void print_header(void)
{
    printf("| run | --rate-limit | people | synced | errors | wall s | people/s | steady "
           "people/s | requests/person (answered) | 429/person | allowed people/s | "
           "ratio | hub CPU ms/person | hub peak RSS MiB | emu CPU s |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

static void print_row(const struct figures *f)
{
    double rate = 1000.0 * per(f->synced, f->wall_ms);
    double steady = 1000.0 * per(f->steady_people, f->steady_ms);
    double req_per_person = per(answered(&f->req), f->synced);
    double allowed = f->rate > 0 && req_per_person > 0 ? (double)f->rate / req_per_person : 0;
    char limit[24] = "none", allowed_text[24] = "-", ratio[24] = "-";

    if (f->rate > 0) {
        snprintf(limit, sizeof limit, "%ld", f->rate);
        snprintf(allowed_text, sizeof allowed_text, "%.1f", allowed);
        snprintf(ratio, sizeof ratio, "%.2f", allowed > 0 ? rate / allowed : 0.0);
    }
    printf("| %s | %s | %lld | %lld | %lld | %.2f | %.1f | %.1f | %.2f | %.2f | %s | %s | "
           "%.2f | %.1f | %.2f |\n", f->run, limit, f->people, f->synced, f->errors,
           (double)f->wall_ms / 1000.0, rate, steady, req_per_person,
           per(f->req.refused, f->synced), allowed_text, ratio,
           per(f->hub_cpu_ms, f->synced), f->hub_peak_mib, (double)f->emu_cpu_ms / 1000.0);
    fflush(stdout);
}

static void print_details(const struct figures *f)
{
    const struct requests *r = &f->req;

    printf("  %s: platform requests %lld (%lld refused 429%s): token %lld, find %lld, "
           "create %lld, /me %lld, other %lld; hub retries in-thread %lld (waited %.1f s in "
           "all, %.0f ms each), job retries %lld (delay %.1f s in all)\n", f->run, r->total,
           r->refused, r->lost ? ", some entries left the log unseen" : "", r->token, r->find,
           r->create, r->me, r->other, f->http_retries, (double)f->http_retry_wait_ms / 1000.0,
           per(f->http_retry_wait_ms, f->http_retries), f->job_retries,
           (double)f->job_retry_wait_ms / 1000.0);
    if (r->lost)
        printf("  (%lld log entries were not seen: the counts are low by that much)\n", r->lost);
    fflush(stdout);
}

/* A fixed one-second window answered with a whole-second Retry-After: the
 * hub spends the window's RATE requests at its own pace S (requests/s,
 * measured unthrottled), then each worker waits the 1 s it is told from its
 * own 429, so a window costs RATE/S + 1 s and the ratio is 1 / (1 + RATE/S). */
static void print_prediction(const struct figures *free_run, const struct figures *throttled)
{
    double s = 1000.0 * per(answered(&free_run->req), free_run->wall_ms);

    if (s <= 0 || throttled->rate <= 0)
        return;
    printf("  the hub's own pace unthrottled: %.0f requests/s; with Retry-After 1 s after "
           "each window's %ld, expected ratio 1 / (1 + %ld / %.0f) = %.2f\n", s, throttled->rate,
           throttled->rate, s, 1.0 / (1.0 + (double)throttled->rate / s));
}

static int run(struct bench *b)
{
    struct figures f[ORGS] = {
        { .run = "unthrottled", .rate = 0 },
        { .run = "throttled", .rate = b->opt.rate },
    };
    const long people[ORGS] = { b->opt.people, b->opt.throttled };
    long long started = clock_mono_ms();

    if (setup(b) != 0)
        return -1;
    printf("set-up (4 emulators, 2 orgs, 4 connections, hub, sign-ins): %lld ms\n",
           clock_mono_ms() - started);
    started = clock_mono_ms();
    for (int i = 0; i < ORGS; i++)
        if (import_google(b, i) != 0)
            return -1;
    printf("imports of the Google customers into both orgs: %lld ms\n\n",
           clock_mono_ms() - started);
    print_header();
    for (int i = 0; i < ORGS; i++) {
        if (people[i] <= 0)
            continue;
        if (sync_run(b, i, people[i], &f[i]) != 0)
            return -1;
        print_row(&f[i]);
    }
    printf("\n");
    for (int i = 0; i < ORGS; i++)
        if (people[i] > 0)
            print_details(&f[i]);
    if (people[ORG_FREE] > 0 && people[ORG_THROTTLED] > 0)
        print_prediction(&f[ORG_FREE], &f[ORG_THROTTLED]);
    printf("\nhub: CPU time (utime+stime) in all %.2f s, RSS now %.1f MiB\n",
           (double)bench_proc_cpu_ms(b->hub_pid) / 1000.0,
           bench_proc_mem_mib(b->hub_pid, "VmRSS"));
    return 0;
}

/* --name N options into OPT; 0 when they make sense. */
static int parse_options(int argc, char **argv, struct options *opt)
{
    for (int i = 1; i < argc; i++) {
        long *slot = strcmp(argv[i], "--people") == 0       ? &opt->people
                     : strcmp(argv[i], "--throttled") == 0  ? &opt->throttled
                     : strcmp(argv[i], "--rate-limit") == 0 ? &opt->rate
                     : strcmp(argv[i], "--workers") == 0    ? &opt->workers
                                                            : NULL;
        char *end;

        if (!slot || i + 1 >= argc)
            return -1;
        *slot = strtol(argv[++i], &end, 10);
        if (*end || *slot < 0 || *slot > 1000000)
            return -1;
    }
    return opt->rate > 0 && opt->workers <= 64 ? 0 : -1;
}

/* OPT's --workers as text (static storage). */
static const char *argv_workers(const struct options *opt)
{
    static char text[24];

    snprintf(text, sizeof text, "%ld", opt->workers);
    return text;
}

int main(int argc, char **argv)
{
    struct bench b = { .opt = { DEFAULT_PEOPLE, DEFAULT_THROTTLED, DEFAULT_RATE, 0 } };
    int rc = 1;

    if (parse_options(argc, argv, &b.opt) != 0) {
        fprintf(stderr, "usage: sync [--people N] [--throttled N] [--rate-limit N] "
                        "[--workers N]\n  defaults %d, %d, %d, the hub's own workers; "
                        "0 people skips a run\n", DEFAULT_PEOPLE, DEFAULT_THROTTLED,
                DEFAULT_RATE);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bench_dirs_make(&b.d, "parley-bench-sync");
    printf("User sync: Google-primary people get Teams guest accounts on parley-emu, through "
           "parley serve (--workers %s), on loopback: %ld people unthrottled, %ld with "
           "--rate-limit %ld\n\n", b.opt.workers ? argv_workers(&b.opt) : "default",
           b.opt.people, b.opt.throttled, b.opt.rate);
    if (run(&b) == 0)
        rc = 0;
    else if (b.hub.log_path)
        fprintf(stderr, "bench: the hub's log: %s\n", b.hub.log_path);
    teardown(&b);
    bench_dirs_free(&b.d, rc == 0);
    curl_global_cleanup();
    return rc;
}
