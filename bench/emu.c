/* emu.c - throughput of build/parley-emu's Microsoft side with a generated
 * tenant of 100,000 users: requests per second for
 *
 *   token       POST /{tenant}/oauth2/v2.0/token, client_credentials
 *   list-users  GET /v1.0/users?$top=100, following @odata.nextLink
 *   send        POST /v1.0/chats/{id}/messages with a user token
 *
 * each with 1 client and with 32 concurrent keep-alive connections (one
 * thread and one curl handle each), over plain HTTP and then over TLS; plus
 * the emulator's peak RSS (VmHWM) after seeding and after the run.  Every
 * measurement stops after RUN_MS or MAX_REQUESTS, whichever comes first.
 * Besides the wall-clock rate, each row gives the requests per second of the
 * emulator's own CPU time (user + system, from /proc/PID/stat): on a shared
 * machine that is the steadier figure, and it is what "one core" means.
 *
 *   build/bench/emu [http|https|token|list-users|send ...]
 *
 * Arguments restrict the run to those transports and request kinds (default:
 * all); PARLEY_BUILD picks the build dir. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "lib/bench_util.h"
#include "lib/emu_client.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define USERS 100000
#define RUN_MS 3000
#define MAX_REQUESTS 200000
#define MAX_THREADS 32
#define PASSWORD "Emulator-Passw0rd"

enum kind { TOKEN, LIST_USERS, SEND };
static const char *const kind_names[] = {"token", "list-users", "send"};

/* What every worker of one measurement shares. */
struct run {
    struct emu_client *emu;
    enum kind kind;
    const char *app_token;
    char *user_tokens[MAX_THREADS];   /* send: one sender per thread ... */
    char *chats[MAX_THREADS];         /* ... in a 1:1 chat of its own */
    long long deadline_ms;
    int budget;                       /* requests per thread */
};

struct worker {
    struct run *run;
    int index;
    long ok, failed;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    buf_append(ctx, data, size * nmemb);
    return size * nmemb;
}

/* One request on the worker's handle; returns the status (0: transport failure). */
static long perform(CURL *curl, const char *url, struct curl_slist *headers, const char *post,
                    struct buf *body)
{
    long status = 0;
    buf_reset(body);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (post)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post);
    else
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    const char *origin = r->emu->origin;
    CURL *curl = curl_easy_init();
    struct buf body = BUF_INIT;
    struct curl_slist *headers = NULL;
    char *url = NULL, *post = NULL, *auth = NULL;
    const char *ca = json_get_str(r->emu->endpoints, "ca_file");

    if (ca)
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    switch (r->kind) {
    case TOKEN:
        url = xasprintf("%s/%s/oauth2/v2.0/token", origin, r->emu->tenant_id);
        post = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s"
                         "&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default",
                         r->emu->client_id, r->emu->client_secret);
        break;
    case LIST_USERS:
        auth = xasprintf("Authorization: Bearer %s", r->app_token);
        break;
    case SEND: {
        char *escaped = curl_easy_escape(curl, r->chats[w->index], 0);
        url = xasprintf("%s/v1.0/chats/%s/messages", origin, escaped);
        curl_free(escaped);
        auth = xasprintf("Authorization: Bearer %s", r->user_tokens[w->index]);
        post = xstrdup("{\"body\":{\"contentType\":\"text\",\"content\":\"bench message\"}}");
        headers = curl_slist_append(headers, "Content-Type: application/json");
        break;
    }
    }
    if (auth)
        headers = curl_slist_append(headers, auth);

    char *page = NULL;
    for (int n = 0; n < r->budget && clock_mono_ms() < r->deadline_ms; n++) {
        if (r->kind == LIST_USERS && !page)
            page = xasprintf("%s/v1.0/users?$top=100", origin);
        long status = perform(curl, r->kind == LIST_USERS ? page : url, headers, post, &body);
        if (status >= 200 && status < 300)
            w->ok++;
        else
            w->failed++;
        if (r->kind == LIST_USERS) {
            free(page);
            page = bench_json_str_field(buf_str(&body), "@odata.nextLink");
        }
    }
    free(page);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    buf_free(&body);
    free(url);
    free(post);
    free(auth);
    return NULL;
}

/* The emulator's CPU time so far (user + system) in seconds, or -1. */
static double cpu_seconds(struct emu_client *e)
{
    long long ms = bench_proc_cpu_ms(harness_proc_pid(e->proc));

    return ms < 0 ? -1 : (double)ms / 1000.0;
}

/* Run KIND with THREADS workers; prints one table row. */
static void measure(struct run *r, enum kind kind, int threads, const char *transport)
{
    pthread_t tids[MAX_THREADS];
    struct worker workers[MAX_THREADS];
    long ok = 0, failed = 0;

    r->kind = kind;
    r->budget = MAX_REQUESTS / threads;
    double cpu_start = cpu_seconds(r->emu);
    long long start = clock_mono_ms();
    r->deadline_ms = start + RUN_MS;
    for (int i = 0; i < threads; i++) {
        workers[i] = (struct worker){.run = r, .index = i};
        pthread_create(&tids[i], NULL, work, &workers[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(tids[i], NULL);
        ok += workers[i].ok;
        failed += workers[i].failed;
    }
    double secs = (double)(clock_mono_ms() - start) / 1000.0;
    double cpu = cpu_seconds(r->emu) - cpu_start;
    printf("| %-5s | %-10s | %7d | %9ld | %6ld | %9.0f | %9.0f |\n", transport, kind_names[kind],
           threads, ok, failed, (double)ok / secs, cpu > 0 ? (double)ok / cpu : 0.0);
    fflush(stdout);
}

/* A 1:1 chat for each thread: user(2i+1) with user(2i+2), and the sender's token. */
static int prepare_senders(struct run *r)
{
    for (int i = 0; i < MAX_THREADS; i++) {
        char me[64], other[64];
        snprintf(me, sizeof me, "user%06d@contoso.onmicrosoft.com", 2 * i + 1);
        snprintf(other, sizeof other, "user%06d@contoso.onmicrosoft.com", 2 * i + 2);
        r->user_tokens[i] = emu_client_user_token(r->emu, me, PASSWORD);
        char *body = xasprintf("{\"chatType\":\"oneOnOne\",\"members\":["
                               "{\"user@odata.bind\":\"users('%s')\"},"
                               "{\"user@odata.bind\":\"users('%s')\"}]}", me, other);
        struct harness_resp resp = {0};
        if (r->user_tokens[i])
            emu_client_graph(r->emu, r->user_tokens[i], "POST", "/chats", body, NULL, &resp);
        free(body);
        if (resp.status == 201)
            r->chats[i] = xstrdup(json_get_str(resp.json, "id"));
        harness_resp_clear(&resp);
        if (!r->chats[i])
            return -1;
    }
    return 0;
}

static void clear_run(struct run *r)
{
    for (int i = 0; i < MAX_THREADS; i++) {
        free(r->user_tokens[i]);
        free(r->chats[i]);
    }
    free((char *)r->app_token);
}

/* Whether NAME was asked for: no arguments ask for everything; otherwise
 * NAME must be listed, unless no argument is one of CHOICES (a group not
 * restricted). */
static int wanted(int argc, char **argv, const char *name, const char *const choices[],
                  size_t n_choices)
{
    int restricted = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return 1;
        for (size_t c = 0; c < n_choices; c++)
            restricted |= strcmp(argv[i], choices[c]) == 0;
    }
    return !restricted;
}

/* Start an emulator on SEED (TLS or not), run the measurements asked for. */
static int bench_transport(const char *seed, int tls, int argc, char **argv)
{
    struct emu_client emu;
    struct run r = {.emu = &emu};
    const char *transport = tls ? "https" : "http";
    static const int thread_counts[] = {1, MAX_THREADS};
    long long started = clock_mono_ms();

    if (emu_client_start(&emu, seed, tls, NULL) != 0) {
        fprintf(stderr, "bench: parley-emu did not start\n");
        return -1;
    }
    printf("%s: started with %d users in %lld ms; peak RSS %.1f MiB\n", transport, USERS,
           clock_mono_ms() - started, bench_proc_mem_mib(harness_proc_pid(emu.proc), "VmHWM"));
    r.app_token = emu_client_app_token(&emu);
    int rc = (r.app_token && prepare_senders(&r) == 0) ? 0 : -1;
    if (rc == 0) {
        printf("| transport | request | clients | ok | failed | requests/s | per CPU-s |\n"
               "|---|---|---:|---:|---:|---:|---:|\n");
        for (int k = TOKEN; k <= SEND; k++)
            for (size_t t = 0; t < 2 && wanted(argc, argv, kind_names[k], kind_names, 3); t++)
                measure(&r, (enum kind)k, thread_counts[t], transport);
        printf("%s: peak RSS after the run %.1f MiB\n\n", transport,
               bench_proc_mem_mib(harness_proc_pid(emu.proc), "VmHWM"));
    } else {
        fprintf(stderr, "bench: could not get tokens or make chats\n");
    }
    clear_run(&r);
    emu_client_stop(&emu);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const transports[] = {"http", "https"};
    char *dir = harness_tmpdir("parley-bench-emu");
    char *seed = xasprintf("%s/seed.json", dir);
    FILE *f = fopen(seed, "w");
    int rc = 1;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!f)
        goto out;
    fprintf(f, "{\"microsoft\":{\"generate\":{\"users\":%d,\"teams\":10}}}\n", USERS);
    fclose(f);
    printf("parley-emu, Microsoft side, %d generated users; each row runs %d ms or %d "
           "requests\n\n", USERS, RUN_MS, MAX_REQUESTS);
    rc = 0;
    for (int tls = 0; tls < 2 && rc == 0; tls++)
        if (wanted(argc, argv, transports[tls], transports, 2) &&
            bench_transport(seed, tls, argc, argv) != 0)
            rc = 1;
out:
    harness_rmrf(dir);
    free(seed);
    free(dir);
    curl_global_cleanup();
    return rc;
}
