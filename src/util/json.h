/* json.h - JSON helpers on jansson shared by the admin API, the connectors and
 * the emulators.
 *
 * Ownership follows jansson: functions returning json_t * return a new
 * reference; the getters below borrow. */
#ifndef PARLEY_UTIL_JSON_H
#define PARLEY_UTIL_JSON_H

#include <stddef.h>
#include <jansson.h>

#include "util/err.h"

#define JSON_MAX_DEPTH 64

/* Parse LEN bytes of DATA.  Rejects invalid UTF-8, NUL bytes, nesting deeper
 * than JSON_MAX_DEPTH, and empty input with PARLEY_ERR_BAD_JSON; *why then
 * holds a message (the caller frees it).  *out is a new reference. */
enum parley_err json_parse(const char *data, size_t len, json_t **out, char **why);

/* Borrowed getters: NULL / DEF when absent or of another type. */
const char *json_get_str(const json_t *obj, const char *key);
long long json_get_int(const json_t *obj, const char *key, long long def);
int json_get_bool(const json_t *obj, const char *key, int def);

/* OLD (an object) with the arrays of ADD (an object) folded in: each
 * member of ADD that is an array, where OLD's is an array too or absent,
 * gets ADD's elements that OLD's lacks (json_equal) appended after OLD's;
 * every other member of OLD stays as it is.  A new reference; a copy of OLD
 * when either is not an object. */
json_t *json_union_arrays(const json_t *old, const json_t *add);

/* Serialise compactly; the caller frees the string. */
char *json_to_string(const json_t *value);

#endif
