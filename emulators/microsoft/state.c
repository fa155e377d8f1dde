/* state.c - lifecycle, users, groups, subscriptions and refresh tokens of the
 * Microsoft tenant state (see state.h; chats live in state_chat.c, seed
 * loading in seed.c). */
#include "microsoft/state.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "microsoft/seed.h"
#include "util/clock.h"
#include "util/xmalloc.h"

static char *lower(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static void user_free(struct ms_user *u)
{
    if (!u)
        return;
    free(u->display_name);
    free(u->given_name);
    free(u->surname);
    free(u->upn);
    free(u->mail);
    free(u->mail_nickname);
    free(u->password);
    emu_vec_free(&u->chats);
    free(u);
}

static void group_free(struct ms_group *g)
{
    if (!g)
        return;
    free(g->display_name);
    free(g->description);
    free(g->mail_nickname);
    emu_vec_free(&g->members);
    emu_map_free(g->member_ids);
    emu_vec_free(&g->owners);
    for (size_t i = 0; i < g->changes.len; i++)
        free(g->changes.items[i]);
    emu_vec_free(&g->changes);
    free(g);
}

void ms_subscription_free(struct ms_subscription *sub)
{
    if (!sub)
        return;
    free(sub->app_id);
    free(sub->creator_id);
    free(sub->resource);
    free(sub->change_type);
    free(sub->notification_url);
    free(sub->lifecycle_url);
    free(sub->client_state);
    free(sub);
}

static void refresh_free(struct ms_refresh *r)
{
    free(r->token);
    free(r->user_id);
    free(r->client_id);
    free(r->scope);
    free(r);
}

/* Free every object and index; leaves the state empty (lock untouched). */
static void clear(struct ms_state *st)
{
    for (size_t i = 0; i < st->apps.len; i++) {
        struct ms_app *a = st->apps.items[i];
        free(a->client_id);
        free(a->client_secret);
        free(a->display_name);
        free(a->app_token);
        free(a);
    }
    for (size_t i = 0; i < st->users.len; i++)
        user_free(st->users.items[i]);
    for (size_t i = 0; i < st->deleted_users.len; i++)
        user_free(st->deleted_users.items[i]);
    for (size_t i = 0; i < st->groups.len; i++)
        group_free(st->groups.items[i]);
    for (size_t i = 0; i < st->deleted_groups.len; i++)
        group_free(st->deleted_groups.items[i]);
    for (size_t i = 0; i < st->chats.len; i++)
        ms_chat_free(st->chats.items[i]);
    for (size_t i = 0; i < st->subscriptions.len; i++)
        ms_subscription_free(st->subscriptions.items[i]);
    emu_vec_free(&st->apps);
    emu_vec_free(&st->users);
    emu_vec_free(&st->deleted_users);
    emu_vec_free(&st->groups);
    emu_vec_free(&st->deleted_groups);
    emu_vec_free(&st->chats);
    emu_vec_free(&st->subscriptions);
    for (size_t i = 0; i < st->refresh_list.len; i++)
        refresh_free(st->refresh_list.items[i]);
    emu_vec_free(&st->refresh_list);
    emu_map_free(st->apps_by_id);
    emu_map_free(st->users_by_id);
    emu_map_free(st->users_by_upn);
    emu_map_free(st->users_by_mail);
    emu_map_free(st->groups_by_id);
    emu_map_free(st->chats_by_id);
    emu_map_free(st->one_on_one);
    emu_map_free(st->refresh_tokens);
    free(st->domain);
    st->domain = NULL;
}

static void init_indexes(struct ms_state *st)
{
    st->apps_by_id = emu_map_new();
    st->users_by_id = emu_map_new();
    st->users_by_upn = emu_map_new();
    st->users_by_mail = emu_map_new();
    st->groups_by_id = emu_map_new();
    st->chats_by_id = emu_map_new();
    st->one_on_one = emu_map_new();
    st->refresh_tokens = emu_map_new();
    st->version = 1;
    st->next_seq = 1;
}

struct ms_state *ms_state_new(const json_t *seed, char **why)
{
    struct ms_state *st = xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    init_indexes(st);
    if (ms_seed_load(st, seed, why) != PARLEY_OK) {
        ms_state_free(st);
        return NULL;
    }
    st->seed = json_incref((json_t *)seed);
    return st;
}

void ms_state_free(struct ms_state *st)
{
    if (!st)
        return;
    clear(st);
    json_decref(st->seed);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

void ms_state_reset(struct ms_state *st)
{
    char *why = NULL;
    clear(st);
    init_indexes(st);
    ms_seed_load(st, st->seed, &why);     /* validated at start: cannot fail */
    free(why);
}

void ms_state_lock(struct ms_state *st)
{
    pthread_mutex_lock(&st->lock);
}

void ms_state_unlock(struct ms_state *st)
{
    pthread_mutex_unlock(&st->lock);
}

struct ms_app *ms_state_app(struct ms_state *st, const char *client_id)
{
    char *key = lower(client_id);
    struct ms_app *app = emu_map_get(st->apps_by_id, key);
    free(key);
    return app;
}

/* ---- users ---- */

struct ms_user *ms_user_find(struct ms_state *st, const char *key)
{
    char *k = lower(key);
    struct ms_user *u = emu_map_get(st->users_by_id, k);
    if (!u)
        u = emu_map_get(st->users_by_upn, k);
    if (!u)
        u = emu_map_get(st->users_by_mail, k);
    free(k);
    return u;
}

/* Whether KEY in MAP belongs to someone other than SELF. */
static int taken(struct emu_map *map, const char *value, const struct ms_user *self)
{
    char *k = lower(value);
    struct ms_user *owner = emu_map_get(map, k);
    free(k);
    return owner && owner != self;
}

static void index_put(struct emu_map *map, const char *value, struct ms_user *u)
{
    char *k = lower(value);
    emu_map_put(map, k, u);
    free(k);
}

static void index_del(struct emu_map *map, const char *value)
{
    char *k = lower(value);
    emu_map_del(map, k);
    free(k);
}

enum parley_err ms_user_add(struct ms_state *st, const char *id, const char *upn,
                            const char *mail, const char *display_name, struct ms_user **out)
{
    if (taken(st->users_by_upn, upn, NULL) || (mail && taken(st->users_by_mail, mail, NULL)) ||
        (id && ms_user_find(st, id)))
        return PARLEY_ERR_EXISTS;
    struct ms_user *u = xcalloc(1, sizeof *u);
    if (id) {
        snprintf(u->id, sizeof u->id, "%s", id);
    } else {
        char *key = lower(upn);
        emu_ids_guid_stable(st->tenant_id, key, u->id);
        free(key);
    }
    u->seq = st->next_seq++;
    u->upn = xstrdup(upn);
    u->mail = xstrdup(mail);
    u->display_name = xstrdup(display_name);
    u->account_enabled = 1;
    u->created_ms = clock_now_ms();
    emu_vec_push(&st->users, u);
    emu_map_put(st->users_by_id, u->id, u);
    index_put(st->users_by_upn, upn, u);
    if (mail)
        index_put(st->users_by_mail, mail, u);
    st->version++;
    *out = u;
    return PARLEY_OK;
}

enum parley_err ms_user_set_upn(struct ms_state *st, struct ms_user *user, const char *upn)
{
    if (taken(st->users_by_upn, upn, user))
        return PARLEY_ERR_EXISTS;
    index_del(st->users_by_upn, user->upn);
    free(user->upn);
    user->upn = xstrdup(upn);
    index_put(st->users_by_upn, upn, user);
    return PARLEY_OK;
}

enum parley_err ms_user_set_mail(struct ms_state *st, struct ms_user *user, const char *mail)
{
    if (mail && taken(st->users_by_mail, mail, user))
        return PARLEY_ERR_EXISTS;
    if (user->mail)
        index_del(st->users_by_mail, user->mail);
    free(user->mail);
    user->mail = xstrdup(mail);
    if (mail)
        index_put(st->users_by_mail, mail, user);
    return PARLEY_OK;
}

size_t ms_user_index_after(const struct ms_state *st, long long after)
{
    size_t lo = 0, hi = st->users.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ms_user *u = st->users.items[mid];
        if (u->seq <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void ms_user_delete(struct ms_state *st, struct ms_user *user)
{
    size_t i = ms_user_index_after(st, user->seq - 1);
    if (i < st->users.len && st->users.items[i] == user)
        emu_vec_remove_at(&st->users, i);
    emu_map_del(st->users_by_id, user->id);
    index_del(st->users_by_upn, user->upn);
    if (user->mail)
        index_del(st->users_by_mail, user->mail);
    for (size_t g = 0; g < st->groups.len; g++) {
        struct ms_group *group = st->groups.items[g];
        ms_group_remove_member(st, group, user);
        emu_vec_remove(&group->owners, user);
    }
    user->deleted = 1;
    emu_vec_push(&st->deleted_users, user);
    st->version++;
}

/* ---- groups ---- */

struct ms_group *ms_group_find(struct ms_state *st, const char *id)
{
    char *k = lower(id);
    struct ms_group *g = emu_map_get(st->groups_by_id, k);
    free(k);
    return g;
}

struct ms_group *ms_group_add(struct ms_state *st, const char *id, const char *display_name,
                              const char *mail_nickname, int is_team)
{
    struct ms_group *g = xcalloc(1, sizeof *g);
    g->seq = st->next_seq++;
    if (id) {
        snprintf(g->id, sizeof g->id, "%s", id);
    } else {
        /* Stable for a given seed: kind, position and name. */
        char *key = xasprintf("%s:%lld:%s", is_team ? "team" : "group", g->seq, display_name);
        emu_ids_guid_stable(st->tenant_id, key, g->id);
        free(key);
    }
    g->display_name = xstrdup(display_name);
    g->mail_nickname = xstrdup(mail_nickname);
    g->is_team = is_team;
    g->member_ids = emu_map_new();
    g->version = ++st->version;
    emu_vec_push(&st->groups, g);
    emu_map_put(st->groups_by_id, g->id, g);
    return g;
}

int ms_group_has_member(const struct ms_group *g, const struct ms_user *user)
{
    return emu_map_get(g->member_ids, user->id) == user;
}

int ms_group_has_owner(const struct ms_group *g, const struct ms_user *user)
{
    for (size_t i = 0; i < g->owners.len; i++)
        if (g->owners.items[i] == user)
            return 1;
    return 0;
}

static void record_change(struct ms_state *st, struct ms_group *g, const struct ms_user *u,
                          int removed)
{
    struct ms_member_change *c = xcalloc(1, sizeof *c);
    memcpy(c->user_id, u->id, sizeof c->user_id);
    c->version = g->version = ++st->version;
    c->removed = removed;
    emu_vec_push(&g->changes, c);
}

void ms_group_add_member(struct ms_state *st, struct ms_group *g, struct ms_user *user)
{
    if (ms_group_has_member(g, user))
        return;
    emu_vec_push(&g->members, user);
    emu_map_put(g->member_ids, user->id, user);
    record_change(st, g, user, 0);
}

void ms_group_remove_member(struct ms_state *st, struct ms_group *g, struct ms_user *user)
{
    if (!ms_group_has_member(g, user))
        return;
    emu_map_del(g->member_ids, user->id);
    emu_vec_remove(&g->members, user);
    record_change(st, g, user, 1);
}

/* ---- subscriptions and refresh tokens ---- */

struct ms_subscription *ms_subscription_find(struct ms_state *st, const char *id)
{
    for (size_t i = 0; i < st->subscriptions.len; i++) {
        struct ms_subscription *s = st->subscriptions.items[i];
        if (strcmp(s->id, id) == 0)
            return s;
    }
    return NULL;
}

void ms_subscription_remove(struct ms_state *st, struct ms_subscription *sub)
{
    emu_vec_remove(&st->subscriptions, sub);
    ms_subscription_free(sub);
}

const char *ms_refresh_issue(struct ms_state *st, const char *user_id, const char *client_id,
                             const char *scope)
{
    char token[2 * 32 + 1];
    emu_ids_hex_random(token, 32);
    struct ms_refresh *r = xcalloc(1, sizeof *r);
    r->token = xstrdup(token);
    r->user_id = xstrdup(user_id);
    r->client_id = xstrdup(client_id);
    r->scope = xstrdup(scope);
    emu_map_put(st->refresh_tokens, token, r);
    emu_vec_push(&st->refresh_list, r);
    return r->token;
}

struct ms_refresh *ms_refresh_find(struct ms_state *st, const char *token)
{
    return emu_map_get(st->refresh_tokens, token);
}
