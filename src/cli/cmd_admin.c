/* cmd_admin.c - `parley admin create`: create a Hub admin (and the org when
 * new) with a role.  The password comes from stdin (--password-stdin) or is
 * generated and printed once; only its argon2id hash is stored. */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/password.h"
#include "auth/role.h"
#include "cli/settings.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char admin_usage[] =
    "parley admin create --email EMAIL --org NAME [--role owner|admin|viewer] [--password-stdin]";

/* Read one line from stdin, without its newline; a new string or NULL. */
static char *read_password_line(void)
{
    char line[AUTH_PASSWORD_MAX_LEN + 2];
    if (!fgets(line, sizeof line, stdin))
        return NULL;
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    char *out = xstrdup(line);
    sodium_memzero(line, sizeof line);
    return out;
}

static int admin_create(const struct config_values *cfg)
{
    const char *email = config_get(cfg, "email");
    const char *org = config_get(cfg, "org");
    const char *role = config_get(cfg, "role");
    int generated = !config_get_flag(cfg, "password-stdin");
    struct store *st = NULL;
    struct store_admin existing = { 0 };
    char *password = NULL, *hash = NULL;
    long long org_id = 0, admin_id = 0;
    int org_created = 0, rc = EXIT_FAILURE_RUN;

    if (!email || !strchr(email, '@')) {
        fprintf(stderr, "parley: email: a valid --email is required\n");
        return EXIT_USAGE;
    }
    if (!org) {
        fprintf(stderr, "parley: org: --org NAME is required\n");
        return EXIT_USAGE;
    }
    enum auth_role parsed_role;
    if (auth_role_parse(role, &parsed_role)) {
        fprintf(stderr, "parley: role: '%s' is not one of owner, admin, viewer\n", role);
        return EXIT_USAGE;
    }
    password = generated ? auth_password_generate() : read_password_line();
    const char *why = "no password on standard input";
    if (!password || auth_password_check(password, &why)) {
        fprintf(stderr, "parley: password: %s\n", why);
        rc = EXIT_USAGE;
        goto out;
    }
    if (auth_password_hash(password, &hash)) {
        fprintf(stderr, "parley: could not hash the password\n");
        goto out;
    }
    if (settings_open_store(cfg, 1, &st))
        goto out;
    if (store_org_ensure(st, org, &org_id, &org_created))
        goto out;
    if (store_admin_get_by_email(st, email, &existing) == PARLEY_OK) {
        fprintf(stderr, "parley: an admin with email %s already exists\n", email);
        goto out;
    }
    if (store_admin_create(st, email, hash, &admin_id) ||
        store_admin_role_set(st, admin_id, org_id, role))
        goto out;
    store_audit_add(st, org_id, "cli", "admin.create", email, NULL);

    printf("created %s %s in org \"%s\"%s\n", role, email, org, org_created ? " (new org)" : "");
    if (generated)
        printf("password: %s\n(shown once: store it now)\n", password);
    rc = EXIT_OK;
out:
    if (password)
        sodium_memzero(password, strlen(password));
    free(password);
    free(hash);
    store_admin_clear(&existing);
    store_close(st);
    return rc;
}

int cmd_admin(int argc, char **argv)
{
    struct config_values cfg = { 0 };
    int rc;

    if (argc < 1 || (strcmp(argv[0], "create") != 0 && cli_wants_help(argc, argv))) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "usage: %s\n\nCommands:\n  create   create an admin account\n", admin_usage);
        return argc < 1 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[0], "create") != 0) {
        fprintf(stderr, "parley: admin: unknown subcommand '%s' (try: parley admin create --help)\n",
                argv[0]);
        return EXIT_USAGE;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        settings_print_help(CMD_ADMIN, admin_usage,
                            "Create a Hub admin with a role in an organisation (created when new).\n"
                            "Without --password-stdin a strong password is generated and printed once.",
                            stdout);
        return EXIT_OK;
    }
    if (settings_resolve(CMD_ADMIN, argc - 1, argv + 1, &cfg))
        return EXIT_USAGE;
    rc = admin_create(&cfg);
    config_values_free(&cfg);
    return rc;
}
