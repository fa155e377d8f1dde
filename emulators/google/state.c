/* state.c - lifecycle, users, groups and access tokens of the Google state
 * (see state.h; seed loading is in seed.c, spaces and messages in
 * state_chat.c). */
#include "google/state.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/ids.h"
#include "frame/jwt.h"
#include "google/seed.h"
#include "util/clock.h"
#include "util/xmalloc.h"

char *gemu_lower(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static void user_free(struct gemu_user *u)
{
    if (!u)
        return;
    free(u->email);
    free(u->given_name);
    free(u->family_name);
    free(u->org_unit);
    free(u);
}

static void group_free(struct gemu_group *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->members.len; i++)
        free(g->members.items[i]);
    emu_vec_free(&g->members);
    free(g->email);
    free(g->name);
    free(g);
}

static void token_free(struct gemu_token *t)
{
    if (!t)
        return;
    free(t->token);
    free(t->scopes);
    free(t);
}

/* Drop every user, group, token and space (the keys stay). */
static void clear_objects(struct gemu_state *st)
{
    for (size_t i = 0; i < st->users.len; i++)
        user_free(st->users.items[i]);
    emu_vec_free(&st->users);
    for (size_t i = 0; i < st->groups.len; i++)
        group_free(st->groups.items[i]);
    emu_vec_free(&st->groups);
    gemu_spaces_clear(st);
    emu_map_free(st->user_by_email);
    emu_map_free(st->user_by_id);
    emu_map_free(st->group_by_key);
    for (size_t i = 0; i < st->token_list.len; i++)
        token_free(st->token_list.items[i]);
    emu_vec_free(&st->token_list);
    emu_map_free(st->tokens);
    st->user_by_email = emu_map_new();
    st->user_by_id = emu_map_new();
    st->group_by_key = emu_map_new();
    st->tokens = emu_map_new();
    st->seq = 0;
    /* Events: reset empties them; free releases them. */
    json_t **events[] = {&st->topics, &st->pubsub_subs, &st->pull_queues, &st->event_subs,
                         &st->operations, &st->channels};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        json_decref(*events[i]);
        *events[i] = json_object();
    }
}

/* The key file's private_key_id: the key id's 20 SHA-1 bytes as 40 hex. */
static char *key_id_hex(const struct emu_jwt_key *key)
{
    size_t len = 0;
    unsigned char *raw = emu_ids_base64url_decode(emu_jwt_key_id(key), &len);
    char *hex = xcalloc(1, 2 * len + 1);
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    free(raw);
    return hex;
}

enum parley_err gemu_state_new(const json_t *seed, struct gemu_state **out, char **why)
{
    struct gemu_state *st = xcalloc(1, sizeof *st);
    enum parley_err err = PARLEY_ERR_CRYPTO;

    *out = NULL;
    pthread_mutex_init(&st->lock, NULL);
    st->seed = seed ? json_deep_copy(seed) : NULL;
    st->sa_key = emu_jwt_key_new();
    st->google_key = emu_jwt_key_new();
    if (!st->sa_key || !st->google_key)
        goto out;
    st->sa_key_id = key_id_hex(st->sa_key);
    clear_objects(st);
    err = gemu_seed_load(st, st->seed, why);
    if (err)
        goto out;
    *out = st;
    st = NULL;
out:
    gemu_state_free(st);
    return err;
}

void gemu_state_free(struct gemu_state *st)
{
    if (!st)
        return;
    clear_objects(st);
    emu_map_free(st->user_by_email);
    emu_map_free(st->user_by_id);
    emu_map_free(st->group_by_key);
    emu_map_free(st->tokens);
    emu_map_free(st->space_by_id);
    emu_map_free(st->space_by_request);
    json_decref(st->topics);
    json_decref(st->pubsub_subs);
    json_decref(st->pull_queues);
    json_decref(st->event_subs);
    json_decref(st->operations);
    json_decref(st->channels);
    json_decref(st->sa_scopes);
    json_decref(st->seed);
    emu_jwt_key_free(st->sa_key);
    emu_jwt_key_free(st->google_key);
    free(st->customer_id);
    free(st->domain);
    free(st->admin_email);
    free(st->project_id);
    free(st->sa_email);
    free(st->sa_client_id);
    free(st->sa_key_id);
    free(st->origin);
    free(st->key_file);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

void gemu_state_reset(struct gemu_state *st)
{
    char *why = NULL;
    clear_objects(st);
    /* The seed was checked at start-up, so loading it again cannot fail. */
    gemu_seed_load(st, st->seed, &why);
    free(why);
}

void gemu_state_lock(struct gemu_state *st)
{
    pthread_mutex_lock(&st->lock);
}

void gemu_state_unlock(struct gemu_state *st)
{
    pthread_mutex_unlock(&st->lock);
}

/* ---- users and groups ---- */

struct gemu_user *gemu_user_find(struct gemu_state *st, const char *key)
{
    if (!key || !*key)
        return NULL;
    if (isdigit((unsigned char)key[0]))
        return emu_map_get(st->user_by_id, key);
    char *email = gemu_lower(key);
    struct gemu_user *u = emu_map_get(st->user_by_email, email);
    free(email);
    return u;
}

/* A 21-digit Directory-style id: stable (from the customer and EMAIL) when
 * STABLE, random otherwise. */
static void make_user_id(const struct gemu_state *st, const char *email, int stable,
                         char out[GEMU_USER_ID_LEN])
{
    char hex[EMU_GUID_LEN];
    size_t n = 1;

    if (stable)
        emu_ids_guid_stable(st->customer_id, email, hex);
    else
        emu_ids_guid_random(hex);
    out[0] = '1';
    for (const char *p = hex; *p && n < GEMU_USER_ID_LEN - 1; p++)
        if (isxdigit((unsigned char)*p))
            out[n++] = (char)('0' + (isdigit((unsigned char)*p) ? *p - '0' : *p - 'a' + 10) % 10);
    out[n] = '\0';
}

struct gemu_user *gemu_user_add(struct gemu_state *st, const char *email, const char *given,
                                const char *family, const char *org_unit, int stable)
{
    struct gemu_user *u = xcalloc(1, sizeof *u);
    u->email = gemu_lower(email);
    make_user_id(st, u->email, stable, u->id);
    u->seq = ++st->seq;
    u->given_name = xstrdup(given ? given : "");
    u->family_name = xstrdup(family ? family : "");
    u->org_unit = xstrdup(org_unit && *org_unit ? org_unit : "/");
    u->created_ms = clock_now_ms();
    u->version = 1;
    emu_vec_push(&st->users, u);
    emu_map_put(st->user_by_email, u->email, u);
    emu_map_put(st->user_by_id, u->id, u);
    return u;
}

void gemu_user_delete(struct gemu_state *st, struct gemu_user *u)
{
    emu_map_del(st->user_by_email, u->email);
    emu_map_del(st->user_by_id, u->id);
    u->deleted_ms = clock_now_ms();
    u->version++;
}

struct gemu_user *gemu_user_find_deleted(struct gemu_state *st, const char *key)
{
    for (size_t i = st->users.len; key && i-- > 0;) {
        struct gemu_user *u = st->users.items[i];
        if (u->deleted_ms && (strcmp(u->id, key) == 0 || strcasecmp(u->email, key) == 0))
            return u;
    }
    return NULL;
}

void gemu_user_undelete(struct gemu_state *st, struct gemu_user *u)
{
    u->deleted_ms = 0;
    u->version++;
    emu_map_put(st->user_by_email, u->email, u);
    emu_map_put(st->user_by_id, u->id, u);
}

void gemu_user_rename(struct gemu_state *st, struct gemu_user *u, const char *email)
{
    emu_map_del(st->user_by_email, u->email);
    free(u->email);
    u->email = gemu_lower(email);
    emu_map_put(st->user_by_email, u->email, u);
}

struct gemu_group *gemu_group_find(struct gemu_state *st, const char *key)
{
    if (!key || !*key)
        return NULL;
    char *lower = gemu_lower(key);
    struct gemu_group *g = emu_map_get(st->group_by_key, lower);
    free(lower);
    return g;
}

/* ---- access tokens ---- */

/* Free the expired tokens, so that a long run does not keep them all. */
static void sweep_tokens(struct gemu_state *st)
{
    long long now = clock_now_ms();
    size_t kept = 0;
    for (size_t i = 0; i < st->token_list.len; i++) {
        struct gemu_token *t = st->token_list.items[i];
        if (t->expires_ms > now) {
            st->token_list.items[kept++] = t;
        } else {
            emu_map_del(st->tokens, t->token);
            token_free(t);
        }
    }
    st->token_list.len = kept;
    st->token_sweep_at = 2 * kept + 1024;
}

const struct gemu_token *gemu_token_issue(struct gemu_state *st, struct gemu_user *subject,
                                          const char *scopes, int lifetime_s)
{
    char hex[2 * 32 + 1];
    struct gemu_token *t = xcalloc(1, sizeof *t);

    emu_ids_hex_random(hex, 32);
    t->token = xasprintf("ya29.c.emu%s", hex);
    t->subject = subject;
    t->scopes = xstrdup(scopes);
    t->expires_ms = clock_now_ms() + (long long)lifetime_s * 1000;
    if (st->token_list.len >= st->token_sweep_at)
        sweep_tokens(st);
    emu_map_put(st->tokens, t->token, t);
    emu_vec_push(&st->token_list, t);
    return t;
}

const struct gemu_token *gemu_token_find(struct gemu_state *st, const char *token)
{
    const struct gemu_token *t = token ? emu_map_get(st->tokens, token) : NULL;
    if (!t || t->expires_ms <= clock_now_ms())
        return NULL;
    /* A token issued for a user who was since suspended or deleted is dead. */
    if (t->subject && (t->subject->deleted_ms || t->subject->suspended))
        return NULL;
    return t;
}

int gemu_scopes_have(const char *scopes, const char *scope)
{
    size_t len = strlen(scope);
    for (const char *p = scopes; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, scope, len) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}
