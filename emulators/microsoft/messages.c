/* messages.c - Graph chat messages: send (text or html, with mentions) as the
 * signed-in user, get, list newest first with paging, edit by the sender,
 * softDelete / undoSoftDelete.  Sending and editing need a delegated token. */
#include "microsoft/ms.h"

#include <stdlib.h>
#include <string.h>

#include "microsoft/chats.h"
#include "microsoft/graph.h"
#include "microsoft/notify.h"
#include "microsoft/repr.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define MESSAGES_MAX_TOP 50
#define MESSAGE_MAX_BYTES (28 * 1024)

/* The delegated caller as a user, if a member of CHAT; else answers 403. */
static struct ms_user *member_caller(struct ms *ms, struct http_req *req,
                                     const struct ms_caller *caller, struct ms_chat *chat)
{
    struct ms_user *me = ms_user_find(ms->st, caller->oid);
    if (me && ms_chat_member_of(chat, me))
        return me;
    emu_reply_error(req, 403, "Forbidden", "The signed-in user is not a member of this chat.");
    return NULL;
}

/* Validate a message body {"body":{"contentType","content"}, "mentions"}.
 * Answers 400/413 and returns -1 when bad. */
static int check_body(struct http_req *req, const json_t *body, const char **type,
                      const char **content)
{
    const json_t *b = json_object_get(body, "body");
    *type = json_get_str(b, "contentType");
    *content = json_get_str(b, "content");
    if (!json_is_object(b) || !*content) {
        emu_reply_error(req, 400, "BadRequest", "body.content is required.");
        return -1;
    }
    if (!*type)
        *type = "text";
    if (strcmp(*type, "text") != 0 && strcmp(*type, "html") != 0) {
        emu_reply_error(req, 400, "BadRequest", "body.contentType must be text or html.");
        return -1;
    }
    if (strlen(*content) > MESSAGE_MAX_BYTES) {
        emu_reply_error(req, 413, "RequestEntityTooLarge",
                        "The message exceeds the maximum size of about 28 KB.");
        return -1;
    }
    const json_t *mentions = json_object_get(body, "mentions");
    if (mentions && !json_is_array(mentions)) {
        emu_reply_error(req, 400, "BadRequest", "mentions must be an array.");
        return -1;
    }
    return 0;
}

/* --real-quotas: 20 chat-message POSTs per second per app. */
static int over_quota(struct ms *ms, struct http_req *req, const struct ms_caller *caller)
{
    int wait_s = ms->quota_messages ? emu_ratelimit_hit(ms->quota_messages, caller->client_id) : 0;
    if (!wait_s)
        return 0;
    char secs[16];
    snprintf(secs, sizeof secs, "%d", wait_s);
    http_reply_header(req, "Retry-After", secs);
    emu_reply_error(req, 429, "TooManyRequests", "Please retry again later.");
    return 1;
}

static void on_send(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    const char *type, *content;

    if (ms_auth_check(ms, req, MS_ACCESS_DELEGATED, &caller) || !(body = ms_body_object(req)) ||
        check_body(req, body, &type, &content) || over_quota(ms, req, &caller))
        goto out;
    ms_state_lock(ms->st);
    struct ms_chat *chat = ms_chats_visible(ms, req, &caller, http_req_param(req, "id"));
    struct ms_user *me = chat ? member_caller(ms, req, &caller, chat) : NULL;
    json_t *entity = NULL;
    if (me) {
        struct ms_message *m = ms_message_add(ms->st, chat, me, type, content,
                                              json_object_get(body, "mentions"));
        entity = ms_repr_message(chat, m);
        ms_notify_message(ms, chat, m, "created");
    }
    ms_state_unlock(ms->st);
    if (entity)
        ms_reply_entity(ms, req, 201, "chats('x')/messages", entity);
out:
    json_decref(body);
}

/* Index of the first message with seq >= SEQ (binary search). */
static size_t index_from(const struct ms_chat *chat, long long seq)
{
    size_t lo = 0, hi = chat->messages.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ms_message *m = chat->messages.items[mid];
        if (m->seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* GET /chats/{id}/messages: newest first; the skiptoken is the seq of the
 * oldest message sent so far. */
static void on_list(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    struct ms_query q;
    long long before = 0;
    char *next = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) ||
        ms_query_parse(req, MESSAGES_MAX_TOP, MESSAGES_MAX_TOP, &q))
        return;
    if (q.skiptoken && ms_token_decode(q.skiptoken, &before) != 0) {
        emu_reply_error(req, 400, "BadRequest", "The $skiptoken is malformed.");
        return;
    }
    ms_state_lock(ms->st);
    struct ms_chat *chat = ms_chats_visible(ms, req, &caller, http_req_param(req, "id"));
    json_t *values = chat ? json_array() : NULL;
    if (chat) {
        size_t end = before ? index_from(chat, before) : chat->messages.len;
        size_t start = end > (size_t)q.top ? end - (size_t)q.top : 0;
        for (size_t i = end; i-- > start;)
            json_array_append_new(values, ms_repr_message(chat, chat->messages.items[i]));
        if (start > 0)
            next = ms_token_encode(((struct ms_message *)chat->messages.items[start])->seq);
    }
    ms_state_unlock(ms->st);
    if (values)
        ms_reply_collection(ms, req, "chats('x')/messages", values, -1, next);
    free(next);
}

/* The message named by the path, or NULL after an error reply.  Lock held. */
static struct ms_message *find_message(struct ms *ms, struct http_req *req,
                                       const struct ms_caller *caller, const char *chat_id,
                                       struct ms_chat **chat_out)
{
    struct ms_chat *chat = ms_chats_visible(ms, req, caller, chat_id);
    struct ms_message *m = chat ? ms_message_find(chat, http_req_param(req, "mid")) : NULL;
    if (chat && !m)
        emu_reply_error(req, 404, "NotFound", "The message does not exist.");
    *chat_out = chat;
    return m;
}

static void on_get(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    struct ms_chat *chat;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_message *m = find_message(ms, req, &caller, http_req_param(req, "id"), &chat);
    json_t *entity = m ? ms_repr_message(chat, m) : NULL;
    ms_state_unlock(ms->st);
    if (entity)
        ms_reply_entity(ms, req, 200, "chats('x')/messages", entity);
}

static void on_update(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    struct ms_chat *chat;
    const char *type, *content;

    if (ms_auth_check(ms, req, MS_ACCESS_DELEGATED, &caller) || !(body = ms_body_object(req)) ||
        check_body(req, body, &type, &content))
        goto out;
    ms_state_lock(ms->st);
    struct ms_message *m = find_message(ms, req, &caller, http_req_param(req, "id"), &chat);
    if (m && strcmp(m->from->id, caller.oid) != 0) {
        emu_reply_error(req, 403, "Forbidden", "Only the sender can edit a message.");
    } else if (m && m->deleted_ms) {
        emu_reply_error(req, 400, "BadRequest", "A deleted message cannot be edited.");
    } else if (m) {
        free(m->content);
        free(m->content_type);
        m->content = xstrdup(content);
        m->content_type = xstrdup(type);
        json_t *mentions = json_object_get(body, "mentions");
        if (mentions) {
            json_decref(m->mentions);
            m->mentions = json_deep_copy(mentions);
        }
        m->edited_ms = m->modified_ms = clock_now_ms();
        snprintf(m->etag, sizeof m->etag, "%lld", m->modified_ms);
        ms_notify_message(ms, chat, m, "updated");
        emu_reply_empty(req, 204);
    }
    ms_state_unlock(ms->st);
out:
    json_decref(body);
}

/* softDelete (DELETE_IT) or undoSoftDelete, as /users/{uid}/chats/{cid}/messages/{mid}/... */
static void soft_delete(struct ms *ms, struct http_req *req, int delete_it)
{
    struct ms_caller caller;
    struct ms_chat *chat;

    if (ms_auth_check(ms, req, MS_ACCESS_DELEGATED, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_user *who = ms_user_find(ms->st, http_req_param(req, "uid"));
    if (!who || strcmp(who->id, caller.oid) != 0) {
        emu_reply_error(req, 403, "Forbidden", "A user can only delete their own messages.");
        goto unlock;
    }
    struct ms_message *m = find_message(ms, req, &caller, http_req_param(req, "cid"), &chat);
    if (m && m->from != who) {
        emu_reply_error(req, 403, "Forbidden", "Only the sender can delete a message.");
    } else if (m) {
        long long now = clock_now_ms();
        m->deleted_ms = delete_it ? now : 0;
        m->modified_ms = now;
        snprintf(m->etag, sizeof m->etag, "%lld", now);
        ms_notify_message(ms, chat, m, delete_it ? "deleted" : "updated");
        emu_reply_empty(req, 204);
    }
unlock:
    ms_state_unlock(ms->st);
}

static void on_soft_delete(struct http_req *req, void *ctx)
{
    soft_delete(ctx, req, 1);
}

static void on_undo_soft_delete(struct http_req *req, void *ctx)
{
    soft_delete(ctx, req, 0);
}

void ms_messages_routes(struct ms *ms)
{
    struct emu_frame *f = ms->frame;
    emu_frame_route(f, "POST", "/v1.0/chats/:id/messages", on_send, ms);
    emu_frame_route(f, "GET", "/v1.0/chats/:id/messages", on_list, ms);
    emu_frame_route(f, "GET", "/v1.0/chats/:id/messages/:mid", on_get, ms);
    emu_frame_route(f, "PATCH", "/v1.0/chats/:id/messages/:mid", on_update, ms);
    emu_frame_route(f, "POST", "/v1.0/users/:uid/chats/:cid/messages/:mid/softDelete",
                    on_soft_delete, ms);
    emu_frame_route(f, "POST", "/v1.0/users/:uid/chats/:cid/messages/:mid/undoSoftDelete",
                    on_undo_soft_delete, ms);
}
