/* bench_util.c - see bench_util.h. */
#include "lib/bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lib/harness.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define CONNECT_TIMEOUT_MS 30000

/* ---- /proc ---- */

/* The number after "FIELD:" at the start of a line of /proc/PID/FILE, or -1. */
static double proc_field(int pid, const char *file, const char *field)
{
    char path[64], key[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    int len = snprintf(key, sizeof key, "%s:", field);
    char *text = harness_read_file(path);
    const char *p = text;
    double value = -1;

    while (p && *p && strncmp(p, key, (size_t)len) != 0) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (p && *p)
        value = atof(p + len);
    free(text);
    return value;
}

double bench_proc_mem_mib(int pid, const char *field)
{
    double kib = proc_field(pid, "status", field);
    return kib < 0 ? -1 : kib / 1024.0;
}

double bench_proc_io_mib(int pid, const char *field)
{
    double bytes = proc_field(pid, "io", field);
    return bytes < 0 ? -1 : bytes / (1024.0 * 1024.0);
}

int bench_proc_reset_peak(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", pid);
    FILE *f = fopen(path, "w");
    int rc = -1;

    if (!f)
        return -1;
    if (fputs("5", f) >= 0)
        rc = 0;
    return fclose(f) == 0 ? rc : -1;
}

long long bench_proc_cpu_ms(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    char *stat = harness_read_file(path);
    /* The command name (field 2) may hold spaces: count fields after its ')'. */
    const char *p = stat ? strrchr(stat, ')') : NULL;
    unsigned long long utime = 0, stime = 0;
    long long ms = -1;

    if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                    &stime) == 2)
        ms = (long long)((utime + stime) * 1000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
    free(stat);
    return ms;
}

/* ---- running a command ---- */

int bench_run(const char *const argv[], const char *const env[], const char *log_path,
              int timeout_ms)
{
    struct harness_proc *p = harness_proc_start(argv, env, log_path);
    /* Signal 0 sends nothing: this only waits for the exit. */
    int status = p ? harness_proc_stop(p, 0, timeout_ms) : -1;

    harness_proc_free(p);
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s %s failed (status %d); see %s\n", argv[0],
                argv[1] ? argv[1] : "", status, log_path ? log_path : "its output");
        return -1;
    }
    return 0;
}

/* ---- connecting an org, an admin session ---- */

void bench_dirs_make(struct bench_dirs *d, const char *prefix)
{
    d->dir = harness_tmpdir(prefix);
    d->cli_log = xasprintf("%s/cli.log", d->dir);
    d->data_dir = xasprintf("%s/data", d->dir);
}

void bench_dirs_free(struct bench_dirs *d, int succeeded)
{
    if (succeeded && d->dir)
        harness_rmrf(d->dir);
    free(d->data_dir);
    free(d->cli_log);
    free(d->dir);
    memset(d, 0, sizeof *d);
}

int bench_write_private(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int rc = -1;

    if (!f)
        return -1;
    if (chmod(path, 0600) == 0 && fputs(text, f) >= 0)
        rc = 0;
    return fclose(f) == 0 ? rc : -1;
}

int bench_connect_google(const struct google_client *g, const char *org, const char *data_dir,
                         const char *log_path)
{
    const json_t *ep = g->google;
    const char *argv[] = { harness_bin("parley"), "connect", "google", "--org", org,
                           "--data", data_dir,
                           "--domain", json_get_str(ep, "domain"),
                           "--admin-email", json_get_str(ep, "admin_email"),
                           "--customer-id", json_get_str(ep, "customer_id"),
                           "--root-url", json_get_str(ep, "root_url"),
                           "--service-account-key-file",
                           json_get_str(ep, "service_account_key_file"), NULL };
    const char *env[] = { "PARLEY_MASTER_KEY_FILE", NULL };

    return bench_run(argv, env, log_path, CONNECT_TIMEOUT_MS);
}

int bench_connect_microsoft(const struct emu_client *e, const char *org, const char *data_dir,
                            const char *tmp_dir, const char *log_path)
{
    const json_t *ms = json_object_get(e->endpoints, "microsoft");
    char *secret_file = xasprintf("%s/%s.secret", tmp_dir, org);
    const char *ca = json_get_str(e->endpoints, "ca_file");
    const char *argv[] = { harness_bin("parley"), "connect", "microsoft", "--org", org,
                           "--data", data_dir,
                           "--tenant-id", e->tenant_id, "--client-id", e->client_id,
                           "--client-secret-file", secret_file,
                           "--authority-host", json_get_str(ms, "authority_host"),
                           "--graph-base", json_get_str(ms, "graph_base"),
                           ca ? "--ca-file" : NULL, ca, NULL };
    const char *env[] = { "PARLEY_MASTER_KEY_FILE", NULL };
    int rc = -1;

    if (bench_write_private(secret_file, e->client_secret) == 0)
        rc = bench_run(argv, env, log_path, CONNECT_TIMEOUT_MS);
    free(secret_file);
    return rc;
}

int bench_session_login(struct bench_session *s, const char *hub_url, const char *email,
                        const char *password)
{
    char *csrf;

    memset(s, 0, sizeof *s);
    s->hub_url = hub_url;
    s->http = harness_http_new(NULL);
    if (!(csrf = harness_hub_login(s->http, hub_url, email, password)))
        return -1;
    s->csrf_header = xasprintf("X-CSRF-Token: %s", csrf);
    free(csrf);
    return 0;
}

void bench_session_free(struct bench_session *s)
{
    if (!s)
        return;
    harness_http_free(s->http);
    free(s->csrf_header);
    memset(s, 0, sizeof *s);
}

long bench_session_call(struct bench_session *s, const char *method, const char *path,
                        json_t *body, struct harness_resp *resp)
{
    const char *headers[] = { s->csrf_header, "Content-Type: application/json", NULL };
    char *url = xasprintf("%s%s", s->hub_url, path);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    memset(resp, 0, sizeof *resp);
    harness_http_do(s->http, method, url, headers, text, resp);
    json_decref(body);
    free(text);
    free(url);
    return resp->status;
}

/* ---- keep-alive GET ---- */

struct bench_getter {
    CURL *curl;
    struct curl_slist *headers;
    struct buf body;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    buf_append(ctx, data, size * nmemb);
    return size * nmemb;
}

struct bench_getter *bench_getter_new(const char *ca_file, const char *bearer)
{
    struct bench_getter *g = xcalloc(1, sizeof *g);

    g->body = (struct buf)BUF_INIT;
    g->curl = curl_easy_init();
    if (!g->curl) {
        bench_getter_free(g);
        return NULL;
    }
    if (bearer) {
        char *auth = xasprintf("Authorization: Bearer %s", bearer);
        g->headers = curl_slist_append(g->headers, auth);
        free(auth);
    }
    if (ca_file)
        curl_easy_setopt(g->curl, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(g->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(g->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(g->curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, g->headers);
    curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, &g->body);
    return g;
}

void bench_getter_free(struct bench_getter *g)
{
    if (!g)
        return;
    curl_slist_free_all(g->headers);
    if (g->curl)
        curl_easy_cleanup(g->curl);
    buf_free(&g->body);
    free(g);
}

long bench_get(struct bench_getter *g, const char *url)
{
    long status = 0;

    buf_reset(&g->body);
    curl_easy_setopt(g->curl, CURLOPT_URL, url);
    if (curl_easy_perform(g->curl) == CURLE_OK)
        curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

const char *bench_getter_body(const struct bench_getter *g)
{
    return buf_str(&g->body);
}

size_t bench_getter_body_len(const struct bench_getter *g)
{
    return g->body.len;
}

/* ---- reading JSON text without parsing it ---- */

char *bench_json_str_field(const char *body, const char *key)
{
    char *pattern = xasprintf("\"%s\":", key);
    const char *p = strstr(body, pattern);
    char *value = NULL;

    if (p) {
        p += strlen(pattern);
        p += strspn(p, " \t\r\n");
    }
    if (p && *p == '"') {
        size_t len = strcspn(++p, "\"");
        value = xmalloc(len + 1);
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            if (p[i] == '\\' && i + 1 < len && p[i + 1] == '/')
                continue;
            value[n++] = p[i];
        }
        value[n] = '\0';
    }
    free(pattern);
    return value;
}

size_t bench_count(const char *body, const char *needle)
{
    size_t n = 0, len = strlen(needle);

    for (const char *p = strstr(body, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}
