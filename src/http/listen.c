/* listen.c - "ADDR:PORT" to a socket address for the HTTP server (see listen.h). */
#include "http/listen.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* Split SPEC into a host (new string; "" for any address) and a port. */
static enum parley_err split_spec(const char *spec, char **host, long *port)
{
    const char *colon;
    char *end;

    *host = NULL;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':')
            return PARLEY_ERR_INVALID;
        *host = xstrndup(spec + 1, (size_t)(close - spec - 1));
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon)
            return PARLEY_ERR_INVALID;
        *host = xstrndup(spec, (size_t)(colon - spec));
    }
    *port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || *port < 0 || *port > 65535) {
        free(*host);
        *host = NULL;
        return PARLEY_ERR_INVALID;
    }
    return PARLEY_OK;
}

enum parley_err http_listen_parse(const char *spec, struct sockaddr_storage *out,
                                  socklen_t *out_len)
{
    struct addrinfo hints = { 0 }, *res = NULL;
    enum parley_err err;
    char *host = NULL;
    char service[8];
    long port;

    if (!spec)
        return PARLEY_ERR_INVALID;
    err = split_spec(spec, &host, &port);
    if (err)
        goto out;
    int any = host[0] == '\0' || strcmp(host, "*") == 0;
    hints.ai_family = any ? AF_INET : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (any ? AI_PASSIVE : 0);
    snprintf(service, sizeof service, "%ld", port);
    if (getaddrinfo(any ? NULL : host, service, &hints, &res) != 0 || !res ||
        res->ai_addrlen > sizeof *out) {
        err = PARLEY_ERR_INVALID;
        goto out;
    }
    memset(out, 0, sizeof *out);
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *out_len = res->ai_addrlen;

out:
    if (res)
        freeaddrinfo(res);
    free(host);
    return err;
}
