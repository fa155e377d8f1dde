/* client_api.c - what the emulator's web client (/_emu/client/, the Google
 * module js/google.js) needs beyond the Chat API, as control routes:
 *
 *   GET  /_emu/client-api/users?search=TEXT   up to 50 active users whose
 *        name, email or id contains TEXT: {"users":[{id, displayName,
 *        primaryEmail}]}, for the sign-in and people pickers and for names
 *   POST /_emu/client-api/sign-in {"user":"id or email"}   an access token
 *        for that user with the Chat scopes, issued as /token does for a
 *        delegated grant: {"access_token", "expires_in", "user"}
 *
 * Everything else the client does goes through the real Chat API with that
 * token, so its writes produce the same Workspace events as any API write. */
#include "google/internal.h"

#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define PICKER_MAX 50
#define CLIENT_SCOPES GEMU_SCOPE_PREFIX "chat.spaces " GEMU_SCOPE_PREFIX "chat.messages " \
    GEMU_SCOPE_PREFIX "chat.memberships"

static json_t *user_entry(const struct gemu_user *u)
{
    char *name = xasprintf("%s %s", u->given_name, u->family_name);
    json_t *j = json_pack("{s:s, s:s, s:s}", "id", u->id, "displayName", name, "primaryEmail",
                          u->email);
    free(name);
    return j;
}

static int matches(const struct gemu_user *u, const char *search)
{
    if (!search || !*search)
        return 1;
    char *name = xasprintf("%s %s", u->given_name, u->family_name);
    int hit = strcasestr(name, search) || strcasestr(u->email, search) ||
              strcmp(u->id, search) == 0;
    free(name);
    return hit;
}

static void on_users(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *search = http_req_query(req, "search");
    json_t *users = json_array();

    gemu_state_lock(g->st);
    for (size_t i = 0; i < g->st->users.len && json_array_size(users) < PICKER_MAX; i++) {
        const struct gemu_user *u = g->st->users.items[i];
        if (!u->deleted_ms && !u->suspended && matches(u, search))
            json_array_append_new(users, user_entry(u));
    }
    gemu_state_unlock(g->st);
    http_reply_json(req, 200, json_pack("{s:o}", "users", users));
}

static void on_sign_in(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body = http_req_json_or_400(req);
    if (!body)
        return;
    gemu_state_lock(g->st);
    struct gemu_user *u = gemu_user_find(g->st, json_get_str(body, "user"));
    if (u && !u->suspended) {
        const struct gemu_token *t =
            gemu_token_issue(g->st, u, CLIENT_SCOPES, GEMU_TOKEN_LIFETIME_S);
        http_reply_json(req, 200, json_pack("{s:s, s:i, s:o}", "access_token", t->token,
                                            "expires_in", GEMU_TOKEN_LIFETIME_S - 1, "user",
                                            user_entry(u)));
    } else {
        gemu_reply_error(req, GEMU_AIP193, 400, NULL,
                         u ? "The user is suspended." : "No such user.");
    }
    gemu_state_unlock(g->st);
    json_decref(body);
}

void gemu_client_api_routes(struct emu_google *g)
{
    emu_frame_route_control(g->frame, "GET", "/_emu/client-api/users", on_users, g);
    emu_frame_route_control(g->frame, "POST", "/_emu/client-api/sign-in", on_sign_in, g);
}
