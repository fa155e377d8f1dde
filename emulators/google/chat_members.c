/* chat_members.c - Google Chat API v1 memberships of a space:
 *
 *   GET    /v1/spaces/:space/members           list (pageSize <= 1000)
 *   GET    /v1/spaces/:space/members/:member   by user id or email
 *   POST   /v1/spaces/:space/members           {"member": {"name": "users/..."}}
 *                                              (not in a DM; 409 if a member)
 *   DELETE /v1/spaces/:space/members/:member   yourself, or anyone as the
 *                                              manager of a named space or a
 *                                              member of a group chat
 *
 * Additions and removals emit membership.v1.created / deleted events. */
#include "google/chat.h"

#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define A GEMU_AIP193
#define EVENT_PREFIX "google.workspace.chat.membership.v1."

static const char *const MEMBERS_READ[] = {"chat.memberships", "chat.memberships.readonly", NULL};
static const char *const MEMBERS_WRITE[] = {"chat.memberships", NULL};

json_t *gemu_member_json(const struct gemu_state *st, const struct gemu_space *s,
                         const struct gemu_member *m)
{
    char created[32];
    char *name = xasprintf("spaces/%s/members/%s", s->id, m->user->id);
    emu_ids_time_iso(m->created_ms, created);
    json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:s}", "name", name, "state", "JOINED", "role",
                          m->manager ? "ROLE_MANAGER" : "ROLE_MEMBER", "member",
                          gemu_user_ref(st, m->user), "createTime", created);
    free(name);
    return j;
}

static void on_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    struct gemu_user *caller = gemu_chat_begin(req, g, MEMBERS_READ);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    if (!s || gemu_page_parse(req, A, "pageSize", 100, 1000, 1, &page))
        goto out;
    json_t *resp = json_object();
    if (page.offset < s->members.len) {
        json_t *list = json_array();
        for (size_t i = page.offset; i < s->members.len && i < page.offset + page.limit; i++)
            json_array_append_new(list, gemu_member_json(g->st, s, s->members.items[i]));
        json_object_set_new(resp, "memberships", list);
    }
    gemu_page_next(resp, &page, s->members.len);
    emu_reply_json(req, 200, resp);
out:
    gemu_state_unlock(g->st);
}

/* The membership of the :member parameter in S, or NULL after a 404. */
static struct gemu_member *member_param(struct http_req *req, struct gemu_state *st,
                                        struct gemu_space *s)
{
    struct gemu_user *u = gemu_user_find(st, http_req_param(req, "member"));
    struct gemu_member *m = u ? gemu_space_member(s, u) : NULL;
    if (!m)
        gemu_reply_error(req, A, 404, NULL, "Requested entity was not found.");
    return m;
}

static void on_get(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_user *caller = gemu_chat_begin(req, g, MEMBERS_READ);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    struct gemu_member *m = s ? member_param(req, g->st, s) : NULL;
    if (m)
        emu_reply_json(req, 200, gemu_member_json(g->st, s, m));
    gemu_state_unlock(g->st);
}

static void on_create(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body;
    struct gemu_user *caller = gemu_chat_begin_body(req, g, MEMBERS_WRITE, &body);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    struct gemu_user *u =
        gemu_chat_user(g->st, json_get_str(json_object_get(body, "member"), "name"));
    if (!s)
        goto out;
    if (strcmp(s->type, "DIRECT_MESSAGE") == 0) {
        gemu_reply_error(req, A, 400, NULL, "Members cannot be added to a direct message.");
    } else if (!u || u->suspended) {
        gemu_reply_bad_field(req, "membership.member.name", "Invalid member: no such user.");
    } else if (gemu_space_member(s, u)) {
        gemu_reply_error(req, A, 409, NULL, "The user is already a member of the space.");
    } else if (!gemu_chat_over_quota(req, g, s)) {
        struct gemu_member *m = gemu_space_join(s, u);
        emu_reply_json(req, 200, gemu_member_json(g->st, s, m));
        gemu_events_emit(g, s, EVENT_PREFIX "created", "membership",
                         gemu_member_json(g->st, s, m));
    }
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_delete(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_user *caller = gemu_chat_begin(req, g, MEMBERS_WRITE);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    struct gemu_member *m = s ? member_param(req, g->st, s) : NULL;
    if (!m)
        goto out;
    const struct gemu_member *me = gemu_space_member(s, caller);
    int allowed = m == me || me->manager || strcmp(s->type, "GROUP_CHAT") == 0;
    if (strcmp(s->type, "DIRECT_MESSAGE") == 0) {
        gemu_reply_error(req, A, 400, NULL, "Members cannot be removed from a direct message.");
    } else if (!allowed) {
        gemu_reply_error(req, A, 403, NULL, "The caller does not have permission");
    } else if (!gemu_chat_over_quota(req, g, s)) {
        json_t *gone = gemu_member_json(g->st, s, m);
        json_object_set_new(gone, "state", json_string("NOT_A_MEMBER"));
        json_t *event = json_pack("{s:O, s:s}", "name", json_object_get(gone, "name"), "state",
                                  "NOT_A_MEMBER");
        /* Emitted before leaving: the removed member's subscriptions see it too. */
        gemu_events_emit(g, s, EVENT_PREFIX "deleted", "membership", event);
        gemu_space_leave(s, m);
        emu_reply_json(req, 200, gone);
    }
out:
    gemu_state_unlock(g->st);
}

void gemu_chat_member_routes(struct emu_google *g)
{
    struct emu_frame *f = g->frame;
    emu_frame_route(f, "GET", "/v1/spaces/:space/members", on_list, g);
    emu_frame_route(f, "POST", "/v1/spaces/:space/members", on_create, g);
    emu_frame_route(f, "GET", "/v1/spaces/:space/members/:member", on_get, g);
    emu_frame_route(f, "DELETE", "/v1/spaces/:space/members/:member", on_delete, g);
}
