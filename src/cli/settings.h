/* settings.h - Parley's settings table (flags, PARLEY_* environment
 * variables, defaults) and the helpers every command shares: resolving its
 * settings, the data directory and opening the store. */
#ifndef PARLEY_CLI_SETTINGS_H
#define PARLEY_CLI_SETTINGS_H

#include <stdio.h>

#include "util/config.h"
#include "util/err.h"

struct store;

/* Which commands take a setting (config_setting.scope bits). */
enum {
    CMD_SERVE   = 1u << 0,
    CMD_ADMIN   = 1u << 1,
    CMD_MIGRATE = 1u << 2,
    CMD_CONNECT_MICROSOFT = 1u << 3,
    CMD_CONNECT_GOOGLE    = 1u << 4,
    CMD_CONNECT = CMD_CONNECT_MICROSOFT | CMD_CONNECT_GOOGLE,
    /* everything that opens the store */
    CMD_STORE   = CMD_SERVE | CMD_ADMIN | CMD_MIGRATE | CMD_CONNECT,
};

/* Exit codes shared by all commands. */
enum { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2 };

/* Resolve the settings of the command in SCOPE from ARGV (after the command
 * words).  Prints the one-line error itself; returns PARLEY_ERR_INVALID on a
 * bad flag or value.  Also applies the log level. */
enum parley_err settings_resolve(unsigned scope, int argc, char **argv, struct config_values *out);
/* Print "usage" then the command's settings. */
void settings_print_help(unsigned scope, const char *usage, const char *summary, FILE *out);

/* The data directory (created 0700 when missing) and derived paths; the
 * returned strings are new (caller frees). */
enum parley_err settings_data_dir(const struct config_values *v, char **out);
char *settings_db_url(const struct config_values *v, const char *data_dir);
char *settings_master_key_path(const struct config_values *v, const char *data_dir);

/* Open the store named by the settings and apply pending migrations when
 * MIGRATE is set.  Logs and returns the error on failure. */
enum parley_err settings_open_store(const struct config_values *v, int migrate, struct store **out);

#endif
