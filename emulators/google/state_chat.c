/* state_chat.c - Chat spaces, memberships and messages of the Google state
 * (see state.h).  Spaces and messages made at run time get random ids in
 * Chat's shapes: "spaces/AAAAb3c9x2Q", "spaces/S/messages/m1Xz.m1Xz". */
#include "google/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/ids.h"
#include "util/clock.h"
#include "util/xmalloc.h"

static void message_free(struct gemu_message *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->client_id);
    free(m->request_id);
    free(m->text);
    free(m->thread_name);
    free(m);
}

static void space_free(struct gemu_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->members.len; i++)
        free(s->members.items[i]);
    emu_vec_free(&s->members);
    for (size_t i = 0; i < s->messages.len; i++)
        message_free(s->messages.items[i]);
    emu_vec_free(&s->messages);
    emu_map_free(s->by_message);
    emu_map_free(s->by_request);
    free(s->display_name);
    free(s);
}

void gemu_spaces_clear(struct gemu_state *st)
{
    for (size_t i = 0; i < st->spaces.len; i++)
        space_free(st->spaces.items[i]);
    emu_vec_free(&st->spaces);
    emu_map_free(st->space_by_id);
    emu_map_free(st->space_by_request);
    st->space_by_id = emu_map_new();
    st->space_by_request = emu_map_new();
}

struct gemu_space *gemu_space_find(struct gemu_state *st, const char *id)
{
    return id ? emu_map_get(st->space_by_id, id) : NULL;
}

struct gemu_space *gemu_space_add(struct gemu_state *st, const char *type, const char *display_name)
{
    char hex[16];
    struct gemu_space *s = xcalloc(1, sizeof *s);

    emu_ids_hex_random(hex, 4);
    snprintf(s->id, sizeof s->id, "AAAA%.7s", hex);
    s->seq = ++st->seq;
    s->type = type;
    s->display_name = xstrdup(display_name ? display_name : "");
    s->by_message = emu_map_new();
    s->by_request = emu_map_new();
    s->created_ms = s->last_active_ms = clock_now_ms();
    emu_vec_push(&st->spaces, s);
    emu_map_put(st->space_by_id, s->id, s);
    return s;
}

struct gemu_member *gemu_space_member(const struct gemu_space *s, const struct gemu_user *u)
{
    for (size_t i = 0; i < s->members.len; i++) {
        struct gemu_member *m = s->members.items[i];
        if (m->user == u)
            return m;
    }
    return NULL;
}

struct gemu_member *gemu_space_join(struct gemu_space *s, struct gemu_user *u)
{
    struct gemu_member *m = gemu_space_member(s, u);
    if (m)
        return m;
    m = xcalloc(1, sizeof *m);
    m->user = u;
    m->created_ms = clock_now_ms();
    emu_vec_push(&s->members, m);
    return m;
}

void gemu_space_leave(struct gemu_space *s, struct gemu_member *m)
{
    if (emu_vec_remove(&s->members, m))
        free(m);
}

struct gemu_space *gemu_space_find_dm(struct gemu_state *st, const struct gemu_user *a,
                                      const struct gemu_user *b)
{
    for (size_t i = 0; i < st->spaces.len; i++) {
        struct gemu_space *s = st->spaces.items[i];
        if (strcmp(s->type, "DIRECT_MESSAGE") == 0 && s->members.len == 2 &&
            gemu_space_member(s, a) && gemu_space_member(s, b))
            return s;
    }
    return NULL;
}

struct gemu_message *gemu_message_find(struct gemu_space *s, const char *id)
{
    return id ? emu_map_get(s->by_message, id) : NULL;
}

struct gemu_message *gemu_message_by_request(struct gemu_space *s, const char *request_id)
{
    return request_id ? emu_map_get(s->by_request, request_id) : NULL;
}

struct gemu_message *gemu_message_add(struct gemu_space *s, struct gemu_user *sender,
                                      const char *text, const char *thread_name,
                                      const char *client_id, const char *request_id)
{
    char hex[2 * 11 + 1], id[32];
    struct gemu_message *m = xcalloc(1, sizeof *m);

    emu_ids_hex_random(hex, 11);
    snprintf(id, sizeof id, "%.11s.%.11s", hex, hex + 11);
    m->name = xasprintf("spaces/%s/messages/%s", s->id, id);
    m->thread_name = thread_name ? xstrdup(thread_name)
                                 : xasprintf("spaces/%s/threads/%.11s", s->id, hex);
    m->thread_reply = thread_name != NULL;
    m->client_id = xstrdup(client_id);
    m->request_id = xstrdup(request_id);
    m->sender = sender;
    m->text = xstrdup(text);
    m->created_ms = clock_now_ms();
    s->last_active_ms = m->created_ms;
    emu_vec_push(&s->messages, m);
    emu_map_put(s->by_message, id, m);
    if (client_id)
        emu_map_put(s->by_message, client_id, m);
    if (request_id)
        emu_map_put(s->by_request, request_id, m);
    return m;
}
