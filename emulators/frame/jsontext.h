/* jsontext.h - JSON text written straight into a buffer, for hot replies that
 * would otherwise build and free many jansson values per request (a page of
 * 100 users).  What is written is byte for byte what jansson's compact dump
 * (json_to_string) gives for the same value, so either way of answering looks
 * the same on the wire. */
#ifndef EMU_FRAME_JSONTEXT_H
#define EMU_FRAME_JSONTEXT_H

#include "util/buf.h"

/* S as a JSON string, or null when S is NULL. */
void emu_jsontext_string(struct buf *b, const char *s);
/* "KEY": (KEY a JSON string too). */
void emu_jsontext_key(struct buf *b, const char *key);

#endif
