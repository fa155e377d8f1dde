/* cli.h - parley-emu's command line. */
#ifndef EMU_FRAME_CLI_H
#define EMU_FRAME_CLI_H

#include <stdio.h>

struct emu_options {
    const char *seed_path;          /* --seed FILE (required) */
    const char *dir;                /* --dir DIR (required): endpoints.json, TLS files */
    int tls;                        /* --tls */
    const char *listen_microsoft;   /* --listen-microsoft ADDR:PORT */
    const char *listen_google;      /* --listen-google ADDR:PORT */
    int rate_limit;                 /* --rate-limit N requests/s per app; 0 = off */
    int notify_delay_ms;            /* --notify-delay-ms N before each delivery */
    int real_quotas;                /* --real-quotas */
};

enum emu_cli_result { EMU_CLI_RUN, EMU_CLI_HELP, EMU_CLI_USAGE };

/* Parse ARGV into *OPTS (strings borrowed from ARGV).  On EMU_CLI_USAGE a
 * message has been written to ERR; on EMU_CLI_HELP nothing is written (call
 * emu_cli_usage). */
enum emu_cli_result emu_cli_parse(int argc, char **argv, struct emu_options *opts, FILE *err);
void emu_cli_usage(FILE *out);

#endif
