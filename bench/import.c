/* import.c - "Import users" end to end: a real `parley serve` (temporary
 * data dir, an owner created with `parley admin create`, the org connected
 * with `parley connect`) imports from build/parley-emu over loopback
 *
 *   google     every user of a generated customer (100,000 + the admin),
 *              users.list pages of 500
 *   microsoft  the members of 10 generated teams sharing 100,000 users
 *              round-robin, team member pages of 100 (Graph's default)
 *
 * each triggered through the admin API (POST /api/orgs/ORG/imports/...) and
 * followed with GET /api/jobs/:id to the end.  Right after each import the
 * emulator's own page-serving rate is measured by walking the same pages,
 * same page size, with one keep-alive client; the ratio of the two rates is
 * the figure (the hub cannot import faster than the platform lists).  A
 * re-import of the Google users (every person unchanged), one Microsoft
 * import over TLS (a second emulator, a second org), and the Google users
 * into a third org with the emulator answering each page PACE_MS late (a
 * platform that is not instant; the walk is paced alike) follow.  At the end the
 * hub's peak RSS (VmHWM) and CPU time (utime + stime) are read from /proc.
 *
 *   build/bench/import [USERS]      (PARLEY_BUILD picks the build dir) */
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

#define DEFAULT_USERS 100000
#define TEAMS 10
#define PASSWORD "correct horse battery staple"
#define JOB_TIMEOUT_MS (10 * 60 * 1000)
#define POLL_MS 50
#define MAX_PAGES 100000              /* bounds every walk */
#define GOOGLE_PAGE 500               /* src/platform/google/users.c */
#define PACE_MS 20                    /* the paced run: each users.list page this late */
#define ORGS 3
#define STR_(x) #x
#define STR(x) STR_(x)

/* The hub and the emulators of one run. */
struct bench {
    struct bench_dirs d;
    struct google_client google;      /* Google emulator, plain HTTP */
    struct google_client paced;       /* another customer, for the paced run */
    struct emu_client ms;             /* Microsoft emulator, plain HTTP */
    struct emu_client ms_tls;         /* Microsoft emulator, TLS */
    struct harness_hub hub;
    struct bench_session sessions[ORGS]; /* one per org's owner ... */
    int session;                      /* ... this one in use */
    int hub_pid;
};

static const char *const orgs[ORGS] = { "bench", "benchtls", "benchpaced" };
static const char *const owners[ORGS] = { "owner@bench.example", "owner@tls.example",
                                          "owner@paced.example" };

/* One measured line. */
struct figures {
    const char *what;
    const char *transport;
    long long people;                 /* fetched by the import */
    long long created, unchanged, failed;
    long long wall_ms;                /* enqueue to done, by the job's own timestamps */
    long long hub_cpu_ms;             /* the hub's CPU time meanwhile */
    double hub_written_mib;           /* what the hub wrote meanwhile (/proc/PID/io wchar) */
    long long emu_cpu_ms;             /* the emulator's CPU time meanwhile */
    long long walk_people;            /* the emulator walk: people listed ... */
    long long walk_ms;                /* ... in this time */
};

/* ---- setting up ---- */

/* Sign in as each owner, each with a client of its own. */
static int login(struct bench *b)
{
    for (int i = 0; i < ORGS; i++)
        if (bench_session_login(&b->sessions[i], b->hub.url, owners[i], PASSWORD) != 0)
            return -1;
    return 0;
}

/* Start E on a seed of USERS generated users in TEAMS teams of DOMAIN (each
 * emulator its own tenant, so the account ids of the two orgs differ). */
static int start_microsoft(struct bench *b, struct emu_client *e, const char *domain, int tls,
                           long users)
{
    char *path = xasprintf("%s/seed-%s.json", b->d.dir, domain);
    char *seed = xasprintf("{\"microsoft\": {\"domain\": \"%s\", \"generate\": "
                           "{\"users\": %ld, \"teams\": %d}}}\n", domain, users, TEAMS);
    int rc = -1;

    if (bench_write_private(path, seed) == 0)
        rc = emu_client_start(e, path, tls, NULL);
    free(seed);
    free(path);
    return rc;
}

/* The emulators, the owners of both orgs, the connections, the hub. */
static int setup(struct bench *b, long users)
{
    char *google_seed = xasprintf("{\"google\": {\"domain\": \"bench.example\", \"admin_email\": "
                                  "\"admin@bench.example\", \"generate\": {\"users\": %ld}}}",
                                  users);
    char *paced_seed = xasprintf("{\"google\": {\"domain\": \"paced.example\", \"admin_email\": "
                                 "\"admin@paced.example\", \"customer_id\": \"C0paced00\", "
                                 "\"generate\": {\"users\": %ld}}}", users);
    int rc = -1;

    if (google_client_start(&b->google, google_seed, NULL) != 0 ||
        google_client_start(&b->paced, paced_seed, NULL) != 0 ||
        start_microsoft(b, &b->ms, "bench.onmicrosoft.com", 0, users) != 0 ||
        start_microsoft(b, &b->ms_tls, "tls.onmicrosoft.com", 1, users) != 0) {
        fprintf(stderr, "bench: parley-emu did not start\n");
        goto out;
    }
    if (mkdir(b->d.data_dir, 0700) != 0)
        goto out;
    for (int i = 0; i < ORGS; i++)
        if (harness_admin_create(b->d.data_dir, owners[i], orgs[i], "owner", PASSWORD))
            goto out;
    if (bench_connect_google(&b->google, "bench", b->d.data_dir, b->d.cli_log) ||
        bench_connect_google(&b->paced, "benchpaced", b->d.data_dir, b->d.cli_log) ||
        bench_connect_microsoft(&b->ms, "bench", b->d.data_dir, b->d.dir, b->d.cli_log) ||
        bench_connect_microsoft(&b->ms_tls, "benchtls", b->d.data_dir, b->d.dir, b->d.cli_log) ||
        harness_hub_start(&b->hub, b->d.data_dir, NULL, NULL) != 0)
        goto out;
    b->hub_pid = harness_proc_pid(b->hub.proc);
    rc = 0;
out:
    free(paced_seed);
    free(google_seed);
    return rc;
}

static void teardown(struct bench *b)
{
    for (int i = 0; i < ORGS; i++)
        bench_session_free(&b->sessions[i]);
    if (b->hub.proc && harness_hub_stop(&b->hub) != 0)
        fprintf(stderr, "bench: the hub did not stop cleanly; see %s\n", b->hub.log_path);
    harness_hub_free(&b->hub);
    emu_client_stop(&b->ms_tls);
    emu_client_stop(&b->ms);
    google_client_stop(&b->paced);
    google_client_stop(&b->google);
}

/* ---- the admin API ---- */

/* METHOD PATH on the hub, as the owner in use, with BODY (stolen, may be
 * NULL); the status. */
static long call(struct bench *b, const char *method, const char *path, json_t *body,
                 struct harness_resp *resp)
{
    return bench_session_call(&b->sessions[b->session], method, path, body, resp);
}

/* The org's team ids as a JSON array (a new reference), or NULL. */
static json_t *team_ids(struct bench *b, const char *org)
{
    struct harness_resp resp;
    char *path = xasprintf("/api/orgs/%s/microsoft/teams", org);
    json_t *ids = NULL, *team;
    size_t i;

    if (call(b, "GET", path, NULL, &resp) == 200) {
        ids = json_array();
        json_array_foreach(json_object_get(resp.json, "teams"), i, team)
            json_array_append(ids, json_object_get(team, "id"));
    } else {
        fprintf(stderr, "bench: GET %s: %ld %s\n", path, resp.status, resp.body ? resp.body : "");
    }
    harness_resp_clear(&resp);
    free(path);
    return ids;
}

static long long count_of(const json_t *job, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(job, "result"), name));
}

/* Enqueue the import (POST PATH with BODY, stolen) and poll its job to the
 * end; fills F's import side.  0 when the job is done. */
static int run_import(struct bench *b, const char *path, json_t *body, struct figures *f)
{
    struct harness_resp resp;
    long long cpu0 = bench_proc_cpu_ms(b->hub_pid), started = clock_mono_ms();
    double written0 = bench_proc_io_mib(b->hub_pid, "wchar");
    char job_path[64];
    json_t *job = NULL;
    int rc = -1;

    if (call(b, "POST", path, body, &resp) != 202) {
        fprintf(stderr, "bench: POST %s: %ld %s\n", path, resp.status, resp.body ? resp.body : "");
        harness_resp_clear(&resp);
        return -1;
    }
    snprintf(job_path, sizeof job_path, "/api/jobs/%lld",
             (long long)json_integer_value(json_object_get(resp.json, "job_id")));
    harness_resp_clear(&resp);
    while (clock_mono_ms() - started < JOB_TIMEOUT_MS) {
        const char *state;
        clock_sleep_ms(POLL_MS);
        if (call(b, "GET", job_path, NULL, &resp) != 200) {
            harness_resp_clear(&resp);
            continue;
        }
        state = json_get_str(resp.json, "state");
        if (state && (strcmp(state, "done") == 0 || strcmp(state, "dead") == 0)) {
            job = json_incref(resp.json);
            harness_resp_clear(&resp);
            break;
        }
        harness_resp_clear(&resp);
    }
    f->hub_cpu_ms = bench_proc_cpu_ms(b->hub_pid) - cpu0;
    f->hub_written_mib = bench_proc_io_mib(b->hub_pid, "wchar") - written0;
    if (!job) {
        fprintf(stderr, "bench: %s did not finish in %d ms\n", job_path, JOB_TIMEOUT_MS);
        goto out;
    }
    if (strcmp(json_get_str(job, "state"), "done") != 0) {
        fprintf(stderr, "bench: %s is dead: %s\n", job_path, json_get_str(job, "last_error"));
        goto out;
    }
    f->wall_ms = json_integer_value(json_object_get(job, "updated_at")) -
                 json_integer_value(json_object_get(job, "created_at"));
    f->people = count_of(job, "fetched");
    f->created = count_of(job, "new");
    f->unchanged = count_of(job, "unchanged");
    f->failed = count_of(job, "failed");
    rc = 0;
out:
    json_decref(job);
    return rc;
}

/* ---- walking the emulator directly ---- */

/* Walk every page from URL with G, the next page's URL made by NEXT from
 * the body; counts the people (occurrences of MARKER).  -1 on a failure. */
static long long walk(struct bench_getter *g, char *url, const char *marker,
                      char *(*next)(const char *first_url, const char *body))
{
    long long people = 0;
    char *first = xstrdup(url);

    for (int pages = 0; url && pages < MAX_PAGES; pages++) {
        long status = bench_get(g, url);
        free(url);
        url = NULL;
        if (status != 200) {
            fprintf(stderr, "bench: emulator page: status %ld\n", status);
            people = -1;
            break;
        }
        people += (long long)bench_count(bench_getter_body(g), marker);
        url = next(first, bench_getter_body(g));
    }
    free(url);
    free(first);
    return people;
}

/* Graph: @odata.nextLink is the next page's absolute URL. */
static char *graph_next(const char *first_url, const char *body)
{
    (void)first_url;
    return bench_json_str_field(body, "@odata.nextLink");
}

/* Directory: the first URL plus &pageToken=nextPageToken. */
static char *google_next(const char *first_url, const char *body)
{
    char *token = bench_json_str_field(body, "nextPageToken");
    char *escaped = token ? curl_easy_escape(NULL, token, 0) : NULL;
    char *url = escaped ? xasprintf("%s&pageToken=%s", first_url, escaped) : NULL;

    curl_free(escaped);
    free(token);
    return url;
}

/* users.list through the whole customer, pages of GOOGLE_PAGE, as the
 * connector asks for them. */
static int walk_google(struct google_client *google, struct figures *f)
{
    const json_t *ep = google->google;
    char *token = google_client_token(google, json_get_str(ep, "admin_email"),
                                      "admin.directory.user.readonly");
    struct bench_getter *g = token ? bench_getter_new(NULL, token) : NULL;
    int rc = -1;

    if (!g)
        goto out;
    bench_get(g, json_get_str(ep, "root_url"));       /* connect before the clock starts */
    long long t0 = clock_mono_ms();
    f->walk_people = walk(g, xasprintf("%sadmin/directory/v1/users?customer=%s&maxResults=%d",
                                       json_get_str(ep, "root_url"),
                                       json_get_str(ep, "customer_id"), GOOGLE_PAGE),
                          "\"primaryEmail\"", google_next);
    f->walk_ms = clock_mono_ms() - t0;
    rc = f->walk_people > 0 ? 0 : -1;
out:
    bench_getter_free(g);
    free(token);
    return rc;
}

/* The members of each team in IDS, Graph's default page (100), as the
 * connector lists them. */
static int walk_teams(struct emu_client *e, const json_t *ids, struct figures *f)
{
    char *token = emu_client_app_token(e);
    const char *base = json_get_str(json_object_get(e->endpoints, "microsoft"), "graph_base");
    struct bench_getter *g = token ? bench_getter_new(json_get_str(e->endpoints, "ca_file"), token)
                                   : NULL;
    const json_t *id;
    size_t i;
    int rc = -1;

    if (!g)
        goto out;
    bench_get(g, base);                               /* connect before the clock starts */
    long long t0 = clock_mono_ms();
    f->walk_people = 0;
    json_array_foreach(ids, i, id) {
        char *escaped = curl_easy_escape(NULL, json_string_value(id), 0);
        long long n = walk(g, xasprintf("%s/teams/%s/members", base, escaped),
                           "\"userId\"", graph_next);
        curl_free(escaped);
        if (n < 0)
            goto out;
        f->walk_people += n;
    }
    f->walk_ms = clock_mono_ms() - t0;
    rc = 0;
out:
    bench_getter_free(g);
    free(token);
    return rc;
}

/* ---- the measurements ---- */

static double rate(long long n, long long ms)
{
    return ms > 0 ? 1000.0 * (double)n / (double)ms : 0.0;
}

static void print_header(void)
{
    printf("| import | transport | people | new | unchanged | failed | hub wall s | hub "
           "people/s | hub CPU s | hub MiB written | emu CPU s | emulator walk s | emulator "
           "people/s | hub/emulator |\n"
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
}

static void print_row(const struct figures *f)
{
    double hub = rate(f->people, f->wall_ms), emu = rate(f->walk_people, f->walk_ms);

    printf("| %s | %s | %lld | %lld | %lld | %lld | %.2f | %.0f | %.2f | %.0f | %.2f | %.2f | "
           "%.0f | %.2f |\n", f->what, f->transport, f->people, f->created, f->unchanged,
           f->failed, (double)f->wall_ms / 1000.0, hub, (double)f->hub_cpu_ms / 1000.0,
           f->hub_written_mib, (double)f->emu_cpu_ms / 1000.0, (double)f->walk_ms / 1000.0, emu,
           emu > 0 ? hub / emu : 0.0);
    fflush(stdout);
}

/* Make the Google emulator answer each of the next PAGES users.list pages
 * PACE_MS late (0 PAGES: no longer).  0 on success. */
static int pace_google(struct google_client *google, long pages)
{
    struct harness_resp resp;
    char *rule = xasprintf("{\"method\": \"GET\", \"path_prefix\": "
                           "\"/admin/directory/v1/users\", \"count\": %ld, "
                           "\"latency_ms\": %d}", pages, PACE_MS);
    int rc = pages ? google_client_call(google, "POST", NULL, rule, &resp, "_emu/faults")
                   : google_client_call(google, "DELETE", NULL, NULL, &resp, "_emu/faults");
    long status = rc == 0 ? resp.status : 0;

    harness_resp_clear(&resp);
    free(rule);
    if (status / 100 != 2)
        fprintf(stderr, "bench: the emulator's faults: %ld\n", status);
    return status / 100 == 2 ? 0 : -1;
}

/* The Google import of the org in use (then the emulator walk); WHAT names
 * the line; PAGES > 0: from the other customer, both with every page
 * PACE_MS late. */
static int bench_google(struct bench *b, const char *what, long pages, struct figures *f)
{
    struct google_client *google = pages ? &b->paced : &b->google;
    int pid = harness_proc_pid(google->proc);
    long long emu0 = bench_proc_cpu_ms(pid);
    char *path = xasprintf("/api/orgs/%s/imports/google", orgs[b->session]);
    int rc = -1;

    *f = (struct figures){ .what = what, .transport = "http" };
    if ((pages && pace_google(google, pages) != 0) || run_import(b, path, json_object(), f) != 0)
        goto out;
    f->emu_cpu_ms = bench_proc_cpu_ms(pid) - emu0;
    if ((pages && pace_google(google, pages) != 0) || walk_google(google, f) != 0)
        goto out;
    print_row(f);
    rc = pages ? pace_google(google, 0) : 0;
out:
    free(path);
    return rc;
}

/* The Microsoft import of every team of ORG from E (then the emulator walk). */
static int bench_microsoft(struct bench *b, const char *org, struct emu_client *e,
                           const char *transport, struct figures *f)
{
    json_t *ids = team_ids(b, org);
    int pid = harness_proc_pid(e->proc);
    long long emu0 = bench_proc_cpu_ms(pid);
    char *path = xasprintf("/api/orgs/%s/imports/microsoft", org);
    int rc = -1;

    *f = (struct figures){ .what = "microsoft teams", .transport = transport };
    if (!ids || json_array_size(ids) != TEAMS) {
        fprintf(stderr, "bench: expected %d teams\n", TEAMS);
        goto out;
    }
    if (run_import(b, path, json_pack("{sO}", "team_ids", ids), f) != 0)
        goto out;
    f->emu_cpu_ms = bench_proc_cpu_ms(pid) - emu0;
    if (walk_teams(e, ids, f) != 0)
        goto out;
    print_row(f);
    rc = 0;
out:
    free(path);
    json_decref(ids);
    return rc;
}

static int run(struct bench *b, long users)
{
    struct figures f;
    long long started = clock_mono_ms();
    double login_peak;

    if (setup(b, users) != 0)
        return -1;
    printf("set-up (4 emulators, 3 orgs, 4 connections, hub): %lld ms; hub RSS %.1f MiB\n\n",
           clock_mono_ms() - started, bench_proc_mem_mib(b->hub_pid, "VmRSS"));
    /* A sign-in hashes with argon2id (64 MiB): take its peak apart. */
    if (login(b) != 0)
        return -1;
    login_peak = bench_proc_mem_mib(b->hub_pid, "VmHWM");
    if (bench_proc_reset_peak(b->hub_pid) != 0)
        fprintf(stderr, "bench: cannot reset the hub's VmHWM; its peak includes the sign-in\n");
    print_header();
    if (bench_google(b, "google users", 0, &f) ||
        bench_microsoft(b, "bench", &b->ms, "http", &f) ||
        bench_google(b, "google users again", 0, &f))
        return -1;
    b->session = 1;
    if (bench_microsoft(b, "benchtls", &b->ms_tls, "https", &f))
        return -1;
    b->session = 2;
    if (bench_google(b, "google users, a page every " STR(PACE_MS) " ms", users / GOOGLE_PAGE + 2,
                     &f))
        return -1;
    printf("\nhub: peak RSS (VmHWM) during the imports %.1f MiB (%.1f MiB at the sign-ins, "
           "argon2id); RSS now %.1f MiB; CPU time (utime+stime) %.2f s\n",
           bench_proc_mem_mib(b->hub_pid, "VmHWM"), login_peak,
           bench_proc_mem_mib(b->hub_pid, "VmRSS"),
           (double)bench_proc_cpu_ms(b->hub_pid) / 1000.0);
    return 0;
}

int main(int argc, char **argv)
{
    long users = argc > 1 ? atol(argv[1]) : DEFAULT_USERS;
    struct bench b = { 0 };
    int rc = 1;

    if (users <= 0 || users > 1000000) {
        fprintf(stderr, "usage: import [USERS]   (1 to 1000000, default %d)\n", DEFAULT_USERS);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bench_dirs_make(&b.d, "parley-bench-import");
    printf("Import users: %ld Google users and %ld Teams members (%d teams) from parley-emu "
           "into parley serve, on loopback\n\n", users, users, TEAMS);
    if (run(&b, users) == 0)
        rc = 0;
    else if (b.hub.log_path)
        fprintf(stderr, "bench: the hub's log: %s\n", b.hub.log_path);
    teardown(&b);
    bench_dirs_free(&b.d, rc == 0);
    curl_global_cleanup();
    return rc;
}
