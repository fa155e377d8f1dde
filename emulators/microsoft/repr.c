/* repr.c - JSON shapes of users, groups, teams, chats and messages, as Graph
 * v1.0 returns them (see repr.h). */
#include "microsoft/repr.h"

#include <stdlib.h>
#include <string.h>

#include "frame/ids.h"
#include "microsoft/graph.h"
#include "util/xmalloc.h"

static json_t *time_or_null(long long ms)
{
    char text[32];
    if (!ms)
        return json_null();
    emu_ids_time_iso(ms, text);
    return json_string(text);
}

json_t *ms_repr_user_full(const struct ms_user *u)
{
    return json_pack("{s:[], s:s, s:s?, s:s, s:n, s:s?, s:n, s:n, s:n, s:s?, s:s, s:b, s:s,"
                     " s:s?, s:s?, s:s?, s:o}",
                     "businessPhones", "displayName", u->display_name, "givenName", u->given_name,
                     "id", u->id, "jobTitle", "mail", u->mail, "mobilePhone", "officeLocation",
                     "preferredLanguage", "surname", u->surname, "userPrincipalName", u->upn,
                     "accountEnabled", u->account_enabled, "userType",
                     u->guest ? "Guest" : "Member", "externalUserState", u->external_state,
                     "creationType", u->creation_type, "mailNickname", u->mail_nickname,
                     "createdDateTime", time_or_null(u->created_ms));
}

json_t *ms_repr_user(const struct ms_user *u)
{
    return ms_repr_user_selected(u, NULL);
}

json_t *ms_repr_user_selected(const struct ms_user *u, const char *select)
{
    static const char default_set[] = "businessPhones,displayName,givenName,id,jobTitle,mail,"
                                      "mobilePhone,officeLocation,preferredLanguage,surname,"
                                      "userPrincipalName";
    return ms_select(ms_repr_user_full(u), select ? select : default_set);
}

json_t *ms_repr_group(const struct ms_group *g)
{
    json_t *options = json_array();
    if (g->is_team)
        json_array_append_new(options, json_string("Team"));
    return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:b, s:[s], s:o}", "id", g->id, "displayName",
                     g->display_name, "description", g->description, "mailNickname",
                     g->mail_nickname, "mailEnabled", g->is_team, "securityEnabled", !g->is_team,
                     "groupTypes", g->is_team ? "Unified" : "", "resourceProvisioningOptions",
                     options);
}

json_t *ms_repr_team(const struct ms_group *g)
{
    return json_pack("{s:s, s:s, s:s?, s:b, s:s}", "id", g->id, "displayName", g->display_name,
                     "description", g->description, "isArchived", 0, "visibility", "private");
}

json_t *ms_repr_member_object(const struct ms_user *u)
{
    json_t *obj = ms_repr_user(u);
    json_object_set_new(obj, "@odata.type", json_string("#microsoft.graph.user"));
    json_object_set_new(obj, "userType", json_string(u->guest ? "Guest" : "Member"));
    return obj;
}

static json_t *member(const char *id, const struct ms_user *u, const char *role,
                      const char *tenant, long long visible_ms)
{
    json_t *roles = role ? json_pack("[s]", role) : json_array();
    char start[32] = "0001-01-01T00:00:00Z";
    if (visible_ms)
        emu_ids_time_iso(visible_ms, start);
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s?, s:s}", "@odata.type",
                     "#microsoft.graph.aadUserConversationMember", "id", id, "roles", roles,
                     "displayName", u->display_name, "visibleHistoryStartDateTime", start,
                     "userId", u->id, "email", u->mail, "tenantId", tenant);
}

json_t *ms_repr_team_member(const struct ms_state *st, const struct ms_group *g,
                            const struct ms_user *u)
{
    char *raw = xasprintf("%s##%s", g->id, u->id);
    char *id = emu_ids_base64url((const unsigned char *)raw, strlen(raw));
    json_t *m = member(id, u, ms_group_has_owner(g, u) ? "owner" : (u->guest ? "guest" : NULL),
                       st->tenant_id, 0);
    free(id);
    free(raw);
    return m;
}

json_t *ms_repr_chat(const struct ms_state *st, const struct ms_chat *chat)
{
    return json_pack("{s:s, s:s?, s:o, s:o, s:s, s:n, s:s, s:n, s:b}", "id", chat->id, "topic",
                     chat->topic, "createdDateTime", time_or_null(chat->created_ms),
                     "lastUpdatedDateTime", time_or_null(chat->updated_ms), "chatType",
                     chat->chat_type, "webUrl", "tenantId", st->tenant_id, "onlineMeetingInfo",
                     "isHiddenForAllMembers", 0);
}

json_t *ms_repr_chat_member(const struct ms_state *st, const struct ms_chat *chat,
                            const struct ms_chat_member *m)
{
    (void)chat;
    return member(m->id, m->user, m->user->guest ? "guest" : (m->owner ? "owner" : NULL),
                  st->tenant_id, m->added_ms);
}

json_t *ms_repr_message(const struct ms_chat *chat, const struct ms_message *m)
{
    const char *content = m->deleted_ms ? "" : m->content;
    json_t *from = json_pack("{s:n, s:n, s:{s:s, s:s, s:s, s:s}}", "application", "device",
                             "user", "@odata.type", "#microsoft.graph.teamworkUserIdentity",
                             "id", m->from->id, "displayName", m->from->display_name,
                             "userIdentityType", "aadUser");
    return json_pack("{s:s, s:n, s:s, s:s, s:o, s:o, s:o, s:o, s:n, s:n, s:s, s:s, s:s, s:n,"
                     " s:n, s:n, s:n, s:o, s:{s:s, s:s}, s:[], s:O, s:[], s:[]}",
                     "id", m->id, "replyToId", "etag", m->etag, "messageType", "message",
                     "createdDateTime", time_or_null(m->created_ms), "lastModifiedDateTime",
                     time_or_null(m->modified_ms), "lastEditedDateTime",
                     time_or_null(m->edited_ms), "deletedDateTime", time_or_null(m->deleted_ms),
                     "subject", "summary", "chatId", chat->id, "importance", "normal", "locale",
                     "en-us", "webUrl", "channelIdentity", "policyViolation", "eventDetail",
                     "from", from, "body", "contentType", m->content_type, "content", content,
                     "attachments", "mentions", m->mentions, "reactions", "messageHistory");
}
