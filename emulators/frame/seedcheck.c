/* seedcheck.c - path-naming seed readers (see seedcheck.h). */
#include "frame/seedcheck.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static int fail(char **why, const char *path, const char *key, const char *what)
{
    *why = key ? xasprintf("%s.%s: %s", path, key, what) : xasprintf("%s: %s", path, what);
    return -1;
}

int emu_seed_keys(const json_t *obj, const char *path, const char *const allowed[], char **why)
{
    const char *key;
    json_t *value;

    if (!json_is_object(obj))
        return fail(why, path, NULL, "expected an object");
    json_object_foreach((json_t *)obj, key, value) {
        int known = 0;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(allowed[i], key) == 0;
        if (!known)
            return fail(why, path, key, "unknown key");
    }
    return 0;
}

int emu_seed_str(const json_t *obj, const char *path, const char *key, int required,
                 const char **out, char **why)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? fail(why, path, key, "required string is missing") : 0;
    if (!json_is_string(v))
        return fail(why, path, key, "expected a string");
    if (required && json_string_length(v) == 0)
        return fail(why, path, key, "must not be empty");
    *out = json_string_value(v);
    return 0;
}

int emu_seed_bool(const json_t *obj, const char *path, const char *key, int def, int *out,
                  char **why)
{
    const json_t *v = json_object_get(obj, key);
    *out = def;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return fail(why, path, key, "expected true or false");
    *out = json_is_true(v);
    return 0;
}

int emu_seed_int(const json_t *obj, const char *path, const char *key, long long def,
                 long long min, long long max, long long *out, char **why)
{
    const json_t *v = json_object_get(obj, key);
    *out = def;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char *what = xasprintf("expected an integer from %lld to %lld", min, max);
        fail(why, path, key, what);
        free(what);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

int emu_seed_array(const json_t *obj, const char *path, const char *key, const json_t **out,
                   char **why)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return fail(why, path, key, "expected an array");
    *out = v;
    return 0;
}

char *emu_seed_index(const char *path, size_t index)
{
    return xasprintf("%s[%zu]", path, index);
}
