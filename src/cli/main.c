/* main.c - `parley`: dispatch argv to a subcommand.  Nothing else lives here:
 * each command is in src/cli/cmd_*.c, the settings table in settings.c. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/settings.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "serve",   cmd_serve,   "run the Hub: web console, admin API, webhooks and job workers" },
    { "admin",   cmd_admin,   "manage admin accounts (admin create ...)" },
    { "connect", cmd_connect, "connect an organisation to Microsoft 365 or Google Workspace" },
    { "migrate", cmd_migrate, "apply pending database migrations and exit" },
    { "version", cmd_version, "print the version" },
};

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: parley COMMAND [OPTIONS]\n\n"
            "Parley bridges Google Chat and Microsoft Teams: people stay in the app they use\n"
            "and message everyone.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'parley COMMAND --help' for a command's options.\n"
                 "Every option can also be set by its PARLEY_* environment variable.\n");
}

int main(int argc, char **argv)
{
    /* The data directory holds the database and the master key: private. */
    umask(077);
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(0, NULL);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "parley: unknown command '%s' (see parley --help)\n", argv[1]);
    return EXIT_USAGE;
}
