/* organization.c - GET /v1.0/organization: the tenant as Graph describes it
 * (microsoft.md 3): one organization with its id, display name and verified
 * domains.  The emulated tenant has one domain, its initial (and default)
 * *.onmicrosoft.com domain. */
#include "microsoft/ms.h"

#include <stdlib.h>
#include <string.h>

#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "util/xmalloc.h"

/* The organization object (lock held). */
static json_t *organization(const struct ms_state *st)
{
    /* "contoso.onmicrosoft.com" -> "contoso", as a new tenant is named. */
    char *name = xstrndup(st->domain, strcspn(st->domain, "."));
    json_t *org = json_pack("{s:s, s:s, s:[{s:s, s:b, s:b, s:s, s:s}]}", "id", st->tenant_id,
                            "displayName", name, "verifiedDomains", "capabilities",
                            "Email, OfficeCommunicationsOnline", "isDefault", 1, "isInitial", 1,
                            "name", st->domain, "type", "Managed");

    free(name);
    return org;
}

static void on_list(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *values;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    values = json_pack("[o]", ms_select(organization(ms->st), http_req_query(req, "$select")));
    ms_state_unlock(ms->st);
    ms_reply_collection(ms, req, "organization", values, -1, NULL);
}

void ms_organization_routes(struct ms *ms)
{
    emu_frame_route(ms->frame, "GET", "/v1.0/organization", on_list, ms);
}
