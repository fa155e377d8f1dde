/* vec.c - the pointer array of vec.h. */
#include "frame/vec.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void emu_vec_push(struct emu_vec *v, void *item)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->len++] = item;
}

void emu_vec_remove_at(struct emu_vec *v, size_t index)
{
    if (index >= v->len)
        return;
    memmove(&v->items[index], &v->items[index + 1], (v->len - index - 1) * sizeof *v->items);
    v->len--;
}

int emu_vec_remove(struct emu_vec *v, const void *item)
{
    for (size_t i = v->len; i-- > 0;) {
        if (v->items[i] == item) {
            emu_vec_remove_at(v, i);
            return 1;
        }
    }
    return 0;
}

void emu_vec_free(struct emu_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}
