/* state_chat.c - chats, their members and messages in the tenant state
 * (see state.h).  The caller holds the state lock. */
#include "microsoft/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/xmalloc.h"

static void message_free(struct ms_message *m)
{
    free(m->content);
    free(m->content_type);
    json_decref(m->mentions);
    free(m);
}

void ms_chat_free(struct ms_chat *chat)
{
    if (!chat)
        return;
    for (size_t i = 0; i < chat->members.len; i++)
        free(chat->members.items[i]);
    for (size_t i = 0; i < chat->messages.len; i++)
        message_free(chat->messages.items[i]);
    emu_vec_free(&chat->members);
    emu_vec_free(&chat->messages);
    emu_map_free(chat->messages_by_id);
    free(chat->id);
    free(chat->chat_type);
    free(chat->topic);
    free(chat);
}

struct ms_chat *ms_chat_find(struct ms_state *st, const char *id)
{
    return emu_map_get(st->chats_by_id, id);
}

/* "idA|idB" with the two ids in a fixed (sorted) order. */
static char *pair_key(const struct ms_user *a, const struct ms_user *b)
{
    if (strcmp(a->id, b->id) > 0) {
        const struct ms_user *t = a;
        a = b;
        b = t;
    }
    return xasprintf("%s|%s", a->id, b->id);
}

struct ms_chat *ms_chat_find_pair(struct ms_state *st, const struct ms_user *a,
                                  const struct ms_user *b)
{
    char *key = pair_key(a, b);
    struct ms_chat *chat = emu_map_get(st->one_on_one, key);
    free(key);
    return chat;
}

struct ms_chat *ms_chat_add(struct ms_state *st, const char *type, const char *topic,
                            const struct ms_user *a, const struct ms_user *b)
{
    struct ms_chat *chat = xcalloc(1, sizeof *chat);
    int one_on_one = strcmp(type, "oneOnOne") == 0;

    if (one_on_one) {
        const struct ms_user *first = strcmp(a->id, b->id) <= 0 ? a : b;
        const struct ms_user *second = first == a ? b : a;
        chat->id = xasprintf("19:%s_%s@unq.gbl.spaces", first->id, second->id);
    } else {
        char hex[33];
        emu_ids_hex_random(hex, 16);
        chat->id = xasprintf("19:%s@thread.v2", hex);
    }
    chat->chat_type = xstrdup(type);
    chat->topic = xstrdup(topic);
    chat->created_ms = chat->updated_ms = clock_now_ms();
    chat->messages_by_id = emu_map_new();
    emu_vec_push(&st->chats, chat);
    emu_map_put(st->chats_by_id, chat->id, chat);
    if (one_on_one) {
        char *key = pair_key(a, b);
        emu_map_put(st->one_on_one, key, chat);
        free(key);
    }
    return chat;
}

struct ms_chat_member *ms_chat_member_add(struct ms_chat *chat, struct ms_user *user, int owner)
{
    struct ms_chat_member *m = ms_chat_member_of(chat, user);
    if (m)
        return m;
    m = xcalloc(1, sizeof *m);
    char *b64 = emu_ids_base64url((const unsigned char *)user->id, strlen(user->id));
    snprintf(m->id, sizeof m->id, "%s", b64);
    free(b64);
    m->user = user;
    m->owner = owner;
    m->added_ms = clock_now_ms();
    emu_vec_push(&chat->members, m);
    emu_vec_push(&user->chats, chat);
    chat->updated_ms = m->added_ms;
    return m;
}

struct ms_chat_member *ms_chat_member_find(struct ms_chat *chat, const char *membership_id)
{
    for (size_t i = 0; i < chat->members.len; i++) {
        struct ms_chat_member *m = chat->members.items[i];
        if (strcmp(m->id, membership_id) == 0 || strcmp(m->user->id, membership_id) == 0)
            return m;
    }
    return NULL;
}

struct ms_chat_member *ms_chat_member_of(struct ms_chat *chat, const struct ms_user *user)
{
    for (size_t i = 0; i < chat->members.len; i++) {
        struct ms_chat_member *m = chat->members.items[i];
        if (m->user == user)
            return m;
    }
    return NULL;
}

void ms_chat_member_remove(struct ms_chat *chat, struct ms_chat_member *m)
{
    if (emu_vec_remove(&chat->members, m)) {
        emu_vec_remove(&m->user->chats, chat);
        free(m);
        chat->updated_ms = clock_now_ms();
    }
}

struct ms_message *ms_message_add(struct ms_state *st, struct ms_chat *chat, struct ms_user *from,
                                  const char *content_type, const char *content,
                                  const json_t *mentions)
{
    struct ms_message *m = xcalloc(1, sizeof *m);
    long long now = clock_now_ms();
    long long id = now > chat->last_message_id ? now : chat->last_message_id + 1;

    chat->last_message_id = id;
    snprintf(m->id, sizeof m->id, "%lld", id);
    memcpy(m->etag, m->id, sizeof m->etag);
    m->seq = st->next_seq++;
    m->from = from;
    m->content = xstrdup(content);
    m->content_type = xstrdup(content_type);
    m->mentions = mentions ? json_deep_copy(mentions) : json_array();
    m->created_ms = m->modified_ms = id;
    emu_vec_push(&chat->messages, m);
    emu_map_put(chat->messages_by_id, m->id, m);
    chat->updated_ms = now;
    return m;
}

struct ms_message *ms_message_find(struct ms_chat *chat, const char *id)
{
    return emu_map_get(chat->messages_by_id, id);
}
