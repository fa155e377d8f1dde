/* fake_peer.h - the in-process peer of the net tests: an HTTP(S) server on
 * 127.0.0.1:0 (src/http/server.h) whose routes the test adds, a
 * self-signed certificate for it (tests/lib/test_tls.h), and a temporary file for CA bundles. */
#ifndef PARLEY_TESTS_UNIT_NET_FAKE_PEER_H
#define PARLEY_TESTS_UNIT_NET_FAKE_PEER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/router.h"
#include "http/server.h"
#include "lib/test_tls.h"

struct fake_peer {
    struct http_router *router;
    struct http_server *srv;
    char base[64];               /* "http://127.0.0.1:PORT" or https:// */
    char *cert_pem;              /* with TLS: the server's certificate */
    char *key_pem;
    char ca_path[64];            /* with TLS: CERT_PEM written to a temp file */
};

/* Write TEXT to a new temporary file whose path goes to PATH (64 bytes). */
static void fake_peer_temp_file(const char *text, char path[64])
{
    strcpy(path, "/tmp/parley-net-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* A new peer with an empty router; add routes to p->router, then start it. */
static struct fake_peer *fake_peer_new(void)
{
    struct fake_peer *p = calloc(1, sizeof *p);
    p->router = http_router_new();
    return p;
}

/* Start listening, over TLS (with a fresh self-signed certificate) when TLS. */
static void fake_peer_start(struct fake_peer *p, int tls)
{
    struct http_server_config cfg = { .listen = "127.0.0.1:0", .max_body = 1 << 20 };

    if (tls) {
        assert_int_equal(test_tls_localhost_cert(&p->cert_pem, &p->key_pem), 0);
        fake_peer_temp_file(p->cert_pem, p->ca_path);
        cfg.tls_cert_pem = p->cert_pem;
        cfg.tls_key_pem = p->key_pem;
    }
    assert_int_equal(http_server_start(&cfg, p->router, &p->srv), PARLEY_OK);
    snprintf(p->base, sizeof p->base, "%s://127.0.0.1:%d", tls ? "https" : "http",
             http_server_port(p->srv));
}

static void fake_peer_free(struct fake_peer *p)
{
    if (!p)
        return;
    http_server_stop(p->srv);
    http_router_free(p->router);
    if (p->ca_path[0])
        unlink(p->ca_path);
    free(p->cert_pem);
    free(p->key_pem);
    free(p);
}

#endif
