/* bench_util.h - small helpers the benchmarks under bench/ share: a
 * process's peak RSS and CPU time from /proc, running a command to its end,
 * `parley connect` of an org to the emulators, an admin API session on the
 * hub, and a keep-alive GET client for walking paged collections the way a
 * connector does (one connection, bodies kept in a buffer). */
#ifndef PARLEY_TESTS_BENCH_UTIL_H
#define PARLEY_TESTS_BENCH_UTIL_H

#include <stddef.h>

#include <jansson.h>

#include "lib/emu_client.h"
#include "lib/google_client.h"
#include "lib/harness.h"

/* The kB value of FIELD ("VmHWM", "VmRSS") in /proc/PID/status, in MiB;
 * -1 when it cannot be read. */
double bench_proc_mem_mib(int pid, const char *field);
/* FIELD ("wchar", "write_bytes") of /proc/PID/io in MiB; -1 when unreadable. */
double bench_proc_io_mib(int pid, const char *field);
/* Reset PID's VmHWM to its current RSS (/proc/PID/clear_refs, "5"), so a
 * later VmHWM is the peak of what came after; 0 on success. */
int bench_proc_reset_peak(int pid);
/* utime + stime of PID from /proc/PID/stat, in milliseconds; -1 on error. */
long long bench_proc_cpu_ms(int pid);

/* Run ARGV (NULL-terminated) with extra environment ENV (as for
 * harness_proc_start), its output appended to LOG_PATH, and wait up to
 * TIMEOUT_MS (then it is killed).  0 when it exited with status 0. */
int bench_run(const char *const argv[], const char *const env[], const char *log_path,
              int timeout_ms);

/* A hub benchmark's temporary directory, with the CLI's log and the hub's
 * data dir (not yet made) in it. */
struct bench_dirs {
    char *dir;                        /* seeds, secrets, the CLI's log */
    char *cli_log;
    char *data_dir;                   /* the hub's */
};
void bench_dirs_make(struct bench_dirs *d, const char *prefix);
/* Free D, removing the directory when the run SUCCEEDED (a failed run's
 * logs stay for reading). */
void bench_dirs_free(struct bench_dirs *d, int succeeded);

/* Write TEXT to PATH, mode 0600 (for secrets); 0 on success. */
int bench_write_private(const char *path, const char *text);

/* `parley connect google --org ORG --data DATA_DIR` to the emulator G (its
 * domain, admin, customer, root URL and key file), output to LOG_PATH; 0 on
 * success. */
int bench_connect_google(const struct google_client *g, const char *org, const char *data_dir,
                         const char *log_path);
/* `parley connect microsoft` of ORG to the emulator E (the client secret
 * through a 0600 file written under TMP_DIR; --ca-file when E is TLS). */
int bench_connect_microsoft(const struct emu_client *e, const char *org, const char *data_dir,
                            const char *tmp_dir, const char *log_path);

/* A signed-in admin on a hub: the cookie jar and the CSRF header. */
struct bench_session {
    struct harness_http *http;
    char *csrf_header;                /* "X-CSRF-Token: ..." */
    const char *hub_url;              /* borrowed */
};
/* Sign EMAIL / PASSWORD in on HUB_URL (kept, borrowed); 0 on success. */
int bench_session_login(struct bench_session *s, const char *hub_url, const char *email,
                        const char *password);
void bench_session_free(struct bench_session *s);    /* NULL-safe; keeps *s reusable */
/* METHOD PATH ("/api/...") with the JSON BODY (stolen, may be NULL); fills
 * RESP (the caller clears it) and returns its status (0: no answer). */
long bench_session_call(struct bench_session *s, const char *method, const char *path,
                        json_t *body, struct harness_resp *resp);

/* A keep-alive HTTP client for one thread. */
struct bench_getter;
/* CA_FILE for HTTPS (may be NULL); BEARER the access token (may be NULL). */
struct bench_getter *bench_getter_new(const char *ca_file, const char *bearer);
void bench_getter_free(struct bench_getter *g);
/* GET URL; returns the HTTP status (0: transport failure).  The body is
 * bench_getter_body(g) until the next call. */
long bench_get(struct bench_getter *g, const char *url);
const char *bench_getter_body(const struct bench_getter *g);
size_t bench_getter_body_len(const struct bench_getter *g);

/* The string value of the first "KEY":"..." in JSON text BODY, without
 * parsing the whole document (paging links and tokens carry no escapes we
 * need to undo, except "\/" which is unescaped); a new string or NULL. */
char *bench_json_str_field(const char *body, const char *key);
/* How many times NEEDLE occurs in BODY (e.g. "\"primaryEmail\"" per user). */
size_t bench_count(const char *body, const char *needle);

#endif
