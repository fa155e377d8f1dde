/* json_scan.h - a pull scanner over JSON text, for the large documents
 * Parley reads field by field (pages of hundreds of people): no tree, no
 * allocation, strings unescaped in place.  Everything else uses jansson
 * (util/json.h); this is the fast path for listings, with the same rules:
 * RFC 8259 grammar, UTF-8 checked, no NUL (also not as \u0000), nesting at
 * most JSON_MAX_DEPTH, duplicate keys allowed (the caller sees each).
 *
 *   struct json_scan s;
 *   json_scan_init(&s, text, len);            // TEXT is modified in place
 *   if (json_scan_object(&s))
 *       while (json_scan_member(&s, &key)) {
 *           if (strcmp(key, "id") == 0) id = json_scan_string(&s);
 *           else json_scan_skip(&s);          // every value is consumed once
 *       }
 *   if (!json_scan_finish(&s)) ... s.error, s.error_at ...
 *
 * Errors are sticky: after the first one every call does nothing and
 * returns 0 / NULL, so a reader checks once, at the end.  Strings returned
 * point into TEXT (NUL-terminated there) and live as long as it does. */
#ifndef PARLEY_UTIL_JSON_SCAN_H
#define PARLEY_UTIL_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct json_scan {
    char *p;                /* the next byte to read */
    char *end;
    char *start;
    int depth;              /* objects and arrays entered */
    uint64_t first;         /* bit depth-1: nothing read yet in that container */
    const char *error;      /* static text; NULL while the text is well-formed */
    size_t error_at;        /* byte offset of the error */
};

/* Scan TEXT (LEN bytes; it need not be NUL-terminated). */
void json_scan_init(struct json_scan *s, char *text, size_t len);

/* Enter the object that must come next: 1, or 0 (an error). */
int json_scan_object(struct json_scan *s);
/* The next member of the object entered last: 1 with its key in *key,
 * positioned at its value (which the caller must consume); 0 when the
 * object has ended (it is left) or on an error. */
int json_scan_member(struct json_scan *s, const char **key);

/* Enter the array that must come next: 1, or 0 (an error). */
int json_scan_array(struct json_scan *s);
/* 1 when another element follows (positioned at it, to be consumed); 0
 * when the array has ended (it is left) or on an error. */
int json_scan_element(struct json_scan *s);

/* Whether the value that comes next is an object / an array / a string. */
int json_scan_at_object(struct json_scan *s);
int json_scan_at_array(struct json_scan *s);

/* The string value that comes next; any other value is skipped and gives
 * NULL (as json_get_str does). */
const char *json_scan_string(struct json_scan *s);
/* The boolean value that comes next; any other value is skipped and gives DEF. */
int json_scan_bool(struct json_scan *s, int def);
/* Skip the value that comes next, whatever it is (checked all the same). */
void json_scan_skip(struct json_scan *s);

/* The document is over: only white space may follow.  1 when the whole
 * text was well-formed, 0 with s->error otherwise. */
int json_scan_finish(struct json_scan *s);

#endif
