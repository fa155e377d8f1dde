/* emu_client.h - drive build/parley-emu from integration tests and benches:
 * start it on free loopback ports with a seed, read endpoints.json, get
 * tokens from its identity platform, call Graph and the /_emu control API. */
#ifndef PARLEY_TESTS_EMU_CLIENT_H
#define PARLEY_TESTS_EMU_CLIENT_H

#include <jansson.h>

#include "lib/harness.h"

struct emu_client {
    struct harness_proc *proc;
    struct harness_http *http;
    char *dir;                 /* --dir, removed by emu_client_stop */
    char *log_path;
    json_t *endpoints;         /* endpoints.json */
    const char *origin;        /* microsoft.authority_host (borrowed from endpoints) */
    const char *tenant_id, *client_id, *client_secret;
};

/* Start parley-emu with SEED (a path), TLS when USE_TLS, and EXTRA_ARGS
 * (NULL-terminated, may be NULL); waits for endpoints.json.  0 on success. */
int emu_client_start(struct emu_client *e, const char *seed, int use_tls,
                     const char *const extra_args[]);
/* SIGTERM, wait, remove the directory.  Returns the exit status (waitpid form);
 * when it is not a clean exit 0, the emulator's log is printed first. */
int emu_client_stop(struct emu_client *e);

/* A client-credentials access token (caller frees), or NULL. */
char *emu_client_app_token(struct emu_client *e);
/* A ROPC access token for UPN / PASSWORD (caller frees), or NULL. */
char *emu_client_user_token(struct emu_client *e, const char *upn, const char *password);
/* POST a form to the token endpoint; BODY is form-encoded. */
int emu_client_token_request(struct emu_client *e, const char *body, struct harness_resp *resp);

/* Call Graph: PATH relative to /v1.0 ("/users?$top=2") or an absolute URL;
 * TOKEN may be NULL; BODY is JSON or NULL; EXTRA a header or NULL. */
int emu_client_graph(struct emu_client *e, const char *token, const char *method,
                     const char *path, const char *body, const char *extra_header,
                     struct harness_resp *resp);
/* Call the control API: PATH below /_emu ("/reset"). */
int emu_client_control(struct emu_client *e, const char *method, const char *path,
                       const char *body, struct harness_resp *resp);

#endif
