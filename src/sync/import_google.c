/* import_google.c - the "import.google.users" job: every user of the org's
 * Google customer becomes a person with a native Google identity (a person
 * already imported from Microsoft with the same email gains the identity).
 * Suspended users are skipped and counted.  See import_run.c for the
 * writing, counting and error handling. */
#include "sync/import_run.h"

enum parley_err sync_import_google_run(struct job_run *job, void *arg)
{
    struct import_run ir;
    enum parley_err rc = sync_import_run_open(&ir, job, arg, PLATFORM_GOOGLE);

    if (rc == PARLEY_OK) {
        rc = ir.ops->list_users(ir.conn, sync_import_run_on_people, &ir, &ir.err);
        rc = sync_import_run_flush(&ir, rc);
        rc = rc == PARLEY_OK ? sync_import_run_finish(&ir, NULL) : sync_import_run_fail(&ir, rc);
    }
    sync_import_run_close(&ir);
    return rc;
}
