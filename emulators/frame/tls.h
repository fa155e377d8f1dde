/* tls.h - a throw-away local CA and a server certificate for the emulators.
 *
 * With --tls, parley-emu creates under DIR: ca.pem (the CA certificate that
 * clients trust), server.pem and server-key.pem (for 127.0.0.1, ::1 and
 * localhost, signed by the CA).  Keys are EC P-256, valid for 10 years. */
#ifndef EMU_FRAME_TLS_H
#define EMU_FRAME_TLS_H

#include "util/err.h"

struct emu_tls {
    char *ca_file;       /* DIR/ca.pem */
    char *cert_pem;      /* server certificate chain (server + CA), PEM */
    char *key_pem;       /* server private key, PEM */
};

/* Create the CA and server certificate and write them under DIR. */
enum parley_err emu_tls_create(const char *dir, struct emu_tls *out);
void emu_tls_clear(struct emu_tls *tls);

#endif
