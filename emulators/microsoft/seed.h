/* seed.h - load the "microsoft" section of a seed file into the tenant state
 * (format in docs/emulators.md), including synthetic users and teams from
 * "generate".  Ids absent from the seed are derived from the tenant and the
 * UPN / display name, so they are stable for a given seed. */
#ifndef EMU_MICROSOFT_SEED_H
#define EMU_MICROSOFT_SEED_H

#include <jansson.h>

#include "util/err.h"

struct ms_state;

/* Fill the empty state ST from SEED (borrowed; NULL: a default tenant with
 * one app and no users).  PARLEY_ERR_INVALID with *why (caller frees) naming
 * the JSON path on bad content. */
enum parley_err ms_seed_load(struct ms_state *st, const json_t *seed, char **why);

#endif
