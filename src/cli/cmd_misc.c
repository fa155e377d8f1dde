/* cmd_misc.c - the small commands: `parley version` and `parley migrate`. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/settings.h"
#include "store/store.h"
#include "util/log.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.1.0"
#endif

int cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int cmd_version(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: parley version\n\nPrint Parley's version.\n");
        return EXIT_OK;
    }
    if (argc > 0) {
        fprintf(stderr, "parley: version: unexpected argument '%s'\n", argv[0]);
        return EXIT_USAGE;
    }
    printf("parley %s\n", PARLEY_VERSION);
    return EXIT_OK;
}

int cmd_migrate(int argc, char **argv)
{
    struct config_values cfg = { 0 };
    struct store *st = NULL;
    int rc = EXIT_FAILURE_RUN;

    if (cli_wants_help(argc, argv)) {
        settings_print_help(CMD_MIGRATE, "parley migrate [OPTIONS]",
                            "Apply pending database migrations, print the schema version, exit.",
                            stdout);
        return EXIT_OK;
    }
    if (settings_resolve(CMD_MIGRATE, argc, argv, &cfg))
        return EXIT_USAGE;
    if (settings_open_store(&cfg, 1, &st))
        goto out;
    int current = 0, latest = 0;
    if (store_schema_version(st, &current, &latest))
        goto out;
    printf("schema version %d (latest %d)\n", current, latest);
    rc = EXIT_OK;
out:
    store_close(st);
    config_values_free(&cfg);
    return rc;
}
