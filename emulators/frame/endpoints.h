/* endpoints.h - DIR/endpoints.json, the file that tells tests and the demo
 * where the emulators listen, written atomically (temp file + rename). */
#ifndef EMU_FRAME_ENDPOINTS_H
#define EMU_FRAME_ENDPOINTS_H

#include <jansson.h>

#include "util/err.h"

/* Write DOC (borrowed) to DIR/endpoints.json via DIR/.endpoints.json.tmp. */
enum parley_err emu_endpoints_write(const char *dir, const json_t *doc);

#endif
