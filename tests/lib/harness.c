/* harness.c - helpers for integration tests and benchmarks (see harness.h):
 * temp dirs, child processes, a started `parley serve`, and a cookie-keeping
 * HTTP client on libcurl.
 *
 * Test helpers report failures on stderr and return an error value; they
 * never abort, so a test can print its own context before failing. */
#include "lib/harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define HUB_START_TIMEOUT_MS 15000
#define HUB_STOP_TIMEOUT_MS  10000
#define HTTP_TIMEOUT_MS      30000
#define LOG_TAIL_BYTES       4000

/* ---- files ---- */

char *harness_tmpdir(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    char *path = xasprintf("%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix ? prefix : "parley");
    if (!mkdtemp(path)) {
        fprintf(stderr, "harness: mkdtemp %s: %s\n", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

static int on_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        fprintf(stderr, "harness: remove %s: %s\n", path, strerror(errno));
    return 0;
}

void harness_rmrf(const char *path)
{
    if (!path)
        return;
    nftw(path, on_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int harness_wait_file(const char *path, int timeout_ms)
{
    long long deadline = clock_mono_ms() + timeout_ms;
    struct stat st;
    do {
        if (stat(path, &st) == 0 && st.st_size > 0)
            return 0;
        clock_sleep_ms(20);
    } while (clock_mono_ms() < deadline);
    return -1;
}

char *harness_read_file(const char *path)
{
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return buf_steal(&b);
}

const char *harness_bin(const char *name)
{
    /* A small ring of buffers, so that a few results can be used together
     * (e.g. as two arguments of one call). */
    static _Thread_local char ring[8][512];
    static _Thread_local unsigned next;
    const char *dir = getenv("PARLEY_BUILD");
    char *slot = ring[next++ % 8];
    snprintf(slot, sizeof ring[0], "%s/%s", dir && *dir ? dir : "build", name);
    return slot;
}

int harness_free_port(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    int port = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

/* ---- child processes ---- */

struct harness_proc {
    pid_t pid;
    int reaped;      /* waitpid has returned for it */
    int status;      /* valid once reaped */
};

/* In the child: apply ENV entries in order.  "NAME=VALUE" sets, a bare
 * "NAME" unsets, so a later entry overrides an earlier one. */
static void child_apply_env(const char *const env[])
{
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        if (!eq) {
            unsetenv(env[i]);
            continue;
        }
        char *name = xstrndup(env[i], (size_t)(eq - env[i]));
        setenv(name, eq + 1, 1);
        free(name);
    }
}

/* In the child: set up and exec; on failure write errno to ERR_FD. */
static void child_exec(const char *const argv[], const char *const env[], const char *log_path,
                       int err_fd)
{
    int e;
    /* A test that dies must not leave servers running. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
    child_apply_env(env);
    if (log_path) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
            goto fail;
    }
    execvp(argv[0], (char *const *)argv);
fail:
    e = errno;
    if (write(err_fd, &e, sizeof e) < 0)
        _exit(127);
    _exit(127);
}

struct harness_proc *harness_proc_start(const char *const argv[], const char *const env[],
                                        const char *log_path)
{
    int pipefd[2];
    int child_errno = 0;
    ssize_t n;

    /* The close-on-exec pipe tells us whether exec succeeded: it reads EOF
     * on success and the child's errno on failure. */
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return NULL;
    }
    if (pid == 0) {
        close(pipefd[0]);
        child_exec(argv, env, log_path, pipefd[1]);
    }
    close(pipefd[1]);
    do
        n = read(pipefd[0], &child_errno, sizeof child_errno);
    while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n > 0) {
        fprintf(stderr, "harness: cannot start %s: %s\n", argv[0], strerror(child_errno));
        waitpid(pid, NULL, 0);
        return NULL;
    }
    struct harness_proc *p = xcalloc(1, sizeof *p);
    p->pid = pid;
    return p;
}

int harness_proc_pid(const struct harness_proc *p)
{
    return p ? (int)p->pid : -1;
}

/* Reap the child if it has exited; returns whether it has. */
static int proc_reap(struct harness_proc *p, int block)
{
    if (p->reaped)
        return 1;
    pid_t r;
    do
        r = waitpid(p->pid, &p->status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == p->pid || (r < 0 && errno == ECHILD))
        p->reaped = 1;
    return p->reaped;
}

int harness_proc_alive(struct harness_proc *p)
{
    return p && !proc_reap(p, 0);
}

int harness_proc_stop(struct harness_proc *p, int sig, int timeout_ms)
{
    if (!p)
        return -1;
    if (!proc_reap(p, 0))
        kill(p->pid, sig);
    long long deadline = clock_mono_ms() + timeout_ms;
    while (!proc_reap(p, 0)) {
        if (clock_mono_ms() >= deadline) {
            fprintf(stderr, "harness: pid %d did not exit within %d ms; killing it\n",
                    (int)p->pid, timeout_ms);
            kill(p->pid, SIGKILL);
            proc_reap(p, 1);
            return -1;
        }
        clock_sleep_ms(10);
    }
    return p->status;
}

void harness_proc_free(struct harness_proc *p)
{
    if (!p)
        return;
    if (!proc_reap(p, 0)) {
        kill(p->pid, SIGKILL);
        proc_reap(p, 1);
    }
    free(p);
}

/* ---- a started `parley serve` ---- */

static void print_log_tail(const char *path)
{
    char *log = harness_read_file(path);
    if (!log) {
        fprintf(stderr, "harness: no log at %s\n", path);
        return;
    }
    size_t len = strlen(log);
    const char *tail = len > LOG_TAIL_BYTES ? log + len - LOG_TAIL_BYTES : log;
    fprintf(stderr, "---- tail of %s ----\n%s\n---- end of log ----\n", path, tail);
    free(log);
}

/* Poll URL/healthz until it answers 200, the process dies or time runs out. */
static int hub_wait_healthy(struct harness_hub *hub, int timeout_ms)
{
    struct harness_http *http = harness_http_new(NULL);
    char *url = xasprintf("%s/healthz", hub->url);
    long long deadline = clock_mono_ms() + timeout_ms;
    int rc = -1;

    while (rc != 0 && clock_mono_ms() < deadline && harness_proc_alive(hub->proc)) {
        struct harness_resp resp = { 0 };
        if (harness_http_do(http, "GET", url, NULL, NULL, &resp) == 0 && resp.status == 200)
            rc = 0;
        else
            clock_sleep_ms(50);
        harness_resp_clear(&resp);
    }
    free(url);
    harness_http_free(http);
    return rc;
}

int harness_hub_start(struct harness_hub *hub, const char *data_dir, const char *const extra_args[],
                      const char *const env[])
{
    const char *argv[64];
    const char *envv[64];
    char listen[64];
    size_t argc = 0, envc = 0;

    memset(hub, 0, sizeof *hub);
    hub->port = harness_free_port();
    hub->data_dir = data_dir ? xstrdup(data_dir) : harness_tmpdir("parley-hub");
    if (hub->port <= 0 || !hub->data_dir)
        goto fail;
    snprintf(listen, sizeof listen, "127.0.0.1:%d", hub->port);
    hub->url = xasprintf("http://%s", listen);
    /* One log per start, so a restarted hub's log tail is its own. */
    hub->log_path = xasprintf("%s/hub-%d.log", hub->data_dir, hub->port);

    argv[argc++] = harness_bin("parley");
    argv[argc++] = "serve";
    argv[argc++] = "--listen";
    argv[argc++] = listen;
    argv[argc++] = "--data";
    argv[argc++] = hub->data_dir;
    for (size_t i = 0; extra_args && extra_args[i] && argc < 63; i++)
        argv[argc++] = extra_args[i];
    argv[argc] = NULL;

    /* The hub must not pick up the developer's key file by accident. */
    envv[envc++] = "PARLEY_MASTER_KEY_FILE";
    for (size_t i = 0; env && env[i] && envc < 63; i++)
        envv[envc++] = env[i];
    envv[envc] = NULL;

    hub->proc = harness_proc_start(argv, envv, hub->log_path);
    if (!hub->proc)
        goto fail;
    if (hub_wait_healthy(hub, HUB_START_TIMEOUT_MS) != 0) {
        fprintf(stderr, "harness: hub on %s not healthy (%s)\n", hub->url,
                harness_proc_alive(hub->proc) ? "timed out" : "exited");
        print_log_tail(hub->log_path);
        goto fail;
    }
    return 0;
fail:
    harness_proc_free(hub->proc);
    hub->proc = NULL;
    return -1;
}

int harness_hub_stop(struct harness_hub *hub)
{
    if (!hub || !hub->proc)
        return -1;
    int status = harness_proc_stop(hub->proc, SIGTERM, HUB_STOP_TIMEOUT_MS);
    harness_proc_free(hub->proc);
    hub->proc = NULL;
    return status;
}

void harness_hub_free(struct harness_hub *hub)
{
    if (!hub)
        return;
    if (hub->proc)
        harness_hub_stop(hub);
    free(hub->data_dir);
    free(hub->url);
    free(hub->log_path);
    memset(hub, 0, sizeof *hub);
}

int harness_hub_discard(struct harness_hub *hub)
{
    int status = harness_hub_stop(hub);

    harness_rmrf(hub->data_dir);
    harness_hub_free(hub);
    return status;
}

int harness_admin_create(const char *data_dir, const char *email, const char *org,
                         const char *role, const char *password)
{
    const char *argv[] = { harness_bin("parley"), "admin", "create", "--email", email,
                           "--org", org, "--password-stdin", "--data", data_dir,
                           role ? "--role" : NULL, role, NULL };
    int in[2], status = -1;
    pid_t pid;

    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    if ((pid = fork()) < 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    size_t len = strlen(password);
    if (write(in[1], password, len) != (ssize_t)len || write(in[1], "\n", 1) != 1)
        fprintf(stderr, "harness: cannot write the password: %s\n", strerror(errno));
    close(in[1]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "harness: admin create %s failed (status %d)\n", email, status);
        return -1;
    }
    return 0;
}

/* ---- HTTP client ---- */

/* Each request uses a fresh easy handle; the cookies live in a share
 * handle, so they carry over between requests like a browser's. */
struct harness_http {
    CURLSH *share;
    char *ca_file;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void on_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct harness_http *harness_http_new(const char *ca_file)
{
    pthread_once(&curl_once, on_curl_init);
    struct harness_http *h = xcalloc(1, sizeof *h);
    h->share = curl_share_init();
    if (!h->share) {
        free(h);
        return NULL;
    }
    curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    h->ca_file = xstrdup(ca_file);
    return h;
}

void harness_http_free(struct harness_http *h)
{
    if (!h)
        return;
    curl_share_cleanup(h->share);
    free(h->ca_file);
    free(h);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
    buf_append(userdata, data, size * nmemb);
    return size * nmemb;
}

int harness_http_do(struct harness_http *h, const char *method, const char *url,
                    const char *const headers[], const char *body, struct harness_resp *resp)
{
    struct buf body_buf = BUF_INIT, head_buf = BUF_INIT;
    struct curl_slist *list = NULL;
    CURL *curl = curl_easy_init();
    CURLcode rc;

    memset(resp, 0, sizeof *resp);
    if (!curl) {
        snprintf(resp->curl_error, sizeof resp->curl_error, "curl_easy_init failed");
        return -1;
    }
    curl_easy_setopt(curl, CURLOPT_SHARE, h->share);
    curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "");     /* the cookie engine, no file */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, resp->curl_error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_buf);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head_buf);
    if (h->ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, h->ca_file);

    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0 || body)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    /* Send bodies at once rather than waiting for "100 Continue". */
    list = curl_slist_append(list, "Expect:");
    if (body)
        list = curl_slist_append(list, "Content-Type: application/json");
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

    rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    else if (!resp->curl_error[0])
        snprintf(resp->curl_error, sizeof resp->curl_error, "%s", curl_easy_strerror(rc));
    curl_easy_cleanup(curl);
    curl_slist_free_all(list);

    resp->body_len = body_buf.len;
    resp->body = buf_steal(&body_buf);
    resp->headers = buf_steal(&head_buf);
    if (resp->body_len > 0)
        resp->json = json_loadb(resp->body, resp->body_len, 0, NULL);
    return rc == CURLE_OK ? 0 : -1;
}

char *harness_hub_login(struct harness_http *h, const char *hub_url, const char *email,
                        const char *password)
{
    struct harness_resp resp;
    char *url = xasprintf("%s/api/login", hub_url);
    json_t *creds = json_pack("{ss ss}", "email", email, "password", password);
    char *body = json_dumps(creds, JSON_COMPACT);
    char *csrf = NULL;

    if (harness_http_do(h, "POST", url, NULL, body, &resp) == 0 && resp.status == 200) {
        const char *token = json_string_value(json_object_get(resp.json, "csrf_token"));
        csrf = token ? xstrdup(token) : NULL;
    }
    if (!csrf)
        fprintf(stderr, "harness: login as %s failed: %ld %s%s\n", email, resp.status,
                resp.body ? resp.body : "", resp.curl_error);
    harness_resp_clear(&resp);
    free(body);
    json_decref(creds);
    free(url);
    return csrf;
}

char *harness_resp_header(const struct harness_resp *resp, const char *name)
{
    size_t name_len = strlen(name);
    char *found = NULL;

    /* Scan every line; a later block (after "100 Continue") wins. */
    for (const char *line = resp->headers; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len + 1;
            const char *v_end = line + len;
            while (v < v_end && (*v == ' ' || *v == '\t'))
                v++;
            while (v_end > v && (v_end[-1] == '\r' || v_end[-1] == ' '))
                v_end--;
            free(found);
            found = xstrndup(v, (size_t)(v_end - v));
        }
        line = end ? end + 1 : line + len;
    }
    return found;
}

void harness_resp_clear(struct harness_resp *resp)
{
    if (!resp)
        return;
    free(resp->body);
    free(resp->headers);
    json_decref(resp->json);
    memset(resp, 0, sizeof *resp);
}
