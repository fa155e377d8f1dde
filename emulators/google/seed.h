/* seed.h - the "google" section of the seed file, loaded into the state.
 *
 *   {"customer_id", "domain", "admin_email",
 *    "service_account": {"client_email", "client_id", "scopes": [...]},
 *    "users": [{"primaryEmail", "name": {"givenName", "familyName"},
 *               "suspended", "orgUnitPath", "isAdmin"}],
 *    "groups": [{"email", "name", "members": ["email", ...]}],
 *    "generate": {"users": N}}
 *
 * Every key is optional: defaults give the customer "C0emu0000", domain
 * "example.com", admin "admin@<domain>" (added as an admin user when the
 * seed does not list it).  service_account.scopes is the domain-wide
 * delegation grant (absent: every scope).  generate.users adds N users
 * user00001@<domain>... for benchmarks.  Ids derive from the customer and
 * the email, so one seed always gives the same ids. */
#ifndef EMU_GOOGLE_SEED_H
#define EMU_GOOGLE_SEED_H

#include <jansson.h>

#include "util/err.h"

struct gemu_state;

/* Check SEED (borrowed; NULL = all defaults) and fill ST's configuration (on
 * the first call) and objects.  PARLEY_ERR_INVALID with *why naming the JSON
 * path ("google.users[2].primaryEmail: ...") on a bad seed. */
enum parley_err gemu_seed_load(struct gemu_state *st, const json_t *seed, char **why);

#endif
