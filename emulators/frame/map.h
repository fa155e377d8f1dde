/* map.h - a small open-addressing hash map from strings to pointers, used by
 * the emulators' state stores for lookups by id, UPN, mail, token...
 *
 * Keys are copied on insert and compared exactly (callers fold case first when
 * a lookup must be case-insensitive).  Values are borrowed: the map never
 * frees them.  Not thread-safe: the owning state's lock protects it. */
#ifndef EMU_FRAME_MAP_H
#define EMU_FRAME_MAP_H

#include <stddef.h>

struct emu_map;

struct emu_map *emu_map_new(void);
void emu_map_free(struct emu_map *map);           /* NULL is a no-op; values untouched */
/* The value stored under KEY, or NULL. */
void *emu_map_get(const struct emu_map *map, const char *key);
/* Store VALUE (non-NULL) under KEY, replacing any previous value. */
void emu_map_put(struct emu_map *map, const char *key, void *value);
/* Remove KEY; returns its value, or NULL when it was absent. */
void *emu_map_del(struct emu_map *map, const char *key);
size_t emu_map_count(const struct emu_map *map);

#endif
