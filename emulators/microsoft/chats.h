/* chats.h - helpers the chat and message handlers share. */
#ifndef EMU_MICROSOFT_CHATS_H
#define EMU_MICROSOFT_CHATS_H

#include "microsoft/auth.h"
#include "microsoft/ms.h"

/* The user named by a user@odata.bind value: "…/users('<id or upn>')" or
 * "…/users/<id>" (any host).  NULL when unknown.  Lock held. */
struct ms_user *ms_chats_bound_user(struct ms_state *st, const char *bind);
/* Chat ID if the caller may see it (apps: any; users: chats they are in);
 * otherwise answers 404 and returns NULL.  Lock held. */
struct ms_chat *ms_chats_visible(struct ms *ms, struct http_req *req,
                                 const struct ms_caller *caller, const char *id);

#endif
