/* auth.h - access tokens for Graph: minted by the token endpoint
 * (identity.c), checked on every Graph request.
 *
 * Tokens are RS256 JWTs signed with the platform key: aud
 * "https://graph.microsoft.com", iss "<origin>/<tenant>/v2.0", tid, oid,
 * azp/appid, iat/nbf/exp, and `roles` (app-only) or `scp` (delegated). */
#ifndef EMU_MICROSOFT_AUTH_H
#define EMU_MICROSOFT_AUTH_H

#include "microsoft/ms.h"

#define MS_GRAPH_AUDIENCE "https://graph.microsoft.com"
#define MS_TOKEN_LIFETIME_S 3599
/* The application permissions every app token carries. */
#define MS_APP_ROLES "User.Read.All", "User.ReadWrite.All", "User.Invite.All", "Group.Read.All", \
    "GroupMember.Read.All", "Team.ReadBasic.All", "TeamMember.Read.All", "Chat.Create", \
    "Chat.Read.All", "Chat.ReadBasic.All", "ChatMember.ReadWrite.All", "Directory.Read.All"
/* The delegated scopes granted for ".default" or when none is named. */
#define MS_DEFAULT_SCP "Chat.ReadWrite ChatMessage.Send ChatMember.ReadWrite User.Read User.ReadBasic.All"

/* Who is calling Graph. */
struct ms_caller {
    int is_app;                          /* app-only token (roles) */
    char client_id[64];                  /* the app (azp) */
    char oid[EMU_GUID_LEN];              /* the user, or the app's service principal */
};

/* What an operation accepts. */
enum ms_access {
    MS_ACCESS_ANY,                       /* app-only or delegated */
    MS_ACCESS_DELEGATED,                 /* delegated only: app tokens get 403 */
};

/* An access token for the app (USER NULL) or for USER with SCOPES (space
 * separated short names).  The caller frees it.  Takes no lock. */
char *ms_auth_mint(struct ms *ms, const struct ms_app *app, const struct ms_user *user,
                   const char *scp);
/* The app-only token of the client-credentials grant.  Within one second the
 * same token is handed out again: its iat, nbf and exp (whole seconds) are
 * exactly those a fresh one would carry, only uti repeats, and the RS256
 * signature is most of the token endpoint's cost.  Lock held. */
char *ms_auth_mint_app(struct ms *ms, struct ms_app *app);
/* Check the bearer token of REQ.  On failure answers 401 (missing, malformed,
 * expired, wrongly signed, wrong audience or issuer) or 403 (app token on a
 * delegated-only operation) and returns -1. */
int ms_auth_check(struct ms *ms, struct http_req *req, enum ms_access access,
                  struct ms_caller *caller);
/* The client id in REQ's bearer token or token-request body, unverified (for
 * --rate-limit).  0 on success. */
int ms_auth_caller_app(void *plat, struct http_req *req, char *key, size_t size);

#endif
