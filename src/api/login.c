/* login.c - signing in and out: POST /api/login, POST /api/logout and
 * GET /api/session.
 *
 * A failed sign-in answers the same 401 whether the email is unknown or the
 * password wrong, and spends the same argon2 time either way.  Attempts are
 * throttled per email and per client address (auth/throttle.h).  Sign-ins,
 * failures and sign-outs are audited in every org of the admin. */
#include "api/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "api/route.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define MAX_EMAIL_LEN 320

/* {admin:{email}, csrf_token, orgs:[{id,name,role}]}: what the UI needs
 * after sign-in and on reload.  A new reference. */
static json_t *session_json(const char *email, const char *csrf_token,
                            const struct store_role *roles, size_t nroles)
{
    json_t *orgs = json_array();

    for (size_t i = 0; i < nroles; i++)
        json_array_append_new(orgs, json_pack("{sI ss ss}", "id", (json_int_t)roles[i].org_id,
                                              "name", roles[i].org_name, "role", roles[i].role));
    return json_pack("{s{ss} ss so}", "admin", "email", email, "csrf_token", csrf_token,
                     "orgs", orgs);
}

/* Audit ACTION by ACTOR_EMAIL (NULL: anonymous) on the account TARGET once
 * in each of the admin's orgs, or without an org when there are none. */
static void audit_in_orgs(struct store *st, const char *actor_email, const char *action,
                          const char *target, const struct store_role *roles, size_t nroles)
{
    if (nroles == 0)
        api_audit_write(st, 0, actor_email, action, target, NULL);
    for (size_t i = 0; i < nroles; i++)
        api_audit_write(st, roles[i].org_id, actor_email, action, target, NULL);
}

static void set_session_cookie(struct http_req *req, const char *value, long long max_age_s)
{
    char *cookie = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                             AUTH_SESSION_COOKIE, value, max_age_s,
                             http_req_is_tls(req) ? "; Secure" : "");
    http_reply_header(req, "Set-Cookie", cookie);
    free(cookie);
}

/* Lower-case ASCII copy of EMAIL, or NULL when absent, empty or over-long. */
static char *normalise_email(const char *email)
{
    size_t len = email ? strlen(email) : 0;
    if (len == 0 || len > MAX_EMAIL_LEN)
        return NULL;
    char *out = xstrdup(email);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

/* Check EMAIL/PASSWORD: PARLEY_OK with *admin filled, PARLEY_ERR_AUTH on
 * bad credentials, or a store error. */
static enum parley_err check_credentials(struct store *st, const char *email, const char *password,
                                         struct store_admin *admin)
{
    enum parley_err err = store_admin_get_by_email(st, email, admin);
    if (err == PARLEY_ERR_NOT_FOUND) {
        auth_password_verify_dummy(password);
        return PARLEY_ERR_AUTH;
    }
    if (err)
        return err;
    return auth_password_verify(admin->password_hash, password);
}

static void on_login_failed(struct http_req *req, struct store *st, const char *email,
                            const struct store_admin *admin, long long now)
{
    struct store_role *roles = NULL;
    size_t nroles = 0;
    const char *ip = http_req_client_ip(req);
    enum parley_err err = auth_throttle_record_failure(st, email, ip, now);

    if (err)
        log_error("api", "cannot record a failed sign-in", "s:reason", parley_strerror(err));
    /* Known admins see failed attempts in their orgs' activity. */
    if (admin->id && store_admin_roles(st, admin->id, &roles, &nroles) != PARLEY_OK)
        nroles = 0;
    audit_in_orgs(st, admin->id ? email : NULL, "admin.login_failed", email, roles, nroles);
    store_roles_free(roles, nroles);
    log_info("api", "sign-in failed", "s:email", email, "s:ip", ip);
    http_reply_error(req, 401, "invalid_credentials", "wrong email or password");
}

/* A cross-site HTML form cannot send application/json, so requiring it
 * keeps other sites from signing a browser in to an account of theirs. */
static int is_json_request(const struct http_req *req)
{
    const char *type = http_req_header(req, "Content-Type");
    return type && strncasecmp(type, "application/json", 16) == 0;
}

static void on_login(struct http_req *req, void *arg)
{
    struct api *api = arg;
    struct store *st = api->store;
    struct store_admin admin = { 0 };
    struct store_role *roles = NULL;
    size_t nroles = 0;
    char *email = NULL, *token = NULL, *csrf = NULL;
    long long now = clock_now_ms(), retry_after = 0;
    enum parley_err err;
    json_t *body;

    http_reply_header(req, "Cache-Control", "no-store");
    if (!is_json_request(req)) {
        http_reply_error(req, 415, "unsupported_media_type",
                         "send the credentials as application/json");
        return;
    }
    if (!(body = http_req_json_or_400(req)))
        return;
    const char *password = json_get_str(body, "password");
    if (!(email = normalise_email(json_get_str(body, "email"))) || !password) {
        http_reply_error(req, 400, "invalid", "email and password are required");
        goto out;
    }
    err = auth_throttle_check(st, email, http_req_client_ip(req), now, &retry_after);
    if (err == PARLEY_ERR_THROTTLED) {
        char seconds[32];
        snprintf(seconds, sizeof seconds, "%lld", retry_after);
        http_reply_header(req, "Retry-After", seconds);
        http_reply_error(req, 429, "throttled", "too many failed sign-ins; try again later");
        goto out;
    }
    if (!err)
        err = check_credentials(st, email, password, &admin);
    if (err == PARLEY_ERR_AUTH) {
        on_login_failed(req, st, email, &admin, now);
        goto out;
    }
    if (err || (err = store_admin_roles(st, admin.id, &roles, &nroles)) ||
        (err = auth_session_create(st, admin.id, now, &token, &csrf))) {
        api_reply_err(req, err);
        goto out;
    }
    if ((err = auth_throttle_clear(st, email)))
        log_warn("api", "cannot clear failed sign-ins", "s:reason", parley_strerror(err));
    /* Sign-ins are rare and cheap enough to sweep expired sessions away. */
    if ((err = store_sessions_purge_expired(st, now)))
        log_warn("api", "cannot purge expired sessions", "s:reason", parley_strerror(err));
    audit_in_orgs(st, admin.email, "admin.login", admin.email, roles, nroles);
    set_session_cookie(req, token, AUTH_SESSION_TTL_MS / 1000);
    http_reply_json(req, 200, session_json(admin.email, csrf, roles, nroles));

out:
    free(token);
    free(csrf);
    free(email);
    store_roles_free(roles, nroles);
    store_admin_clear(&admin);
    json_decref(body);
}

static void on_logout(struct http_req *req, struct api_ctx *ctx)
{
    enum parley_err err = auth_session_destroy(ctx->store, ctx->session_token);

    if (err) {
        api_reply_err(req, err);
        return;
    }
    audit_in_orgs(ctx->store, ctx->admin_email, "admin.logout", ctx->admin_email, ctx->roles,
                  ctx->nroles);
    set_session_cookie(req, "", 0);
    http_reply_json(req, 204, NULL);
}

static void on_session(struct http_req *req, struct api_ctx *ctx)
{
    http_reply_json(req, 200, session_json(ctx->admin_email, ctx->csrf_token, ctx->roles,
                                           ctx->nroles));
}

void api_login_register(struct api *api, struct http_router *router)
{
    /* Sign-in is the one state-changing route without a session, so
     * without a CSRF token; is_json_request keeps cross-site forms out. */
    http_router_add(router, "POST", "/api/login", on_login, api);
    http_router_add(api->api_routes, "POST", "/api/login", on_login, api);
    api_route(api, router, "POST", "/api/logout", on_logout, AUTH_ROLE_NONE);
    api_route(api, router, "GET", "/api/session", on_session, AUTH_ROLE_NONE);
}
