/* route.h - authenticated API routes and the helpers their handlers share.
 *
 * api_route() wraps a handler so that, before it runs:
 *   1. the session cookie is looked up            -> 401 "unauthenticated"
 *   2. POST/PUT/PATCH/DELETE carry the session's
 *      CSRF token in X-CSRF-Token                   -> 403 "csrf"
 *   3. a ":org" parameter (numeric id or name) is
 *      resolved among the admin's orgs              -> 404 "not_found"
 *      (an org the admin has no role in is reported as unknown, so the API
 *      does not reveal which orgs exist)
 *   4. the admin's role there is at least NEED      -> 403 "forbidden"
 * Routes without ":org" must pass AUTH_ROLE_NONE and check the role of the
 * resource's org themselves with api_ctx_require(). */
#ifndef PARLEY_API_ROUTE_H
#define PARLEY_API_ROUTE_H

#include <stddef.h>
#include <jansson.h>

#include "auth/role.h"
#include "util/err.h"

struct api;
struct http_req;
struct http_router;
struct store;
struct store_role;

/* What a handler knows about the caller; valid during the call only. */
struct api_ctx {
    struct api *api;
    struct store *store;
    long long admin_id;
    const char *admin_email;
    const char *session_token;        /* the cookie value */
    const char *csrf_token;
    const struct store_role *roles;   /* every org of the admin */
    size_t nroles;
    /* Set for routes with ":org"; 0 / NULL / AUTH_ROLE_NONE otherwise. */
    long long org_id;
    const char *org_name;
    enum auth_role role;
};

typedef void (*api_handler_fn)(struct http_req *req, struct api_ctx *ctx);

/* Add METHOD PATTERN (under /api/) to ROUTER behind the checks above. */
void api_route(struct api *api, struct http_router *router, const char *method,
               const char *pattern, api_handler_fn handler, enum auth_role need);

/* The admin's role in ORG_ID (AUTH_ROLE_NONE when none). */
enum auth_role api_ctx_role_in(const struct api_ctx *ctx, long long org_id);
/* Whether the admin has NEED in ORG_ID; if not, answers 404 (no role there)
 * or 403 (role too low) and returns 0. */
int api_ctx_require(const struct api_ctx *ctx, struct http_req *req, long long org_id,
                    enum auth_role need);

/* Answer with the HTTP status matching ERR (404, 409, 400, 503, or 500,
 * which is also logged). */
void api_reply_err(struct http_req *req, enum parley_err err);

/* Read query parameter NAME as an integer in [MIN, MAX], DEF when absent.
 * On a bad value answers 400 and returns -1; 0 otherwise. */
int api_query_int(struct http_req *req, const char *name, long long def, long long min,
                  long long max, long long *out);

/* A JSON text column (audit details, job results) as JSON: the parsed value,
 * or null when TEXT is NULL or not valid JSON.  A new reference. */
json_t *api_json_from_text(const char *text);

/* Write an audit event in ORG_ID (0: none) with actor "admin:EMAIL" (EMAIL
 * NULL: "anonymous").  DETAILS (an object, may be NULL) is stolen.  A
 * failure is logged, not returned: the action itself has already happened. */
void api_audit_write(struct store *st, long long org_id, const char *email, const char *action,
                     const char *target, json_t *details);

#endif
