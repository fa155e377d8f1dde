/* auth.c - mint and check Graph access tokens (see auth.h). */
#include "microsoft/auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/form.h"
#include "frame/ids.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/xmalloc.h"

static char *issuer(struct ms *ms)
{
    return xasprintf("%s/%s/v2.0", emu_frame_origin(ms->frame), ms->st->tenant_id);
}

/* ms_auth_mint's token, issued at NOW (seconds). */
static char *mint_at(struct ms *ms, const struct ms_app *app, const struct ms_user *user,
                     const char *scp, long long now)
{
    static const char *const roles[] = {MS_APP_ROLES};
    char uti[EMU_GUID_LEN];
    char *iss = issuer(ms);

    emu_ids_guid_random(uti);
    json_t *claims = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "aud",
        MS_GRAPH_AUDIENCE, "iss", iss, "tid", ms->st->tenant_id, "oid",
        user ? user->id : app->sp_id, "sub", user ? user->id : app->sp_id, "azp", app->client_id,
        "iat", (json_int_t)now, "nbf", (json_int_t)now, "exp",
        (json_int_t)(now + MS_TOKEN_LIFETIME_S), "ver", "2.0", "appid", app->client_id, "uti",
        uti, "idtyp", user ? "user" : "app");
    if (user) {
        json_object_set_new(claims, "scp", json_string(scp));
        json_object_set_new(claims, "name", json_string(user->display_name));
        json_object_set_new(claims, "preferred_username", json_string(user->upn));
        json_object_set_new(claims, "azpacr", json_string("1"));
    } else {
        json_t *list = json_array();
        for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
            json_array_append_new(list, json_string(roles[i]));
        json_object_set_new(claims, "roles", list);
        json_object_set_new(claims, "azpacr", json_string("1"));
    }
    char *token = emu_jwt_sign(ms->key, claims);
    json_decref(claims);
    free(iss);
    return token;
}

char *ms_auth_mint(struct ms *ms, const struct ms_app *app, const struct ms_user *user,
                   const char *scp)
{
    return mint_at(ms, app, user, scp, clock_now_ms() / 1000);
}

char *ms_auth_mint_app(struct ms *ms, struct ms_app *app)
{
    long long now = clock_now_ms() / 1000;

    if (!app->app_token || app->app_token_iat != now) {
        free(app->app_token);
        app->app_token = mint_at(ms, app, NULL, NULL, now);
        app->app_token_iat = now;
    }
    return app->app_token ? xstrdup(app->app_token) : NULL;
}

static const char *bearer(struct http_req *req)
{
    const char *h = http_req_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

static int unauthorized(struct http_req *req, const char *message)
{
    http_reply_header(req, "WWW-Authenticate", "Bearer realm=\"\", authorization_uri="
                      "\"https://login.microsoftonline.com/common/oauth2/authorize\"");
    emu_reply_error(req, 401, "InvalidAuthenticationToken", message);
    return -1;
}

int ms_auth_check(struct ms *ms, struct http_req *req, enum ms_access access,
                  struct ms_caller *caller)
{
    const char *token = bearer(req);
    json_t *claims = NULL;
    char *iss = NULL;
    int rc = -1;

    memset(caller, 0, sizeof *caller);
    if (!token)
        return unauthorized(req, "Access token is empty.");
    if (strchr(token, '.') == NULL) {
        return unauthorized(req, "IDX14100: JWT is not well formed, there are no dots (.).");
    }
    if (emu_jwt_cache_verify(ms->verified, token, &claims) != PARLEY_OK) {
        unauthorized(req, "Access token validation failure. Invalid signature or token.");
        goto out;
    }
    long long now = clock_now_ms() / 1000;
    const char *aud = json_get_str(claims, "aud");
    const char *tid = json_get_str(claims, "tid");
    const char *oid = json_get_str(claims, "oid");
    const char *azp = json_get_str(claims, "azp");
    iss = issuer(ms);
    if (!aud || (strcmp(aud, MS_GRAPH_AUDIENCE) != 0 &&
                 strcmp(aud, "00000003-0000-0000-c000-000000000000") != 0)) {
        unauthorized(req, "Access token validation failure. Invalid audience.");
        goto out;
    }
    if (!json_get_str(claims, "iss") || strcmp(json_get_str(claims, "iss"), iss) != 0 || !tid ||
        strcmp(tid, ms->st->tenant_id) != 0 || !oid || !azp) {
        unauthorized(req, "Access token validation failure. Invalid issuer or tenant.");
        goto out;
    }
    if (json_get_int(claims, "exp", 0) <= now) {
        unauthorized(req, "Lifetime validation failed, the token is expired.");
        goto out;
    }
    if (json_get_int(claims, "nbf", 0) > now + 300) {
        unauthorized(req, "Lifetime validation failed, the token is not yet valid.");
        goto out;
    }
    caller->is_app = json_object_get(claims, "roles") != NULL;
    snprintf(caller->client_id, sizeof caller->client_id, "%s", azp);
    snprintf(caller->oid, sizeof caller->oid, "%s", oid);
    ms_state_lock(ms->st);
    const struct ms_user *user = caller->is_app ? NULL : ms_user_find(ms->st, oid);
    int known = ms_state_app(ms->st, azp) && (caller->is_app || (user && user->account_enabled));
    ms_state_unlock(ms->st);
    if (!known) {
        unauthorized(req, "Access token validation failure: the app or user no longer exists "
                          "or is disabled.");
        goto out;
    }
    if (caller->is_app && access == MS_ACCESS_DELEGATED) {
        emu_reply_error(req, 403, "Forbidden",
                        "This operation is not supported with application permissions; "
                        "a delegated (user) token is required.");
        goto out;
    }
    rc = 0;
out:
    free(iss);
    json_decref(claims);
    return rc;
}

int ms_auth_caller_app(void *plat, struct http_req *req, char *key, size_t size)
{
    const char *token = bearer(req);
    (void)plat;
    if (token) {
        /* Unverified: only the payload's azp is read, to count requests per app. */
        const char *dot1 = strchr(token, '.');
        const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
        if (!dot2)
            return -1;
        char *part = xstrndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
        size_t len = 0;
        unsigned char *raw = emu_ids_base64url_decode(part, &len);
        json_t *claims = NULL;
        char *why = NULL;
        int rc = -1;
        if (raw && json_parse((char *)raw, len, &claims, &why) == PARLEY_OK &&
            json_get_str(claims, "azp")) {
            snprintf(key, size, "%s", json_get_str(claims, "azp"));
            rc = 0;
        }
        json_decref(claims);
        free(why);
        free(raw);
        free(part);
        return rc;
    }
    size_t len = 0;
    const char *body = http_req_body(req, &len);
    char *client_id = emu_form_get(body, len, "client_id");
    if (!client_id)
        return -1;
    snprintf(key, size, "%s", client_id);
    free(client_id);
    return 0;
}
