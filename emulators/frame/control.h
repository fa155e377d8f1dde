/* control.h - the control API under /_emu on each listener (documented in
 * docs/emulators.md): reset to the seed, inject faults, drop or duplicate
 * notifications, and read-only views of requests, deliveries and
 * subscriptions. */
#ifndef EMU_FRAME_CONTROL_H
#define EMU_FRAME_CONTROL_H

struct emu_frame;

void emu_control_add_routes(struct emu_frame *frame);

#endif
