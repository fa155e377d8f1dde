/* accounts.c - Teams guest accounts for Google-primary people: the
 * account_* slots of platform.h on Microsoft Graph v1.0 (microsoft.md 1.2,
 * 3, 6.5).
 *
 *   login   <local>_<domain>@<guest domain> (platform_account_name), e.g.
 *           greg_parleydemo.example@contoso.onmicrosoft.com; the guest
 *           domain is the guest_domain setting, else the tenant's initial
 *           domain (GET /organization, once per connection)
 *   find    GET /users/{upn}?$select=id,userPrincipalName,displayName,mail,userType
 *   create  POST /users: a cloud-only account, userType Guest, mail = the
 *           person's email, a random password Parley keeps
 *   verify  a password-grant (ROPC) token for the account, then GET /me
 *   delete  DELETE /users/{id}
 *
 * Why a cloud-only account with a password and not a B2B invitation: a live
 * chat message is authored by the user of the delegated token, and only an
 * account with an Entra password gets such a token without a person
 * signing in (microsoft.md 6.5).  A guest found without the password Parley
 * keeps cannot be acted as: the engine deletes and recreates it. */
#include "platform/graph/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "net/oauth.h"
#include "net/url.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define ACCOUNT_FIELDS "id,userPrincipalName,displayName,mail,userType"
/* Delegated permissions of the guest's token: /me, and chatting later. */
#define GUEST_SCOPE "https://graph.microsoft.com/User.Read " \
                    "https://graph.microsoft.com/Chat.ReadWrite " \
                    "https://graph.microsoft.com/ChatMessage.Send"
#define GUEST_PERMS "User.Read, Chat.ReadWrite and ChatMessage.Send (delegated)"
#define DISPLAY_SUFFIX " (Google Chat)"
#define DISPLAY_NAME_MAX 256

/* ---- the guest domain ---- */

/* The initial domain in an organization collection, or NULL (borrowed). */
static const char *initial_domain(const json_t *page)
{
    const json_t *org = json_array_get(json_object_get(page, "value"), 0);
    const json_t *d;
    size_t i;

    json_array_foreach(json_object_get(org, "verifiedDomains"), i, d) {
        if (json_get_bool(d, "isInitial", 0) && json_get_str(d, "name"))
            return json_get_str(d, "name");
    }
    return NULL;
}

/* The guest domain into *out (new): the setting, or the tenant's initial
 * domain, looked up once per connection. */
static enum parley_err guest_domain(struct graph_conn *g, char **out, struct platform_error *err)
{
    struct platform_call call = graph_call(g, "read the tenant's domains", GRAPH_PERM_ORG);
    char *url = NULL;
    json_t *page = NULL;
    const char *name;
    enum parley_err rc = PARLEY_OK;

    pthread_mutex_lock(&g->guest_lock);
    *out = g->guest_domain ? xstrdup(g->guest_domain) : NULL;
    pthread_mutex_unlock(&g->guest_lock);
    if (*out)
        return PARLEY_OK;
    url = xasprintf("%s/organization?$select=id,verifiedDomains", g->graph_base);
    rc = platform_api_get(&g->base, &call, url, &page, err);
    if (rc != PARLEY_OK)
        goto out;
    name = initial_domain(page);
    if (!name) {
        platform_error_set(err, PARLEY_ERR_PLATFORM, 200, "Microsoft Graph named no initial "
                           "domain of the tenant: set the connection's guest domain.");
        rc = PARLEY_ERR_PLATFORM;
        goto out;
    }
    pthread_mutex_lock(&g->guest_lock);
    if (!g->guest_domain)
        g->guest_domain = xstrdup(name);
    *out = xstrdup(g->guest_domain);
    pthread_mutex_unlock(&g->guest_lock);

out:
    json_decref(page);
    free(url);
    return rc;
}

/* The login for SPEC into *out (new), or why not in ERR. */
static enum parley_err make_login(struct graph_conn *g, const struct platform_account_spec *spec,
                                  char **out, struct platform_error *err)
{
    char *name = platform_account_name(spec->person_email);
    char *domain = NULL;
    enum parley_err rc;

    *out = NULL;
    if (!name) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0, "No guest account name can be made for "
                           "\"%s\": it is not an email address.",
                           spec->person_email ? spec->person_email : "");
        return PARLEY_ERR_INVALID;
    }
    rc = guest_domain(g, &domain, err);
    if (rc == PARLEY_OK)
        *out = xasprintf("%s@%s", name, domain);
    free(domain);
    free(name);
    return rc;
}

char *graph_account_login(struct platform_conn *conn, const struct platform_account_spec *spec)
{
    struct platform_error err;
    char *login = NULL;

    if (make_login(graph_conn_of(conn), spec, &login, &err) != PARLEY_OK)
        log_warn("platform", "no guest account name", "s:error", err.message);
    return login;
}

/* ---- find, create, delete ---- */

/* {graph}/users/{KEY}, percent-encoded, then TAIL (new string). */
static char *user_url(const struct graph_conn *g, const char *key, const char *tail)
{
    struct buf url = BUF_INIT;

    buf_printf(&url, "%s/users/", g->graph_base);
    net_url_encode(&url, key);
    buf_puts(&url, tail);
    return buf_steal(&url);
}

/* A user object -> OUT (id and UPN copied); PARLEY_ERR_PLATFORM without id. */
static enum parley_err account_from_user(const json_t *user, const char *login,
                                         struct platform_account *out, struct platform_error *err)
{
    const char *id = json_get_str(user, "id"), *upn = json_get_str(user, "userPrincipalName");

    if (!id) {
        platform_error_set(err, PARLEY_ERR_PLATFORM, 0, "Microsoft Graph answered with a user "
                           "without an id for %s.", login);
        return PARLEY_ERR_PLATFORM;
    }
    out->external_id = xstrdup(id);
    out->login = xstrdup(upn ? upn : login);
    return PARLEY_OK;
}

enum parley_err graph_account_find(struct platform_conn *conn, const char *login,
                                   struct platform_account *out, struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    char what[160];
    struct platform_call call;
    char *url = user_url(g, login, "?$select=" ACCOUNT_FIELDS);
    json_t *user = NULL;
    const char *upn;
    enum parley_err rc;

    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    snprintf(what, sizeof what, "look up the guest account %s", login);
    call = graph_call(g, what, GRAPH_PERM_USERS);
    rc = platform_api_get(conn, &call, url, &user, err);
    upn = json_get_str(user, "userPrincipalName");
    if (rc == PARLEY_OK && upn && strcasecmp(upn, login) != 0) {
        /* Graph matched something else than the UPN (an id): not ours. */
        platform_error_set(err, PARLEY_ERR_NOT_FOUND, 404, "No account has the user principal "
                           "name %s.", login);
        rc = PARLEY_ERR_NOT_FOUND;
    }
    if (rc == PARLEY_OK)
        rc = account_from_user(user, login, out, err);
    json_decref(user);
    free(url);
    return rc;
}

/* The POST /users body for SPEC as LOGIN with PASSWORD.  WITH_MAIL: the
 * person's email as mail, else in otherMails (when another account of the
 * tenant has it as an address already). */
static json_t *create_body(const struct platform_account_spec *spec, const char *login,
                           const char *password, int with_mail)
{
    const char *name = spec->display_name && *spec->display_name ? spec->display_name
                                                                 : spec->person_email;
    size_t keep = platform_utf8_prefix(name, DISPLAY_NAME_MAX - strlen(DISPLAY_SUFFIX));
    char *display = xasprintf("%.*s%s", (int)keep, name, DISPLAY_SUFFIX);
    char *nickname = xstrndup(login, strcspn(login, "@"));
    json_t *body = json_pack("{s:b, s:s, s:s, s:s, s:s, s:{s:b, s:s}}", "accountEnabled", 1,
                             "displayName", display, "mailNickname", nickname,
                             "userPrincipalName", login, "userType", "Guest", "passwordProfile",
                             "forceChangePasswordNextSignIn", 0, "password", password);

    if (with_mail)
        json_object_set_new(body, "mail", json_string(spec->person_email));
    else
        json_object_set_new(body, "otherMails", json_pack("[s]", spec->person_email));
    if (spec->given_name && *spec->given_name)
        json_object_set_new(body, "givenName", json_string(spec->given_name));
    if (spec->family_name && *spec->family_name)
        json_object_set_new(body, "surname", json_string(spec->family_name));
    free(nickname);
    free(display);
    return body;
}

/* Wipe the password inside BODY (jansson keeps its own copy) and free BODY. */
static void body_free(json_t *body)
{
    json_t *pw = json_object_get(json_object_get(body, "passwordProfile"), "password");

    if (json_is_string(pw))
        sodium_memzero((char *)json_string_value(pw), json_string_length(pw));
    json_decref(body);
}

/* POST /users for SPEC as LOGIN with PASSWORD; *user is the new user. */
static enum parley_err post_user(struct graph_conn *g, const struct platform_account_spec *spec,
                                 const char *login, const char *password, json_t **user,
                                 struct platform_error *err)
{
    char what[160];
    struct platform_call call;
    char *url = xasprintf("%s/users", g->graph_base);
    json_t *body = create_body(spec, login, password, 1);
    enum parley_err rc;

    snprintf(what, sizeof what, "create the guest account %s", login);
    call = graph_call(g, what, GRAPH_PERM_USERS_WRITE);
    rc = platform_api_send(&g->base, &call, "POST", url, body, user, err);
    if (rc == PARLEY_ERR_CONFLICT) {
        /* The email is an address of another account (an earlier B2B guest
         * of the same person, say): keep it in otherMails instead. */
        log_info("platform", "guest email taken; created with otherMails", "s:login", login);
        body_free(body);
        body = create_body(spec, login, password, 0);
        rc = platform_api_send(&g->base, &call, "POST", url, body, user, err);
    }
    body_free(body);
    free(url);
    return rc;
}

enum parley_err graph_account_create(struct platform_conn *conn,
                                     const struct platform_account_spec *spec,
                                     struct platform_account *out, struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    char *login = NULL, *password = NULL;
    json_t *user = NULL;
    enum parley_err rc;

    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    rc = make_login(g, spec, &login, err);
    if (rc != PARLEY_OK)
        return rc;
    password = platform_random_password();
    rc = post_user(g, spec, login, password, &user, err);
    if (rc == PARLEY_OK)
        rc = account_from_user(user, login, out, err);
    if (rc == PARLEY_OK) {
        out->password = password;
        password = NULL;
    } else if (rc == PARLEY_ERR_EXISTS) {
        /* Say whose it is; the engine decides (without our password for
         * it, the guest must be deleted and created again). */
        struct platform_error ignored;
        graph_account_find(conn, login, out, &ignored);
    }
    platform_secret_free(password);
    json_decref(user);
    free(login);
    return rc;
}

enum parley_err graph_account_delete(struct platform_conn *conn, const char *external_id,
                                     struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct platform_call call = graph_call(g, "delete a guest account", GRAPH_PERM_USERS_WRITE);
    char *url = user_url(g, external_id, "");
    enum parley_err rc;

    memset(err, 0, sizeof *err);
    rc = platform_api_send(conn, &call, "DELETE", url, NULL, NULL, err);
    if (rc == PARLEY_ERR_NOT_FOUND) {
        memset(err, 0, sizeof *err);    /* gone already: what was asked */
        rc = PARLEY_OK;
    }
    free(url);
    return rc;
}

/* ---- verify ---- */

/* What the guest's token fetch needs (borrowed). */
struct guest_sign_in {
    struct graph_conn *g;
    const struct platform_account *account;
};

/* net_token_fetch_fn: a password-grant token for the guest. */
static enum parley_err fetch_guest_token(void *ctx, struct net_token *out, char **why)
{
    struct guest_sign_in *in = ctx;
    struct graph_conn *g = in->g;
    struct net_oauth_ms_app app = {
        .authority = g->authority, .tenant = g->tenant_id,
        .client_id = g->client_id, .client_secret = g->client_secret,
    };

    return net_oauth_ms_password(g->base.http, &g->base.retry, &app, in->account->login,
                                 in->account->password, GUEST_SCOPE, out, why);
}

enum parley_err graph_account_verify(struct platform_conn *conn,
                                     const struct platform_account *account,
                                     struct platform_error *err)
{
    struct graph_conn *g = graph_conn_of(conn);
    struct guest_sign_in in = { g, account };
    char *key = NULL, *url = NULL;
    char what[160];
    struct platform_token token;
    struct platform_call call;
    json_t *me = NULL;
    const char *id;
    enum parley_err rc;

    memset(err, 0, sizeof *err);
    if (!account->login || !account->password) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0, "The guest account %s has no password "
                           "Parley knows: delete it and create it again.",
                           account->login ? account->login : "(no login)");
        return PARLEY_ERR_INVALID;
    }
    key = xasprintf("graph/user/%s", account->login);
    token = (struct platform_token){ key, fetch_guest_token, &in };
    snprintf(what, sizeof what, "sign in as the guest account %s", account->login);
    call = (struct platform_call){ .what = what, .needs = GUEST_PERMS, .token = &token };
    /* Prove the password now, not with a token of an earlier sign-in. */
    net_token_cache_invalidate(conn->tokens, key);
    url = xasprintf("%s/me?$select=id", g->graph_base);
    rc = platform_api_get(conn, &call, url, &me, err);
    id = json_get_str(me, "id");
    if (rc == PARLEY_OK && account->external_id && (!id || strcmp(id, account->external_id))) {
        platform_error_set(err, PARLEY_ERR_CONFLICT, 0, "Signing in as %s gave another account "
                           "(%s) than the guest account %s.", account->login, id ? id : "none",
                           account->external_id);
        rc = PARLEY_ERR_CONFLICT;
    }
    json_decref(me);
    free(url);
    free(key);
    return rc;
}
