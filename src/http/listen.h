/* listen.h - parsing of the server's "ADDR:PORT" listen address
 * (internal to src/http/). */
#ifndef PARLEY_HTTP_LISTEN_H
#define PARLEY_HTTP_LISTEN_H

#include <sys/socket.h>

#include "util/err.h"

/* Parse SPEC: "127.0.0.1:8080", "[::1]:8080", "localhost:0", or ":8080" /
 * "*:8080" for every IPv4 address.  Port 0 lets the kernel pick.  Fills
 * *out and *out_len; PARLEY_ERR_INVALID when SPEC is malformed or the host
 * does not resolve. */
enum parley_err http_listen_parse(const char *spec, struct sockaddr_storage *out,
                                  socklen_t *out_len);

#endif
