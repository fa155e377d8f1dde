/* connection.c - an org's platform connections: the settings table, input
 * checks in words an admin can act on, saving through the store with the
 * secret encrypted under the master key, and opening a connector
 * (see connection.h). */
#include "platform/connection.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/jwt.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#define MAX_FIELD_LEN  2048
#define MAX_SECRET_LEN (64 * 1024)
#define PEM_SNIFF_LEN  (64 * 1024)
#define ANY_KIND       (-1)

enum check { CHECK_ID, CHECK_URL, CHECK_FILE, CHECK_EMAIL, CHECK_DOMAIN, CHECK_ORG_UNIT };

struct field {
    const char *name;      /* JSON key, and the name in messages */
    int kind;              /* enum platform_kind, or ANY_KIND */
    size_t offset;         /* of its char * in struct platform_connection */
    enum check check;
    int required;
};

#define F(name, kind, check, required) \
    { #name, kind, offsetof(struct platform_connection, name), check, required }
static const struct field fields[] = {
    F(tenant_id, PLATFORM_MICROSOFT, CHECK_ID, 1),
    F(client_id, PLATFORM_MICROSOFT, CHECK_ID, 1),
    F(authority_host, PLATFORM_MICROSOFT, CHECK_URL, 0),
    F(graph_base, PLATFORM_MICROSOFT, CHECK_URL, 0),
    F(guest_domain, PLATFORM_MICROSOFT, CHECK_DOMAIN, 0),
    F(customer_id, PLATFORM_GOOGLE, CHECK_ID, 0),
    F(domain, PLATFORM_GOOGLE, CHECK_DOMAIN, 1),
    F(admin_email, PLATFORM_GOOGLE, CHECK_EMAIL, 1),
    F(root_url, PLATFORM_GOOGLE, CHECK_URL, 0),
    F(interop_domain, PLATFORM_GOOGLE, CHECK_DOMAIN, 0),
    F(interop_org_unit, PLATFORM_GOOGLE, CHECK_ORG_UNIT, 0),
    F(ca_file, ANY_KIND, CHECK_FILE, 0),
};
#undef F
#define NFIELDS (sizeof fields / sizeof fields[0])

static char **field_ptr(struct platform_connection *c, const struct field *f)
{
    return (char **)((char *)c + f->offset);
}

static const char *field_value(const struct platform_connection *c, const struct field *f)
{
    return *(char *const *)((const char *)c + f->offset);
}

static int field_applies(const struct field *f, enum platform_kind kind)
{
    return f->kind == ANY_KIND || f->kind == (int)kind;
}

/* The platform as an admin calls it. */
static const char *kind_label(enum platform_kind kind)
{
    return kind == PLATFORM_MICROSOFT ? "Microsoft" : "Google";
}

static enum parley_err fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return PARLEY_ERR_INVALID;
}

void platform_connection_clear(struct platform_connection *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < NFIELDS; i++)
        free(*field_ptr(c, &fields[i]));
    if (c->secret)
        secret_wipe_free(c->secret, strlen(c->secret));
    memset(c, 0, sizeof *c);
}

const char *platform_connection_secret_name(enum platform_kind kind)
{
    return kind == PLATFORM_MICROSOFT ? "client_secret" : "service_account_key";
}

static const struct field *find_field(enum platform_kind kind, const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (field_applies(&fields[i], kind) && strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

enum parley_err platform_connection_from_json(enum platform_kind kind, const json_t *body,
                                              struct platform_connection *out, char *why,
                                              size_t why_size)
{
    const char *secret_name = platform_connection_secret_name(kind);
    const char *key;
    json_t *value;

    out->kind = kind;
    if (!json_is_object(body))
        return fail(why, why_size, "the connection must be a JSON object");
    json_object_foreach((json_t *)body, key, value) {
        int is_secret = strcmp(key, secret_name) == 0;
        const struct field *f = is_secret ? NULL : find_field(kind, key);
        if (!is_secret && !f)
            return fail(why, why_size, "%s is not a setting of a %s connection", key,
                        kind_label(kind));
        if (json_is_null(value))
            continue;
        if (!json_is_string(value))
            return fail(why, why_size, "%s must be a string", key);
        const char *text = json_string_value(value);
        if (!*text)
            continue;
        char **slot = is_secret ? &out->secret : field_ptr(out, f);
        free(*slot);
        *slot = xstrdup(text);
    }
    return PARLEY_OK;
}

static int is_loopback_host(const char *host, size_t len)
{
    static const char *const names[] = { "localhost", "127.0.0.1", "[::1]" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (len == strlen(names[i]) && strncmp(host, names[i], len) == 0)
            return 1;
    return len > 4 && strncmp(host, "127.", 4) == 0;
}

static enum parley_err check_url(const char *name, const char *url, char *why, size_t size)
{
    int https = strncmp(url, "https://", 8) == 0;
    const char *host = url + (https ? 8 : 7);

    if (!https && strncmp(url, "http://", 7) != 0)
        return fail(why, size, "%s must be an https:// URL, like https://example.com", name);
    size_t host_len = strcspn(host, ":/");
    if (host_len == 0 || strpbrk(url, " \t\r\n?#@\\"))
        return fail(why, size, "%s is not a valid URL (no spaces, user names, queries or "
                    "fragments): %s", name, url);
    if (!https && !is_loopback_host(host, host_len))
        return fail(why, size, "%s must use https:// (http:// is only allowed for localhost)",
                    name);
    return PARLEY_OK;
}

static enum parley_err check_ca_file(const char *path, char *why, size_t size)
{
    FILE *f = fopen(path, "rb");
    char *head = NULL;
    enum parley_err err = PARLEY_OK;

    if (!f)
        return fail(why, size, "ca_file %s cannot be read by the hub: %s", path, strerror(errno));
    head = xmalloc(PEM_SNIFF_LEN + 1);
    size_t n = fread(head, 1, PEM_SNIFF_LEN, f);
    head[n] = '\0';
    if (!strstr(head, "-----BEGIN CERTIFICATE-----"))
        err = fail(why, size, "ca_file %s is not a PEM file of CA certificates "
                   "(no \"-----BEGIN CERTIFICATE-----\")", path);
    free(head);
    fclose(f);
    return err;
}

static int only_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
            !strchr(extra, *s))
            return 0;
    return 1;
}

static enum parley_err check_field(const struct field *f, const char *v, char *why, size_t size)
{
    if (strlen(v) > MAX_FIELD_LEN)
        return fail(why, size, "%s is too long", f->name);
    switch (f->check) {
    case CHECK_ID:
        if (!only_chars(v, ".-_"))
            return fail(why, size, "%s may contain only letters, digits, '.', '-' and '_'",
                        f->name);
        return PARLEY_OK;
    case CHECK_DOMAIN:
        if (!only_chars(v, ".-") || !strchr(v, '.') || *v == '.' || *v == '-')
            return fail(why, size, "%s must be a domain name, like example.com", f->name);
        return PARLEY_OK;
    case CHECK_EMAIL: {
        const char *at = strchr(v, '@');
        if (!at || at == v || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
            strpbrk(v, " \t\r\n<>,;\""))
            return fail(why, size, "%s must be an email address, like admin@example.com", f->name);
        return PARLEY_OK;
    }
    case CHECK_ORG_UNIT:
        if (v[0] != '/' || strpbrk(v, "\t\r\n\"\\"))
            return fail(why, size, "%s must be an org unit path, like /Parley interop", f->name);
        return PARLEY_OK;
    case CHECK_URL:
        return check_url(f->name, v, why, size);
    case CHECK_FILE:
        return check_ca_file(v, why, size);
    }
    return PARLEY_OK;
}

static enum parley_err check_client_secret(const char *s, char *why, size_t size)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return fail(why, size, "client_secret contains a line break or control character; "
                        "paste the secret's value alone");
    return PARLEY_OK;
}

/* A Google service-account key file: {"type": "service_account",
 * "client_email": ..., "private_key": <an RSA private key, PKCS#8 PEM>}; the
 * key is read here, so a damaged file is refused when it is saved. */
static enum parley_err check_service_account_key(const char *text, char *why, size_t size)
{
    json_t *key = NULL;
    char *parse_why = NULL;
    enum parley_err err;

    if (json_parse(text, strlen(text), &key, &parse_why) || !json_is_object(key)) {
        err = fail(why, size, "service_account_key is not JSON: upload the key file downloaded "
                   "from the Google Cloud console (IAM > Service accounts > Keys)");
        goto out;
    }
    const char *type = json_get_str(key, "type");
    const char *email = json_get_str(key, "client_email");
    const char *pem = json_get_str(key, "private_key");
    if (!type || strcmp(type, "service_account") != 0)
        err = fail(why, size, "service_account_key is not a service-account key (its \"type\" is "
                   "\"%s\", expected \"service_account\"): create a key for the service account "
                   "in the Google Cloud console", type ? type : "missing");
    else if (!email || !strchr(email, '@'))
        err = fail(why, size, "service_account_key has no client_email");
    else if (!pem || !net_jwt_key_usable(pem))
        err = fail(why, size, "service_account_key has no usable private_key (an RSA key in PEM "
                   "form): download a new key file from the Google Cloud console");
    else
        err = PARLEY_OK;
out:
    free(parse_why);
    json_decref(key);
    return err;
}

enum parley_err platform_connection_validate(const struct platform_connection *c,
                                             int have_stored_secret, char *why, size_t why_size)
{
    const char *secret_name = platform_connection_secret_name(c->kind);
    enum parley_err err;

    for (size_t i = 0; i < NFIELDS; i++) {
        const struct field *f = &fields[i];
        const char *v = field_value(c, f);
        if (!field_applies(f, c->kind))
            continue;
        if (!v) {
            if (f->required)
                return fail(why, why_size, "%s is required", f->name);
            continue;
        }
        if ((err = check_field(f, v, why, why_size)))
            return err;
    }
    if (!c->secret)
        return have_stored_secret ? PARLEY_OK : fail(why, why_size, "%s is required", secret_name);
    if (strlen(c->secret) > MAX_SECRET_LEN)
        return fail(why, why_size, "%s is too long", secret_name);
    return c->kind == PLATFORM_MICROSOFT ? check_client_secret(c->secret, why, why_size)
                                         : check_service_account_key(c->secret, why, why_size);
}

/* The non-secret settings as a JSON object; a new reference. */
static json_t *settings_json(const struct platform_connection *c)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *v = field_value(c, &fields[i]);
        if (field_applies(&fields[i], c->kind) && v)
            json_object_set_new(obj, fields[i].name, json_string(v));
    }
    return obj;
}

enum parley_err platform_connection_save(const struct platform_source *src, long long org_id,
                                         const struct platform_connection *c, int *created,
                                         char *why, size_t why_size)
{
    struct store_connection old = { 0 };
    struct store_connection row = { .org_id = org_id };
    json_t *config = NULL;
    unsigned char *box = NULL;
    size_t box_len = 0;
    enum parley_err err;

    row.platform = (char *)platform_kind_name(c->kind);
    err = store_connection_get(src->store, org_id, row.platform, &old);
    if (err && err != PARLEY_ERR_NOT_FOUND)
        goto out;
    if (created)
        *created = err == PARLEY_ERR_NOT_FOUND;
    if ((err = platform_connection_validate(c, old.secret != NULL, why, why_size)))
        goto out;
    if (c->secret) {
        if ((err = secret_encrypt(src->key, c->secret, strlen(c->secret), &box, &box_len)))
            goto out;
        row.secret = box;
        row.secret_len = box_len;
    } else {
        row.secret = old.secret;
        row.secret_len = old.secret_len;
    }
    config = settings_json(c);
    row.config_json = json_to_string(config);
    err = store_connection_put(src->store, &row, clock_now_ms());

out:
    free(row.config_json);
    json_decref(config);
    free(box);
    store_connection_clear(&old);
    return err;
}

static enum parley_err decrypt_secret(const struct platform_source *src,
                                      const struct store_connection *row, char **out)
{
    unsigned char *plain = NULL;
    size_t len = 0;
    enum parley_err err = secret_decrypt(src->key, row->secret, row->secret_len, &plain, &len);
    if (err == PARLEY_OK)
        *out = (char *)plain;
    return err;
}

enum parley_err platform_connection_get(const struct platform_source *src, long long org_id,
                                        enum platform_kind kind, int decrypt,
                                        struct platform_connection *out, int *secret_set)
{
    struct store_connection row = { 0 };
    json_t *config = NULL;
    char *parse_why = NULL, why[256];
    enum parley_err err;

    if ((err = store_connection_get(src->store, org_id, platform_kind_name(kind), &row)))
        goto out;
    if ((err = json_parse(row.config_json, strlen(row.config_json), &config, &parse_why)) ||
        (err = platform_connection_from_json(kind, config, out, why, sizeof why))) {
        err = PARLEY_ERR_STORE;   /* only this file writes config_json */
        goto out;
    }
    out->updated_at = row.updated_at;
    if (secret_set)
        *secret_set = row.secret != NULL;
    if (decrypt && row.secret)
        err = decrypt_secret(src, &row, &out->secret);

out:
    if (err)
        platform_connection_clear(out);
    free(parse_why);
    json_decref(config);
    store_connection_clear(&row);
    return err;
}

json_t *platform_connection_to_json(const struct platform_connection *c, int secret_set)
{
    json_t *obj = settings_json(c);
    char *flag = xasprintf("%s_set", platform_connection_secret_name(c->kind));

    json_object_set_new(obj, "platform", json_string(platform_kind_name(c->kind)));
    json_object_set_new(obj, flag, json_boolean(secret_set));
    json_object_set_new(obj, "updated_at", json_integer(c->updated_at));
    free(flag);
    return obj;
}

enum parley_err platform_connection_delete(const struct platform_source *src, long long org_id,
                                           enum platform_kind kind)
{
    return store_connection_delete(src->store, org_id, platform_kind_name(kind));
}

static void to_settings(const struct platform_connection *c, struct platform_settings *s)
{
    memset(s, 0, sizeof *s);
    s->kind = c->kind;
    s->tenant_id = c->tenant_id;
    s->client_id = c->client_id;
    s->authority_host = c->authority_host;
    s->graph_base = c->graph_base;
    s->guest_domain = c->guest_domain;
    s->customer_id = c->customer_id;
    s->domain = c->domain;
    s->admin_email = c->admin_email;
    s->root_url = c->root_url;
    s->interop_domain = c->interop_domain;
    s->interop_org_unit = c->interop_org_unit;
    s->ca_file = c->ca_file;
    if (c->kind == PLATFORM_MICROSOFT)
        s->client_secret = c->secret;
    else
        s->service_account_json = c->secret;
}

/* Why RC (from platform_connection_get) leaves nothing to open, for the admin. */
static void explain_unusable(enum parley_err rc, enum platform_kind kind,
                             struct platform_error *err)
{
    const char *label = kind_label(kind);

    switch (rc) {
    case PARLEY_ERR_NOT_FOUND:
        platform_error_set(err, rc, 0, "No %s connection is set up for this organisation: "
                           "add one under Settings > Connections.", label);
        break;
    case PARLEY_ERR_CRYPTO:
        platform_error_set(err, rc, 0, "The stored %s secret cannot be decrypted with this "
                           "hub's master key (was the key file replaced?): enter the secret "
                           "again under Settings > Connections.", label);
        break;
    case PARLEY_ERR_INVALID:
        platform_error_set(err, rc, 0, "The %s connection has no %s: enter it under Settings > "
                           "Connections.", label, platform_connection_secret_name(kind));
        break;
    case PARLEY_ERR_UNSUPPORTED:
        platform_error_set(err, rc, 0, "This hub was built without the %s connector.", label);
        break;
    default:
        platform_error_set(err, rc, 0, "The %s connection cannot be read from the database (%s).",
                           label, parley_strerror(rc));
        err->retryable = 1;    /* a busy or unreachable database may pass */
        break;
    }
}

enum parley_err platform_connection_open(const struct platform_source *src, long long org_id,
                                         enum platform_kind kind, const struct platform_ops **ops,
                                         struct platform_conn **conn, struct platform_error *err)
{
    struct platform_connection c = { 0 };
    struct platform_settings settings;
    const struct platform_ops *found;
    enum parley_err rc = platform_connection_get(src, org_id, kind, 1, &c, NULL);

    if (!rc && !c.secret)
        rc = PARLEY_ERR_INVALID;
    if (!rc && !src->ops_for)
        rc = PARLEY_ERR_UNSUPPORTED;
    if (rc) {
        explain_unusable(rc, kind, err);
        goto out;
    }
    to_settings(&c, &settings);
    found = src->ops_for(kind);
    memset(err, 0, sizeof *err);
    if ((rc = found->open(&settings, conn, err)))
        goto out;
    *ops = found;

out:
    platform_connection_clear(&c);
    return rc;
}

enum parley_err platform_source_open_conn(void *ctx, long long org_id, enum platform_kind kind,
                                          const struct platform_ops **ops,
                                          struct platform_conn **conn, struct platform_error *err)
{
    return platform_connection_open(ctx, org_id, kind, ops, conn, err);
}
