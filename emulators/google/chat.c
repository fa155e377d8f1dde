/* chat.c - Google Chat API v1 spaces, and the helpers every Chat file
 * shares (chat.h: caller check, space lookup, user references, quotas):
 *
 *   POST /v1/spaces:setup               DM (reused when it exists), group chat
 *                                       or named space; requestId idempotent
 *   GET  /v1/spaces:findDirectMessage   ?name=users/{id or email}; 404 if none
 *   GET  /v1/spaces                     the caller's spaces (group chats and
 *                                       DMs once they have a message)
 *   POST /v1/spaces                     spaces.create: a named space
 *   GET  /v1/spaces/:space
 *
 * Only user authentication (a delegated token) is emulated; spaces the caller
 * is not a member of are NOT_FOUND.  Memberships are in chat_members.c,
 * messages in chat_messages.c. */
#include "google/chat.h"

#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "frame/ratelimit.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define A GEMU_AIP193
#define MAX_SETUP_MEMBERS 49

static const char *const SPACES_READ[] = {"chat.spaces", "chat.spaces.readonly", NULL};
static const char *const SPACES_CREATE[] = {"chat.spaces", "chat.spaces.create", NULL};

struct gemu_user *gemu_chat_begin(struct http_req *req, struct emu_google *g,
                                  const char *const scopes[])
{
    gemu_state_lock(g->st);
    const struct gemu_token *t = gemu_auth(req, g->st, A, scopes);
    if (t && !t->subject) {
        gemu_reply_error(req, A, 403, NULL,
                         "This method doesn't support app authentication with a service account. "
                         "Authenticate with a user account.");
        t = NULL;
    }
    if (!t) {
        gemu_state_unlock(g->st);
        return NULL;
    }
    return t->subject;
}

struct gemu_user *gemu_chat_begin_body(struct http_req *req, struct emu_google *g,
                                       const char *const scopes[], json_t **body)
{
    struct gemu_user *caller = NULL;

    *body = http_req_json_or_400(req);
    if (*body && !(caller = gemu_chat_begin(req, g, scopes))) {
        json_decref(*body);
        *body = NULL;
    }
    return caller;
}

struct gemu_space *gemu_chat_space(struct http_req *req, struct gemu_state *st,
                                   const struct gemu_user *caller)
{
    struct gemu_space *s = gemu_space_find(st, http_req_param(req, "space"));
    if (!s || !gemu_space_member(s, caller)) {
        gemu_reply_error(req, A, 404, NULL, "Requested entity was not found.");
        return NULL;
    }
    return s;
}

struct gemu_user *gemu_chat_user(struct gemu_state *st, const char *name)
{
    if (!name || strncmp(name, "users/", 6) != 0)
        return NULL;
    return gemu_user_find(st, name + 6);
}

json_t *gemu_user_ref(const struct gemu_state *st, const struct gemu_user *u)
{
    char *name = xasprintf("users/%s", u->id);
    json_t *j = json_pack("{s:s, s:s, s:s}", "name", name, "type", "HUMAN", "domainId",
                          st->customer_id);
    free(name);
    return j;
}

int gemu_chat_over_quota(struct http_req *req, struct emu_google *g, const struct gemu_space *s)
{
    if (!g->quota_space_writes)
        return 0;
    const char *project = g->st->project_id;
    int wait_s = s ? emu_ratelimit_hit(g->quota_message_writes, project)
                   : emu_ratelimit_hit(g->quota_space_setup, project);
    if (!wait_s && s)
        wait_s = emu_ratelimit_hit(g->quota_space_writes, s->id);
    if (!wait_s)
        return 0;
    gemu_reply_quota(req, wait_s,
                     s ? "Quota exceeded for quota metric 'Write requests' and limit 'Write "
                         "requests per minute per space'."
                       : "Quota exceeded for quota metric 'Space writes' and limit 'Space writes "
                         "per minute per project'.");
    return 1;
}

static json_t *space_json(const struct gemu_space *s)
{
    char created[32], active[32];
    char *name = xasprintf("spaces/%s", s->id);
    char *uri = xasprintf("https://mail.google.com/chat/u/0/#chat/space/%s", s->id);
    int named = strcmp(s->type, "SPACE") == 0;
    emu_ids_time_iso(s->created_ms, created);
    emu_ids_time_iso(s->last_active_ms, active);
    json_t *j = json_pack(
        "{s:s, s:s, s:b, s:s, s:b, s:s, s:s, s:s, s:s, s:{s:I}, s:b, s:b, s:s}", "name", name,
        "spaceType", s->type, "singleUserBotDm", 0, "displayName", s->display_name,
        "externalUserAllowed", 0, "spaceThreadingState",
        named ? "THREADED_MESSAGES" : "UNTHREADED_MESSAGES", "spaceHistoryState", "HISTORY_ON",
        "createTime", created, "lastActiveTime", active, "membershipCount",
        "joinedDirectHumanUserCount", (json_int_t)s->members.len, "importMode", 0,
        "adminInstalled", 0, "spaceUri", uri);
    free(uri);
    free(name);
    return j;
}

/* ---- spaces.setup ---- */

/* The users of BODY's memberships (unknown ones skipped), into *USERS.
 * Returns 0, or -1 after answering. */
static int setup_members(struct http_req *req, struct gemu_state *st, const json_t *body,
                         const struct gemu_user *caller, struct emu_vec *users)
{
    const json_t *list = json_object_get(body, "memberships");
    size_t i;
    json_t *ms;

    if (list && !json_is_array(list)) {
        gemu_reply_bad_field(req, "memberships", "Invalid value: expected a list.");
        return -1;
    }
    if (json_array_size(list) > MAX_SETUP_MEMBERS) {
        gemu_reply_bad_field(req, "memberships", "Too many memberships: at most 49.");
        return -1;
    }
    json_array_foreach(list, i, ms) {
        const json_t *member = json_object_get(ms, "member");
        if (json_object_get(ms, "groupMember"))
            continue;     /* Google groups are not emulated in spaces */
        struct gemu_user *u = gemu_chat_user(st, json_get_str(member, "name"));
        if (u && u != caller && !u->suspended)
            emu_vec_push(users, u);
    }
    return 0;
}

/* The space spaces.setup asks for in BODY: an existing DM between CALLER
 * and the one other user, or a new space; NULL after a 4xx. */
static struct gemu_space *new_space(struct http_req *req, struct gemu_state *st,
                                    const json_t *body, const struct gemu_user *caller,
                                    const struct emu_vec *users)
{
    const json_t *space = json_object_get(body, "space");
    const char *type = json_get_str(space, "spaceType");
    const char *display = json_get_str(space, "displayName");
    size_t asked = json_array_size(json_object_get(body, "memberships"));

    if (!type) {
        gemu_reply_bad_field(req, "space.space_type", "Space type is required.");
        return NULL;
    }
    if (strcmp(type, "DIRECT_MESSAGE") == 0) {
        if (asked != 1) {
            gemu_reply_bad_field(req, "memberships",
                                 "A direct message needs exactly one other member.");
            return NULL;
        }
        if (users->len != 1) {
            gemu_reply_error(req, A, 404, NULL, "Requested entity was not found.");
            return NULL;
        }
        struct gemu_space *dm = gemu_space_find_dm(st, caller, users->items[0]);
        return dm ? dm : gemu_space_add(st, "DIRECT_MESSAGE", NULL);
    }
    if (strcmp(type, "GROUP_CHAT") == 0) {
        if (display && *display) {
            gemu_reply_bad_field(req, "space.display_name",
                                 "A group chat cannot have a display name.");
            return NULL;
        }
        if (asked < 2) {
            gemu_reply_bad_field(req, "memberships", "A group chat needs at least two members.");
            return NULL;
        }
        return gemu_space_add(st, "GROUP_CHAT", NULL);
    }
    if (strcmp(type, "SPACE") == 0) {
        if (!display || !*display) {
            gemu_reply_bad_field(req, "space.display_name", "A space needs a display name.");
            return NULL;
        }
        for (size_t i = 0; i < st->spaces.len; i++) {
            struct gemu_space *other = st->spaces.items[i];
            if (strcmp(other->type, "SPACE") == 0 && strcmp(other->display_name, display) == 0) {
                gemu_reply_error(req, A, 409, NULL, "A space with this name already exists.");
                return NULL;
            }
        }
        return gemu_space_add(st, "SPACE", display);
    }
    gemu_reply_bad_field(req, "space.space_type", "Invalid space type.");
    return NULL;
}

/* Add CALLER (the manager of a new named space) and USERS to S, emitting
 * membership.created for each new member. */
static void join_all(struct emu_google *g, struct gemu_space *s, struct gemu_user *caller,
                     const struct emu_vec *users)
{
    size_t before = s->members.len;
    struct gemu_member *own = gemu_space_join(s, caller);
    if (before == 0 && strcmp(s->type, "SPACE") == 0)
        own->manager = 1;
    for (size_t i = 0; i < users->len; i++)
        gemu_space_join(s, users->items[i]);
    for (size_t i = before; i < s->members.len; i++)
        gemu_events_emit(g, s, "google.workspace.chat.membership.v1.created", "membership",
                         gemu_member_json(g->st, s, s->members.items[i]));
}

static void on_setup(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct emu_vec users = EMU_VEC_INIT;
    char *request_key = NULL;
    json_t *body;
    struct gemu_user *caller = gemu_chat_begin_body(req, g, SPACES_CREATE, &body);
    if (!caller)
        return;
    const char *request_id = json_get_str(body, "requestId");
    struct gemu_space *s = NULL;

    if (request_id) {
        request_key = xasprintf("%s\n%s", caller->id, request_id);
        s = emu_map_get(g->st->space_by_request, request_key);
        if (s) {
            emu_reply_json(req, 200, space_json(s));
            goto out;
        }
    }
    if (setup_members(req, g->st, body, caller, &users) || gemu_chat_over_quota(req, g, NULL))
        goto out;
    if (!(s = new_space(req, g->st, body, caller, &users)))
        goto out;
    join_all(g, s, caller, &users);
    if (request_key)
        emu_map_put(g->st->space_by_request, request_key, s);
    emu_reply_json(req, 200, space_json(s));
out:
    gemu_state_unlock(g->st);
    emu_vec_free(&users);
    free(request_key);
    json_decref(body);
}

/* spaces.create: a named space with the caller alone (body = Space). */
static void on_create(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct emu_vec none = EMU_VEC_INIT;
    struct gemu_space *s = NULL;
    json_t *setup = NULL;
    json_t *body;
    struct gemu_user *caller = gemu_chat_begin_body(req, g, SPACES_CREATE, &body);
    if (!caller)
        return;
    const char *type = json_get_str(body, "spaceType");
    if (type && strcmp(type, "SPACE") != 0) {
        gemu_reply_bad_field(req, "space.space_type", "spaces.create makes named spaces only.");
        goto out;
    }
    json_object_set_new(body, "spaceType", json_string("SPACE"));
    setup = json_pack("{s:O}", "space", body);
    if (gemu_chat_over_quota(req, g, NULL) || !(s = new_space(req, g->st, setup, caller, &none)))
        goto out;
    join_all(g, s, caller, &none);
    emu_reply_json(req, 200, space_json(s));
out:
    gemu_state_unlock(g->st);
    json_decref(setup);
    json_decref(body);
}

static void on_find_dm(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_user *caller = gemu_chat_begin(req, g, SPACES_READ);
    if (!caller)
        return;
    const char *name = http_req_query(req, "name");
    struct gemu_user *other = gemu_chat_user(g->st, name);
    struct gemu_space *s = other ? gemu_space_find_dm(g->st, caller, other) : NULL;
    if (!name)
        gemu_reply_bad_field(req, "name", "Name is required.");
    else if (!s)
        gemu_reply_error(req, A, 404, NULL, "Requested entity was not found.");
    else
        emu_reply_json(req, 200, space_json(s));
    gemu_state_unlock(g->st);
}

/* Whether spaces.list's FILTER admits TYPE (no filter: every type). */
static int filter_admits(const char *filter, const char *type)
{
    if (!filter || !*filter)
        return 1;
    char *quoted = xasprintf("\"%s\"", type);
    int ok = strstr(filter, quoted) != NULL;
    free(quoted);
    return ok;
}

static void on_spaces_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    struct emu_vec hits = EMU_VEC_INIT;
    const char *filter = http_req_query(req, "filter");
    struct gemu_user *caller = gemu_chat_begin(req, g, SPACES_READ);
    if (!caller)
        return;
    if (gemu_page_parse(req, A, "pageSize", 100, 1000, 1, &page))
        goto out;
    if (filter && *filter && !strstr(filter, "spaceType") && !strstr(filter, "space_type")) {
        gemu_reply_bad_field(req, "filter", "Invalid filter.");
        goto out;
    }
    for (size_t i = 0; i < g->st->spaces.len; i++) {
        struct gemu_space *s = g->st->spaces.items[i];
        int listed = strcmp(s->type, "SPACE") == 0 || s->messages.len > 0;
        if (listed && gemu_space_member(s, caller) && filter_admits(filter, s->type))
            emu_vec_push(&hits, s);
    }
    json_t *resp = json_object();
    if (page.offset < hits.len) {
        json_t *spaces = json_array();
        for (size_t i = page.offset; i < hits.len && i < page.offset + page.limit; i++)
            json_array_append_new(spaces, space_json(hits.items[i]));
        json_object_set_new(resp, "spaces", spaces);
    }
    gemu_page_next(resp, &page, hits.len);
    emu_reply_json(req, 200, resp);
out:
    gemu_state_unlock(g->st);
    emu_vec_free(&hits);
}

static void on_space_get(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_user *caller = gemu_chat_begin(req, g, SPACES_READ);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    if (s)
        emu_reply_json(req, 200, space_json(s));
    gemu_state_unlock(g->st);
}

void gemu_chat_routes(struct emu_google *g)
{
    struct emu_frame *f = g->frame;
    emu_frame_route(f, "POST", "/v1/spaces:setup", on_setup, g);
    emu_frame_route(f, "GET", "/v1/spaces:findDirectMessage", on_find_dm, g);
    emu_frame_route(f, "GET", "/v1/spaces", on_spaces_list, g);
    emu_frame_route(f, "POST", "/v1/spaces", on_create, g);
    emu_frame_route(f, "GET", "/v1/spaces/:space", on_space_get, g);
    gemu_chat_member_routes(g);
    gemu_chat_message_routes(g);
}
