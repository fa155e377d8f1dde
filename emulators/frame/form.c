/* form.c - form bodies and Basic credentials (see form.h). */
#include "frame/form.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "util/url.h"
#include "util/xmalloc.h"

/* Decode LEN bytes of S (form encoding) into a new string. */
static char *decode(const char *s, size_t len)
{
    return url_decode(s, len, URL_DECODE_FORM);
}

char *emu_form_get(const char *body, size_t len, const char *key)
{
    size_t key_len = strlen(key);
    const char *end = body + len;

    for (const char *p = body; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pair_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        const char *name_end = eq ? eq : pair_end;
        char *name = decode(p, (size_t)(name_end - p));
        int match = strlen(name) == key_len && strcmp(name, key) == 0;
        free(name);
        if (match)
            return eq ? decode(eq + 1, (size_t)(pair_end - eq - 1)) : xstrdup("");
        p = pair_end + 1;
    }
    return NULL;
}

int emu_form_basic(const char *authorization, char **user, char **password)
{
    *user = *password = NULL;
    if (!authorization || strncasecmp(authorization, "Basic ", 6) != 0)
        return -1;
    const char *b64 = authorization + 6;
    size_t len = strlen(b64);
    unsigned char *raw = xmalloc(len / 4 * 3 + 4);
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
    if (n < 0 || len % 4 != 0) {
        free(raw);
        return -1;
    }
    while (len > 0 && b64[len - 1] == '=') {   /* DecodeBlock counts padding as bytes */
        len--;
        n--;
    }
    raw[n] = '\0';
    char *colon = strchr((char *)raw, ':');
    if (!colon) {
        free(raw);
        return -1;
    }
    *user = decode((char *)raw, (size_t)(colon - (char *)raw));
    *password = decode(colon + 1, strlen(colon + 1));
    free(raw);
    return 0;
}
