/* form.h - application/x-www-form-urlencoded bodies (the identity
 * platform's token requests) and HTTP Basic credentials. */
#ifndef EMU_FRAME_FORM_H
#define EMU_FRAME_FORM_H

#include <stddef.h>

/* The decoded value of KEY in the form BODY (LEN bytes), or NULL when absent;
 * the caller frees it.  '+' is a space; %XX is decoded. */
char *emu_form_get(const char *body, size_t len, const char *key);
/* Split an "Authorization: Basic ..." value into decoded user and password
 * (each freed by the caller); 0 on success, -1 when it is not Basic or malformed. */
int emu_form_basic(const char *authorization, char **user, char **password);

#endif
