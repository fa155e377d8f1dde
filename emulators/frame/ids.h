/* ids.h - identifiers and timestamps in the platforms' formats.
 *
 * Seeded objects get ids derived from a hash of what identifies them (a
 * tenant and a UPN, say), so one seed file always yields the same ids;
 * objects created at run time get random ones. */
#ifndef EMU_FRAME_IDS_H
#define EMU_FRAME_IDS_H

#include <stddef.h>

#define EMU_GUID_LEN 37      /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */

/* A GUID derived from SHA-256(NS "\n" KEY): stable across runs. */
void emu_ids_guid_stable(const char *ns, const char *key, char out[EMU_GUID_LEN]);
/* A random (version 4) GUID. */
void emu_ids_guid_random(char out[EMU_GUID_LEN]);
/* N random bytes as lowercase hex into OUT (2N + 1 bytes). */
void emu_ids_hex_random(char *out, size_t nbytes);
/* Base64url without padding of LEN bytes; the caller frees the result. */
char *emu_ids_base64url(const unsigned char *data, size_t len);
/* Decode base64url (padding optional); NULL on bad input.  *len gets the size;
 * the result is NUL-terminated and freed by the caller. */
unsigned char *emu_ids_base64url_decode(const char *text, size_t *len);

/* "2024-05-01T10:00:00.123Z" for Unix milliseconds MS. */
void emu_ids_time_iso(long long ms, char out[32]);
/* Parse an ISO 8601 UTC time ("...Z", optional fraction, or +00:00);
 * returns 0 and *ms on success, -1 on malformed input. */
int emu_ids_time_parse(const char *text, long long *ms);

#endif
