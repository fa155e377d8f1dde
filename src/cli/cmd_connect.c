/* cmd_connect.c - `parley connect microsoft|google`: save an org's platform
 * connection (the same checks and encryption as the admin API, through
 * platform/connection.h), and with --test try it at once.
 *
 * Secrets never come from the command line, where `ps` and shell history
 * would show them: the client secret is read from standard input or a file,
 * the Google key from its file. */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/settings.h"
#include "platform/connection.h"
#include "store/store.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/xmalloc.h"

#define MAX_SECRET_BYTES (64 * 1024)

struct connect_kind {
    const char *name;              /* the subcommand */
    enum platform_kind kind;
    unsigned scope;
    const char *usage;
    const char *summary;
    const char *const *flags;      /* settings copied into the connection */
};

static const char *const microsoft_flags[] = { "tenant-id", "client-id", "authority-host",
                                               "graph-base", "guest-domain", "ca-file", NULL };
static const char *const google_flags[] = { "customer-id", "domain", "admin-email", "root-url",
                                            "interop-domain", "interop-org-unit", "ca-file",
                                            NULL };

static const struct connect_kind kinds[] = {
    { "microsoft", PLATFORM_MICROSOFT, CMD_CONNECT_MICROSOFT,
      "parley connect microsoft --org NAME --tenant-id ID --client-id ID\n"
      "         (--client-secret-stdin | --client-secret-file FILE)\n"
      "         [--guest-domain DOMAIN] [--authority-host URL] [--graph-base URL]\n"
      "         [--ca-file FILE] [--test]",
      "Save the organisation's Microsoft 365 connection: an Entra ID app registration with\n"
      "application permissions (User.Read.All, Team.ReadBasic.All, TeamMember.Read.All, ...).\n"
      "Run it again to change settings; without a new secret the saved one is kept.",
      microsoft_flags },
    { "google", PLATFORM_GOOGLE, CMD_CONNECT_GOOGLE,
      "parley connect google --org NAME --domain DOMAIN --admin-email EMAIL\n"
      "         --service-account-key-file FILE [--customer-id ID] [--interop-domain DOMAIN]\n"
      "         [--interop-org-unit PATH] [--root-url URL] [--ca-file FILE] [--test]",
      "Save the organisation's Google Workspace connection: a service account with\n"
      "domain-wide delegation, acting as a Workspace admin.\n"
      "Run it again to change settings; without a new key the saved one is kept.",
      google_flags },
};

/* Read at most MAX_SECRET_BYTES of F into a new string without trailing
 * line breaks; NULL when empty, unreadable or too long. */
static char *read_secret(FILE *f)
{
    char *data = xmalloc(MAX_SECRET_BYTES + 2);
    size_t n = fread(data, 1, MAX_SECRET_BYTES + 1, f);

    if (n == 0 || n > MAX_SECRET_BYTES || ferror(f)) {
        secret_wipe_free(data, MAX_SECRET_BYTES + 2);
        return NULL;
    }
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    data[n] = '\0';
    return data;
}

/* The secret from stdin or the named file into c->secret (NULL: none
 * given, keep the saved one).  Usage errors are printed; -1 then. */
static int load_secret(const struct config_values *cfg, const struct connect_kind *k,
                       struct platform_connection *c)
{
    const char *file_flag = k->kind == PLATFORM_MICROSOFT ? "client-secret-file"
                                                          : "service-account-key-file";
    const char *path = config_get(cfg, file_flag);
    int from_stdin = k->kind == PLATFORM_MICROSOFT && config_get_flag(cfg, "client-secret-stdin");
    FILE *f;

    if (from_stdin && path) {
        fprintf(stderr, "parley: client-secret: give --client-secret-stdin or "
                        "--client-secret-file, not both\n");
        return -1;
    }
    if (!from_stdin && !path)
        return 0;
    if (!(f = from_stdin ? stdin : fopen(path, "rb"))) {
        fprintf(stderr, "parley: %s: cannot read %s\n", file_flag, path);
        return -1;
    }
    c->secret = read_secret(f);
    if (f != stdin)
        fclose(f);
    if (!c->secret) {
        fprintf(stderr, "parley: %s: empty, unreadable or larger than %d bytes\n",
                from_stdin ? "client-secret-stdin" : file_flag, MAX_SECRET_BYTES);
        return -1;
    }
    return 0;
}

/* The connection from the flags; -1 (printed) on a usage error. */
static int connection_from_flags(const struct config_values *cfg, const struct connect_kind *k,
                                 struct platform_connection *c)
{
    json_t *obj = json_object();
    char why[512];
    int rc = 0;

    for (const char *const *flag = k->flags; *flag; flag++) {
        const char *value = config_get(cfg, *flag);
        char *key = xstrdup(*flag);
        for (char *p = key; *p; p++)
            if (*p == '-')
                *p = '_';
        if (value)
            json_object_set_new(obj, key, json_string(value));
        free(key);
    }
    if (platform_connection_from_json(k->kind, obj, c, why, sizeof why)) {
        fprintf(stderr, "parley: %s\n", why);
        rc = -1;
    }
    json_decref(obj);
    return rc == 0 ? load_secret(cfg, k, c) : rc;
}

/* Open the saved connection and run the connector's test; prints the
 * outcome.  0 when it works. */
static int test_connection(const struct platform_source *src, long long org_id,
                           const struct connect_kind *k)
{
    const struct platform_ops *ops = NULL;
    struct platform_conn *conn = NULL;
    struct platform_error perr = { 0 };
    enum parley_err err = platform_connection_open(src, org_id, k->kind, &ops, &conn, &perr);

    if (!err)
        err = ops->test(conn, &perr);
    if (conn)
        ops->close(conn);
    if (err) {
        printf("connection test failed (%s): %s\n",
               parley_errname(perr.code ? perr.code : err), perr.message);
        return -1;
    }
    printf("connection test passed\n");
    return 0;
}

static int save_connection(const struct config_values *cfg, const struct connect_kind *k)
{
    const char *org = config_get(cfg, "org");
    struct platform_connection c = { 0 };
    struct store *st = NULL;
    struct secret_key *key = NULL;
    struct store_org row = { 0 };
    char *data_dir = NULL, *key_path = NULL, why[512];
    int created = 0, rc = EXIT_USAGE;

    if (!org) {
        fprintf(stderr, "parley: org: --org NAME is required\n");
        goto out;
    }
    if (connection_from_flags(cfg, k, &c))
        goto out;
    rc = EXIT_FAILURE_RUN;
    if (settings_data_dir(cfg, &data_dir) || settings_open_store(cfg, 1, &st))
        goto out;
    if (store_org_get_by_name(st, org, &row)) {
        fprintf(stderr, "parley: no organisation named \"%s\" (parley admin create makes one)\n",
                org);
        goto out;
    }
    key_path = settings_master_key_path(cfg, data_dir);
    if (secret_key_load(key_path, 1, &key)) {
        log_error("connect", "cannot load or create the master key", "s:path", key_path);
        goto out;
    }
    struct platform_source src = { st, key, platform_ops_for };
    enum parley_err err = platform_connection_save(&src, row.id, &c, &created, why, sizeof why);
    if (err == PARLEY_ERR_INVALID) {
        fprintf(stderr, "parley: %s\n", why);
        rc = EXIT_USAGE;
        goto out;
    }
    if (err) {
        log_error("connect", "cannot save the connection", "s:reason", parley_strerror(err));
        goto out;
    }
    store_audit_add(st, row.id, "cli", created ? "connection.create" : "connection.update",
                    k->name, c.secret ? "{\"secret_changed\":true}" : "{\"secret_changed\":false}");
    printf("%s the %s connection of \"%s\"\n", created ? "saved" : "updated", k->name, org);
    rc = config_get_flag(cfg, "test") && test_connection(&src, row.id, k) ? EXIT_FAILURE_RUN
                                                                          : EXIT_OK;
out:
    platform_connection_clear(&c);
    store_org_clear(&row);
    secret_key_free(key);
    store_close(st);
    free(key_path);
    free(data_dir);
    return rc;
}

int cmd_connect(int argc, char **argv)
{
    const struct connect_kind *k = NULL;
    struct config_values cfg = { 0 };

    for (size_t i = 0; argc > 0 && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(argv[0], kinds[i].name) == 0)
            k = &kinds[i];
    if (!k) {
        int help = argc > 0 && cli_wants_help(1, argv);
        if (argc > 0 && !help)
            fprintf(stderr, "parley: connect: unknown platform '%s' (microsoft or google)\n",
                    argv[0]);
        fprintf(help ? stdout : stderr,
                "usage: parley connect microsoft|google --org NAME ... [--test]\n\n"
                "Run 'parley connect microsoft --help' or 'parley connect google --help'.\n");
        return help ? EXIT_OK : EXIT_USAGE;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        settings_print_help(k->scope, k->usage, k->summary, stdout);
        return EXIT_OK;
    }
    if (settings_resolve(k->scope, argc - 1, argv + 1, &cfg))
        return EXIT_USAGE;
    int rc = save_connection(&cfg, k);
    config_values_free(&cfg);
    return rc;
}
