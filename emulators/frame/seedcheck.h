/* seedcheck.h - typed reads from a seed file's JSON that name the JSON path
 * on error, e.g. "microsoft.users[3].userPrincipalName: expected a string".
 *
 * Each returns 0 on success and -1 with *why set (a new string the caller
 * frees) on failure.  PATH is the path of OBJ itself ("microsoft.users[3]"). */
#ifndef EMU_FRAME_SEEDCHECK_H
#define EMU_FRAME_SEEDCHECK_H

#include <jansson.h>

/* Fail on any key of OBJ not in ALLOWED (NULL-terminated); OBJ must be an object. */
int emu_seed_keys(const json_t *obj, const char *path, const char *const allowed[], char **why);
/* *out = the string at KEY (borrowed), or NULL when absent and not REQUIRED. */
int emu_seed_str(const json_t *obj, const char *path, const char *key, int required,
                 const char **out, char **why);
/* *out = the boolean at KEY, or DEF when absent. */
int emu_seed_bool(const json_t *obj, const char *path, const char *key, int def, int *out,
                  char **why);
/* *out = the integer at KEY within [MIN, MAX], or DEF when absent. */
int emu_seed_int(const json_t *obj, const char *path, const char *key, long long def,
                 long long min, long long max, long long *out, char **why);
/* *out = the array at KEY (borrowed), or NULL when absent: jansson's
 * json_array_size and json_array_foreach treat NULL as empty. */
int emu_seed_array(const json_t *obj, const char *path, const char *key, const json_t **out,
                   char **why);
/* "PATH[INDEX]" as a new string. */
char *emu_seed_index(const char *path, size_t index);

#endif
