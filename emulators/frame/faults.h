/* faults.h - faults injected through the control API: the next COUNT
 * requests matching a method and a path prefix get an error status (with
 * Retry-After for 429/503/504), added latency, or a dropped connection.
 * Thread-safe. */
#ifndef EMU_FRAME_FAULTS_H
#define EMU_FRAME_FAULTS_H

#include <jansson.h>

#include "util/err.h"

struct emu_faults;

/* What the frame must do for one request. */
struct emu_fault_action {
    int status;              /* 0: answer normally (after the latency) */
    int retry_after_s;       /* with status 429/503/504; 0: no header */
    int latency_ms;          /* sleep before answering */
    int drop;                /* close the connection without answering */
};

struct emu_faults *emu_faults_new(void);
void emu_faults_free(struct emu_faults *faults);
/* Add a rule from its JSON description (see docs/emulators.md):
 * {"method":"GET"|"*", "path_prefix":"/v1.0/users", "count":N,
 *  "status":429, "retry_after":2, "latency_ms":500, "reset":true}.
 * PARLEY_ERR_INVALID with *why (static) on a bad description. */
enum parley_err emu_faults_add(struct emu_faults *faults, const json_t *rule, const char **why);
/* Consume one use of the first rule matching METHOD and PATH (rules apply
 * in the order added); returns 1 and fills *action when one matched. */
int emu_faults_take(struct emu_faults *faults, const char *method, const char *path,
                    struct emu_fault_action *action);
/* The pending rules as {"faults":[...]}; new reference. */
json_t *emu_faults_json(struct emu_faults *faults);
void emu_faults_clear(struct emu_faults *faults);

#endif
