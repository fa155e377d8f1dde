/* google.h - the Google Workspace emulator (OAuth 2.0 for service accounts,
 * Admin SDK Directory, Chat API) as a platform of the emulator frame.
 * Routes are documented in docs/emulators.md, section "Google". */
#ifndef EMU_GOOGLE_GOOGLE_H
#define EMU_GOOGLE_GOOGLE_H

#include "frame/platform.h"
#include "util/err.h"

struct emu_frame;

extern const struct emu_platform_ops emu_google_ops;

/* Once FRAME (a Google frame) listens: write DIR/service-account.json, the
 * service account's key file in Google's format with token_uri pointing at
 * the emulator, and remember its path for the endpoints.json entry. */
enum parley_err emu_google_write_key_file(struct emu_frame *frame, const char *dir);

#endif
