/* json.c - JSON helpers on jansson (see json.h): a strict parser front end
 * (depth limit, NUL bytes, empty input) and borrowed getters.
 *
 * jansson's own nesting limit is 2048, far too deep for untrusted request
 * bodies, so the depth is checked by a cheap bracket scan before parsing. */
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* The deepest nesting of [ and { in DATA, counting only brackets outside
 * strings; stops early once LIMIT is exceeded. */
static int nesting_depth(const char *data, size_t len, int limit)
{
    int depth = 0, deepest = 0, in_string = 0;

    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_string) {
            if (c == '\\')
                i++;                 /* skip the escaped character */
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest)
                deepest = depth;
            if (deepest > limit)
                break;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return deepest;
}

static int is_blank(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n", data[i]) || data[i] == '\0')
            return 0;
    return 1;
}

enum parley_err json_parse(const char *data, size_t len, json_t **out, char **why)
{
    json_error_t jerr;
    char *reason = NULL;
    const char *nul;

    *out = NULL;
    if (!data || is_blank(data, len)) {
        reason = xstrdup("empty JSON document");
        goto out;
    }
    nul = memchr(data, '\0', len);
    if (nul) {
        reason = xasprintf("NUL byte at offset %zu", (size_t)(nul - data));
        goto out;
    }
    if (nesting_depth(data, len, JSON_MAX_DEPTH) > JSON_MAX_DEPTH) {
        reason = xasprintf("nesting deeper than %d levels", JSON_MAX_DEPTH);
        goto out;
    }
    /* Duplicate keys are accepted (the last wins), as the platforms do. */
    *out = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
    if (!*out)
        reason = xasprintf("%s at line %d, column %d", jerr.text, jerr.line, jerr.column);

out:
    if (why)
        *why = reason;
    else
        free(reason);
    return *out ? PARLEY_OK : PARLEY_ERR_BAD_JSON;
}

const char *json_get_str(const json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

long long json_get_int(const json_t *obj, const char *key, long long def)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

int json_get_bool(const json_t *obj, const char *key, int def)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_boolean(v) ? json_is_true(v) : def;
}

char *json_to_string(const json_t *value)
{
    if (!value)
        return NULL;
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Whether ARRAY holds an element equal to VALUE. */
static int array_has(const json_t *array, const json_t *value)
{
    const json_t *element;
    size_t i;

    json_array_foreach(array, i, element) {
        if (json_equal(element, value))
            return 1;
    }
    return 0;
}

json_t *json_union_arrays(const json_t *old, const json_t *add)
{
    json_t *out = json_deep_copy(old);
    const json_t *value;
    const char *key;

    if (!json_is_object(out) || !json_is_object(add))
        return out;
    json_object_foreach((json_t *)add, key, value) {
        json_t *mine = json_object_get(out, key);
        const json_t *element;
        size_t i;

        if (!json_is_array(value) || (mine && !json_is_array(mine)))
            continue;
        if (!mine) {
            json_object_set_new(out, key, json_deep_copy(value));
            continue;
        }
        json_array_foreach(value, i, element) {
            if (!array_has(mine, element))
                json_array_append_new(mine, json_deep_copy(element));
        }
    }
    return out;
}
