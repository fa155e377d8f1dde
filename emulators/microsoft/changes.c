/* changes.c - fan changes out to matching subscriptions (see notify.h). */
#include "microsoft/notify.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/ids.h"
#include "frame/notify.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* RESOURCE without its leading '/'. */
static const char *bare(const char *resource)
{
    return resource[0] == '/' ? resource + 1 : resource;
}

/* Whether the comma list TYPES contains CHANGE. */
static int has_change(const char *types, const char *change)
{
    size_t n = strlen(change);
    for (const char *p = types; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncasecmp(p, change, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static json_t *item(struct ms *ms, const struct ms_subscription *sub, const char *change,
                    const char *resource, const char *odata_type, const char *id)
{
    char expires[32], nid[EMU_GUID_LEN];
    emu_ids_time_iso(sub->expires_ms, expires);
    emu_ids_guid_random(nid);
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "id", nid,
                     "subscriptionId", sub->id, "subscriptionExpirationDateTime", expires,
                     "clientState", sub->client_state, "changeType", change, "resource",
                     resource, "tenantId", ms->st->tenant_id, "resourceData", "@odata.type",
                     odata_type, "@odata.id", resource, "id", id);
}

/* Post one notification for every live subscription whose resource is one of
 * TARGETS (NULL-terminated, compared without the leading '/') and whose
 * changeType includes CHANGE. */
static void fan_out(struct ms *ms, const char *const targets[], const char *change,
                    const char *resource, const char *odata_type, const char *id)
{
    long long now = clock_now_ms();
    for (size_t i = 0; i < ms->st->subscriptions.len; i++) {
        struct ms_subscription *sub = ms->st->subscriptions.items[i];
        if (sub->expires_ms <= now || !has_change(sub->change_type, change))
            continue;
        for (size_t t = 0; targets[t]; t++) {
            if (strcasecmp(bare(sub->resource), targets[t]) != 0)
                continue;
            json_t *body = json_pack("{s:[o]}", "value",
                                     item(ms, sub, change, resource, odata_type, id));
            emu_notify_post(emu_frame_notify(ms->frame), sub->notification_url, body,
                            "notification");
            break;
        }
    }
}

void ms_notify_directory(struct ms *ms, const char *collection, const char *id,
                         const char *change)
{
    char *one = xasprintf("%s/%s", collection, id);
    const char *targets[] = {collection, one, NULL};
    int users = strcmp(collection, "users") == 0;
    fan_out(ms, targets, strcmp(change, "created") == 0 ? "updated" : change, one,
            users ? "#Microsoft.Graph.User" : "#Microsoft.Graph.Group", id);
    free(one);
}

void ms_notify_message(struct ms *ms, const struct ms_chat *chat, const struct ms_message *m,
                       const char *change)
{
    char *resource = xasprintf("chats('%s')/messages('%s')", chat->id, m->id);
    char *one_chat = xasprintf("chats/%s/messages", chat->id);
    const char *targets[] = {"chats/getAllMessages", one_chat, NULL};
    fan_out(ms, targets, change, resource, "#Microsoft.Graph.chatMessage", m->id);
    /* Per-user subscriptions: /users/{id}/chats/getAllMessages of each member. */
    for (size_t i = 0; i < chat->members.len; i++) {
        const struct ms_chat_member *mem = chat->members.items[i];
        char *per_user = xasprintf("users/%s/chats/getAllMessages", mem->user->id);
        const char *user_targets[] = {per_user, NULL};
        fan_out(ms, user_targets, change, resource, "#Microsoft.Graph.chatMessage", m->id);
        free(per_user);
    }
    free(one_chat);
    free(resource);
}

void ms_notify_chat(struct ms *ms, const struct ms_chat *chat, const char *change)
{
    char *resource = xasprintf("chats('%s')", chat->id);
    const char *targets[] = {"chats", NULL};
    fan_out(ms, targets, change, resource, "#Microsoft.Graph.chat", chat->id);
    free(resource);
}

void ms_notify_chat_member(struct ms *ms, const struct ms_chat *chat,
                           const struct ms_chat_member *m, const char *change)
{
    char *resource = xasprintf("chats('%s')/members('%s')", chat->id, m->id);
    char *one_chat = xasprintf("chats/%s/members", chat->id);
    const char *targets[] = {"chats/getAllMembers", one_chat, NULL};
    fan_out(ms, targets, change, resource, "#Microsoft.Graph.aadUserConversationMember", m->id);
    free(one_chat);
    free(resource);
}

void ms_notify_lifecycle(struct ms *ms, const struct ms_subscription *sub, const char *event)
{
    char expires[32];
    if (!sub->lifecycle_url)
        return;
    emu_ids_time_iso(sub->expires_ms, expires);
    json_t *body = json_pack("{s:[{s:s, s:s, s:s, s:s?, s:s, s:s}]}", "value", "subscriptionId",
                             sub->id, "subscriptionExpirationDateTime", expires, "tenantId",
                             ms->st->tenant_id, "clientState", sub->client_state,
                             "lifecycleEvent", event, "resource", sub->resource);
    emu_notify_post(emu_frame_notify(ms->frame), sub->lifecycle_url, body, "lifecycle");
}
