/* commands.h - the `parley` subcommands.  Each takes the arguments after its
 * command words and returns the process exit code (0 ok, 1 failure, 2 usage). */
#ifndef PARLEY_CLI_COMMANDS_H
#define PARLEY_CLI_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Whether ARGV holds --help or -h. */
int cli_wants_help(int argc, char **argv);

#endif
