/* config.h - table-driven settings: each setting has a name, a type, a
 * default, an environment variable and a help line.  Values come from
 * command-line flags first, then the environment, then the default.
 *
 * The same table drives parsing, validation and `--help` output, so a new
 * setting is one table row (as redis's static_configs[]). */
#ifndef PARLEY_UTIL_CONFIG_H
#define PARLEY_UTIL_CONFIG_H

#include <stdio.h>

#include "util/err.h"

enum config_type {
    CONFIG_STRING,
    CONFIG_INT,          /* within [min, max] */
    CONFIG_HOSTPORT,     /* "ADDR:PORT" or "[IPv6]:PORT", port 0..65535 */
    CONFIG_LOG_LEVEL,    /* debug | info | warn | error */
    CONFIG_FLAG,         /* present or not; env value 1/true/yes */
};

struct config_setting {
    const char *name;        /* flag name without "--": "listen" */
    enum config_type type;
    const char *def;         /* default as text; NULL: none */
    const char *env;         /* "PARLEY_LISTEN"; NULL: none */
    long min, max;           /* CONFIG_INT bounds */
    const char *metavar;     /* "ADDR:PORT" in --help */
    const char *help;
    unsigned scope;          /* bit mask: which commands take it (0: all) */
};

/* The resolved values of one table; strings are owned by the struct. */
struct config_values {
    const struct config_setting *table;
    int count;
    unsigned scope;
    char **values;           /* NULL where unset and no default */
    const char **source;     /* "flag", "env" or "default" per setting */
};

/* Resolve the rows of TABLE (COUNT rows) whose scope includes SCOPE from ARGV (flags "--name VALUE" or
 * "--name=VALUE"; flags of type CONFIG_FLAG take no value), the environment
 * and defaults.  Positional arguments are not allowed unless POSITIONAL is
 * non-NULL, where they are stored (argv pointers, NULL-terminated; the caller
 * provides room for argc entries).  On a bad flag or value, writes a one-line
 * error naming the setting to ERR_OUT and returns PARLEY_ERR_INVALID. */
enum parley_err config_resolve(const struct config_setting *table, int count, unsigned scope,
                               int argc, char **argv, struct config_values *out,
                               char **positional, FILE *err_out);
void config_values_free(struct config_values *v);

const char *config_get(const struct config_values *v, const char *name);  /* NULL if unset */
long config_get_int(const struct config_values *v, const char *name);
int config_get_flag(const struct config_values *v, const char *name);

/* Print the settings in SCOPE as --help lines (flag, metavar, help, env, default). */
void config_print_help(const struct config_setting *table, int count, unsigned scope, FILE *out);

/* Split "ADDR:PORT" / "[v6]:PORT"; *host is a new string. */
enum parley_err config_parse_hostport(const char *text, char **host, int *port);

#endif
