/* users.c - Graph users and invitations: list (paging, $select, $filter,
 * $count), get by id or UPN, create (members and guests, passwordProfile),
 * patch, delete; POST /invitations. */
#include "microsoft/ms.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "microsoft/notify.h"
#include "microsoft/repr.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define USERS_DEFAULT_TOP 100
#define USERS_MAX_TOP 999

static int user_matches(const struct ms_user *u, const struct ms_filter *filter)
{
    if (!filter)
        return 1;
    json_t *full = ms_repr_user_full(u);
    int match = ms_filter_match(filter, full);
    json_decref(full);
    return match;
}

static long long count_matches(struct ms_state *st, const struct ms_filter *filter)
{
    long long n = 0;
    if (!filter)
        return (long long)st->users.len;
    for (size_t i = 0; i < st->users.len; i++)
        n += user_matches(st->users.items[i], filter);
    return n;
}

/* Append U to the page text B (a JSON array being written) as PROPS. */
static void page_add(struct buf *b, size_t *n, const struct ms_user *u,
                     const struct ms_user_props *props)
{
    buf_append(b, *n ? "," : "[", 1);
    ms_repr_user_text(b, u, props);
    (*n)++;
}

/* GET /users: pages in creation order; the skiptoken is the last seq sent.
 * An `eq` filter on id, userPrincipalName or mail is a hashed lookup.  The
 * page is written as text straight from the users (no jansson values but
 * for $filter). */
static void on_list(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    struct ms_query q;
    struct ms_filter *filter = NULL;
    struct ms_user_props props;
    struct buf page = BUF_INIT;
    size_t n = 0;
    long long after;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) ||
        ms_query_list(req, USERS_DEFAULT_TOP, USERS_MAX_TOP, &q, &filter, &after))
        goto out;
    ms_repr_user_props(q.select, &props);
    char *next_token = NULL;
    long long count = -1;
    const char *key = ms_filter_eq_value(filter, "id");
    if (!key)
        key = ms_filter_eq_value(filter, "userPrincipalName");
    if (!key)
        key = ms_filter_eq_value(filter, "mail");

    ms_state_lock(ms->st);
    if (key) {
        struct ms_user *u = ms_user_find(ms->st, key);
        if (u && user_matches(u, filter))
            page_add(&page, &n, u, &props);
        count = (long long)n;
    } else {
        count = q.count ? count_matches(ms->st, filter) : -1;
        long long last_seq = 0;
        for (size_t i = ms_user_index_after(ms->st, after); i < ms->st->users.len; i++) {
            struct ms_user *u = ms->st->users.items[i];
            if (!user_matches(u, filter))
                continue;
            if (n == (size_t)q.top) {
                next_token = ms_token_encode(last_seq);
                break;
            }
            page_add(&page, &n, u, &props);
            last_seq = u->seq;
        }
    }
    ms_state_unlock(ms->st);
    buf_append(&page, n ? "]" : "[]", n ? 1 : 2);
    ms_reply_collection_text(ms, req, "users", page.data, page.len, q.count ? count : -1,
                             next_token);
    free(next_token);
out:
    buf_free(&page);
    ms_filter_free(filter);
}

/* GET /users/$count (text/plain; needs ConsistencyLevel: eventual). */
static void on_count(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    struct ms_query q = {.count = 1};
    char text[32];

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || ms_query_need_eventual(req, &q))
        return;
    ms_state_lock(ms->st);
    snprintf(text, sizeof text, "%zu", ms->st->users.len);
    ms_state_unlock(ms->st);
    emu_reply_bytes(req, 200, "text/plain", text, strlen(text));
}

/* Reply the user KEY (id or userPrincipalName) with the $select-ed properties. */
static void reply_user(struct ms *ms, struct http_req *req, const char *key)
{
    ms_state_lock(ms->st);
    struct ms_user *u = ms_user_find(ms->st, key);
    json_t *body = u ? ms_repr_user_selected(u, http_req_query(req, "$select")) : NULL;
    ms_state_unlock(ms->st);
    if (body)
        ms_reply_entity(ms, req, 200, "users", body);
    else
        ms_reply_not_found(req, key);
}

static void on_get(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) == 0)
        reply_user(ms, req, http_req_param(req, "id"));
}

/* GET /me: the delegated caller. */
static void on_me(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;

    if (ms_auth_check(ms, req, MS_ACCESS_DELEGATED, &caller) == 0)
        reply_user(ms, req, caller.oid);
}

/* Check that every present key of BODY in NAMES is a string (or null where
 * NULLABLE); answers 400 and returns -1 otherwise. */
static int check_strings(struct http_req *req, const json_t *body, const char *const names[])
{
    for (size_t i = 0; names[i]; i++) {
        const json_t *v = json_object_get(body, names[i]);
        if (v && !json_is_string(v) && !json_is_null(v)) {
            char *msg = xasprintf("Invalid value specified for property '%s' of resource 'User'.",
                                  names[i]);
            emu_reply_error(req, 400, "Request_BadRequest", msg);
            free(msg);
            return -1;
        }
    }
    return 0;
}

static const char *const string_props[] = {"displayName", "givenName", "surname", "mail",
                                           "mailNickname", "userPrincipalName", "userType", NULL};

/* Apply the writable properties of BODY to U (already type-checked).  Lock held.
 * Returns 0, or answers 400 and returns -1. */
static int apply_props(struct ms *ms, struct http_req *req, struct ms_user *u, const json_t *body)
{
    const char *upn = json_get_str(body, "userPrincipalName");
    const json_t *mail = json_object_get(body, "mail");
    const json_t *profile = json_object_get(body, "passwordProfile");
    const json_t *enabled = json_object_get(body, "accountEnabled");
    const char *type = json_get_str(body, "userType");

    if (upn && ms_user_set_upn(ms->st, u, upn) != PARLEY_OK) {
        emu_reply_error(req, 400, "Request_BadRequest",
                        "Another object with the same value for property userPrincipalName "
                        "already exists.");
        return -1;
    }
    if (mail && ms_user_set_mail(ms->st, u, json_string_value(mail)) != PARLEY_OK) {
        emu_reply_error(req, 400, "Request_BadRequest",
                        "Another object with the same value for property proxyAddresses already "
                        "exists.");
        return -1;
    }
    if (type)
        u->guest = strcmp(type, "Guest") == 0;
    if (json_is_boolean(enabled))
        u->account_enabled = json_is_true(enabled);
    if (json_is_object(profile) && json_get_str(profile, "password")) {
        free(u->password);
        u->password = xstrdup(json_get_str(profile, "password"));
    }
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {"displayName", offsetof(struct ms_user, display_name)},
        {"givenName", offsetof(struct ms_user, given_name)},
        {"surname", offsetof(struct ms_user, surname)},
        {"mailNickname", offsetof(struct ms_user, mail_nickname)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const json_t *v = json_object_get(body, fields[i].name);
        if (!v)
            continue;
        char **slot = (char **)((char *)u + fields[i].offset);
        free(*slot);
        *slot = xstrdup(json_string_value(v));
    }
    return 0;
}

static void on_create(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    struct ms_user *u = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)) ||
        check_strings(req, body, string_props))
        goto out;
    const char *name = json_get_str(body, "displayName");
    const char *upn = json_get_str(body, "userPrincipalName");
    const char *nick = json_get_str(body, "mailNickname");
    const json_t *enabled = json_object_get(body, "accountEnabled");
    const char *missing = !name ? "displayName" : !upn ? "userPrincipalName" : !nick ? "mailNickname"
                          : !json_is_boolean(enabled) ? "accountEnabled" : NULL;
    if (missing) {
        char *msg = xasprintf("Property '%s' is required and must not be empty.", missing);
        emu_reply_error(req, 400, "Request_BadRequest", msg);
        free(msg);
        goto out;
    }
    const char *at = strchr(upn, '@');
    if (!at || !at[1]) {
        emu_reply_error(req, 400, "Request_BadRequest",
                        "Property userPrincipalName has an invalid value.");
        goto out;
    }
    char id[EMU_GUID_LEN];
    emu_ids_guid_random(id);       /* run-time users get random ids; seeds derive stable ones */
    ms_state_lock(ms->st);
    if (ms_user_add(ms->st, id, upn, NULL, name, &u) != PARLEY_OK) {
        ms_state_unlock(ms->st);
        emu_reply_error(req, 400, "Request_BadRequest",
                        "Another object with the same value for property userPrincipalName "
                        "already exists.");
        goto out;
    }
    if (apply_props(ms, req, u, body) != 0) {
        ms_user_delete(ms->st, u);
        ms_state_unlock(ms->st);
        goto out;
    }
    if (u->guest && !u->external_state) {
        u->external_state = "PendingAcceptance";
        u->creation_type = "Invitation";
    }
    json_t *entity = ms_repr_user_full(u);
    ms_notify_directory(ms, "users", u->id, "created");
    ms_state_unlock(ms->st);
    ms_reply_entity(ms, req, 201, "users", entity);
out:
    json_decref(body);
}

static void on_patch(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;
    const char *id = http_req_param(req, "id");

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)) ||
        check_strings(req, body, string_props))
        goto out;
    ms_state_lock(ms->st);
    struct ms_user *u = ms_user_find(ms->st, id);
    if (!u) {
        ms_state_unlock(ms->st);
        ms_reply_not_found(req, id);
        goto out;
    }
    if (apply_props(ms, req, u, body) == 0) {
        ms->st->version++;
        ms_notify_directory(ms, "users", u->id, "updated");
        emu_reply_empty(req, 204);
    }
    ms_state_unlock(ms->st);
out:
    json_decref(body);
}

static void on_delete(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    const char *id = http_req_param(req, "id");

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_user *u = ms_user_find(ms->st, id);
    if (u) {
        ms_notify_directory(ms, "users", u->id, "deleted");
        ms_user_delete(ms->st, u);
    }
    ms_state_unlock(ms->st);
    if (u)
        emu_reply_empty(req, 204);
    else
        ms_reply_not_found(req, id);
}

/* POST /invitations: a guest user appears at once, PendingAcceptance.
 * Inviting an address that is already in the tenant returns that user. */
static void on_invite(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    json_t *body = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) || !(body = ms_body_object(req)))
        goto out;
    const char *email = json_get_str(body, "invitedUserEmailAddress");
    const char *redirect = json_get_str(body, "inviteRedirectUrl");
    const char *name = json_get_str(body, "invitedUserDisplayName");
    const char *type = json_get_str(body, "invitedUserType");
    if (!email || !strchr(email, '@') || !redirect) {
        emu_reply_error(req, 400, "BadRequest",
                        "invitedUserEmailAddress and inviteRedirectUrl are required.");
        goto out;
    }
    if (ms->quota_invitations) {
        int wait_s = emu_ratelimit_hit(ms->quota_invitations, "tenant");
        if (wait_s) {
            char secs[16];
            snprintf(secs, sizeof secs, "%d", wait_s);
            http_reply_header(req, "Retry-After", secs);
            emu_reply_error(req, 429, "TooManyRequests", "Please retry again later.");
            goto out;
        }
    }
    ms_state_lock(ms->st);
    struct ms_user *u = ms_user_find(ms->st, email);
    if (!u) {
        char *local = xstrdup(email);
        *strchr(local, '@') = '_';
        char *upn = xasprintf("%s#EXT#@%s", local, ms->st->domain);
        char id[EMU_GUID_LEN];
        emu_ids_guid_random(id);
        if (ms_user_add(ms->st, id, upn, email, name ? name : email, &u) == PARLEY_OK) {
            u->guest = !type || strcmp(type, "Member") != 0;
            u->external_state = "PendingAcceptance";
            u->creation_type = "Invitation";
            u->mail_nickname = xstrdup(local);
            ms_notify_directory(ms, "users", u->id, "created");
        }
        free(upn);
        free(local);
    }
    char inv_id[EMU_GUID_LEN];
    emu_ids_guid_random(inv_id);
    char *redeem = xasprintf("%s/_emu/redeem?invitation=%s", emu_frame_origin(ms->frame), inv_id);
    json_t *msg_info = json_object_get(body, "invitedUserMessageInfo");
    json_t *entity = u ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:O, s:{s:s}}",
                                   "id", inv_id, "inviteRedeemUrl", redeem,
                                   "invitedUserDisplayName", u->display_name, "invitedUserType",
                                   u->guest ? "Guest" : "Member", "invitedUserEmailAddress", email,
                                   "sendInvitationMessage",
                                   json_get_bool(body, "sendInvitationMessage", 0),
                                   "resetRedemption", json_get_bool(body, "resetRedemption", 0),
                                   "inviteRedirectUrl", redirect, "status",
                                   u->external_state && strcmp(u->external_state, "Accepted") == 0
                                       ? "Completed" : "PendingAcceptance",
                                   "invitedUserMessageInfo",
                                   msg_info ? msg_info : json_null(), "invitedUser", "id", u->id)
                           : NULL;
    ms_state_unlock(ms->st);
    free(redeem);
    if (entity)
        ms_reply_entity(ms, req, 201, "invitations", entity);
    else
        emu_reply_error(req, 400, "BadRequest", "The invited address clashes with an existing user.");
out:
    json_decref(body);
}

void ms_users_routes(struct ms *ms)
{
    struct emu_frame *f = ms->frame;
    emu_frame_route(f, "GET", "/v1.0/users", on_list, ms);
    emu_frame_route(f, "POST", "/v1.0/users", on_create, ms);
    emu_frame_route(f, "GET", "/v1.0/users/$count", on_count, ms);
    emu_frame_route(f, "GET", "/v1.0/users/:id", on_get, ms);
    emu_frame_route(f, "PATCH", "/v1.0/users/:id", on_patch, ms);
    emu_frame_route(f, "DELETE", "/v1.0/users/:id", on_delete, ms);
    emu_frame_route(f, "GET", "/v1.0/me", on_me, ms);
    emu_frame_route(f, "POST", "/v1.0/invitations", on_invite, ms);
}
