/* notify.h - change notifications: every write (by Parley, by a user token
 * or by the web client) fans out to the subscriptions whose resource covers
 * it, as Graph's POST {"value":[...]} with clientState, delivered by the
 * frame's delivery thread.  The caller holds the state lock. */
#ifndef EMU_MICROSOFT_NOTIFY_H
#define EMU_MICROSOFT_NOTIFY_H

#include "microsoft/ms.h"

/* A user or group changed: COLLECTION "users" or "groups"; CHANGE "created",
 * "updated" or "deleted" (directory subscriptions see created as updated). */
void ms_notify_directory(struct ms *ms, const char *collection, const char *id,
                         const char *change);
void ms_notify_message(struct ms *ms, const struct ms_chat *chat, const struct ms_message *m,
                       const char *change);
void ms_notify_chat(struct ms *ms, const struct ms_chat *chat, const char *change);
void ms_notify_chat_member(struct ms *ms, const struct ms_chat *chat,
                           const struct ms_chat_member *m, const char *change);
/* A lifecycle event (reauthorizationRequired, subscriptionRemoved) for SUB. */
void ms_notify_lifecycle(struct ms *ms, const struct ms_subscription *sub, const char *event);

#endif
