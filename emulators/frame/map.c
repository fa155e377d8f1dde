/* map.c - open addressing with linear probing and backward-shift deletion
 * (no tombstones), FNV-1a hashing, growth at 70% load.  See map.h. */
#include "frame/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct slot {
    char *key;           /* NULL: empty */
    uint64_t hash;
    void *value;
};

struct emu_map {
    struct slot *slots;
    size_t cap;          /* a power of two */
    size_t count;
};

static uint64_t hash_key(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

struct emu_map *emu_map_new(void)
{
    struct emu_map *map = xcalloc(1, sizeof *map);
    map->cap = 16;
    map->slots = xcalloc(map->cap, sizeof *map->slots);
    return map;
}

void emu_map_free(struct emu_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->cap; i++)
        free(map->slots[i].key);
    free(map->slots);
    free(map);
}

/* The slot holding KEY, or the empty slot where it would go. */
static size_t find_slot(const struct emu_map *map, const char *key, uint64_t hash)
{
    size_t mask = map->cap - 1;
    size_t i = hash & mask;
    while (map->slots[i].key) {
        if (map->slots[i].hash == hash && strcmp(map->slots[i].key, key) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(struct emu_map *map)
{
    struct slot *old = map->slots;
    size_t old_cap = map->cap;

    map->cap *= 2;
    map->slots = xcalloc(map->cap, sizeof *map->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].key)
            continue;
        size_t j = old[i].hash & (map->cap - 1);
        while (map->slots[j].key)
            j = (j + 1) & (map->cap - 1);
        map->slots[j] = old[i];
    }
    free(old);
}

void *emu_map_get(const struct emu_map *map, const char *key)
{
    size_t i = find_slot(map, key, hash_key(key));
    return map->slots[i].key ? map->slots[i].value : NULL;
}

void emu_map_put(struct emu_map *map, const char *key, void *value)
{
    if ((map->count + 1) * 10 > map->cap * 7)
        grow(map);
    uint64_t hash = hash_key(key);
    size_t i = find_slot(map, key, hash);
    if (!map->slots[i].key) {
        map->slots[i].key = xstrdup(key);
        map->slots[i].hash = hash;
        map->count++;
    }
    map->slots[i].value = value;
}

void *emu_map_del(struct emu_map *map, const char *key)
{
    size_t mask = map->cap - 1;
    size_t i = find_slot(map, key, hash_key(key));
    if (!map->slots[i].key)
        return NULL;
    void *value = map->slots[i].value;
    free(map->slots[i].key);
    map->slots[i].key = NULL;
    map->count--;

    /* Backward shift: move later entries of the probe run into the hole when
     * their home slot is not between the hole and their current position. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; map->slots[j].key; j = (j + 1) & mask) {
        size_t home = map->slots[j].hash & mask;
        int movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            map->slots[hole] = map->slots[j];
            map->slots[j].key = NULL;
            hole = j;
        }
    }
    return value;
}

size_t emu_map_count(const struct emu_map *map)
{
    return map->count;
}
