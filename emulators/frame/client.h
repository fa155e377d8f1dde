/* client.h - the emulator's web client at /_emu/client/ (client.c). */
#ifndef EMU_FRAME_CLIENT_H
#define EMU_FRAME_CLIENT_H

struct emu_frame;

/* Register GET /_emu/client and /_emu/client/... (control routes). */
void emu_client_add_routes(struct emu_frame *frame);

#endif
