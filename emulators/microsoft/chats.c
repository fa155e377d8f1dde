/* chats.c - Graph chats: create oneOnOne (the same pair always gets the same
 * chat) and group chats with members bound by user@odata.bind; get; list a
 * user's chats (with $expand=members); list, add and remove members. */
#include "microsoft/chats.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "microsoft/notify.h"
#include "microsoft/repr.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define CHATS_MAX_TOP 50

struct ms_user *ms_chats_bound_user(struct ms_state *st, const char *bind)
{
    const char *p = bind ? strstr(bind, "users") : NULL;
    if (!p)
        return NULL;
    p += 5;
    char *id = NULL;
    if (p[0] == '(' && p[1] == '\'') {
        const char *end = strchr(p + 2, '\'');
        if (end)
            id = xstrndup(p + 2, (size_t)(end - p - 2));
    } else if (p[0] == '/') {
        id = xstrndup(p + 1, strcspn(p + 1, "/?"));
    }
    struct ms_user *u = id ? ms_user_find(st, id) : NULL;
    free(id);
    return u;
}

struct ms_chat *ms_chats_visible(struct ms *ms, struct http_req *req,
                                 const struct ms_caller *caller, const char *id)
{
    struct ms_chat *chat = ms_chat_find(ms->st, id);
    if (chat && !caller->is_app) {
        struct ms_user *me = ms_user_find(ms->st, caller->oid);
        if (!me || !ms_chat_member_of(chat, me))
            chat = NULL;
    }
    if (!chat) {
        char *msg = xasprintf("Chat '%s' was not found or the caller is not a member.", id);
        emu_reply_error(req, 404, "NotFound", msg);
        free(msg);
    }
    return chat;
}

static json_t *chat_with_members(struct ms_state *st, const struct ms_chat *chat, int expand)
{
    json_t *obj = ms_repr_chat(st, chat);
    if (expand) {
        json_t *members = json_array();
        for (size_t i = 0; i < chat->members.len; i++)
            json_array_append_new(members, ms_repr_chat_member(st, chat, chat->members.items[i]));
        json_object_set_new(obj, "members", members);
    }
    return obj;
}

/* Resolve the members[] of a create request.  Lock held.  Answers 400 and
 * returns -1 on a bad entry. */
static int resolve_members(struct ms *ms, struct http_req *req, const json_t *members,
                           struct ms_user **users, int *owners, size_t *n)
{
    size_t i;
    json_t *m;
    *n = 0;
    json_array_foreach(members, i, m) {
        struct ms_user *u = ms_chats_bound_user(ms->st, json_get_str(m, "user@odata.bind"));
        if (!u) {
            emu_reply_error(req, 400, "BadRequest",
                            "A member's user@odata.bind does not name an existing user.");
            return -1;
        }
        if (*n == 250) {
            emu_reply_error(req, 400, "BadRequest", "A chat can have at most 250 members.");
            return -1;
        }
        int dup = 0;
        for (size_t k = 0; k < *n; k++)
            dup |= users[k] == u;
        if (dup)
            continue;
        const json_t *roles = json_object_get(m, "roles");
        owners[*n] = 0;
        size_t r;
        json_t *role;
        json_array_foreach(roles, r, role)
            owners[*n] |= json_is_string(role) && strcmp(json_string_value(role), "owner") == 0;
        users[(*n)++] = u;
    }
    return 0;
}

static void on_create(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    struct ms_user *users[250];
    int owners[250];
    size_t n = 0;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)))
        goto out;
    const char *type = json_get_str(body, "chatType");
    const char *topic = json_get_str(body, "topic");
    const json_t *members = json_object_get(body, "members");
    if (!type || (strcmp(type, "oneOnOne") != 0 && strcmp(type, "group") != 0)) {
        emu_reply_error(req, 400, "BadRequest", "chatType must be oneOnOne or group.");
        goto out;
    }
    if (!json_is_array(members)) {
        emu_reply_error(req, 400, "BadRequest", "members is required.");
        goto out;
    }
    if (topic && strcmp(type, "oneOnOne") == 0) {
        emu_reply_error(req, 400, "BadRequest", "A topic can only be set on a group chat.");
        goto out;
    }
    ms_state_lock(ms->st);
    if (resolve_members(ms, req, members, users, owners, &n))
        goto unlock;
    if ((strcmp(type, "oneOnOne") == 0 && n != 2) || n < 2) {
        emu_reply_error(req, 400, "BadRequest", strcmp(type, "oneOnOne") == 0
                        ? "A oneOnOne chat must have exactly two members."
                        : "A group chat needs at least two members.");
        goto unlock;
    }
    if (!caller.is_app) {
        struct ms_user *me = ms_user_find(ms->st, caller.oid);
        int included = 0;
        for (size_t k = 0; k < n; k++)
            included |= users[k] == me;
        if (!included) {
            emu_reply_error(req, 403, "Forbidden",
                            "The signed-in user must be one of the chat's members.");
            goto unlock;
        }
    }
    struct ms_chat *chat = strcmp(type, "oneOnOne") == 0
                               ? ms_chat_find_pair(ms->st, users[0], users[1]) : NULL;
    if (!chat) {
        chat = ms_chat_add(ms->st, type, topic, users[0], users[1]);
        for (size_t k = 0; k < n; k++) {
            struct ms_chat_member *m = ms_chat_member_add(chat, users[k], owners[k]);
            ms_notify_chat_member(ms, chat, m, "created");
        }
        ms_notify_chat(ms, chat, "created");
    }
    json_t *entity = ms_repr_chat(ms->st, chat);
    ms_state_unlock(ms->st);
    ms_reply_entity(ms, req, 201, "chats", entity);
    goto out;
unlock:
    ms_state_unlock(ms->st);
out:
    json_decref(body);
}

static void on_get(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    const char *expand = http_req_query(req, "$expand");

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_chat *chat = ms_chats_visible(ms, req, &caller, http_req_param(req, "id"));
    json_t *entity = chat ? chat_with_members(ms->st, chat, expand && strstr(expand, "members"))
                          : NULL;
    ms_state_unlock(ms->st);
    if (entity)
        ms_reply_entity(ms, req, 200, "chats", entity);
}

/* The chats of USER_KEY (NULL: the delegated caller) from the user's own
 * index, in the order they joined (newest activity first is not promised),
 * offset-paged. */
static void list_chats(struct ms *ms, struct http_req *req, const char *user_key)
{
    struct ms_caller caller;
    struct ms_query q;
    long long offset = 0;
    char *next = NULL;
    const char *expand = http_req_query(req, "$expand");

    if (ms_auth_check(ms, req, user_key ? MS_ACCESS_ANY : MS_ACCESS_DELEGATED, &caller) ||
        ms_query_parse(req, CHATS_MAX_TOP, CHATS_MAX_TOP, &q))
        return;
    if (q.skiptoken && (ms_token_decode(q.skiptoken, &offset) != 0 || offset < 0)) {
        emu_reply_error(req, 400, "BadRequest", "The $skiptoken is malformed.");
        return;
    }
    ms_state_lock(ms->st);
    struct ms_user *u = ms_user_find(ms->st, user_key ? user_key : caller.oid);
    if (!u || (!caller.is_app && strcmp(u->id, caller.oid) != 0)) {
        ms_state_unlock(ms->st);
        emu_reply_error(req, u ? 403 : 404, u ? "Forbidden" : "NotFound",
                        u ? "A user can only list their own chats." : "User not found.");
        return;
    }
    json_t *values = json_array();
    for (size_t i = (size_t)offset; i < u->chats.len; i++) {
        if (json_array_size(values) == (size_t)q.top) {
            next = ms_token_encode(offset + q.top);
            break;
        }
        json_array_append_new(values, chat_with_members(ms->st, u->chats.items[i],
                                                        expand && strstr(expand, "members")));
    }
    ms_state_unlock(ms->st);
    ms_reply_collection(ms, req, "chats", values, -1, next);
    free(next);
}

static void on_my_chats(struct http_req *req, void *ctx)
{
    list_chats(ctx, req, NULL);
}

static void on_user_chats(struct http_req *req, void *ctx)
{
    list_chats(ctx, req, http_req_param(req, "id"));
}

static void on_members(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_chat *chat = ms_chats_visible(ms, req, &caller, http_req_param(req, "id"));
    json_t *values = chat ? json_array() : NULL;
    for (size_t i = 0; chat && i < chat->members.len; i++)
        json_array_append_new(values, ms_repr_chat_member(ms->st, chat, chat->members.items[i]));
    ms_state_unlock(ms->st);
    if (values)
        ms_reply_collection(ms, req, "chats('x')/members", values, -1, NULL);
}

static void on_add_member(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)))
        goto out;
    ms_state_lock(ms->st);
    struct ms_chat *chat = ms_chats_visible(ms, req, &caller, http_req_param(req, "id"));
    struct ms_user *u = chat ? ms_chats_bound_user(ms->st, json_get_str(body, "user@odata.bind"))
                             : NULL;
    json_t *entity = NULL;
    char *location = NULL;
    if (chat && strcmp(chat->chat_type, "oneOnOne") == 0) {
        emu_reply_error(req, 400, "BadRequest", "Members cannot be added to a oneOnOne chat.");
    } else if (chat && !u) {
        emu_reply_error(req, 400, "BadRequest", "user@odata.bind does not name an existing user.");
    } else if (chat) {
        struct ms_chat_member *m = ms_chat_member_of(chat, u);
        if (!m) {
            m = ms_chat_member_add(chat, u, 0);
            ms_notify_chat_member(ms, chat, m, "created");
        }
        entity = ms_repr_chat_member(ms->st, chat, m);
        char *path = xasprintf("/chats/%s/members/%s", chat->id, m->id);
        location = ms_graph_url(ms, path);
        free(path);
    }
    ms_state_unlock(ms->st);
    if (entity) {
        http_reply_header(req, "Location", location);
        ms_reply_entity(ms, req, 201, "chats('x')/members", entity);
    }
    free(location);
out:
    json_decref(body);
}

static void on_remove_member(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_chat *chat = ms_chats_visible(ms, req, &caller, http_req_param(req, "id"));
    struct ms_chat_member *m = chat ? ms_chat_member_find(chat, http_req_param(req, "mid")) : NULL;
    if (chat && !m) {
        emu_reply_error(req, 404, "NotFound", "The membership does not exist.");
    } else if (chat && strcmp(chat->chat_type, "oneOnOne") == 0) {
        emu_reply_error(req, 400, "BadRequest", "Members cannot be removed from a oneOnOne chat.");
    } else if (m) {
        ms_notify_chat_member(ms, chat, m, "deleted");
        ms_chat_member_remove(chat, m);
        emu_reply_empty(req, 204);
    }
    ms_state_unlock(ms->st);
}

void ms_chats_routes(struct ms *ms)
{
    struct emu_frame *f = ms->frame;
    emu_frame_route(f, "POST", "/v1.0/chats", on_create, ms);
    emu_frame_route(f, "GET", "/v1.0/chats", on_my_chats, ms);
    emu_frame_route(f, "GET", "/v1.0/me/chats", on_my_chats, ms);
    emu_frame_route(f, "GET", "/v1.0/chats/:id", on_get, ms);
    emu_frame_route(f, "GET", "/v1.0/users/:id/chats", on_user_chats, ms);
    emu_frame_route(f, "GET", "/v1.0/chats/:id/members", on_members, ms);
    emu_frame_route(f, "POST", "/v1.0/chats/:id/members", on_add_member, ms);
    emu_frame_route(f, "DELETE", "/v1.0/chats/:id/members/:mid", on_remove_member, ms);
}
