/* repr.h - Graph's JSON representations of the state's objects.  Each
 * returns a new reference; the caller holds the state lock. */
#ifndef EMU_MICROSOFT_REPR_H
#define EMU_MICROSOFT_REPR_H

#include <jansson.h>

#include "microsoft/state.h"
#include "util/buf.h"

/* Every property the emulator knows (for $filter and $select). */
json_t *ms_repr_user_full(const struct ms_user *u);
/* Graph's default property set (what a GET without $select returns). */
json_t *ms_repr_user(const struct ms_user *u);
/* The full user, reduced to SELECT (NULL: the default set; "": every property). */
json_t *ms_repr_user_selected(const struct ms_user *u, const char *select);

/* Which user properties a reply carries, in order: $select read once per
 * request (ms_repr_user_props), then applied to each user. */
#define MS_USER_NPROPS 17
struct ms_user_props {
    int n;
    unsigned char index[MS_USER_NPROPS];
};
void ms_repr_user_props(const char *select, struct ms_user_props *out);
json_t *ms_repr_user_with(const struct ms_user *u, const struct ms_user_props *props);
/* Append U with PROPS to B as JSON text: exactly what the compact dump of
 * ms_repr_user_with gives, without building it (list pages). */
void ms_repr_user_text(struct buf *b, const struct ms_user *u, const struct ms_user_props *props);
json_t *ms_repr_group(const struct ms_group *g);
json_t *ms_repr_team(const struct ms_group *g);
/* A directoryObject entry of a group's member list. */
json_t *ms_repr_member_object(const struct ms_user *u);
/* A team's conversationMember for U (roles from owner). */
json_t *ms_repr_team_member(const struct ms_state *st, const struct ms_group *g,
                            const struct ms_user *u);
json_t *ms_repr_chat(const struct ms_state *st, const struct ms_chat *chat);
json_t *ms_repr_chat_member(const struct ms_state *st, const struct ms_chat *chat,
                            const struct ms_chat_member *m);
json_t *ms_repr_message(const struct ms_chat *chat, const struct ms_message *m);

#endif
