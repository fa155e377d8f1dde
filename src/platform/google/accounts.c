/* accounts.c - Google interop accounts for Teams-primary people: the
 * account_* slots of platform.h on the Admin SDK Directory (google.md 3.1)
 * and Chat (4.1), acting as admin_email through domain-wide delegation.
 *
 *   login   <local>_<domain>@<interop domain> (platform_account_name), e.g.
 *           alice_contoso.com@parleydemo.example; the interop domain is the
 *           interop_domain setting, else the connection's domain
 *   find    GET  admin/directory/v1/users/{login}
 *   create  POST admin/directory/v1/users {primaryEmail, name, password,
 *           orgUnitPath, changePasswordAtNextLogin: false}; the password
 *           is random and never used (Parley acts through delegation)
 *   verify  a token acting as the account with the Chat scopes, then
 *           GET v1/spaces?pageSize=1 as it
 *   delete  DELETE admin/directory/v1/users/{id}
 * Directory calls use the scope admin.directory.user. */
#include "platform/google/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "net/url.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define NAME_MAX_BYTES 60               /* givenName / familyName limit */
#define FAMILY_SUFFIX "(Teams)"

char *google_account_login(struct platform_conn *conn, const struct platform_account_spec *spec)
{
    struct google_conn *g = google_conn_of(conn);
    char *name = platform_account_name(spec->person_email);
    char *login = NULL;

    if (name && g->interop_domain)
        login = xasprintf("%s@%s", name, g->interop_domain);
    free(name);
    return login;
}

/* {directory}admin/directory/v1/users/{KEY}, KEY percent-encoded; KEY
 * NULL: the collection (new string). */
static char *users_url(const struct google_conn *g, const char *key)
{
    struct buf url = BUF_INIT;

    buf_printf(&url, "%sadmin/directory/v1/users", g->directory_root);
    if (key) {
        buf_puts(&url, "/");
        net_url_encode(&url, key);
    }
    return buf_steal(&url);
}

/* One Directory call as the admin: METHOD URL with BODY, *out the answer. */
static enum parley_err directory_call(struct google_conn *g, const char *what, const char *method,
                                      const char *url, const json_t *body, json_t **out,
                                      struct platform_error *err)
{
    struct google_call gc;
    enum parley_err rc;

    google_call_init(&gc, g, g->admin_email, GOOGLE_SCOPE_USERS_WRITE, what);
    rc = platform_api_send(&g->base, &gc.call, method, url, body, out, err);
    google_call_clear(&gc);
    return rc;
}

enum parley_err google_account_find(struct platform_conn *conn, const char *login,
                                    struct platform_account *out, struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    char *url = users_url(g, login);
    char what[160];
    json_t *user = NULL;
    const char *id, *primary;
    enum parley_err rc;

    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    snprintf(what, sizeof what, "look up the interop account %s", login);
    rc = directory_call(g, what, "GET", url, NULL, &user, err);
    if (rc == PARLEY_OK && !user)
        rc = PARLEY_ERR_PLATFORM;
    id = json_get_str(user, "id");
    primary = json_get_str(user, "primaryEmail");
    if (rc == PARLEY_OK && (!id || !primary)) {
        platform_error_set(err, PARLEY_ERR_PLATFORM, 200, "Google answered the look-up of %s "
                           "with a user without id or primaryEmail.", login);
        rc = PARLEY_ERR_PLATFORM;
    } else if (rc == PARLEY_OK && strcasecmp(primary, login) != 0) {
        /* users.get also answers for an alias: that user is not ours. */
        platform_error_set(err, PARLEY_ERR_CONFLICT, 200, "%s is an alias of the Google user %s, "
                           "so Parley cannot create an interop account with that address: "
                           "remove the alias, or set another interop domain.", login, primary);
        rc = PARLEY_ERR_CONFLICT;
    }
    if (rc == PARLEY_OK) {
        out->external_id = xstrdup(id);
        out->login = xstrdup(primary);
    }
    json_decref(user);
    free(url);
    return rc;
}

/* S cut to NAME_MAX_BYTES without splitting a character (new string). */
static char *name_part(const char *s)
{
    return xstrndup(s, platform_utf8_prefix(s, NAME_MAX_BYTES));
}

/* The users.insert body for SPEC as LOGIN with PASSWORD.  The family name
 * carries "(Teams)" so Google Chat users see whom they talk to. */
static json_t *create_body(const struct google_conn *g, const struct platform_account_spec *spec,
                           const char *login, const char *password)
{
    const char *given = spec->given_name && *spec->given_name ? spec->given_name
                        : spec->display_name && *spec->display_name ? spec->display_name
                        : spec->person_email;
    int has_family = spec->family_name && *spec->family_name;
    size_t keep = has_family ? platform_utf8_prefix(spec->family_name, NAME_MAX_BYTES -
                                                    sizeof FAMILY_SUFFIX) : 0;
    char *family = has_family ? xasprintf("%.*s " FAMILY_SUFFIX, (int)keep, spec->family_name)
                              : xstrdup(FAMILY_SUFFIX);
    char *first = name_part(given);
    json_t *body = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:b}", "primaryEmail", login, "name",
                             "givenName", first, "familyName", family, "password", password,
                             "orgUnitPath", g->interop_org_unit, "changePasswordAtNextLogin", 0);

    free(first);
    free(family);
    return body;
}

/* Wipe the password inside BODY (jansson keeps its own copy) and free BODY. */
static void body_free(json_t *body)
{
    json_t *pw = json_object_get(body, "password");

    if (json_is_string(pw))
        sodium_memzero((char *)json_string_value(pw), json_string_length(pw));
    json_decref(body);
}

enum parley_err google_account_create(struct platform_conn *conn,
                                      const struct platform_account_spec *spec,
                                      struct platform_account *out, struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    char *login = google_account_login(conn, spec);
    char *password = NULL, *url = NULL;
    char what[160];
    json_t *body = NULL, *user = NULL;
    enum parley_err rc;

    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    if (!login) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0, "No interop account name can be made for "
                           "\"%s\": it is not an email address.",
                           spec->person_email ? spec->person_email : "");
        return PARLEY_ERR_INVALID;
    }
    password = platform_random_password();
    body = create_body(g, spec, login, password);
    url = users_url(g, NULL);
    snprintf(what, sizeof what, "create the interop account %s", login);
    rc = directory_call(g, what, "POST", url, body, &user, err);
    if (rc == PARLEY_ERR_NOT_FOUND) {
        /* Google's "Domain not found.": a domain the customer does not have. */
        char server[sizeof err->message];
        snprintf(server, sizeof server, "%s", err->message);
        platform_error_set(err, PARLEY_ERR_INVALID, err->http_status, "The interop domain %s is "
                           "not a domain of this Google Workspace: add it in the Google Admin "
                           "console > Account > Domains, or set the connection's interop domain "
                           "to one of its domains. (%s)", g->interop_domain, server);
        rc = PARLEY_ERR_INVALID;
    }
    if (rc == PARLEY_OK && !json_get_str(user, "id")) {
        platform_error_set(err, PARLEY_ERR_PLATFORM, 200, "Google created %s but answered without "
                           "its id.", login);
        rc = PARLEY_ERR_PLATFORM;
    }
    if (rc == PARLEY_OK) {
        out->external_id = xstrdup(json_get_str(user, "id"));
        out->login = xstrdup(login);
    } else if (rc == PARLEY_ERR_EXISTS) {
        struct platform_error ignored;
        google_account_find(conn, login, out, &ignored);   /* whose it is, for the engine */
    }
    body_free(body);
    json_decref(user);
    platform_secret_free(password);
    free(url);
    free(login);
    return rc;
}

enum parley_err google_account_verify(struct platform_conn *conn,
                                      const struct platform_account *account,
                                      struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    char *url = xasprintf("%sv1/spaces?pageSize=1", g->chat_root);
    char what[160];
    struct google_call gc;
    json_t *page = NULL;
    enum parley_err rc;

    memset(err, 0, sizeof *err);
    snprintf(what, sizeof what, "list the Google Chat spaces of the interop account %s",
             account->login);
    google_call_init(&gc, g, account->login, GOOGLE_SCOPE_CHAT, what);
    /* Prove the delegation now, not with a token fetched earlier. */
    net_token_cache_invalidate(conn->tokens, gc.token.key);
    rc = platform_api_get(conn, &gc.call, url, &page, err);
    if (rc == PARLEY_ERR_NOT_FOUND && err->http_status == 0) {
        /* The token endpoint does not know the account yet: a new user
         * takes a while to reach every Google service (google.md 3.1). */
        err->retryable = 1;
    }
    google_call_clear(&gc);
    json_decref(page);
    free(url);
    return rc;
}

enum parley_err google_account_delete(struct platform_conn *conn, const char *external_id,
                                      struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    char *url = users_url(g, external_id);
    enum parley_err rc;

    memset(err, 0, sizeof *err);
    rc = directory_call(g, "delete an interop account", "DELETE", url, NULL, NULL, err);
    if (rc == PARLEY_ERR_NOT_FOUND) {
        memset(err, 0, sizeof *err);    /* gone already: what was asked */
        rc = PARLEY_OK;
    }
    free(url);
    return rc;
}
