/* harness.h - helpers for integration tests and benchmarks: temp dirs,
 * child processes (build/parley, build/parley-emu), waiting, and an HTTP
 * client on libcurl that keeps cookies.
 *
 * Binaries are found through PARLEY_BUILD (default "build"): the ASan run
 * sets it to build/asan. */
#ifndef PARLEY_TESTS_HARNESS_H
#define PARLEY_TESTS_HARNESS_H

#include <stddef.h>
#include <jansson.h>

/* ---- files ---- */
/* A new empty directory under $TMPDIR (or /tmp); the caller frees the path. */
char *harness_tmpdir(const char *prefix);
/* rm -rf PATH (NULL-safe). */
void harness_rmrf(const char *path);
/* Wait until PATH exists (and is non-empty); 0 on success, -1 on timeout. */
int harness_wait_file(const char *path, int timeout_ms);
/* Read a whole file; NULL when absent. The caller frees it. */
char *harness_read_file(const char *path);
/* A binary under the build dir: harness_bin("parley") -> "build/parley". Static storage. */
const char *harness_bin(const char *name);
/* A free TCP port on 127.0.0.1 (bound then released). */
int harness_free_port(void);

/* ---- child processes ---- */
struct harness_proc;
/* Start ARGV (NULL-terminated) with extra environment entries ENV
 * ("NAME=VALUE", NULL-terminated, may be NULL; a bare "NAME" unsets it;
 * later entries win); stdout+stderr go to LOG_PATH (NULL: inherit; appended
 * to).  NULL on failure, including when ARGV[0] cannot be executed. */
struct harness_proc *harness_proc_start(const char *const argv[], const char *const env[],
                                        const char *log_path);
int harness_proc_pid(const struct harness_proc *p);
/* Send SIG; then wait up to TIMEOUT_MS for exit.  Returns the exit status as
 * from waitpid (use WIFEXITED...), or -1 on timeout (the process is then
 * killed with SIGKILL). */
int harness_proc_stop(struct harness_proc *p, int sig, int timeout_ms);
/* Whether the process is still running. */
int harness_proc_alive(struct harness_proc *p);
void harness_proc_free(struct harness_proc *p);    /* kills it if still running */

/* ---- a started `parley serve` ---- */
struct harness_hub {
    struct harness_proc *proc;
    char *data_dir;      /* owned */
    char *url;           /* "http://127.0.0.1:PORT", owned */
    char *log_path;      /* owned */
    int port;
};
/* Start build/parley serve on a free loopback port with DATA_DIR (created
 * when NULL) and extra args/env; waits until /healthz answers 200.
 * PARLEY_MASTER_KEY_FILE is unset unless ENV sets it.  The hub's output
 * goes to DATA_DIR/hub-PORT.log, whose tail is printed when it does not
 * become healthy within 15 s.  0 on success. */
int harness_hub_start(struct harness_hub *hub, const char *data_dir, const char *const extra_args[],
                      const char *const env[]);
/* SIGTERM and wait; returns the exit status (waitpid form) or -1. */
int harness_hub_stop(struct harness_hub *hub);
void harness_hub_free(struct harness_hub *hub);   /* stops it if running; keeps data_dir */
/* Stop it (harness_hub_stop), free it and remove its data_dir: the end of a
 * test group's hub.  Returns harness_hub_stop's result. */
int harness_hub_discard(struct harness_hub *hub);

/* Run `parley admin create --email EMAIL --org ORG --role ROLE
 * --password-stdin --data DATA_DIR` with PASSWORD on its standard input
 * (ROLE NULL: the CLI's default).  0 when it exits with status 0. */
int harness_admin_create(const char *data_dir, const char *email, const char *org,
                         const char *role, const char *password);

/* ---- HTTP client ---- */
struct harness_http;                 /* a cookie jar shared by its requests */
struct harness_resp {
    long status;                     /* 0 on transport failure */
    char *body;                      /* NUL-terminated, owned */
    size_t body_len;
    char *headers;                   /* raw response header block, owned */
    json_t *json;                    /* parsed body or NULL; owned */
    char curl_error[256];
};
/* CA_FILE: for HTTPS to the emulator (NULL: system CAs). */
struct harness_http *harness_http_new(const char *ca_file);
void harness_http_free(struct harness_http *h);
/* HEADERS: "Name: value" strings, NULL-terminated (may be NULL).  BODY may be
 * NULL.  Returns 0 when a response was received (see resp->status). */
int harness_http_do(struct harness_http *h, const char *method, const char *url,
                    const char *const headers[], const char *body, struct harness_resp *resp);
/* POST {"email","password"} to HUB_URL/api/login with H, which keeps the
 * session cookie.  Returns the session's CSRF token (the caller frees it),
 * or NULL when the login is refused (the status is printed). */
char *harness_hub_login(struct harness_http *h, const char *hub_url, const char *email,
                        const char *password);
/* Case-insensitive header lookup in resp->headers; a new string or NULL. */
char *harness_resp_header(const struct harness_resp *resp, const char *name);
void harness_resp_clear(struct harness_resp *resp);

#endif
