/* ms.h - the Microsoft platform of parley-emu: the identity platform
 * (login.microsoftonline.com) and Graph v1.0 (graph.microsoft.com) on one
 * listener.  `emu_ms_platform` is what main.c plugs into the frame; struct ms
 * is the platform object the handlers of this folder share. */
#ifndef EMU_MICROSOFT_MS_H
#define EMU_MICROSOFT_MS_H

#include "frame/frame.h"
#include "frame/jwt.h"
#include "frame/platform.h"
#include "frame/ratelimit.h"
#include "microsoft/state.h"

extern const struct emu_platform_ops emu_ms_platform;

struct ms {
    struct emu_frame *frame;
    struct ms_state *st;
    struct emu_jwt_key *key;                  /* signs every token */
    struct emu_jwt_cache *verified;           /* tokens whose signature was checked */
    struct emu_ratelimit *quota_messages;     /* --real-quotas: chat message POST, 20/s per app */
    struct emu_ratelimit *quota_invitations;  /* --real-quotas: 150 per 5 s per tenant */
    pthread_t lifecycle_thread;               /* subscription expiry and lifecycle events */
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    int stopping;
};

/* Route registration, one function per file. */
void ms_identity_routes(struct ms *ms);
void ms_users_routes(struct ms *ms);
void ms_organization_routes(struct ms *ms);
void ms_groups_routes(struct ms *ms);
void ms_chats_routes(struct ms *ms);
void ms_messages_routes(struct ms *ms);
void ms_subscriptions_routes(struct ms *ms);
void ms_batch_routes(struct ms *ms);
void ms_client_api_routes(struct ms *ms);

#endif
