/* state.h - the Microsoft tenant held in memory: apps, users, groups (a team
 * is a group with a team), chats, messages, subscriptions, refresh tokens.
 *
 * One mutex guards everything (ms_state_lock/unlock); every function below
 * except ms_state_new/free expects the caller to hold it.  Objects are owned
 * by the state; pointers stay valid until the next reset (deleted users and
 * groups are kept aside, soft-deleted, so references from chats and messages
 * never dangle). */
#ifndef EMU_MICROSOFT_STATE_H
#define EMU_MICROSOFT_STATE_H

#include <pthread.h>
#include <jansson.h>

#include "frame/ids.h"
#include "frame/map.h"
#include "frame/vec.h"
#include "util/err.h"

struct ms_app {
    char *client_id;
    char *client_secret;
    char *display_name;
    char sp_id[EMU_GUID_LEN];        /* the service principal's object id (token oid) */
    char *app_token;                 /* the last app-only token and its iat (seconds), */
    long long app_token_iat;         /* handed out again within that second (auth.c) */
};

struct ms_user {
    char id[EMU_GUID_LEN];
    long long seq;                   /* creation order: the paging key */
    char *display_name, *given_name, *surname;
    char *upn, *mail, *mail_nickname;
    char *password;                  /* NULL: cannot sign in with ROPC */
    int account_enabled;
    int guest;                       /* userType Guest */
    const char *external_state;      /* static: "PendingAcceptance", "Accepted" or NULL */
    const char *creation_type;       /* static: "Invitation" or NULL */
    long long created_ms;
    int deleted;
    struct emu_vec chats;            /* struct ms_chat * the user is a member of, in join order */
};

/* A membership change, for groups delta (members@delta). */
struct ms_member_change {
    char user_id[EMU_GUID_LEN];
    long long version;
    int removed;
};

struct ms_group {
    char id[EMU_GUID_LEN];
    long long seq;
    char *display_name, *description, *mail_nickname;
    int is_team;
    struct emu_vec members;          /* struct ms_user *, in join order */
    struct emu_map *member_ids;      /* user id -> struct ms_user *: the members as a set */
    struct emu_vec owners;           /* struct ms_user * (teams) */
    long long version;               /* state version of its last change */
    struct emu_vec changes;          /* struct ms_member_change *, in version order */
    int deleted;
};

struct ms_chat_member {
    char id[64];                     /* membership id */
    struct ms_user *user;
    int owner;
    long long added_ms;
};

struct ms_message {
    char id[24];                     /* epoch ms of creation, unique within the chat */
    long long seq;
    struct ms_user *from;
    char *content;
    char *content_type;              /* "text" or "html" */
    json_t *mentions;                /* array, owned */
    long long created_ms, modified_ms, edited_ms, deleted_ms;
    char etag[24];
};

struct ms_chat {
    char *id;
    char *chat_type;                 /* "oneOnOne" or "group" */
    char *topic;                     /* NULL for none */
    long long created_ms, updated_ms;
    struct emu_vec members;          /* struct ms_chat_member * */
    struct emu_vec messages;         /* struct ms_message *, in id order */
    struct emu_map *messages_by_id;
    long long last_message_id;
};

struct ms_subscription {
    char id[EMU_GUID_LEN];
    char *app_id;                    /* client id of the creator */
    char *creator_id;                /* oid of the creator (app SP or user) */
    char *resource, *change_type, *notification_url, *lifecycle_url, *client_state;
    long long expires_ms;
    int lifecycle_sent;              /* reauthorizationRequired sent for this expiry */
};

struct ms_refresh {
    char *token;
    char *user_id;
    char *client_id;
    char *scope;
};

struct ms_state {
    pthread_mutex_t lock;
    json_t *seed;                    /* the "microsoft" section, for reset; may be NULL */
    char tenant_id[EMU_GUID_LEN];
    char *domain;
    long long version;               /* bumped on every directory change */
    long long next_seq;

    struct emu_vec apps;             /* struct ms_app * */
    struct emu_map *apps_by_id;

    struct emu_vec users;            /* live users, in seq order */
    struct emu_vec deleted_users;
    struct emu_map *users_by_id, *users_by_upn, *users_by_mail;   /* lower-cased keys */

    struct emu_vec groups;           /* live groups and teams, in seq order */
    struct emu_vec deleted_groups;
    struct emu_map *groups_by_id;

    struct emu_vec chats;
    struct emu_map *chats_by_id, *one_on_one;    /* "idA|idB" (sorted) -> chat */

    struct emu_vec subscriptions;
    struct emu_map *refresh_tokens;  /* token -> struct ms_refresh * */
    struct emu_vec refresh_list;     /* every struct ms_refresh *, owned */
};

/* A state loaded from SEED (the "microsoft" section, borrowed and kept with
 * json_incref; NULL for an empty tenant).  On a bad seed returns NULL with
 * *why naming the JSON path. */
struct ms_state *ms_state_new(const json_t *seed, char **why);
void ms_state_free(struct ms_state *st);
/* Reload the seed (already validated), dropping everything else. */
void ms_state_reset(struct ms_state *st);
void ms_state_lock(struct ms_state *st);
void ms_state_unlock(struct ms_state *st);

struct ms_app *ms_state_app(struct ms_state *st, const char *client_id);

/* ---- users ---- */
/* Look up by id, UPN or mail (case-insensitive). */
struct ms_user *ms_user_find(struct ms_state *st, const char *key);
/* Add a user (fields already checked; strings copied).  ID NULL: a stable id
 * derived from the UPN.  PARLEY_ERR_EXISTS when the UPN or mail is taken. */
enum parley_err ms_user_add(struct ms_state *st, const char *id, const char *upn,
                            const char *mail, const char *display_name, struct ms_user **out);
/* Index USER's changed UPN / mail: PARLEY_ERR_EXISTS when taken by another. */
enum parley_err ms_user_set_upn(struct ms_state *st, struct ms_user *user, const char *upn);
enum parley_err ms_user_set_mail(struct ms_state *st, struct ms_user *user, const char *mail);
/* Soft-delete: unindex, leave groups; the object stays valid. */
void ms_user_delete(struct ms_state *st, struct ms_user *user);
/* Index of the first live user with seq > AFTER (binary search). */
size_t ms_user_index_after(const struct ms_state *st, long long after);

/* ---- groups and teams ---- */
struct ms_group *ms_group_find(struct ms_state *st, const char *id);
struct ms_group *ms_group_add(struct ms_state *st, const char *id, const char *display_name,
                              const char *mail_nickname, int is_team);
/* Add / remove a member (no-op when already / not a member); records the change. */
void ms_group_add_member(struct ms_state *st, struct ms_group *g, struct ms_user *user);
void ms_group_remove_member(struct ms_state *st, struct ms_group *g, struct ms_user *user);
int ms_group_has_member(const struct ms_group *g, const struct ms_user *user);
int ms_group_has_owner(const struct ms_group *g, const struct ms_user *user);

/* ---- chats ---- */
struct ms_chat *ms_chat_find(struct ms_state *st, const char *id);
void ms_chat_free(struct ms_chat *chat);     /* the state's own teardown */
/* The oneOnOne chat of A and B, or NULL. */
struct ms_chat *ms_chat_find_pair(struct ms_state *st, const struct ms_user *a,
                                  const struct ms_user *b);
/* Create a chat of TYPE ("oneOnOne" or "group") with no members yet. */
struct ms_chat *ms_chat_add(struct ms_state *st, const char *type, const char *topic,
                            const struct ms_user *a, const struct ms_user *b);
struct ms_chat_member *ms_chat_member_add(struct ms_chat *chat, struct ms_user *user, int owner);
struct ms_chat_member *ms_chat_member_find(struct ms_chat *chat, const char *membership_id);
struct ms_chat_member *ms_chat_member_of(struct ms_chat *chat, const struct ms_user *user);
void ms_chat_member_remove(struct ms_chat *chat, struct ms_chat_member *m);
/* A new message from FROM (strings copied, MENTIONS borrowed and copied). */
struct ms_message *ms_message_add(struct ms_state *st, struct ms_chat *chat, struct ms_user *from,
                                  const char *content_type, const char *content,
                                  const json_t *mentions);
struct ms_message *ms_message_find(struct ms_chat *chat, const char *id);

/* ---- subscriptions and refresh tokens ---- */
struct ms_subscription *ms_subscription_find(struct ms_state *st, const char *id);
void ms_subscription_remove(struct ms_state *st, struct ms_subscription *sub);
void ms_subscription_free(struct ms_subscription *sub);
/* Store a new refresh token for (USER_ID, CLIENT_ID, SCOPE); returns it (owned by the state). */
const char *ms_refresh_issue(struct ms_state *st, const char *user_id, const char *client_id,
                             const char *scope);
struct ms_refresh *ms_refresh_find(struct ms_state *st, const char *token);

#endif
