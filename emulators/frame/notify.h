/* notify.h - outbound HTTP for the emulators (change notifications and the
 * subscription validation handshake), done by a small pool of delivery
 * threads with libcurl, never on a request thread.  Each receiver URL gets
 * its notifications one at a time and in order; a slow receiver does not
 * delay the others.
 *
 * Notifications are POSTed as JSON, each after --notify-delay-ms.  A reply
 * other than 2xx within EMU_NOTIFY_TIMEOUT_MS (Graph's 3 s) counts as a
 * failure and is retried with exponential backoff (1 s, 2 s, 4 s, 8 s, 16 s),
 * then dropped: Graph's four hours compressed for tests.  Control faults can
 * drop or duplicate the next N notifications.  Thread-safe. */
#ifndef EMU_FRAME_NOTIFY_H
#define EMU_FRAME_NOTIFY_H

#include <jansson.h>

#include "util/err.h"

#define EMU_NOTIFY_TIMEOUT_MS 3000
#define EMU_NOTIFY_VALIDATION_TIMEOUT_MS 10000
#define EMU_NOTIFY_ATTEMPTS 6

struct emu_notify;

/* Start the delivery threads; NULL on failure. */
struct emu_notify *emu_notify_new(int delay_ms);
/* Stop the threads (pending deliveries are discarded) and free.  NULL is a no-op. */
void emu_notify_free(struct emu_notify *n);
/* Queue a POST of BODY (stolen) to URL.  KIND labels it in the view
 * ("notification", "lifecycle"). */
void emu_notify_post(struct emu_notify *n, const char *url, json_t *body, const char *kind);
/* The same with extra request headers HEADERS ("Name: value", NULL-terminated,
 * copied; may be NULL); a NULL BODY sends an empty body.  (Added for the
 * Google emulator: Pub/Sub push carries an OIDC bearer token, Directory
 * watch channels X-Goog-* headers.) */
void emu_notify_post_with_headers(struct emu_notify *n, const char *url, json_t *body,
                                  const char *const headers[], const char *kind);
/* The validation handshake: POST URL with ?validationToken=TOKEN (URL-encoded)
 * and a text/plain body, done by a delivery thread while the caller waits.
 * PARLEY_OK when the receiver answered 200 with exactly TOKEN within 10 s. */
enum parley_err emu_notify_validate(struct emu_notify *n, const char *url, const char *token);
/* Drop / duplicate the next DROP / DUPLICATE notifications (added to any pending counts). */
void emu_notify_add_faults(struct emu_notify *n, int drop, int duplicate);
/* {"pending":N, "drop":N, "duplicate":N, "deliveries":[{seq, time, kind, url,
 *  attempt, status, answer, duration_ms, outcome, body}]}; new reference. */
json_t *emu_notify_json(struct emu_notify *n);
/* Forget queued deliveries, the log and the faults. */
void emu_notify_reset(struct emu_notify *n);

#endif
