/* client_api.c - what the emulator's web client (/_emu/client/, the
 * Microsoft module js/microsoft.js) needs beyond Graph, as control routes:
 *
 *   GET  /_emu/client-api/users?search=TEXT   up to 50 enabled users whose
 *        display name or UPN contains TEXT: {"users":[{id, displayName,
 *        userPrincipalName}]}, for the sign-in picker
 *   POST /_emu/client-api/sign-in {"user":"id or UPN"}   a delegated access
 *        token for that user, minted exactly as the token endpoint does for
 *        the first seeded app: {"access_token", "expires_in", "user"}
 *
 * Everything else the client does (chats, members, messages, people search)
 * goes through the real Graph endpoints with that token, so its writes
 * produce the same change notifications as any API write. */
#include "microsoft/ms.h"

#include <stdlib.h>
#include <string.h>

#include "microsoft/auth.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define PICKER_MAX 50

static int matches(const struct ms_user *u, const char *search)
{
    return !search || !*search || strcasestr(u->display_name, search) ||
           strcasestr(u->upn, search);
}

static void on_users(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    const char *search = http_req_query(req, "search");
    json_t *users = json_array();

    ms_state_lock(ms->st);
    for (size_t i = 0; i < ms->st->users.len && json_array_size(users) < PICKER_MAX; i++) {
        const struct ms_user *u = ms->st->users.items[i];
        if (u->account_enabled && matches(u, search))
            json_array_append_new(users, json_pack("{s:s, s:s, s:s}", "id", u->id, "displayName",
                                                   u->display_name, "userPrincipalName", u->upn));
    }
    ms_state_unlock(ms->st);
    http_reply_json(req, 200, json_pack("{s:o}", "users", users));
}

static void on_sign_in(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    json_t *body = http_req_json_or_400(req);
    char *token = NULL;
    json_t *user = NULL;

    if (!body)
        return;
    const char *key = json_get_str(body, "user");
    ms_state_lock(ms->st);
    const struct ms_user *u = key ? ms_user_find(ms->st, key) : NULL;
    if (u && u->account_enabled) {
        token = ms_auth_mint(ms, ms->st->apps.items[0], u, MS_DEFAULT_SCP);
        user = json_pack("{s:s, s:s, s:s}", "id", u->id, "displayName", u->display_name,
                         "userPrincipalName", u->upn);
    }
    ms_state_unlock(ms->st);
    if (token)
        http_reply_json(req, 200, json_pack("{s:s, s:i, s:o}", "access_token", token,
                                            "expires_in", MS_TOKEN_LIFETIME_S, "user", user));
    else
        http_reply_error(req, 400, "BadRequest",
                         u ? "The user account is disabled." : "No such user.");
    free(token);
    json_decref(body);
}

void ms_client_api_routes(struct ms *ms)
{
    emu_frame_route_control(ms->frame, "GET", "/_emu/client-api/users", on_users, ms);
    emu_frame_route_control(ms->frame, "POST", "/_emu/client-api/sign-in", on_sign_in, ms);
}
