/* conn.c - the Google connector's connection: open (the service-account key
 * parsed, API roots, one HTTP client and token cache), JWT-bearer tokens per
 * (subject, scopes) with refusals in the admin's words, test, close, and the
 * ops table (interop accounts are in accounts.c). */
#include "platform/google/internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "net/oauth.h"
#include "net/url.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xmalloc.h"

/* "a b c" -> "a,b,c": how the Admin console wants a scope list (new string). */
static char *comma_list(const char *scopes)
{
    char *s = xstrdup(scopes);

    for (char *p = s; *p; p++)
        if (*p == ' ')
            *p = ',';
    return s;
}

/* Put the connection's context into a token refusal *WHY: domain-wide
 * delegation missing is spelled out with the client ID and scopes to
 * authorise; other refusals name the service account and the subject. */
static void explain_refusal(const struct google_call *gc, enum parley_err rc, char **why)
{
    const struct google_conn *g = gc->conn;
    const char *subject = gc->call.subject ? gc->call.subject : "itself";
    char *old = *why, *scopes;

    if (!old || rc == PARLEY_ERR_NETWORK || rc == PARLEY_ERR_TLS || rc == PARLEY_ERR_TIMEOUT)
        return;
    if (rc == PARLEY_ERR_FORBIDDEN && strstr(old, "unauthorized_client")) {
        scopes = comma_list(gc->scopes);
        *why = xasprintf("Google refused a token acting as %s: domain-wide delegation is not "
                         "granted for client ID %s and these scopes: %s - add them in the Google "
                         "Admin console > Security > API controls > Domain-wide delegation "
                         "(changes can take up to 24 hours).",
                         subject, g->client_id ? g->client_id : "(no client_id in the key file)",
                         scopes);
        free(scopes);
    } else {
        *why = xasprintf("%s [service account %s acting as %s]", old, g->client_email, subject);
    }
    free(old);
}

/* net_token_fetch_fn: a JWT-bearer token for the call's subject and scopes. */
static enum parley_err fetch_token(void *ctx, struct net_token *out, char **why)
{
    struct google_call *gc = ctx;
    struct google_conn *g = gc->conn;
    struct net_oauth_google_sa sa = {
        .client_email = g->client_email, .private_key_pem = g->private_key,
        .private_key_id = g->private_key_id, .token_uri = g->token_uri,
    };
    enum parley_err rc = net_oauth_google_jwt_bearer(g->base.http, &g->base.retry, &sa,
                                                     gc->call.subject, gc->scopes, out, why);

    if (rc != PARLEY_OK)
        explain_refusal(gc, rc, why);
    return rc;
}

void google_call_init(struct google_call *gc, struct google_conn *g, const char *subject,
                      const char *scopes, const char *what)
{
    memset(gc, 0, sizeof *gc);
    gc->conn = g;
    gc->scopes = scopes;
    gc->key = xasprintf("google/%s/%s", subject ? subject : "", scopes);
    gc->token = (struct platform_token){ gc->key, fetch_token, gc };
    gc->call = (struct platform_call){
        .what = what, .needs = scopes, .subject = subject, .token = &gc->token,
    };
}

void google_call_clear(struct google_call *gc)
{
    free(gc->key);
    gc->key = NULL;
}

char *google_users_url(const struct google_conn *g, int max_results)
{
    struct buf url = BUF_INIT;

    buf_printf(&url, "%sadmin/directory/v1/users", g->directory_root);
    net_url_query_add(&url, "customer", g->customer);
    buf_printf(&url, "&maxResults=%d", max_results);
    return buf_steal(&url);
}

static void google_close(struct platform_conn *conn)
{
    struct google_conn *g = google_conn_of(conn);

    if (!g)
        return;
    platform_conn_fini(&g->base);
    if (g->private_key)
        sodium_memzero(g->private_key, strlen(g->private_key));
    free(g->private_key);
    free(g->client_email);
    free(g->client_id);
    free(g->private_key_id);
    free(g->token_uri);
    free(g->admin_email);
    free(g->customer);
    free(g->directory_root);
    free(g->chat_root);
    free(g->interop_domain);
    free(g->interop_org_unit);
    free(g);
}

/* Copy the fields we use from the key file TEXT into G. */
static enum parley_err read_key(struct google_conn *g, const char *text, struct platform_error *err)
{
    json_t *key = NULL;
    char *why = NULL;
    const char *type;
    enum parley_err rc = PARLEY_ERR_INVALID;

    if (!text || !*text) {
        platform_error_set(err, rc, 0, "The Google connection has no service-account key: create "
                           "a JSON key for the service account in the Google Cloud console and "
                           "upload it.");
        goto out;
    }
    if (json_parse(text, strlen(text), &key, &why) != PARLEY_OK || !json_is_object(key)) {
        platform_error_set(err, rc, 0, "The service-account key is not a JSON object: upload the "
                           "JSON key file as downloaded from the Google Cloud console.");
        goto out;
    }
    type = json_get_str(key, "type");
    if ((type && strcmp(type, "service_account") != 0) || !json_get_str(key, "client_email") ||
        !json_get_str(key, "private_key")) {
        platform_error_set(err, rc, 0, "The key is not a service-account key (it needs type "
                           "\"service_account\", client_email and private_key): create a JSON "
                           "key for the service account and upload it.");
        goto out;
    }
    g->client_email = xstrdup(json_get_str(key, "client_email"));
    g->private_key = xstrdup(json_get_str(key, "private_key"));
    g->private_key_id = xstrdup(json_get_str(key, "private_key_id"));
    g->client_id = xstrdup(json_get_str(key, "client_id"));
    g->token_uri = xstrdup(json_get_str(key, "token_uri"));
    if (!g->token_uri)
        g->token_uri = xstrdup(NET_OAUTH_GOOGLE_TOKEN_URI);
    free(why);
    why = NULL;
    rc = net_url_check_transport(g->token_uri, &why);
    if (rc != PARLEY_OK)
        platform_error_set(err, rc, 0, "The key file's token_uri: %s", why);

out:
    if (key) {
        /* The private key's text is in the parsed document too. */
        json_t *pem = json_object_get(key, "private_key");
        if (json_is_string(pem))
            sodium_memzero((char *)json_string_value(pem), json_string_length(pem));
    }
    json_decref(key);
    free(why);
    return rc;
}

static enum parley_err google_open(const struct platform_settings *s, struct platform_conn **out,
                                   struct platform_error *err)
{
    struct google_conn *g = xcalloc(1, sizeof *g);
    enum parley_err rc;

    *out = NULL;
    if (!s->admin_email || !*s->admin_email) {
        platform_error_set(err, PARLEY_ERR_INVALID, 0, "The Google connection has no admin_email: "
                           "enter the email of a Workspace super admin for Parley to act as.");
        rc = PARLEY_ERR_INVALID;
        goto out;
    }
    g->admin_email = xstrdup(s->admin_email);
    g->customer = xstrdup(s->customer_id && *s->customer_id ? s->customer_id : "my_customer");
    if (s->interop_domain && *s->interop_domain)
        g->interop_domain = xstrdup(s->interop_domain);
    else if (s->domain && *s->domain)
        g->interop_domain = xstrdup(s->domain);
    else if (strchr(s->admin_email, '@'))
        g->interop_domain = xstrdup(strchr(s->admin_email, '@') + 1);
    g->interop_org_unit = xstrdup(s->interop_org_unit && *s->interop_org_unit
                                      ? s->interop_org_unit : "/");
    rc = read_key(g, s->service_account_json, err);
    if (rc == PARLEY_OK)
        rc = platform_base_url("root_url", s->root_url, GOOGLE_DIRECTORY_ROOT, "/",
                               &g->directory_root, err);
    if (rc == PARLEY_OK)
        rc = platform_base_url("root_url", s->root_url, GOOGLE_CHAT_ROOT, "/", &g->chat_root, err);
    if (rc == PARLEY_OK)
        rc = platform_conn_init(&g->base, PLATFORM_GOOGLE, "Google", google_describe, s->ca_file,
                                err);
    if (rc != PARLEY_OK)
        goto out;
    *out = &g->base;
    g = NULL;

out:
    google_close(g ? &g->base : NULL);
    return rc;
}

/* A token acting as the admin, then one users.list of one user. */
static enum parley_err google_test(struct platform_conn *conn, struct platform_error *err)
{
    struct google_conn *g = google_conn_of(conn);
    struct google_call gc;
    char *url = google_users_url(g, 1);
    json_t *page = NULL;
    enum parley_err rc;

    google_call_init(&gc, g, g->admin_email, GOOGLE_SCOPE_USERS_READ, "read the directory's users");
    memset(err, 0, sizeof *err);
    rc = platform_api_get(conn, &gc.call, url, &page, err);
    json_decref(page);
    google_call_clear(&gc);
    free(url);
    return rc;
}

static enum parley_err no_teams(struct platform_error *err)
{
    platform_error_set(err, PARLEY_ERR_UNSUPPORTED, 0, "Google Chat has no teams: import Google "
                       "people from the directory (users) instead.");
    return PARLEY_ERR_UNSUPPORTED;
}

static enum parley_err google_list_teams(struct platform_conn *conn, platform_teams_fn fn,
                                         void *arg, struct platform_error *err)
{
    (void)conn, (void)fn, (void)arg;
    return no_teams(err);
}

static enum parley_err google_list_team_members(struct platform_conn *conn, const char *team_id,
                                                platform_people_fn fn, void *arg,
                                                struct platform_error *err)
{
    (void)conn, (void)team_id, (void)fn, (void)arg;
    return no_teams(err);
}

const struct platform_ops google_ops = {
    .kind = PLATFORM_GOOGLE,
    .open = google_open,
    .close = google_close,
    .test = google_test,
    .list_teams = google_list_teams,
    .list_team_members = google_list_team_members,
    .list_users = google_list_users,
    .account_login = google_account_login,
    .account_find = google_account_find,
    .account_create = google_account_create,
    .account_verify = google_account_verify,
    .account_delete = google_account_delete,
};
