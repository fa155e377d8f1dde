/* state.h - the Google Workspace customer held in memory: its users, groups,
 * the service account with its RSA key, the emulator's own signing key, the
 * access tokens issued by /token, and the Chat spaces and messages.
 *
 * One mutex guards everything (gemu_state_lock/unlock); every function below
 * except gemu_state_new/free expects the caller to hold it.  Objects are owned
 * by the state; deleted users stay in it (flagged) so that spaces and messages
 * referring to them never dangle.  The keys are made once at start-up and
 * survive a reset, so a key file handed out stays valid. */
#ifndef EMU_GOOGLE_STATE_H
#define EMU_GOOGLE_STATE_H

#include <pthread.h>
#include <jansson.h>

#include "frame/map.h"
#include "frame/vec.h"
#include "util/err.h"

struct emu_jwt_key;

#define GEMU_USER_ID_LEN 22         /* 21 digits + NUL, like Directory ids */
#define GEMU_GROUP_ID_LEN 13        /* "03x8tuzt1abc" + NUL */
#define GEMU_SPACE_ID_LEN 12        /* "AAAAxxxxxxx" + NUL */

struct gemu_user {
    char id[GEMU_USER_ID_LEN];
    long long seq;                   /* creation order: the paging key */
    char *email;                     /* primaryEmail, lower case */
    char *given_name, *family_name;
    char *org_unit;
    int suspended;
    int is_admin;
    long long created_ms;
    long long deleted_ms;            /* 0 while the user exists */
    long long version;               /* bumped on every change: the etag */
};

struct gemu_group {
    char id[GEMU_GROUP_ID_LEN];
    long long seq;
    char *email;                     /* lower case */
    char *name;
    struct emu_vec members;          /* char * emails, lower case, owned */
};

/* An access token handed out by /token. */
struct gemu_token {
    char *token;
    struct gemu_user *subject;       /* NULL: the service account itself */
    char *scopes;                    /* space-separated */
    long long expires_ms;
};

struct gemu_member {
    struct gemu_user *user;
    int manager;                     /* ROLE_MANAGER (the creator of a named space) */
    long long created_ms;
};

struct gemu_message {
    char *name;                      /* "spaces/S/messages/M" */
    char *client_id;                 /* "client-..." or NULL */
    char *request_id;                /* NULL when none was given */
    struct gemu_user *sender;
    char *text;
    char *thread_name;
    int thread_reply;                /* posted into an existing thread */
    long long created_ms, updated_ms, deleted_ms;
};

struct gemu_space {
    char id[GEMU_SPACE_ID_LEN];
    long long seq;
    const char *type;                /* static: "DIRECT_MESSAGE", "GROUP_CHAT", "SPACE" */
    char *display_name;
    struct emu_vec members;          /* struct gemu_member *, owned */
    struct emu_vec messages;         /* struct gemu_message *, owned, creation order */
    struct emu_map *by_message;      /* message id or client id -> struct gemu_message * */
    struct emu_map *by_request;      /* requestId -> struct gemu_message * */
    long long created_ms, last_active_ms;
    long long message_seq;
};

struct gemu_state {
    pthread_mutex_t lock;
    json_t *seed;                    /* the "google" section, own reference (NULL: none) */

    /* Configuration, from the seed; fixed after creation. */
    char *customer_id, *domain, *admin_email, *project_id;
    char *sa_email, *sa_client_id;
    char *sa_key_id;                 /* private_key_id: 40 hex */
    json_t *sa_scopes;               /* DWD grant: array of scope URLs; NULL = any */
    struct emu_jwt_key *sa_key;      /* the service account's key (we hand out the private half) */
    struct emu_jwt_key *google_key;  /* Google's own signing key (ID tokens, push OIDC) */

    /* Set once listening (emu_google_write_key_file). */
    char *origin;
    char *key_file;

    long long seq;                   /* last sequence number handed out */
    struct emu_vec users;            /* struct gemu_user *, creation order, incl. deleted */
    struct emu_map *user_by_email;   /* live users only */
    struct emu_map *user_by_id;      /* live users only */
    struct emu_vec groups;           /* struct gemu_group * */
    struct emu_map *group_by_key;    /* email and id -> group */
    struct emu_map *tokens;          /* access token -> struct gemu_token * */
    struct emu_vec token_list;       /* struct gemu_token *, owned */
    size_t token_sweep_at;           /* drop expired tokens when the list reaches this */
    struct emu_vec spaces;           /* struct gemu_space *, creation order */
    struct emu_map *space_by_id;
    struct emu_map *space_by_request;/* "user id\nrequestId" -> space (spaces.setup) */

    /* Events: kept as their REST resources (jansson objects keyed by name). */
    json_t *topics;                  /* Pub/Sub topic name -> Topic */
    json_t *pubsub_subs;             /* Pub/Sub subscription name -> Subscription */
    json_t *pull_queues;             /* subscription name -> [{"ackId", "message",
                                      *   "deliveryAttempt", "due_ms"}] (pull mode) */
    json_t *event_subs;              /* Workspace Events name -> {"resource": Subscription,
                                      *   "expire_ms", "authority": user id} */
    json_t *operations;              /* "operations/..." -> Operation */
    json_t *channels;                /* Directory watch channel id -> {"channel": Channel,
                                      *   "address", "token", "event", "number"} */
    long long publish_seq;           /* Pub/Sub messageIds */
};

/* Build the state from SEED (the "google" section, borrowed; NULL allowed).
 * On a bad seed: PARLEY_ERR_INVALID and *why names the JSON path. */
enum parley_err gemu_state_new(const json_t *seed, struct gemu_state **out, char **why);
void gemu_state_free(struct gemu_state *st);          /* NULL is a no-op */
/* Back to the seed: users, groups, tokens, spaces.  Keys are kept. */
void gemu_state_reset(struct gemu_state *st);

void gemu_state_lock(struct gemu_state *st);
void gemu_state_unlock(struct gemu_state *st);

/* A lower-cased copy of S; the caller frees it. */
char *gemu_lower(const char *s);

/* ---- users and groups ---- */
/* A live user by primary email (any case) or numeric id; NULL when unknown. */
struct gemu_user *gemu_user_find(struct gemu_state *st, const char *key);
/* A new user; the caller has checked that EMAIL is free.  Its id is derived
 * from the customer and EMAIL when STABLE (seeded users), random otherwise. */
struct gemu_user *gemu_user_add(struct gemu_state *st, const char *email, const char *given,
                                const char *family, const char *org_unit, int stable);
/* Mark U deleted (it stays listed under showDeleted). */
void gemu_user_delete(struct gemu_state *st, struct gemu_user *u);
/* The most recently deleted user with KEY as id or primary email, or NULL. */
struct gemu_user *gemu_user_find_deleted(struct gemu_state *st, const char *key);
/* Bring deleted U back; the caller has checked that its email is free. */
void gemu_user_undelete(struct gemu_state *st, struct gemu_user *u);
/* Change U's primary email (lower-cased); the caller has checked it is free. */
void gemu_user_rename(struct gemu_state *st, struct gemu_user *u, const char *email);
/* A group by email (any case) or id; NULL when unknown. */
struct gemu_group *gemu_group_find(struct gemu_state *st, const char *key);

/* ---- access tokens ---- */
/* A new opaque access token for SUBJECT (NULL: the service account) with
 * SCOPES, valid LIFETIME_S seconds; the token string is owned by the state. */
const struct gemu_token *gemu_token_issue(struct gemu_state *st, struct gemu_user *subject,
                                          const char *scopes, int lifetime_s);
/* The token, or NULL when unknown or expired. */
const struct gemu_token *gemu_token_find(struct gemu_state *st, const char *token);
/* Whether the space-separated SCOPES contain SCOPE exactly. */
int gemu_scopes_have(const char *scopes, const char *scope);

/* ---- Chat ---- */
/* Free every space (state.c's reset and free). */
void gemu_spaces_clear(struct gemu_state *st);
struct gemu_space *gemu_space_find(struct gemu_state *st, const char *id);
/* A new space of TYPE (a static string) with no members. */
struct gemu_space *gemu_space_add(struct gemu_state *st, const char *type, const char *display_name);
/* Add U to S unless already a member; returns the membership. */
struct gemu_member *gemu_space_join(struct gemu_space *s, struct gemu_user *u);
struct gemu_member *gemu_space_member(const struct gemu_space *s, const struct gemu_user *u);
/* Remove membership M from S and free it. */
void gemu_space_leave(struct gemu_space *s, struct gemu_member *m);
/* The direct-message space between A and B, or NULL. */
struct gemu_space *gemu_space_find_dm(struct gemu_state *st, const struct gemu_user *a,
                                      const struct gemu_user *b);
/* A message of S by its id or client id; NULL when unknown. */
struct gemu_message *gemu_message_find(struct gemu_space *s, const char *id);
/* The message created with REQUEST_ID in S, or NULL. */
struct gemu_message *gemu_message_by_request(struct gemu_space *s, const char *request_id);
/* A new message in S in thread THREAD_NAME (NULL: a new thread);
 * CLIENT_ID and REQUEST_ID may be NULL. */
struct gemu_message *gemu_message_add(struct gemu_space *s, struct gemu_user *sender,
                                      const char *text, const char *thread_name,
                                      const char *client_id, const char *request_id);

#endif
