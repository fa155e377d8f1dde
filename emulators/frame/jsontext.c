/* jsontext.c - JSON text straight into a buffer (see jsontext.h). */
#include "frame/jsontext.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* Whether S is printable ASCII, which is written here: '"' and '\\' escaped
 * with a backslash, everything else as it is, as jansson does.  Anything else
 * (control characters, UTF-8 to validate) is left to jansson itself. */
static int printable_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x80)
            return 0;
    return 1;
}

void emu_jsontext_string(struct buf *b, const char *s)
{
    if (!s) {
        buf_append(b, "null", 4);
        return;
    }
    if (printable_ascii(s)) {
        buf_append(b, "\"", 1);
        for (;;) {
            size_t run = strcspn(s, "\"\\");
            buf_append(b, s, run);
            if (!s[run])
                break;
            buf_append(b, s[run] == '"' ? "\\\"" : "\\\\", 2);
            s += run + 1;
        }
        buf_append(b, "\"", 1);
        return;
    }
    json_t *value = json_string(s);               /* NULL on invalid UTF-8 */
    char *text = json_to_string(value);
    buf_puts(b, text ? text : "null");
    free(text);
    json_decref(value);
}

void emu_jsontext_key(struct buf *b, const char *key)
{
    emu_jsontext_string(b, key);
    buf_append(b, ":", 1);
}
