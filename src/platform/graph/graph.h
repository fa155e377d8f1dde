/* graph.h - the Microsoft connector: Entra ID client-credentials tokens and
 * Microsoft Graph v1.0 (users, teams, team members), behind platform.h.
 *
 * Settings: tenant_id, client_id, client_secret; authority_host (default
 * https://login.microsoftonline.com) and graph_base (default
 * https://graph.microsoft.com/v1.0) point elsewhere, e.g. at parley-emu;
 * ca_file trusts a private CA.  The wire is docs/connectors.md's. */
#ifndef PARLEY_PLATFORM_GRAPH_GRAPH_H
#define PARLEY_PLATFORM_GRAPH_GRAPH_H

#include "platform/api.h"
#include "platform/platform.h"

#define GRAPH_DEFAULT_BASE "https://graph.microsoft.com/v1.0"

extern const struct platform_ops graph_ops;

/* A Graph error answer ({"error": {"code", "message", "innerError"}}) to
 * CALL -> ERR, in words the admin can act on (e.g. a 403
 * Authorization_RequestDenied names the application permission CALL->needs
 * and admin consent).  The platform_describe_fn of the connector. */
void graph_describe(const struct platform_answer *answer, const struct platform_call *call,
                    struct platform_error *err);

#endif
