/* loopback.h - requests from the emulator to its own listener, for batch
 * endpoints (Graph's $batch): each inner request is sent over HTTP to the
 * frame's origin, so it meets exactly what a direct call meets (routing,
 * authentication, faults, rate limits, error bodies, the request log) and no
 * handler is written twice.  The calls of one run go out concurrently
 * (libcurl multi), on the calling request thread. */
#ifndef EMU_FRAME_LOOPBACK_H
#define EMU_FRAME_LOOPBACK_H

#include <stddef.h>
#include <jansson.h>

#include "util/buf.h"

struct emu_frame;

struct emu_loopback_call {
    /* in (borrowed) */
    const char *method;
    const char *target;              /* path and query on the origin: "/v1.0/users?$top=1" */
    const char *const *headers;      /* "Name: value", NULL-terminated; may be NULL */
    const char *body;                /* NULL: none */
    size_t body_len;
    /* out (free with emu_loopback_call_clear) */
    long status;                     /* 0: no answer (e.g. a "reset" fault) */
    json_t *reply_headers;           /* {"Name": "value"}, minus hop-by-hop ones */
    char *content_type;              /* NULL when absent */
    struct buf reply_body;
};

/* Run the N calls concurrently against FRAME's listener and fill their outputs. */
void emu_loopback_run(struct emu_frame *frame, struct emu_loopback_call *calls, size_t n);
void emu_loopback_call_clear(struct emu_loopback_call *call);

#endif
