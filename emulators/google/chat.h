/* chat.h - what the Chat API files (chat.c: spaces and members,
 * chat_messages.c: messages) share. */
#ifndef EMU_GOOGLE_CHAT_H
#define EMU_GOOGLE_CHAT_H

#include <jansson.h>

#include "google/internal.h"

/* Lock the state and check the token (user authentication only, one of
 * SCOPES).  Returns the calling user with the state locked, or NULL
 * (unlocked) after answering. */
struct gemu_user *gemu_chat_begin(struct http_req *req, struct emu_google *g,
                                  const char *const scopes[]);
/* gemu_chat_begin for a call with a JSON body (read first: 400 when it is
 * not JSON).  Returns the caller with *BODY set (the caller decrefs it) and
 * the state locked, or NULL (unlocked, *BODY NULL) after answering. */
struct gemu_user *gemu_chat_begin_body(struct http_req *req, struct emu_google *g,
                                       const char *const scopes[], json_t **body);
/* The space of the :space route parameter if CALLER is a member, else NULL
 * after a 404. */
struct gemu_space *gemu_chat_space(struct http_req *req, struct gemu_state *st,
                                   const struct gemu_user *caller);
/* The live user named "users/{id}" or "users/{email}", or NULL. */
struct gemu_user *gemu_chat_user(struct gemu_state *st, const char *name);
/* {"name": "users/{id}", "type": "HUMAN", "domainId"} (new reference). */
json_t *gemu_user_ref(const struct gemu_state *st, const struct gemu_user *u);

/* --real-quotas: count a write to space S (NULL: a space setup) against
 * Chat's limits; returns 1 after answering 429, 0 when allowed. */
int gemu_chat_over_quota(struct http_req *req, struct emu_google *g, const struct gemu_space *s);

/* The Membership resource of M in S (new reference). */
json_t *gemu_member_json(const struct gemu_state *st, const struct gemu_space *s,
                         const struct gemu_member *m);

void gemu_chat_member_routes(struct emu_google *g);
void gemu_chat_message_routes(struct emu_google *g);

#endif
