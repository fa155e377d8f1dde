/* chat_messages.c - Google Chat API v1 messages of a space:
 *
 *   POST   /v1/spaces/:space/messages          create (?messageId=client-...,
 *                                              ?requestId= idempotent,
 *                                              ?messageReplyOption=)
 *   GET    /v1/spaces/:space/messages          list (pageSize <= 1000,
 *                                              filter, orderBy, showDeleted)
 *   GET    /v1/spaces/:space/messages/:message by id or client id
 *   PATCH  /v1/spaces/:space/messages/:message ?updateMask=text (sender only)
 *   PUT    the same
 *   DELETE /v1/spaces/:space/messages/:message sender only; ?force=true
 *                                              also deletes thread replies
 *
 * Texts are limited to 4,096 characters and a message to 32,000 bytes;
 * <users/{id or email}> mentions become USER_MENTION annotations and the
 * numeric form in formattedText. */
#include "google/chat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define A GEMU_AIP193
#define MAX_TEXT_CHARS 4096
#define MAX_MESSAGE_BYTES 32000
#define MAX_CLIENT_ID 63
#define TEXT_FIELD "apps.dynamite.CreateMessageInfo.text_body"
#define EVENT_PREFIX "google.workspace.chat.message.v1."

static const char *const MESSAGES_CREATE[] = {"chat.messages", "chat.messages.create",
                                              "chat.import", NULL};
static const char *const MESSAGES_READ[] = {"chat.messages", "chat.messages.readonly", NULL};
static const char *const MESSAGES_WRITE[] = {"chat.messages", NULL};

/* UTF-16 code units of the LEN UTF-8 bytes at S (Chat's annotation unit). */
static size_t utf16_units(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* formattedText (mentions in the numeric form) and annotations of TEXT. */
static void format_text(struct gemu_state *st, const char *text, char **formatted,
                        json_t **annotations)
{
    struct buf out = BUF_INIT;
    *annotations = json_array();
    for (const char *p = text; *p;) {
        const char *end = strncmp(p, "<users/", 7) == 0 ? strchr(p, '>') : NULL;
        char *name = end ? xstrndup(p + 1, (size_t)(end - p - 1)) : NULL;
        struct gemu_user *u = name ? gemu_chat_user(st, name) : NULL;
        free(name);
        if (!u) {
            buf_append(&out, p, 1);
            p++;
            continue;
        }
        json_t *user = gemu_user_ref(st, u);
        json_array_append_new(
            *annotations,
            json_pack("{s:s, s:I, s:I, s:{s:o, s:s}}", "type", "USER_MENTION", "startIndex",
                      (json_int_t)utf16_units(text, (size_t)(p - text)), "length",
                      (json_int_t)utf16_units(p, (size_t)(end - p + 1)), "userMention", "user",
                      user, "type", "MENTION"));
        buf_printf(&out, "<users/%s>", u->id);
        p = end + 1;
    }
    *formatted = buf_steal(&out);
}

static json_t *message_json(struct gemu_state *st, const struct gemu_space *s,
                            const struct gemu_message *m)
{
    char created[32], when[32];
    char *space = xasprintf("spaces/%s", s->id);
    emu_ids_time_iso(m->created_ms, created);
    json_t *j = json_pack("{s:s, s:o, s:s, s:{s:s}, s:{s:s}}", "name", m->name, "sender",
                          gemu_user_ref(st, m->sender), "createTime", created, "thread", "name",
                          m->thread_name, "space", "name", space);
    free(space);
    if (m->client_id)
        json_object_set_new(j, "clientAssignedMessageId", json_string(m->client_id));
    if (m->updated_ms) {
        emu_ids_time_iso(m->updated_ms, when);
        json_object_set_new(j, "lastUpdateTime", json_string(when));
    }
    if (m->deleted_ms) {
        emu_ids_time_iso(m->deleted_ms, when);
        json_object_set_new(j, "deleteTime", json_string(when));
        json_object_set_new(j, "deletionMetadata", json_pack("{s:s}", "deletionType", "CREATOR"));
        return j;
    }
    char *formatted = NULL;
    json_t *annotations = NULL;
    format_text(st, m->text, &formatted, &annotations);
    json_object_set_new(j, "text", json_string(m->text));
    json_object_set_new(j, "formattedText", json_string(formatted));
    json_object_set_new(j, "argumentText", json_string(m->text));
    if (json_array_size(annotations))
        json_object_set_new(j, "annotations", annotations);
    else
        json_decref(annotations);
    json_object_set_new(j, "threadReply", json_boolean(m->thread_reply));
    free(formatted);
    return j;
}

/* The text of BODY, checked for length; NULL after answering 400. */
static const char *checked_text(struct http_req *req, const json_t *body)
{
    const char *text = json_get_str(body, "text");
    size_t len = 0;
    http_req_body(req, &len);
    if (json_object_get(body, "cardsV2") || json_object_get(body, "cards")) {
        gemu_reply_bad_field(req, "cards_v2",
                             "Cards can only be sent with app authentication.");
        return NULL;
    }
    if (!text || !*text) {
        gemu_reply_bad_field(req, "text", "Message cannot be empty. Discarding empty message.");
        return NULL;
    }
    if (code_points(text) > MAX_TEXT_CHARS) {
        gemu_reply_bad_field(req, TEXT_FIELD,
                             "Maximum length of the field is 4096. Field: " TEXT_FIELD);
        return NULL;
    }
    if (len > MAX_MESSAGE_BYTES) {
        gemu_reply_bad_field(req, "message", "Message is too large: at most 32,000 bytes.");
        return NULL;
    }
    return text;
}

/* messageId's rules: "client-" then lowercase letters, digits and hyphens. */
static int valid_client_id(const char *id)
{
    size_t len = strlen(id);
    if (strncmp(id, "client-", 7) != 0 || len <= 7 || len > MAX_CLIENT_ID)
        return 0;
    for (const char *p = id + 7; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return 0;
    return 1;
}

/* The thread a new message goes to (NULL: a new one); -1 after a 404. */
static int reply_thread(struct http_req *req, struct gemu_space *s, const json_t *body,
                        const char **thread)
{
    const char *option = http_req_query(req, "messageReplyOption");
    const char *name = json_get_str(json_object_get(body, "thread"), "name");
    *thread = NULL;
    if (!option || strcmp(option, "MESSAGE_REPLY_OPTION_UNSPECIFIED") == 0 || !name)
        return 0;
    for (size_t i = 0; i < s->messages.len; i++) {
        const struct gemu_message *m = s->messages.items[i];
        if (strcmp(m->thread_name, name) == 0) {
            *thread = m->thread_name;
            return 0;
        }
    }
    if (strcmp(option, "REPLY_MESSAGE_OR_FAIL") == 0) {
        gemu_reply_error(req, A, 404, NULL, "Thread not found.");
        return -1;
    }
    return 0;
}

static void on_create(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *client_id = http_req_query(req, "messageId");
    const char *request_id = http_req_query(req, "requestId");
    const char *thread = NULL;
    json_t *body;
    struct gemu_user *caller = gemu_chat_begin_body(req, g, MESSAGES_CREATE, &body);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    const char *text = s ? checked_text(req, body) : NULL;
    if (!text)
        goto out;
    struct gemu_message *m = gemu_message_by_request(s, request_id);
    if (m) {
        emu_reply_json(req, 200, message_json(g->st, s, m));
        goto out;
    }
    if (client_id && !valid_client_id(client_id)) {
        gemu_reply_bad_field(req, "message_id",
                             "Invalid message id: it must start with 'client-' and contain only "
                             "lowercase letters, digits and hyphens (at most 63 characters).");
        goto out;
    }
    if (client_id && gemu_message_find(s, client_id)) {
        gemu_reply_error(req, A, 409, NULL, "Message with the given message ID already exists.");
        goto out;
    }
    if (reply_thread(req, s, body, &thread) || gemu_chat_over_quota(req, g, s))
        goto out;
    m = gemu_message_add(s, caller, text, thread, client_id, request_id);
    emu_reply_json(req, 200, message_json(g->st, s, m));
    gemu_events_emit(g, s, EVENT_PREFIX "created", "message", message_json(g->st, s, m));
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

/* The live message of the :message parameter in S, or NULL after a 404. */
static struct gemu_message *message_param(struct http_req *req, struct gemu_space *s)
{
    struct gemu_message *m = gemu_message_find(s, http_req_param(req, "message"));
    if (!m || m->deleted_ms) {
        gemu_reply_error(req, A, 404, NULL, "Requested entity was not found.");
        return NULL;
    }
    return m;
}

static void on_get(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_user *caller = gemu_chat_begin(req, g, MESSAGES_READ);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    struct gemu_message *m = s ? message_param(req, s) : NULL;
    if (m)
        emu_reply_json(req, 200, message_json(g->st, s, m));
    gemu_state_unlock(g->st);
}

/* messages.list's filter: clauses joined by AND, each
 * `create_time > "RFC 3339"`, `create_time < "..."` or
 * `thread.name = spaces/S/threads/T`. */
struct list_filter {
    long long after_ms, before_ms;   /* 0: unbounded */
    char *thread;
};

static int parse_filter(const char *text, struct list_filter *f)
{
    int rc = 0;
    memset(f, 0, sizeof *f);
    if (!text || !*text)
        return 0;
    const char *p = text;
    while (*p && rc == 0) {
        while (*p == ' ')
            p++;
        char field[32], op[3], value[512];
        int used = 0;
        if (sscanf(p, "%31s %2s %511s%n", field, op, value, &used) != 3) {
            rc = -1;
            break;
        }
        p += used;
        size_t vlen = strlen(value);
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            memmove(value, value + 1, vlen - 2);
            value[vlen - 2] = '\0';
        }
        long long ms = 0;
        if (strcmp(field, "create_time") == 0 && emu_ids_time_parse(value, &ms) == 0 &&
            (strcmp(op, ">") == 0 || strcmp(op, "<") == 0)) {
            if (op[0] == '>')
                f->after_ms = ms;
            else
                f->before_ms = ms;
        } else if (strcmp(field, "thread.name") == 0 && strcmp(op, "=") == 0) {
            free(f->thread);
            f->thread = xstrdup(value);
        } else {
            rc = -1;
        }
        while (*p == ' ')
            p++;
        if (strncasecmp(p, "AND ", 4) == 0)
            p += 4;
        else if (*p)
            rc = -1;
    }
    return rc;
}

static int filter_admits(const struct list_filter *f, const struct gemu_message *m)
{
    return (!f->after_ms || m->created_ms > f->after_ms) &&
           (!f->before_ms || m->created_ms < f->before_ms) &&
           (!f->thread || strcmp(f->thread, m->thread_name) == 0);
}

static void on_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    struct list_filter filter = {0};
    struct emu_vec hits = EMU_VEC_INIT;
    const char *order = http_req_query(req, "orderBy");
    const char *deleted = http_req_query(req, "showDeleted");
    int show_deleted = deleted && strcmp(deleted, "true") == 0;
    int desc = order && strcasestr(order, "desc") != NULL;
    struct gemu_user *caller = gemu_chat_begin(req, g, MESSAGES_READ);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    if (!s || gemu_page_parse(req, A, "pageSize", 25, 1000, 1, &page))
        goto out;
    if (parse_filter(http_req_query(req, "filter"), &filter)) {
        gemu_reply_bad_field(req, "filter", "Invalid filter.");
        goto out;
    }
    for (size_t i = 0; i < s->messages.len; i++) {
        struct gemu_message *m = s->messages.items[desc ? s->messages.len - 1 - i : i];
        if ((show_deleted || !m->deleted_ms) && filter_admits(&filter, m))
            emu_vec_push(&hits, m);
    }
    json_t *resp = json_object();
    if (page.offset < hits.len) {
        json_t *list = json_array();
        for (size_t i = page.offset; i < hits.len && i < page.offset + page.limit; i++)
            json_array_append_new(list, message_json(g->st, s, hits.items[i]));
        json_object_set_new(resp, "messages", list);
    }
    gemu_page_next(resp, &page, hits.len);
    emu_reply_json(req, 200, resp);
out:
    gemu_state_unlock(g->st);
    free(filter.thread);
    emu_vec_free(&hits);
}

/* The update mask names only fields user authentication may change. */
static int mask_ok(const char *mask)
{
    if (!mask || !*mask)
        return 0;
    char *copy = xstrdup(mask);
    int ok = 1;
    for (char *save = NULL, *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
        ok &= strcmp(f, "text") == 0 || strcmp(f, "*") == 0;
    free(copy);
    return ok;
}

static void on_patch(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *mask = http_req_query(req, "updateMask");
    json_t *body;
    struct gemu_user *caller = gemu_chat_begin_body(req, g, MESSAGES_WRITE, &body);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    struct gemu_message *m = s ? message_param(req, s) : NULL;
    const char *text = NULL;
    if (!m)
        goto out;
    if (!mask_ok(mask)) {
        gemu_reply_bad_field(req, "update_mask",
                             mask ? "Invalid update mask: only text can be updated."
                                  : "Update mask is required.");
        goto out;
    }
    if (m->sender != caller) {
        gemu_reply_error(req, A, 403, NULL, "The caller does not have permission");
        goto out;
    }
    if (!(text = checked_text(req, body)) || gemu_chat_over_quota(req, g, s))
        goto out;
    free(m->text);
    m->text = xstrdup(text);
    m->updated_ms = clock_now_ms();
    emu_reply_json(req, 200, message_json(g->st, s, m));
    gemu_events_emit(g, s, EVENT_PREFIX "updated", "message", message_json(g->st, s, m));
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_delete(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    const char *force = http_req_query(req, "force");
    struct gemu_user *caller = gemu_chat_begin(req, g, MESSAGES_WRITE);
    if (!caller)
        return;
    struct gemu_space *s = gemu_chat_space(req, g->st, caller);
    struct gemu_message *m = s ? message_param(req, s) : NULL;
    if (!m)
        goto out;
    if (m->sender != caller) {
        gemu_reply_error(req, A, 403, NULL, "The caller does not have permission");
        goto out;
    }
    if (gemu_chat_over_quota(req, g, s))
        goto out;
    /* Replies: live messages of M's thread that come after it. */
    struct emu_vec replies = EMU_VEC_INIT;
    int after = 0;
    for (size_t i = 0; i < s->messages.len; i++) {
        struct gemu_message *o = s->messages.items[i];
        if (after && !o->deleted_ms && strcmp(o->thread_name, m->thread_name) == 0)
            emu_vec_push(&replies, o);
        after |= o == m;
    }
    if (replies.len && !(force && strcmp(force, "true") == 0)) {
        gemu_reply_error(req, A, 400, NULL,
                         "Message has replies: delete them first or set force=true.");
    } else {
        long long now = clock_now_ms();
        m->deleted_ms = now;
        gemu_events_emit(g, s, EVENT_PREFIX "deleted", "message", message_json(g->st, s, m));
        for (size_t i = 0; i < replies.len; i++) {
            struct gemu_message *reply = replies.items[i];
            reply->deleted_ms = now;
            gemu_events_emit(g, s, EVENT_PREFIX "deleted", "message",
                             message_json(g->st, s, reply));
        }
        emu_reply_json(req, 200, json_object());
    }
    emu_vec_free(&replies);
out:
    gemu_state_unlock(g->st);
}

void gemu_chat_message_routes(struct emu_google *g)
{
    struct emu_frame *f = g->frame;
    emu_frame_route(f, "POST", "/v1/spaces/:space/messages", on_create, g);
    emu_frame_route(f, "GET", "/v1/spaces/:space/messages", on_list, g);
    emu_frame_route(f, "GET", "/v1/spaces/:space/messages/:message", on_get, g);
    emu_frame_route(f, "PATCH", "/v1/spaces/:space/messages/:message", on_patch, g);
    emu_frame_route(f, "PUT", "/v1/spaces/:space/messages/:message", on_patch, g);
    emu_frame_route(f, "DELETE", "/v1/spaces/:space/messages/:message", on_delete, g);
}
