/* config.c - resolve a table of settings from flags, environment, defaults
 * (see config.h). */
#include "util/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/xmalloc.h"

static int in_scope(const struct config_setting *s, unsigned scope)
{
    return s->scope == 0 || scope == 0 || (s->scope & scope) != 0;
}

static int find_setting(const struct config_setting *table, int count, unsigned scope,
                        const char *name, size_t name_len)
{
    for (int i = 0; i < count; i++)
        if (in_scope(&table[i], scope) && strlen(table[i].name) == name_len &&
            strncmp(table[i].name, name, name_len) == 0)
            return i;
    return -1;
}

enum parley_err config_parse_hostport(const char *text, char **host, int *port)
{
    const char *colon;
    const char *host_start = text;
    size_t host_len;

    if (!text || !*text)
        return PARLEY_ERR_INVALID;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return PARLEY_ERR_INVALID;
        host_start = text + 1;
        host_len = (size_t)(close - host_start);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return PARLEY_ERR_INVALID;
        host_len = (size_t)(colon - text);
    }
    if (host_len == 0)
        return PARLEY_ERR_INVALID;
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
        return PARLEY_ERR_INVALID;
    *host = xstrndup(host_start, host_len);
    *port = (int)p;
    return PARLEY_OK;
}

static int parse_flag_value(const char *text, int *out)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off", "" };
    for (unsigned i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcasecmp(text, yes[i]) == 0)
            return *out = 1, 0;
    for (unsigned i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcasecmp(text, no[i]) == 0)
            return *out = 0, 0;
    return -1;
}

/* Check TEXT against the setting's type; writes the reason on failure. */
static enum parley_err validate(const struct config_setting *s, const char *text, const char *origin,
                                FILE *err_out)
{
    switch (s->type) {
    case CONFIG_INT: {
        char *end;
        errno = 0;
        long v = strtol(text, &end, 10);
        if (errno || end == text || *end) {
            fprintf(err_out, "parley: %s: '%s' (from %s) is not a whole number\n", s->name, text,
                    origin);
            return PARLEY_ERR_INVALID;
        }
        if (v < s->min || v > s->max) {
            fprintf(err_out, "parley: %s: %ld (from %s) is out of range %ld..%ld\n", s->name, v,
                    origin, s->min, s->max);
            return PARLEY_ERR_INVALID;
        }
        return PARLEY_OK;
    }
    case CONFIG_HOSTPORT: {
        char *host = NULL;
        int port;
        enum parley_err err = config_parse_hostport(text, &host, &port);
        free(host);
        if (err)
            fprintf(err_out, "parley: %s: '%s' (from %s) is not ADDR:PORT\n", s->name, text, origin);
        return err;
    }
    case CONFIG_LOG_LEVEL: {
        enum log_level level;
        if (log_parse_level(text, &level) || level == LOG_OFF) {
            fprintf(err_out, "parley: %s: '%s' (from %s) is not one of debug, info, warn, error\n",
                    s->name, text, origin);
            return PARLEY_ERR_INVALID;
        }
        return PARLEY_OK;
    }
    case CONFIG_FLAG: {
        int v;
        if (parse_flag_value(text, &v)) {
            fprintf(err_out, "parley: %s: '%s' (from %s) is not true or false\n", s->name, text,
                    origin);
            return PARLEY_ERR_INVALID;
        }
        return PARLEY_OK;
    }
    case CONFIG_STRING:
        if (!*text) {
            fprintf(err_out, "parley: %s: empty value (from %s)\n", s->name, origin);
            return PARLEY_ERR_INVALID;
        }
        return PARLEY_OK;
    }
    return PARLEY_ERR_INVALID;
}

static void set_value(struct config_values *out, int i, const char *text, const char *source)
{
    free(out->values[i]);
    out->values[i] = xstrdup(text);
    out->source[i] = source;
}

/* Apply flags from ARGV; store positionals when allowed. */
static enum parley_err apply_flags(const struct config_setting *table, int count, unsigned scope,
                                   int argc,
                                   char **argv, struct config_values *out, char **positional,
                                   FILE *err_out)
{
    int npos = 0;
    for (int a = 0; a < argc; a++) {
        const char *arg = argv[a];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (!positional) {
                fprintf(err_out, "parley: unexpected argument '%s'\n", arg);
                return PARLEY_ERR_INVALID;
            }
            positional[npos++] = argv[a];
            positional[npos] = NULL;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        int i = find_setting(table, count, scope, name, name_len);
        if (i < 0) {
            fprintf(err_out, "parley: unknown option '--%.*s' (see --help)\n", (int)name_len, name);
            return PARLEY_ERR_INVALID;
        }
        const char *value;
        if (table[i].type == CONFIG_FLAG) {
            value = eq ? eq + 1 : "true";
        } else if (eq) {
            value = eq + 1;
        } else if (a + 1 < argc) {
            value = argv[++a];
        } else {
            fprintf(err_out, "parley: %s: missing value (--%s %s)\n", table[i].name, table[i].name,
                    table[i].metavar ? table[i].metavar : "VALUE");
            return PARLEY_ERR_INVALID;
        }
        if (validate(&table[i], value, "flag", err_out))
            return PARLEY_ERR_INVALID;
        set_value(out, i, value, "flag");
    }
    return PARLEY_OK;
}

enum parley_err config_resolve(const struct config_setting *table, int count, unsigned scope,
                               int argc, char **argv, struct config_values *out,
                               char **positional, FILE *err_out)
{
    enum parley_err err = PARLEY_OK;

    out->table = table;
    out->count = count;
    out->values = xcalloc((size_t)count, sizeof *out->values);
    out->source = xcalloc((size_t)count, sizeof *out->source);
    if (positional)
        positional[0] = NULL;

    out->scope = scope;
    for (int i = 0; i < count; i++) {
        if (!in_scope(&table[i], scope))
            continue;
        const char *env = table[i].env ? getenv(table[i].env) : NULL;
        if (env) {
            if ((err = validate(&table[i], env, table[i].env, err_out)))
                goto out;
            set_value(out, i, env, "env");
        } else if (table[i].def) {
            set_value(out, i, table[i].def, "default");
        }
    }
    err = apply_flags(table, count, scope, argc, argv, out, positional, err_out);
out:
    if (err)
        config_values_free(out);
    return err;
}

void config_values_free(struct config_values *v)
{
    if (!v || !v->values)
        return;
    for (int i = 0; i < v->count; i++)
        free(v->values[i]);
    free(v->values);
    free(v->source);
    v->values = NULL;
    v->source = NULL;
}

const char *config_get(const struct config_values *v, const char *name)
{
    int i = find_setting(v->table, v->count, v->scope, name, strlen(name));
    return i < 0 ? NULL : v->values[i];
}

long config_get_int(const struct config_values *v, const char *name)
{
    const char *text = config_get(v, name);
    return text ? strtol(text, NULL, 10) : 0;
}

int config_get_flag(const struct config_values *v, const char *name)
{
    const char *text = config_get(v, name);
    int on = 0;
    if (text)
        parse_flag_value(text, &on);
    return on;
}

void config_print_help(const struct config_setting *table, int count, unsigned scope, FILE *out)
{
    for (int i = 0; i < count; i++) {
        const struct config_setting *s = &table[i];
        if (!in_scope(s, scope))
            continue;
        char flag[64];
        if (s->type == CONFIG_FLAG)
            snprintf(flag, sizeof flag, "--%s", s->name);
        else
            snprintf(flag, sizeof flag, "--%s %s", s->name, s->metavar ? s->metavar : "VALUE");
        fprintf(out, "  %-26s %s\n", flag, s->help);
        if (s->env || s->def) {
            fprintf(out, "  %-26s ", "");
            if (s->env)
                fprintf(out, "[env %s]", s->env);
            if (s->def)
                fprintf(out, "%s[default %s]", s->env ? " " : "", s->def);
            fputc('\n', out);
        }
    }
}
