/* reqlog.h - the last requests a listener saw (method, path, status), for
 * GET /_emu/requests.  Thread-safe; keeps the most recent EMU_REQLOG_MAX. */
#ifndef EMU_FRAME_REQLOG_H
#define EMU_FRAME_REQLOG_H

#include <jansson.h>

#define EMU_REQLOG_MAX 4096

struct emu_reqlog;

struct emu_reqlog *emu_reqlog_new(void);
void emu_reqlog_free(struct emu_reqlog *log);
void emu_reqlog_add(struct emu_reqlog *log, const char *method, const char *path, int status,
                    const char *request_id);
/* {"requests":[{"seq","time","method","path","status","request_id"}...]},
 * oldest first, only entries with seq > SINCE; new reference. */
json_t *emu_reqlog_json(struct emu_reqlog *log, long long since);
void emu_reqlog_clear(struct emu_reqlog *log);

#endif
