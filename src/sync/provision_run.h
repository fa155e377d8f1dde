/* provision_run.h - one attempt of a sync job (internal to src/sync/):
 * provision.c drives it (which way to go, status moves, retry or fail,
 * audit); provision_account.c does the platform work on the secondary
 * accounts and records it. */
#ifndef PARLEY_SYNC_PROVISION_RUN_H
#define PARLEY_SYNC_PROVISION_RUN_H

#include <jansson.h>

#include "jobs/pool.h"
#include "platform/platform.h"
#include "store/store.h"
#include "sync/env.h"

struct provision_run {
    struct job_run *job;
    const struct sync_env *env;
    struct store *st;
    long long org_id;
    struct store_person person;          /* as read at the start of this pass */
    /* Connections opened on first use in this attempt, by platform kind. */
    const struct platform_ops *ops[2];
    struct platform_conn *conn[2];
    struct platform_error err;           /* filled by the connector on failure */
    char message[512];                   /* our own error text when ERR has none */
    json_t *details;                     /* what was done, for the audit event;
                                            "deleted": [external ids] */
};

/* The identity kind of a secondary account on KIND: "guest" / "interop". */
const char *sync_secondary_kind(enum platform_kind kind);

/* Give PR->person their secondary account on KIND: found by its login and
 * adopted, or created; recorded (identity, and for Microsoft the password
 * encrypted under the master key); then verified (Parley can act as it).
 * What was done goes into PR->details. */
enum parley_err sync_account_ensure(struct provision_run *pr, enum platform_kind kind);
/* Delete the secondary accounts of PR->person on KIND: the recorded one
 * (then its identity) and, when SWEEP is set, one found by the login an
 * earlier attempt may have created without recording it. */
enum parley_err sync_account_remove(struct provision_run *pr, enum platform_kind kind, int sweep);

/* Fill PR->message (printf) as the error text when the connector gave none. */
void sync_run_error(struct provision_run *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
