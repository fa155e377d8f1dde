/* cli.c - parse parley-emu's options (see cli.h and docs/emulators.md). */
#include "frame/cli.h"

#include <stdlib.h>
#include <string.h>

void emu_cli_usage(FILE *out)
{
    fputs("usage: parley-emu --seed FILE --dir DIR [options]\n"
          "\n"
          "Local emulators of the Microsoft identity platform + Graph (and Google),\n"
          "speaking the real wire protocol, for tests and demos.\n"
          "\n"
          "  --seed FILE                 JSON seed (see docs/emulators.md)\n"
          "  --dir DIR                   writes DIR/endpoints.json (and TLS files)\n"
          "  --tls                       serve HTTPS with a local CA (DIR/ca.pem)\n"
          "  --listen-microsoft A:P      default 127.0.0.1:8401 (port 0: any free port)\n"
          "  --listen-google A:P         default 127.0.0.1:8402\n"
          "  --rate-limit N              more than N requests/s per app gives 429\n"
          "  --notify-delay-ms N         wait N ms before each change notification\n"
          "  --real-quotas               enforce the documented per-resource limits\n"
          "  --help                      this text\n",
          out);
}

/* Parse a non-negative int option value; -1 when malformed. */
static int parse_count(const char *text)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 0 || v > 1000000000L)
        return -1;
    return (int)v;
}

/* The options that take a value. */
static int takes_value(const char *arg)
{
    static const char *const with_value[] = {"--seed", "--dir", "--listen-microsoft",
                                             "--listen-google", "--rate-limit",
                                             "--notify-delay-ms", NULL};
    for (size_t i = 0; with_value[i]; i++)
        if (strcmp(arg, with_value[i]) == 0)
            return 1;
    return 0;
}

/* Store VALUE for the value option ARG; -1 (message written) when malformed. */
static int set_value(struct emu_options *opts, const char *arg, const char *value, FILE *err)
{
    if (strcmp(arg, "--seed") == 0) {
        opts->seed_path = value;
    } else if (strcmp(arg, "--dir") == 0) {
        opts->dir = value;
    } else if (strcmp(arg, "--listen-microsoft") == 0) {
        opts->listen_microsoft = value;
    } else if (strcmp(arg, "--listen-google") == 0) {
        opts->listen_google = value;
    } else {
        int n = parse_count(value);
        if (n < 0) {
            fprintf(err, "parley-emu: %s: expected a non-negative integer, got '%s'\n", arg,
                    value);
            return -1;
        }
        *(strcmp(arg, "--rate-limit") == 0 ? &opts->rate_limit : &opts->notify_delay_ms) = n;
    }
    return 0;
}

enum emu_cli_result emu_cli_parse(int argc, char **argv, struct emu_options *opts, FILE *err)
{
    memset(opts, 0, sizeof *opts);
    opts->listen_microsoft = "127.0.0.1:8401";
    opts->listen_google = "127.0.0.1:8402";

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return EMU_CLI_HELP;
        if (strcmp(arg, "--tls") == 0) {
            opts->tls = 1;
        } else if (strcmp(arg, "--real-quotas") == 0) {
            opts->real_quotas = 1;
        } else if (!takes_value(arg)) {
            fprintf(err, "parley-emu: unknown option '%s' (see --help)\n", arg);
            return EMU_CLI_USAGE;
        } else if (i + 1 >= argc) {
            fprintf(err, "parley-emu: %s needs a value (see --help)\n", arg);
            return EMU_CLI_USAGE;
        } else if (set_value(opts, arg, argv[++i], err) != 0) {
            return EMU_CLI_USAGE;
        }
    }
    if (!opts->seed_path || !opts->dir) {
        fprintf(err, "parley-emu: --seed and --dir are required (see --help)\n");
        return EMU_CLI_USAGE;
    }
    return EMU_CLI_RUN;
}
