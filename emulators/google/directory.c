/* directory.c - Admin SDK Directory API v1 under /admin/directory/v1:
 *
 *   GET    /users                  list (customer or domain; maxResults <= 500,
 *                                  pageToken, query, orderBy, sortOrder,
 *                                  showDeleted)
 *   POST   /users                  insert (409 duplicate)
 *   GET    /users/:key             get by primary email or id
 *   PATCH  /users/:key, PUT ...    change the fields present in the body
 *   DELETE /users/:key             204
 *   POST   /users/:key/undelete    a deleted user (by id) back; 204
 *   POST   /users/:key/makeAdmin   {"status": bool}; 204
 *   GET    /groups                 list (customer, domain or userKey)
 *   GET    /groups/:key            get
 *   GET    /groups/:key/members    members list (roles, maxResults <= 200)
 *   GET    /groups/:key/hasMember/:member
 *
 * Every call needs a delegated token (sub) of an admin of the customer and
 * the method's scope; errors carry the legacy errors[] array.  The search
 * syntax of `query` is in directory_query.c. */
#include "google/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/frame.h"
#include "frame/ids.h"
#include "frame/jsontext.h"
#include "google/directory_query.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define D GEMU_DIRECTORY
#define BASE "/admin/directory/v1"
#define MIN_PASSWORD 8
#define MAX_PASSWORD 100

static const char *const USER_READ[] = {"admin.directory.user", "admin.directory.user.readonly",
                                        NULL};
static const char *const USER_WRITE[] = {"admin.directory.user", NULL};
static const char *const GROUP_READ[] = {"admin.directory.group", "admin.directory.group.readonly",
                                         NULL};
static const char *const MEMBER_READ[] = {"admin.directory.group.member",
                                          "admin.directory.group.member.readonly",
                                          "admin.directory.group", "admin.directory.group.readonly",
                                          NULL};

/* Lock the state and check the token and admin rights; returns 0 with the
 * state locked, or -1 (unlocked) after answering. */
static int begin(struct http_req *req, struct emu_google *g, const char *const scopes[])
{
    gemu_state_lock(g->st);
    const struct gemu_token *t = gemu_auth(req, g->st, D, scopes);
    if (t && (!t->subject || !t->subject->is_admin)) {
        gemu_reply_error(req, D, 403, "forbidden", "Not Authorized to access this resource/api");
        t = NULL;
    }
    if (!t)
        gemu_state_unlock(g->st);
    return t ? 0 : -1;
}

/* begin() for a call with a JSON body: the body (the caller decrefs it)
 * with the state locked, or NULL (unlocked) after answering. */
static json_t *begin_with_body(struct http_req *req, struct emu_google *g,
                               const char *const scopes[])
{
    json_t *body = http_req_json_or_400(req);
    if (!body || begin(req, g, scopes)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

static void etag(char *out, size_t size, const char *id, long long version)
{
    snprintf(out, size, "\"emu-%s-%lld\"", id, version);
}

/* Append the Directory user U to B as JSON text: the one definition of the
 * representation, written directly because users.list sends hundreds a page. */
static void user_text(struct buf *b, const struct gemu_state *st, const struct gemu_user *u)
{
    char created[32], tag[64];
    char *full = xasprintf("%s %s", u->given_name, u->family_name);
    emu_ids_time_iso(u->created_ms, created);
    etag(tag, sizeof tag, u->id, u->version);
#define KEY(name) emu_jsontext_key(b, name)
#define STR(name, value) (KEY(name), emu_jsontext_string(b, value), buf_puts(b, ","))
#define BOOL(name, value) (KEY(name), buf_puts(b, (value) ? "true," : "false,"))
    buf_puts(b, "{");
    STR("kind", "admin#directory#user");
    STR("id", u->id);
    STR("etag", tag);
    STR("primaryEmail", u->email);
    KEY("name");
    buf_puts(b, "{");
    STR("givenName", u->given_name);
    STR("familyName", u->family_name);
    KEY("fullName");
    emu_jsontext_string(b, full);
    buf_puts(b, "},");
    BOOL("isAdmin", u->is_admin);
    BOOL("isDelegatedAdmin", 0);
    BOOL("suspended", u->suspended);
    BOOL("archived", 0);
    STR("orgUnitPath", u->org_unit);
    STR("customerId", st->customer_id);
    STR("creationTime", created);
    BOOL("agreedToTerms", 1);
    BOOL("changePasswordAtNextLogin", 0);
    BOOL("isMailboxSetup", 1);
    BOOL("includeInGlobalAddressList", 1);
    BOOL("isEnrolledIn2Sv", 0);
    BOOL("isEnforcedIn2Sv", 0);
    KEY("emails");
    buf_puts(b, "[{");
    STR("address", u->email);
    KEY("primary");
    buf_puts(b, "true}]");
    if (u->suspended) {
        buf_puts(b, ",");
        KEY("suspensionReason");
        emu_jsontext_string(b, "ADMIN");
    }
    if (u->deleted_ms) {
        char deleted[32];
        emu_ids_time_iso(u->deleted_ms, deleted);
        buf_puts(b, ",");
        KEY("deletionTime");
        emu_jsontext_string(b, deleted);
    }
    buf_puts(b, "}");
#undef BOOL
#undef STR
#undef KEY
    free(full);
}

/* U as a jansson object (single-user replies), read back from user_text. */
static json_t *user_json(const struct gemu_state *st, const struct gemu_user *u)
{
    struct buf b = BUF_INIT;
    user_text(&b, st, u);
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    buf_free(&b);
    return j;
}

/* The customer/domain parameters of a list call name this customer: 0, or
 * -1 after answering. */
static int check_scope_params(struct http_req *req, const struct gemu_state *st, int need)
{
    const char *customer = http_req_query(req, "customer");
    const char *domain = http_req_query(req, "domain");
    if (customer && strcmp(customer, "my_customer") != 0 && strcmp(customer, st->customer_id) != 0) {
        gemu_reply_error(req, D, 400, "badRequest", "Bad Request");
        return -1;
    }
    if (domain && strcasecmp(domain, st->domain) != 0) {
        gemu_reply_error(req, D, 403, "forbidden", "Not Authorized to access this resource/api");
        return -1;
    }
    if (need && !customer && !domain) {
        gemu_reply_error(req, D, 400, "badRequest", "Bad Request");
        return -1;
    }
    return 0;
}

/* ---- users ---- */

/* users.list's orderBy / sortOrder, for qsort_r. */
struct order {
    const char *field;               /* "email", "givenName" or "familyName" */
    int desc;
};

static int by_field(const void *a, const void *b, void *ctx)
{
    const struct order *o = ctx;
    const struct gemu_user *x = *(struct gemu_user *const *)a, *y = *(struct gemu_user *const *)b;
    int c;
    if (strcmp(o->field, "givenName") == 0)
        c = strcasecmp(x->given_name, y->given_name);
    else if (strcmp(o->field, "familyName") == 0)
        c = strcasecmp(x->family_name, y->family_name);
    else
        c = strcmp(x->email, y->email);
    if (!c)
        c = x->seq < y->seq ? -1 : x->seq > y->seq;
    return o->desc ? -c : c;
}

static void on_users_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    struct gemu_query *q = NULL;
    struct emu_vec hits = EMU_VEC_INIT;
    const char *order = http_req_query(req, "orderBy");
    const char *sort = http_req_query(req, "sortOrder");
    const char *deleted = http_req_query(req, "showDeleted");
    int show_deleted = deleted && strcmp(deleted, "true") == 0;
    char *why = NULL;

    if (begin(req, g, USER_READ))
        return;
    if (check_scope_params(req, g->st, 1) ||
        gemu_page_parse(req, D, "maxResults", 100, 500, 0, &page))
        goto out;
    if (order && strcmp(order, "email") != 0 && strcmp(order, "givenName") != 0 &&
        strcmp(order, "familyName") != 0) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid value for orderBy");
        goto out;
    }
    if (gemu_query_parse(http_req_query(req, "query"), &q, &why) != PARLEY_OK) {
        char *msg = xasprintf("Invalid Input: %s", why);
        gemu_reply_error(req, D, 400, "invalid", msg);
        free(msg);
        goto out;
    }
    for (size_t i = 0; i < g->st->users.len; i++) {
        struct gemu_user *u = g->st->users.items[i];
        if ((u->deleted_ms != 0) == show_deleted && gemu_query_match(q, u))
            emu_vec_push(&hits, u);
    }
    if (order) {
        struct order o = {order, sort && strcasecmp(sort, "DESCENDING") == 0};
        qsort_r(hits.items, hits.len, sizeof *hits.items, by_field, &o);
    }
    /* {"kind", "etag", ["users"], ["nextPageToken"]}, written as text. */
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"kind\":\"admin#directory#users\",\"etag\":\"\\\"emu\\\"\"");
    for (size_t i = page.offset; i < hits.len && i < page.offset + page.limit; i++) {
        buf_puts(&b, i == page.offset ? ",\"users\":[" : ",");
        user_text(&b, g->st, hits.items[i]);
    }
    if (page.offset < hits.len && page.limit)
        buf_puts(&b, "]");
    char *next = gemu_page_next_token(&page, hits.len);
    if (next) {
        buf_puts(&b, ",");
        emu_jsontext_key(&b, "nextPageToken");
        emu_jsontext_string(&b, next);
        free(next);
    }
    buf_puts(&b, "}");
    emu_reply_json_text(req, 200, b.data, b.len);
    buf_free(&b);
out:
    gemu_state_unlock(g->st);
    gemu_query_free(q);
    emu_vec_free(&hits);
    free(why);
}

/* The user named by the :key route parameter, or NULL after a 404. */
static struct gemu_user *user_param(struct http_req *req, struct gemu_state *st)
{
    struct gemu_user *u = gemu_user_find(st, http_req_param(req, "key"));
    if (!u)
        gemu_reply_error(req, D, 404, "notFound", "Resource Not Found: userKey");
    return u;
}

static void on_user_get(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    if (begin(req, g, USER_READ))
        return;
    struct gemu_user *u = user_param(req, g->st);
    if (u)
        emu_reply_json(req, 200, user_json(g->st, u));
    gemu_state_unlock(g->st);
}

/* The email is in the customer's domain: 0, or -1 after answering.  A
 * malformed address is 400 "Invalid Input"; one in a domain the customer
 * does not have is 404 notFound "Domain not found." (as Google answers,
 * GAM's users.insert expects domainNotFound). */
static int check_email(struct http_req *req, const struct gemu_state *st, const char *email)
{
    const char *at = email ? strchr(email, '@') : NULL;
    if (!at || at == email || !at[1] || strchr(at + 1, '@')) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid Input: primary_user_email");
        return -1;
    }
    if (strcasecmp(at + 1, st->domain) != 0) {
        gemu_reply_error(req, D, 404, "notFound", "Domain not found.");
        return -1;
    }
    return 0;
}

/* EMAIL names a user or a group already: -1 after answering 409, else 0. */
static int email_taken(struct http_req *req, struct gemu_state *st, const char *email)
{
    if (!gemu_user_find(st, email) && !gemu_group_find(st, email))
        return 0;
    gemu_reply_error(req, D, 409, "duplicate", "Entity already exists.");
    return -1;
}

/* U's org unit becomes OU when that is a path ("/..."). */
static void set_org_unit(struct gemu_user *u, const char *ou)
{
    if (ou && ou[0] == '/') {
        free(u->org_unit);
        u->org_unit = xstrdup(ou);
    }
}

/* Apply the User fields of BODY that the emulator keeps (insert and patch);
 * isAdmin is ignored as Google does (makeAdmin changes it). */
static void apply_fields(struct gemu_user *u, const json_t *body)
{
    const json_t *name = json_object_get(body, "name");
    const char *given = json_get_str(name, "givenName");
    const char *family = json_get_str(name, "familyName");
    const char *ou = json_get_str(body, "orgUnitPath");
    json_t *suspended = json_object_get(body, "suspended");

    if (given) {
        free(u->given_name);
        u->given_name = xstrdup(given);
    }
    if (family) {
        free(u->family_name);
        u->family_name = xstrdup(family);
    }
    set_org_unit(u, ou);
    if (json_is_boolean(suspended))
        u->suspended = json_is_true(suspended);
    u->version++;
}

static void on_user_insert(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body = begin_with_body(req, g, USER_WRITE);
    if (!body)
        return;
    const char *email = json_get_str(body, "primaryEmail");
    const json_t *name = json_object_get(body, "name");
    const char *password = json_get_str(body, "password");
    const char *given = json_get_str(name, "givenName");
    const char *family = json_get_str(name, "familyName");

    if (check_email(req, g->st, email))
        goto out;
    if (!given || !*given || !family || !*family) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid Given/Family Name");
        goto out;
    }
    if (!password || strlen(password) < MIN_PASSWORD || strlen(password) > MAX_PASSWORD) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid Password");
        goto out;
    }
    if (email_taken(req, g->st, email))
        goto out;
    struct gemu_user *u = gemu_user_add(g->st, email, given, family, "/", 0);
    apply_fields(u, body);
    gemu_watch_notify(g, "add", u);
    emu_reply_json(req, 200, user_json(g->st, u));
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_user_patch(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body = begin_with_body(req, g, USER_WRITE);
    if (!body)
        return;
    struct gemu_user *u = user_param(req, g->st);
    const char *email = json_get_str(body, "primaryEmail");
    if (!u)
        goto out;
    if (email && strcasecmp(email, u->email) != 0) {
        if (check_email(req, g->st, email) || email_taken(req, g->st, email))
            goto out;
        gemu_user_rename(g->st, u, email);
    }
    apply_fields(u, body);
    gemu_watch_notify(g, "update", u);
    emu_reply_json(req, 200, user_json(g->st, u));
out:
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_user_delete(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    if (begin(req, g, USER_WRITE))
        return;
    struct gemu_user *u = user_param(req, g->st);
    if (u) {
        gemu_user_delete(g->st, u);
        gemu_watch_notify(g, "delete", u);
        emu_reply_empty(req, 204);
    }
    gemu_state_unlock(g->st);
}

static void on_user_undelete(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body = begin_with_body(req, g, USER_WRITE);
    if (!body)
        return;
    struct gemu_user *u = gemu_user_find_deleted(g->st, http_req_param(req, "key"));
    const char *ou = json_get_str(body, "orgUnitPath");
    if (!u) {
        gemu_reply_error(req, D, 404, "notFound", "Resource Not Found: userKey");
    } else if (!email_taken(req, g->st, u->email)) {
        gemu_user_undelete(g->st, u);
        set_org_unit(u, ou);
        gemu_watch_notify(g, "undelete", u);
        emu_reply_empty(req, 204);
    }
    gemu_state_unlock(g->st);
    json_decref(body);
}

static void on_user_make_admin(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    json_t *body = begin_with_body(req, g, USER_WRITE);
    if (!body)
        return;
    struct gemu_user *u = user_param(req, g->st);
    json_t *status = json_object_get(body, "status");
    if (u && !json_is_boolean(status)) {
        gemu_reply_error(req, D, 400, "invalid", "Invalid value for: status");
    } else if (u) {
        u->is_admin = json_is_true(status);
        u->version++;
        gemu_watch_notify(g, "makeAdmin", u);
        emu_reply_empty(req, 204);
    }
    gemu_state_unlock(g->st);
    json_decref(body);
}

/* ---- groups ---- */

static int group_has(const struct gemu_group *grp, const char *email)
{
    for (size_t i = 0; i < grp->members.len; i++)
        if (strcmp(grp->members.items[i], email) == 0)
            return 1;
    return 0;
}

static json_t *group_json(const struct gemu_group *grp)
{
    char tag[64], count[24];
    etag(tag, sizeof tag, grp->id, 1);
    snprintf(count, sizeof count, "%zu", grp->members.len);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:[]}", "kind",
                     "admin#directory#group", "id", grp->id, "etag", tag, "email", grp->email,
                     "name", grp->name, "description", "", "directMembersCount", count,
                     "adminCreated", 1, "aliases");
}

/* 200 with one page of a list: KIND, ITEMS (stolen) under KEY unless
 * empty, and the next page's token when PAGE does not reach TOTAL. */
static void reply_page(struct http_req *req, const char *kind, const char *key, json_t *items,
                       const struct gemu_page *page, size_t total)
{
    json_t *resp = json_pack("{s:s, s:s}", "kind", kind, "etag", "\"emu\"");
    if (json_array_size(items))
        json_object_set_new(resp, key, items);
    else
        json_decref(items);
    gemu_page_next(resp, page, total);
    emu_reply_json(req, 200, resp);
}

static void on_groups_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    struct emu_vec hits = EMU_VEC_INIT;
    const char *user_key = http_req_query(req, "userKey");

    if (begin(req, g, GROUP_READ))
        return;
    if (check_scope_params(req, g->st, !user_key) ||
        gemu_page_parse(req, D, "maxResults", 200, 200, 0, &page))
        goto out;
    struct gemu_user *member = NULL;
    if (user_key && !(member = gemu_user_find(g->st, user_key))) {
        gemu_reply_error(req, D, 404, "notFound", "Resource Not Found: userKey");
        goto out;
    }
    for (size_t i = 0; i < g->st->groups.len; i++) {
        struct gemu_group *grp = g->st->groups.items[i];
        if (!member || group_has(grp, member->email))
            emu_vec_push(&hits, grp);
    }
    json_t *groups = json_array();
    for (size_t i = page.offset; i < hits.len && i < page.offset + page.limit; i++)
        json_array_append_new(groups, group_json(hits.items[i]));
    reply_page(req, "admin#directory#groups", "groups", groups, &page, hits.len);
out:
    gemu_state_unlock(g->st);
    emu_vec_free(&hits);
}

static struct gemu_group *group_param(struct http_req *req, struct gemu_state *st)
{
    struct gemu_group *grp = gemu_group_find(st, http_req_param(req, "key"));
    if (!grp)
        gemu_reply_error(req, D, 404, "notFound", "Resource Not Found: groupKey");
    return grp;
}

static void on_group_get(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    if (begin(req, g, GROUP_READ))
        return;
    struct gemu_group *grp = group_param(req, g->st);
    if (grp)
        emu_reply_json(req, 200, group_json(grp));
    gemu_state_unlock(g->st);
}

static json_t *member_json(struct gemu_state *st, const char *email)
{
    struct gemu_user *u = gemu_user_find(st, email);
    struct gemu_group *grp = u ? NULL : gemu_group_find(st, email);
    char tag[64];
    const char *id = u ? u->id : grp ? grp->id : email;
    etag(tag, sizeof tag, id, 1);
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "admin#directory#member",
                          "etag", tag, "id", id, "email", email, "role", "MEMBER", "type",
                          grp ? "GROUP" : "USER", "delivery_settings", "ALL_MAIL");
    if (!grp)
        json_object_set_new(m, "status",
                            json_string(!u ? "UNKNOWN" : u->suspended ? "SUSPENDED" : "ACTIVE"));
    return m;
}

static void on_members_list(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    struct gemu_page page;
    const char *roles = http_req_query(req, "roles");

    if (begin(req, g, MEMBER_READ))
        return;
    struct gemu_group *grp = group_param(req, g->st);
    if (!grp || gemu_page_parse(req, D, "maxResults", 200, 200, 0, &page))
        goto out;
    /* Every seeded member is a plain MEMBER: a roles filter without it is empty. */
    size_t total = !roles || strstr(roles, "MEMBER") ? grp->members.len : 0;
    json_t *members = json_array();
    for (size_t i = page.offset; i < total && i < page.offset + page.limit; i++)
        json_array_append_new(members, member_json(g->st, grp->members.items[i]));
    reply_page(req, "admin#directory#members", "members", members, &page, total);
out:
    gemu_state_unlock(g->st);
}

static void on_has_member(struct http_req *req, void *ctx)
{
    struct emu_google *g = ctx;
    if (begin(req, g, MEMBER_READ))
        return;
    struct gemu_group *grp = group_param(req, g->st);
    if (grp) {
        char *email = gemu_lower(http_req_param(req, "member"));
        struct gemu_user *u = gemu_user_find(g->st, email);
        emu_reply_json(req, 200, json_pack("{s:b}", "isMember",
                                           group_has(grp, u ? u->email : email)));
        free(email);
    }
    gemu_state_unlock(g->st);
}

void gemu_directory_routes(struct emu_google *g)
{
    struct emu_frame *f = g->frame;
    emu_frame_route(f, "GET", BASE "/users", on_users_list, g);
    emu_frame_route(f, "POST", BASE "/users", on_user_insert, g);
    emu_frame_route(f, "GET", BASE "/users/:key", on_user_get, g);
    emu_frame_route(f, "PATCH", BASE "/users/:key", on_user_patch, g);
    emu_frame_route(f, "PUT", BASE "/users/:key", on_user_patch, g);
    emu_frame_route(f, "DELETE", BASE "/users/:key", on_user_delete, g);
    emu_frame_route(f, "POST", BASE "/users/:key/undelete", on_user_undelete, g);
    emu_frame_route(f, "POST", BASE "/users/:key/makeAdmin", on_user_make_admin, g);
    emu_frame_route(f, "GET", BASE "/groups", on_groups_list, g);
    emu_frame_route(f, "GET", BASE "/groups/:key", on_group_get, g);
    emu_frame_route(f, "GET", BASE "/groups/:key/members", on_members_list, g);
    emu_frame_route(f, "GET", BASE "/groups/:key/hasMember/:member", on_has_member, g);
}
