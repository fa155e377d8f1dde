/* vec.h - a growable array of pointers (insertion order), for the ordered
 * collections of the emulators' state (users in creation order, messages of
 * a chat, ...).  Elements are borrowed; not thread-safe. */
#ifndef EMU_FRAME_VEC_H
#define EMU_FRAME_VEC_H

#include <stddef.h>

struct emu_vec {
    void **items;
    size_t len;
    size_t cap;
};

#define EMU_VEC_INIT { NULL, 0, 0 }

void emu_vec_push(struct emu_vec *v, void *item);
/* Remove the element at INDEX, keeping the order of the rest. */
void emu_vec_remove_at(struct emu_vec *v, size_t index);
/* Remove ITEM (compared by pointer); returns 1 when it was found. */
int emu_vec_remove(struct emu_vec *v, const void *item);
void emu_vec_free(struct emu_vec *v);   /* frees the array, not the elements */

#endif
