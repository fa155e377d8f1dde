/* settings.c - the one table of Parley's settings and the helpers commands
 * share (see settings.h).  A new setting is one row here: it is then parsed,
 * validated, read from its PARLEY_* variable and listed in --help. */
#include "cli/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const struct config_setting settings_table[] = {
    { "data", CONFIG_STRING, "./var", "PARLEY_DATA_DIR", 0, 0, "DIR",
      "data directory: database, master key", CMD_STORE },
    { "db", CONFIG_STRING, NULL, "PARLEY_DB", 0, 0, "URL",
      "database URL, sqlite:PATH or postgres://... (default sqlite:DIR/parley.db)", CMD_STORE },
    { "master-key-file", CONFIG_STRING, NULL, "PARLEY_MASTER_KEY_FILE", 0, 0, "FILE",
      "key that encrypts stored secrets (default DIR/master.key, created 0600)", CMD_STORE },
    { "log-level", CONFIG_LOG_LEVEL, "info", "PARLEY_LOG_LEVEL", 0, 0, "LEVEL",
      "debug, info, warn or error", CMD_STORE },
    { "listen", CONFIG_HOSTPORT, "127.0.0.1:8080", "PARLEY_LISTEN", 0, 0, "ADDR:PORT",
      "address the Hub and its API listen on", CMD_SERVE },
    { "workers", CONFIG_INT, "4", "PARLEY_WORKERS", 0, 64, "N",
      "job worker threads (0 runs no jobs on this node)", CMD_SERVE },
    { "job-lease", CONFIG_INT, "30", "PARLEY_JOB_LEASE", 1, 3600, "SECONDS",
      "how long a crashed node's running job stays leased before another node retakes it "
      "(renewed while the job runs)", CMD_SERVE },
    { "max-body", CONFIG_INT, "1048576", "PARLEY_MAX_BODY", 1024, 64L * 1024 * 1024, "BYTES",
      "largest request body accepted (larger: 413)", CMD_SERVE },
    { "tls-cert", CONFIG_STRING, NULL, "PARLEY_TLS_CERT", 0, 0, "FILE",
      "PEM certificate: serve HTTPS (with --tls-key)", CMD_SERVE },
    { "tls-key", CONFIG_STRING, NULL, "PARLEY_TLS_KEY", 0, 0, "FILE",
      "PEM private key for --tls-cert", CMD_SERVE },
    { "email", CONFIG_STRING, NULL, NULL, 0, 0, "EMAIL",
      "the admin's email address (their login)", CMD_ADMIN },
    { "org", CONFIG_STRING, NULL, NULL, 0, 0, "NAME",
      "organisation name (created when new)", CMD_ADMIN },
    { "role", CONFIG_STRING, "owner", NULL, 0, 0, "ROLE",
      "owner, admin or viewer", CMD_ADMIN },
    { "password-stdin", CONFIG_FLAG, NULL, NULL, 0, 0, NULL,
      "read the password from standard input instead of generating one", CMD_ADMIN },
    { "org", CONFIG_STRING, NULL, NULL, 0, 0, "NAME",
      "the organisation to connect (it must exist)", CMD_CONNECT },
    { "tenant-id", CONFIG_STRING, NULL, NULL, 0, 0, "ID",
      "Microsoft Entra tenant id (a GUID or contoso.onmicrosoft.com)", CMD_CONNECT_MICROSOFT },
    { "client-id", CONFIG_STRING, NULL, NULL, 0, 0, "ID",
      "application (client) id of the app registration", CMD_CONNECT_MICROSOFT },
    { "client-secret-stdin", CONFIG_FLAG, NULL, NULL, 0, 0, NULL,
      "read the client secret from standard input", CMD_CONNECT_MICROSOFT },
    { "client-secret-file", CONFIG_STRING, NULL, NULL, 0, 0, "FILE",
      "read the client secret from FILE", CMD_CONNECT_MICROSOFT },
    { "authority-host", CONFIG_STRING, NULL, NULL, 0, 0, "URL",
      "identity platform (default https://login.microsoftonline.com)", CMD_CONNECT_MICROSOFT },
    { "graph-base", CONFIG_STRING, NULL, NULL, 0, 0, "URL",
      "Microsoft Graph (default https://graph.microsoft.com/v1.0)", CMD_CONNECT_MICROSOFT },
    { "customer-id", CONFIG_STRING, NULL, NULL, 0, 0, "ID",
      "Google Workspace customer id (default my_customer)", CMD_CONNECT_GOOGLE },
    { "domain", CONFIG_STRING, NULL, NULL, 0, 0, "DOMAIN",
      "the Google Workspace primary domain", CMD_CONNECT_GOOGLE },
    { "admin-email", CONFIG_STRING, NULL, NULL, 0, 0, "EMAIL",
      "the Workspace admin the service account acts as", CMD_CONNECT_GOOGLE },
    { "service-account-key-file", CONFIG_STRING, NULL, NULL, 0, 0, "FILE",
      "the service account's JSON key file", CMD_CONNECT_GOOGLE },
    { "guest-domain", CONFIG_STRING, NULL, NULL, 0, 0, "DOMAIN",
      "verified domain of the Teams guest accounts' sign-in names (default: the tenant's "
      "initial domain)", CMD_CONNECT_MICROSOFT },
    { "interop-domain", CONFIG_STRING, NULL, NULL, 0, 0, "DOMAIN",
      "domain of the Google interop accounts, e.g. interop.example.com (default: --domain)",
      CMD_CONNECT_GOOGLE },
    { "interop-org-unit", CONFIG_STRING, NULL, NULL, 0, 0, "PATH",
      "org unit of the Google interop accounts (default: /)", CMD_CONNECT_GOOGLE },
    { "root-url", CONFIG_STRING, NULL, NULL, 0, 0, "URL",
      "Google APIs root (default: the real Google hosts)", CMD_CONNECT_GOOGLE },
    { "ca-file", CONFIG_STRING, NULL, NULL, 0, 0, "FILE",
      "PEM CA bundle to trust instead of the system's", CMD_CONNECT },
    { "test", CONFIG_FLAG, NULL, NULL, 0, 0, NULL,
      "test the connection after saving it (exit 1 when it fails)", CMD_CONNECT },
};

#define SETTINGS_COUNT ((int)(sizeof settings_table / sizeof settings_table[0]))

enum parley_err settings_resolve(unsigned scope, int argc, char **argv, struct config_values *out)
{
    enum parley_err err = config_resolve(settings_table, SETTINGS_COUNT, scope, argc, argv, out,
                                         NULL, stderr);
    if (err)
        return err;
    enum log_level level = LOG_INFO;
    const char *name = config_get(out, "log-level");
    if (name)
        log_parse_level(name, &level);
    log_set_level(level);
    return PARLEY_OK;
}

void settings_print_help(unsigned scope, const char *usage, const char *summary, FILE *out)
{
    fprintf(out, "usage: %s\n\n%s\n\noptions:\n", usage, summary);
    config_print_help(settings_table, SETTINGS_COUNT, scope, out);
    fprintf(out, "  %-26s %s\n", "--help", "show this help");
}

static enum parley_err mkdir_p(const char *path)
{
    char *copy = xstrdup(path);
    enum parley_err err = PARLEY_OK;
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
                err = PARLEY_ERR_IO;
                break;
            }
            *p = saved;
            if (!saved)
                break;
        }
    }
    free(copy);
    return err;
}

enum parley_err settings_data_dir(const struct config_values *v, char **out)
{
    const char *dir = config_get(v, "data");
    if (mkdir_p(dir)) {
        log_error("cli", "cannot create the data directory", "s:path", dir,
                  "s:reason", strerror(errno));
        return PARLEY_ERR_IO;
    }
    *out = xstrdup(dir);
    return PARLEY_OK;
}

char *settings_db_url(const struct config_values *v, const char *data_dir)
{
    const char *db = config_get(v, "db");
    return db ? xstrdup(db) : xasprintf("sqlite:%s/parley.db", data_dir);
}

char *settings_master_key_path(const struct config_values *v, const char *data_dir)
{
    const char *path = config_get(v, "master-key-file");
    return path ? xstrdup(path) : xasprintf("%s/master.key", data_dir);
}

enum parley_err settings_open_store(const struct config_values *v, int migrate, struct store **out)
{
    char *dir = NULL, *url = NULL;
    struct store *st = NULL;
    enum parley_err err;

    if ((err = settings_data_dir(v, &dir)))
        goto out;
    url = settings_db_url(v, dir);
    if ((err = store_open(url, &st))) {
        log_error("cli", "cannot open the database", "s:db", url, "s:reason", parley_strerror(err));
        goto out;
    }
    if (migrate) {
        int applied = 0;
        if ((err = store_migrate(st, &applied))) {
            log_error("cli", "database migration failed", "s:db", url,
                      "s:reason", parley_strerror(err));
            goto out;
        }
        if (applied)
            log_info("cli", "database migrated", "i:applied", applied);
    }
    *out = st;
    st = NULL;
out:
    store_close(st);
    free(dir);
    free(url);
    return err;
}
