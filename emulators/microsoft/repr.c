/* repr.c - JSON shapes of users, groups, teams, chats and messages, as Graph
 * v1.0 returns them (see repr.h). */
#include "microsoft/repr.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/ids.h"
#include "frame/jsontext.h"
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

/* ---- users ----
 *
 * One table lists a user's properties in Graph's order; the jansson objects
 * (for $filter, single entities) and the text of list pages are both made
 * from it, so they cannot drift apart. */

enum prop_kind {
    PROP_EMPTY_LIST,           /* always [] */
    PROP_NULL,                 /* always null */
    PROP_STRING,               /* a char * (NULL: null) at offset */
    PROP_CHARS,                /* a char array at offset */
    PROP_BOOL,                 /* an int at offset */
    PROP_USER_TYPE,            /* "Guest" or "Member" from guest */
    PROP_TIME,                 /* created_ms as ISO 8601, or null */
};

/* KEY is the property's name written as a key after a comma: ,"name": */
static const struct user_prop {
    const char *name;
    const char *key;
    size_t key_len;
    enum prop_kind kind;
    size_t offset;
} user_props[MS_USER_NPROPS] = {
#define PROP(name, kind, offset) {name, ",\"" name "\":", sizeof name + 3, kind, offset}
    /* Graph's default set (a GET without $select), in order ... */
    PROP("businessPhones", PROP_EMPTY_LIST, 0),
    PROP("displayName", PROP_STRING, offsetof(struct ms_user, display_name)),
    PROP("givenName", PROP_STRING, offsetof(struct ms_user, given_name)),
    PROP("id", PROP_CHARS, offsetof(struct ms_user, id)),
    PROP("jobTitle", PROP_NULL, 0),
    PROP("mail", PROP_STRING, offsetof(struct ms_user, mail)),
    PROP("mobilePhone", PROP_NULL, 0),
    PROP("officeLocation", PROP_NULL, 0),
    PROP("preferredLanguage", PROP_NULL, 0),
    PROP("surname", PROP_STRING, offsetof(struct ms_user, surname)),
    PROP("userPrincipalName", PROP_STRING, offsetof(struct ms_user, upn)),
    /* ... then the ones only $select (or $filter) reaches. */
    PROP("accountEnabled", PROP_BOOL, offsetof(struct ms_user, account_enabled)),
    PROP("userType", PROP_USER_TYPE, 0),
    PROP("externalUserState", PROP_STRING, offsetof(struct ms_user, external_state)),
    PROP("creationType", PROP_STRING, offsetof(struct ms_user, creation_type)),
    PROP("mailNickname", PROP_STRING, offsetof(struct ms_user, mail_nickname)),
    PROP("createdDateTime", PROP_TIME, 0),
#undef PROP
};
#define USER_NDEFAULT 11

/* A property's value, reduced to the four shapes the writers know. */
struct prop_value {
    enum { VALUE_STRING, VALUE_NULL, VALUE_BOOL, VALUE_EMPTY_LIST } type;
    const char *str;           /* VALUE_STRING */
    int flag;                  /* VALUE_BOOL */
    char time[32];             /* PROP_TIME's text, pointed to by str */
};

static void prop_value(const struct ms_user *u, const struct user_prop *p, struct prop_value *v)
{
    const char *field = (const char *)u + p->offset;

    v->type = VALUE_STRING;
    switch (p->kind) {
    case PROP_EMPTY_LIST:
        v->type = VALUE_EMPTY_LIST;
        break;
    case PROP_NULL:
        v->type = VALUE_NULL;
        break;
    case PROP_STRING:
        v->str = *(const char *const *)(const void *)field;
        break;
    case PROP_CHARS:
        v->str = field;
        break;
    case PROP_BOOL:
        v->type = VALUE_BOOL;
        v->flag = *(const int *)(const void *)field;
        break;
    case PROP_USER_TYPE:
        v->str = u->guest ? "Guest" : "Member";
        break;
    case PROP_TIME:
        v->str = NULL;
        if (u->created_ms) {
            emu_ids_time_iso(u->created_ms, v->time);
            v->str = v->time;
        }
        break;
    }
    if (v->type == VALUE_STRING && !v->str)
        v->type = VALUE_NULL;
}

void ms_repr_user_props(const char *select, struct ms_user_props *out)
{
    out->n = 0;
    if (!select || !*select) {          /* NULL: the default set; "": everything */
        out->n = select ? MS_USER_NPROPS : USER_NDEFAULT;
        for (int i = 0; i < out->n; i++)
            out->index[i] = (unsigned char)i;
        return;
    }
    /* As ms_select reads $select: comma-separated, leading blanks skipped,
     * names matched case-insensitively, each property once, in the order
     * first named. */
    for (const char *p = select; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, ",");
        for (int i = 0; i < MS_USER_NPROPS; i++) {
            if (strncasecmp(user_props[i].name, p, len) != 0 || user_props[i].name[len])
                continue;
            int seen = 0;
            for (int k = 0; k < out->n; k++)
                seen |= out->index[k] == i;
            if (!seen)
                out->index[out->n++] = (unsigned char)i;
        }
        p += len;
        if (*p == ',')
            p++;
    }
}

json_t *ms_repr_user_with(const struct ms_user *u, const struct ms_user_props *props)
{
    json_t *obj = json_object();
    struct prop_value v;

    for (int i = 0; i < props->n; i++) {
        const struct user_prop *p = &user_props[props->index[i]];
        prop_value(u, p, &v);
        json_t *value = v.type == VALUE_STRING ? json_string(v.str)
                        : v.type == VALUE_BOOL ? json_boolean(v.flag)
                        : v.type == VALUE_EMPTY_LIST ? json_array() : json_null();
        json_object_set_new(obj, p->name, value);
    }
    return obj;
}

void ms_repr_user_text(struct buf *b, const struct ms_user *u, const struct ms_user_props *props)
{
    struct prop_value v;

    buf_append(b, "{", 1);
    for (int i = 0; i < props->n; i++) {
        const struct user_prop *p = &user_props[props->index[i]];
        prop_value(u, p, &v);
        buf_append(b, p->key + !i, p->key_len - !i);    /* no comma before the first */
        if (v.type == VALUE_STRING)
            emu_jsontext_string(b, v.str);
        else
            buf_puts(b, v.type == VALUE_BOOL ? (v.flag ? "true" : "false")
                        : v.type == VALUE_EMPTY_LIST ? "[]" : "null");
    }
    buf_append(b, "}", 1);
}

json_t *ms_repr_user_full(const struct ms_user *u)
{
    return ms_repr_user_selected(u, "");
}

json_t *ms_repr_user(const struct ms_user *u)
{
    return ms_repr_user_selected(u, NULL);
}

json_t *ms_repr_user_selected(const struct ms_user *u, const char *select)
{
    struct ms_user_props props;
    ms_repr_user_props(select, &props);
    return ms_repr_user_with(u, &props);
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
