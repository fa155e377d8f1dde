/* route.c - the authentication, CSRF and role checks in front of every
 * signed-in API route, and small helpers shared by the handlers
 * (see route.h). */
#include "api/route.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "auth/session.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct api_route {
    struct api *api;
    api_handler_fn handler;
    enum auth_role need;
};

static int is_state_changing(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

/* The role entry of the org named by PARAM (decimal id or name), or NULL. */
static const struct store_role *find_org(const struct store_role *roles, size_t n,
                                         const char *param)
{
    char *end;
    errno = 0;
    long long id = strtoll(param, &end, 10);
    int numeric = errno == 0 && *end == '\0' && end != param;

    for (size_t i = 0; i < n; i++)
        if ((numeric && roles[i].org_id == id) || strcmp(roles[i].org_name, param) == 0)
            return &roles[i];
    return NULL;
}

static enum auth_role role_of(const struct store_role *r)
{
    enum auth_role role = AUTH_ROLE_NONE;
    if (r && auth_role_parse(r->role, &role) != PARLEY_OK)
        role = AUTH_ROLE_NONE;
    return role;
}

/* 404 without a role, 403 with too low a role; 1 when allowed. */
static int check_role(struct http_req *req, enum auth_role have, enum auth_role need)
{
    if (have == AUTH_ROLE_NONE) {
        http_reply_error(req, 404, "not_found", "no such organisation");
        return 0;
    }
    if (!auth_role_allows(have, need)) {
        http_reply_error(req, 403, "forbidden",
                         "your role in this organisation does not allow this");
        return 0;
    }
    return 1;
}

static void on_request(struct http_req *req, void *arg)
{
    const struct api_route *route = arg;
    struct store *st = route->api->store;
    struct store_session session = { 0 };
    struct store_admin admin = { 0 };
    struct store_role *roles = NULL;
    size_t nroles = 0;
    const char *token = http_req_cookie(req, AUTH_SESSION_COOKIE);
    const char *org = http_req_param(req, "org");
    enum parley_err err;

    http_reply_header(req, "Cache-Control", "no-store");
    err = auth_session_lookup(st, token, clock_now_ms(), &session);
    if (!err)
        err = store_admin_get(st, session.admin_id, &admin);
    if (err == PARLEY_ERR_NOT_FOUND) {
        http_reply_error(req, 401, "unauthenticated", "sign in first");
        goto out;
    }
    if (err) {
        api_reply_err(req, err);
        goto out;
    }
    if (is_state_changing(http_req_method(req)) &&
        !auth_csrf_matches(session.csrf_token, http_req_header(req, "X-CSRF-Token"))) {
        http_reply_error(req, 403, "csrf", "missing or wrong X-CSRF-Token header");
        goto out;
    }
    if ((err = store_admin_roles(st, admin.id, &roles, &nroles))) {
        api_reply_err(req, err);
        goto out;
    }

    struct api_ctx ctx = {
        .api = route->api,
        .store = st,
        .admin_id = admin.id,
        .admin_email = admin.email,
        .session_token = token,
        .csrf_token = session.csrf_token,
        .roles = roles,
        .nroles = nroles,
    };
    if (org) {
        const struct store_role *r = find_org(roles, nroles, org);
        ctx.role = role_of(r);
        if (!check_role(req, ctx.role, route->need))
            goto out;
        ctx.org_id = r->org_id;
        ctx.org_name = r->org_name;
    }
    route->handler(req, &ctx);

out:
    store_roles_free(roles, nroles);
    store_admin_clear(&admin);
    store_session_clear(&session);
}

void api_route(struct api *api, struct http_router *router, const char *method,
               const char *pattern, api_handler_fn handler, enum auth_role need)
{
    struct api_route *route = xcalloc(1, sizeof *route);

    route->api = api;
    route->handler = handler;
    route->need = need;
    if (api->nroutes == api->cap) {
        api->cap = api->cap ? api->cap * 2 : 16;
        api->routes = xrealloc(api->routes, api->cap * sizeof *api->routes);
    }
    api->routes[api->nroutes++] = route;
    http_router_add(router, method, pattern, on_request, route);
    http_router_add(api->api_routes, method, pattern, on_request, route);
}

enum auth_role api_ctx_role_in(const struct api_ctx *ctx, long long org_id)
{
    for (size_t i = 0; i < ctx->nroles; i++)
        if (ctx->roles[i].org_id == org_id)
            return role_of(&ctx->roles[i]);
    return AUTH_ROLE_NONE;
}

int api_ctx_require(const struct api_ctx *ctx, struct http_req *req, long long org_id,
                    enum auth_role need)
{
    return check_role(req, api_ctx_role_in(ctx, org_id), need);
}

void api_reply_err(struct http_req *req, enum parley_err err)
{
    switch (err) {
    case PARLEY_ERR_NOT_FOUND:
        http_reply_error(req, 404, "not_found", parley_strerror(err));
        break;
    case PARLEY_ERR_CONFLICT:
    case PARLEY_ERR_EXISTS:
        http_reply_error(req, 409, parley_errname(err), parley_strerror(err));
        break;
    case PARLEY_ERR_INVALID:
        http_reply_error(req, 400, "invalid", parley_strerror(err));
        break;
    case PARLEY_ERR_BUSY:
        http_reply_error(req, 503, "busy", "the database is busy; try again");
        break;
    default:
        log_error("api", "request failed", "s:path", http_req_path(req), "s:reason",
                  parley_strerror(err));
        http_reply_error(req, 500, "internal", "internal error");
        break;
    }
}

int api_query_int(struct http_req *req, const char *name, long long def, long long min,
                  long long max, long long *out)
{
    const char *text = http_req_query(req, name);
    char *end;

    *out = def;
    if (!text || !*text)
        return 0;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || v < min || v > max) {
        char *msg = xasprintf("query parameter '%s' must be an integer from %lld to %lld", name,
                              min, max);
        http_reply_error(req, 400, "invalid", msg);
        free(msg);
        return -1;
    }
    *out = v;
    return 0;
}

json_t *api_json_from_text(const char *text)
{
    json_t *v = NULL;
    char *why = NULL;

    if (text && json_parse(text, strlen(text), &v, &why) != PARLEY_OK)
        v = NULL;
    free(why);
    return v ? v : json_null();
}

void api_audit_write(struct store *st, long long org_id, const char *email, const char *action,
                     const char *target, json_t *details)
{
    char *actor = email ? xasprintf("admin:%s", email) : xstrdup("anonymous");
    char *text = details ? json_to_string(details) : NULL;
    enum parley_err err = store_audit_add(st, org_id, actor, action, target, text);

    if (err)
        log_error("api", "cannot write the audit event", "s:action", action, "s:reason",
                  parley_strerror(err));
    json_decref(details);
    free(text);
    free(actor);
}
