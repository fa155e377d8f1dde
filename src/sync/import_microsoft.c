/* import_microsoft.c - the "import.microsoft.teams" job: the members of the
 * teams the admin chose become people with native Microsoft identities and
 * team members; each team is then marked imported.
 *
 *   1. List the tenant's teams once and save the chosen ones (name,
 *      description, member count).  A chosen team the tenant no longer has
 *      is reported in the result's "missing_teams", not an error.
 *   2. Per team: list its members (written by import_run.c's writer), then
 *      queue the team's end: the writer, after the team's last page and in
 *      the same transaction, drops the members the team no longer has and
 *      marks it imported.  The next team is listed meanwhile, so the teams'
 *      pages share transactions as one listing's do.
 *
 * Progress counts teams (teams_done of teams_total) next to the people
 * counts.  Running again after a crash redoes the teams, writing nothing
 * twice. */
#include "sync/import_run.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/clock.h"
#include "util/xmalloc.h"

struct wanted_team {
    const char *external_id;    /* borrowed from the payload */
    long long team_id;          /* in the store; 0: not on the platform */
};

struct catalogue {
    struct import_run *ir;
    struct wanted_team *wanted;
    size_t count;
    const struct platform_team *teams;   /* the page being saved */
    size_t nteams;
};

/* The payload's "team_ids", without repeats, into a new array *out. */
static enum parley_err read_team_ids(const json_t *payload, struct wanted_team **out, size_t *n)
{
    const json_t *ids = json_object_get(payload, "team_ids");
    struct wanted_team *wanted;
    size_t i, k, count = 0;
    json_t *id;

    *out = NULL;
    *n = 0;
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return PARLEY_ERR_INVALID;
    wanted = xcalloc(json_array_size(ids), sizeof *wanted);
    json_array_foreach(ids, i, id) {
        const char *text = json_string_value(id);
        if (!text || !*text) {
            free(wanted);
            return PARLEY_ERR_INVALID;
        }
        for (k = 0; k < count && strcmp(wanted[k].external_id, text) != 0; k++)
            ;
        if (k == count)
            wanted[count++].external_id = text;
    }
    *out = wanted;
    *n = count;
    return PARLEY_OK;
}

/* store_tx body: save the chosen teams of one page of the tenant's teams. */
static enum parley_err save_teams(struct store *st, void *arg)
{
    struct catalogue *cat = arg;
    long long now = clock_now_ms();

    for (size_t i = 0; i < cat->nteams; i++) {
        const struct platform_team *t = &cat->teams[i];
        struct store_team_new spec = {
            .org_id = cat->ir->org_id, .platform = cat->ir->platform,
            .external_id = t->external_id, .name = t->name ? t->name : "",
            .description = t->description, .member_count = t->member_count,
        };
        for (size_t k = 0; t->external_id && k < cat->count; k++) {
            enum parley_err rc;
            if (strcmp(cat->wanted[k].external_id, t->external_id) != 0)
                continue;
            rc = store_team_upsert(st, &spec, now, &cat->wanted[k].team_id, NULL);
            if (rc != PARLEY_OK)
                return rc;
        }
    }
    return PARLEY_OK;
}

/* platform_teams_fn over the tenant's teams. */
static enum parley_err on_teams(const struct platform_team *teams, size_t count, void *arg)
{
    struct catalogue *cat = arg;
    enum parley_err rc = PARLEY_ERR_CANCELLED;

    cat->teams = teams;
    cat->nteams = count;
    if (!job_run_should_stop(cat->ir->job))
        rc = store_tx(cat->ir->st, save_teams, cat);
    if (rc != PARLEY_OK)
        cat->ir->stop_rc = rc;
    return rc;
}

/* Import one found team's members.  PARLEY_ERR_NOT_FOUND: the platform no
 * longer has the team (deleted since step 1). */
static enum parley_err import_team(struct import_run *ir, const struct wanted_team *team)
{
    enum parley_err rc;

    ir->team_id = team->team_id;
    rc = ir->ops->list_team_members(ir->conn, team->external_id, sync_import_run_on_people, ir,
                                    &ir->err);
    ir->team_id = 0;
    return rc == PARLEY_OK ? sync_import_run_team_listed(ir, team->team_id) : rc;
}

/* Steps 1 and 2; the ids of teams not found go into MISSING. */
static enum parley_err import_teams(struct import_run *ir, struct catalogue *cat, json_t *missing)
{
    enum parley_err rc = ir->ops->list_teams(ir->conn, on_teams, cat, &ir->err);

    if (rc != PARLEY_OK)
        return rc;
    ir->teams_total = 0;
    for (size_t k = 0; k < cat->count; k++)
        ir->teams_total += cat->wanted[k].team_id != 0;
    rc = sync_import_run_progress(ir);
    for (size_t k = 0; k < cat->count && rc == PARLEY_OK; k++) {
        struct wanted_team *team = &cat->wanted[k];
        if (team->team_id) {
            rc = import_team(ir, team);
            if (rc == PARLEY_ERR_NOT_FOUND && ir->stop_rc == PARLEY_OK) {
                /* Deleted since step 1.  The writer reads teams_total: let it finish first. */
                memset(&ir->err, 0, sizeof ir->err);
                team->team_id = 0;
                rc = sync_import_run_flush(ir, PARLEY_OK);
                ir->teams_total--;
            }
        }
        if (rc == PARLEY_OK && !team->team_id)
            json_array_append_new(missing, json_string(team->external_id));
    }
    return sync_import_run_flush(ir, rc);       /* every team finished: the counts are final */
}

enum parley_err sync_import_microsoft_run(struct job_run *job, void *arg)
{
    struct catalogue cat = { 0 };
    json_t *missing = json_array();
    struct import_run ir;
    enum parley_err rc;

    rc = read_team_ids(job_run_payload(job), &cat.wanted, &cat.count);
    if (rc != PARLEY_OK) {
        job_run_fail_permanently(job, "the payload needs \"team_ids\": a non-empty array of ids");
        goto out;
    }
    rc = sync_import_run_open(&ir, job, arg, PLATFORM_MICROSOFT);
    if (rc == PARLEY_OK) {
        cat.ir = &ir;
        rc = import_teams(&ir, &cat, missing);
        if (rc == PARLEY_OK) {
            json_t *extra = json_pack("{s:O}", "missing_teams", missing);
            rc = sync_import_run_finish(&ir, extra);
            json_decref(extra);
        } else {
            rc = sync_import_run_fail(&ir, rc);
        }
    }
    sync_import_run_close(&ir);
out:
    free(cat.wanted);
    json_decref(missing);
    return rc;
}
