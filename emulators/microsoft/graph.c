/* graph.c - Graph's shared wire conventions (see graph.h). */
#include "microsoft/graph.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frame/ids.h"
#include "frame/jsontext.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/url.h"
#include "util/xmalloc.h"

/* ---- errors ---- */

/* Graph's code for a status when the caller gave a frame-level code. */
static const char *code_for_status(int status)
{
    switch (status) {
    case 400: return "BadRequest";
    case 401: return "InvalidAuthenticationToken";
    case 403: return "Forbidden";
    case 404: return "itemNotFound";
    case 405: return "BadRequest";
    case 409: return "Conflict";
    case 413: return "RequestEntityTooLarge";
    case 429: return "TooManyRequests";
    case 502: return "BadGateway";
    case 503: return "serviceNotAvailable";
    case 504: return "GatewayTimeout";
    default: return status >= 500 ? "generalException" : "invalidRequest";
    }
}

/* Frame and server codes are all lower case ("not_found", "bad_json");
 * Graph's never are ("itemNotFound", "Request_BadRequest"). */
static int is_frame_code(const char *code)
{
    if (!code)
        return 1;
    for (const char *p = code; *p; p++)
        if (isupper((unsigned char)*p))
            return 0;
    return 1;
}

json_t *ms_graph_error_body(struct http_req *req, int status, const char *code,
                            const char *message, void *plat)
{
    char date[32];
    (void)plat;
    emu_ids_time_iso(clock_now_ms(), date);
    date[19] = '\0';                 /* Graph's innerError.date has no fraction */
    if (is_frame_code(code))
        code = code_for_status(status);
    const char *client_id = emu_req_client_id(req);
    json_t *inner = json_pack("{s:s, s:s, s:s}", "date", date, "request-id", emu_req_id(req),
                              "client-request-id", client_id ? client_id : emu_req_id(req));
    if (status == 429) {
        json_object_set_new(inner, "code", json_string("429"));
        json_object_set_new(inner, "status", json_string("429"));
        json_object_set_new(inner, "message", json_string("Please retry after"));
    }
    return json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message",
                     message ? message : "", "innerError", inner);
}

/* ---- query options ---- */

int ms_query_parse(struct http_req *req, int def_top, int max_top, struct ms_query *q)
{
    const char *top = http_req_query(req, "$top");
    const char *count = http_req_query(req, "$count");

    memset(q, 0, sizeof *q);
    q->top = def_top;
    if (top) {
        char *end = NULL;
        long v = strtol(top, &end, 10);
        if (!*top || *end || v < 1 || v > max_top) {
            char msg[96];
            snprintf(msg, sizeof msg, "Invalid value for $top: expected 1 to %d.", max_top);
            emu_reply_error(req, 400, "Request_BadRequest", msg);
            return -1;
        }
        q->top = (int)v;
    }
    q->select = http_req_query(req, "$select");
    q->filter = http_req_query(req, "$filter");
    q->skiptoken = http_req_query(req, "$skiptoken");
    if (count && strcasecmp(count, "true") != 0 && strcasecmp(count, "false") != 0) {
        emu_reply_error(req, 400, "Request_BadRequest", "Invalid value for $count.");
        return -1;
    }
    q->count = count && strcasecmp(count, "true") == 0;
    return 0;
}

int ms_query_need_eventual(struct http_req *req, const struct ms_query *q)
{
    const char *level = http_req_header(req, "ConsistencyLevel");
    if (!q->count || (level && strcasecmp(level, "eventual") == 0))
        return 0;
    emu_reply_error(req, 400, "Request_UnsupportedQuery",
                    "Count is not supported without the ConsistencyLevel:eventual header.");
    return -1;
}

int ms_query_list(struct http_req *req, int def_top, int max_top, struct ms_query *q,
                  struct ms_filter **filter, long long *after)
{
    *after = 0;
    if (ms_query_parse(req, def_top, max_top, q) || ms_query_need_eventual(req, q) ||
        (filter && ms_filter_compile(req, q->filter, filter)))
        return -1;
    if (q->skiptoken && ms_token_decode(q->skiptoken, after) != 0) {
        emu_reply_error(req, 400, "Request_BadRequest", "The $skiptoken is malformed.");
        return -1;
    }
    return 0;
}

void ms_reply_not_found(struct http_req *req, const char *id)
{
    char *msg = xasprintf("Resource '%s' does not exist or one of its queried reference-property "
                          "objects are not present.", id);
    emu_reply_error(req, 404, "Request_ResourceNotFound", msg);
    free(msg);
}

/* ---- $filter ---- */

enum clause_kind { CLAUSE_EQ_STR, CLAUSE_EQ_BOOL, CLAUSE_STARTSWITH, CLAUSE_ANY_EQ };

struct clause {
    enum clause_kind kind;
    char *prop;
    char *value;
    int bool_value;
};

struct ms_filter {
    struct clause clauses[8];
    int n;
};

void ms_filter_free(struct ms_filter *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++) {
        free(f->clauses[i].prop);
        free(f->clauses[i].value);
    }
    free(f);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/* A property name: letters, digits, '.', '_' */
static char *parse_name(const char **pp)
{
    const char *p = *pp, *start = p;
    while (isalnum((unsigned char)*p) || *p == '.' || *p == '_')
        p++;
    if (p == start)
        return NULL;
    *pp = p;
    return xstrndup(start, (size_t)(p - start));
}

/* A quoted literal 'it''s'. */
static char *parse_literal(const char **pp)
{
    const char *p = *pp;
    struct buf b = BUF_INIT;
    if (*p != '\'')
        return NULL;
    for (p++;; p++) {
        if (!*p) {
            buf_free(&b);
            return NULL;
        }
        if (*p == '\'') {
            if (p[1] != '\'')
                break;
            p++;
        }
        buf_append(&b, p, 1);
    }
    *pp = p + 1;
    return buf_steal(&b);
}

static int parse_clause(const char **pp, struct clause *c)
{
    const char *p = skip_ws(*pp);

    if (strncasecmp(p, "startswith(", 11) == 0) {
        p += 11;
        c->kind = CLAUSE_STARTSWITH;
        if (!(c->prop = parse_name(&p)))
            return -1;
        p = skip_ws(p);
        if (*p++ != ',')
            return -1;
        p = skip_ws(p);
        if (!(c->value = parse_literal(&p)))
            return -1;
        p = skip_ws(p);
        if (*p++ != ')')
            return -1;
    } else {
        if (!(c->prop = parse_name(&p)))
            return -1;
        if (strncasecmp(p, "/any(x:x eq ", 12) == 0) {
            p += 12;
            c->kind = CLAUSE_ANY_EQ;
            if (!(c->value = parse_literal(&p)) || *p++ != ')')
                return -1;
        } else {
            p = skip_ws(p);
            if (strncasecmp(p, "eq ", 3) != 0)
                return -1;
            p = skip_ws(p + 3);
            if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
                c->kind = CLAUSE_EQ_BOOL;
                c->bool_value = *p == 't';
                p += c->bool_value ? 4 : 5;
            } else {
                c->kind = CLAUSE_EQ_STR;
                if (!(c->value = parse_literal(&p)))
                    return -1;
            }
        }
    }
    *pp = skip_ws(p);
    return 0;
}

int ms_filter_compile(struct http_req *req, const char *text, struct ms_filter **out)
{
    struct ms_filter *f = xcalloc(1, sizeof *f);
    const char *p = text;

    *out = NULL;
    while (p && *skip_ws(p)) {
        if (f->n == 8 || parse_clause(&p, &f->clauses[f->n++]) != 0)
            goto bad;
        if (*p && strncasecmp(p, "and ", 4) != 0)
            goto bad;
        if (*p)
            p += 4;
    }
    if (f->n)
        *out = f;
    else            /* no clause: NULL, which every ms_filter_* takes as "match all" */
        ms_filter_free(f);
    return 0;
bad:
    ms_filter_free(f);
    emu_reply_error(req, 400, "Request_UnsupportedQuery",
                    "Unsupported or invalid query filter clause specified.");
    return -1;
}

static int clause_match(const struct clause *c, const json_t *obj)
{
    const json_t *v = json_object_get(obj, c->prop);
    switch (c->kind) {
    case CLAUSE_EQ_BOOL:
        return json_is_boolean(v) && json_is_true(v) == c->bool_value;
    case CLAUSE_EQ_STR:
        return json_is_string(v) && strcasecmp(json_string_value(v), c->value) == 0;
    case CLAUSE_STARTSWITH:
        return json_is_string(v) &&
               strncasecmp(json_string_value(v), c->value, strlen(c->value)) == 0;
    case CLAUSE_ANY_EQ: {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
            if (json_is_string(item) && strcasecmp(json_string_value(item), c->value) == 0)
                return 1;
        return 0;
    }
    }
    return 0;
}

int ms_filter_match(const struct ms_filter *f, const json_t *obj)
{
    for (int i = 0; f && i < f->n; i++)
        if (!clause_match(&f->clauses[i], obj))
            return 0;
    return 1;
}

const char *ms_filter_eq_value(const struct ms_filter *f, const char *prop)
{
    if (!f || f->n != 1 || f->clauses[0].kind != CLAUSE_EQ_STR ||
        strcasecmp(f->clauses[0].prop, prop) != 0)
        return NULL;
    return f->clauses[0].value;
}

/* ---- $select ---- */

json_t *ms_select(json_t *obj, const char *select)
{
    if (!select || !*select)
        return obj;
    json_t *out = json_object();
    json_t *type = json_object_get(obj, "@odata.type");
    if (type)
        json_object_set(out, "@odata.type", type);
    char *list = xstrdup(select);
    char *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ')
            name++;
        const char *key;
        json_t *value;
        json_object_foreach(obj, key, value) {
            if (strcasecmp(key, name) == 0)
                json_object_set(out, key, value);
        }
    }
    free(list);
    json_decref(obj);
    return out;
}

/* ---- links and replies ---- */

char *ms_graph_url(struct ms *ms, const char *path)
{
    return xasprintf("%s/v1.0%s", emu_frame_origin(ms->frame), path);
}

char *ms_graph_context(struct ms *ms, const char *what)
{
    return xasprintf("%s/v1.0/$metadata#%s", emu_frame_origin(ms->frame), what);
}

static void append_escaped(struct buf *b, const char *s)
{
    url_encode(b, s, URL_UNRESERVED "$,:@/()'");
}

static char *next_link(struct ms *ms, struct http_req *req, const char *token)
{
    static const char *const carried[] = {"$top", "$select", "$filter", "$count", "$expand",
                                          "$orderby", NULL};
    struct buf b = BUF_INIT;
    char sep = '?';

    buf_printf(&b, "%s", emu_frame_origin(ms->frame));
    append_escaped(&b, http_req_path(req));
    for (size_t i = 0; carried[i]; i++) {
        const char *v = http_req_query(req, carried[i]);
        if (!v)
            continue;
        buf_printf(&b, "%c%s=", sep, carried[i]);
        append_escaped(&b, v);
        sep = '&';
    }
    buf_printf(&b, "%c$skiptoken=", sep);
    append_escaped(&b, token);
    return buf_steal(&b);
}

void ms_reply_collection_text(struct ms *ms, struct http_req *req, const char *context,
                              const char *values, size_t len, long long count,
                              const char *next_token)
{
    char *ctx = ms_graph_context(ms, context);
    struct buf b = BUF_INIT;

    buf_puts(&b, "{");
    emu_jsontext_key(&b, "@odata.context");
    emu_jsontext_string(&b, ctx);
    if (count >= 0)
        buf_printf(&b, ",\"@odata.count\":%lld", count);
    if (next_token) {
        char *link = next_link(ms, req, next_token);
        buf_puts(&b, ",");
        emu_jsontext_key(&b, "@odata.nextLink");
        emu_jsontext_string(&b, link);
        free(link);
    }
    buf_puts(&b, ",");
    emu_jsontext_key(&b, "value");
    buf_append(&b, values, len);
    buf_puts(&b, "}");
    emu_reply_json_text(req, 200, b.data, b.len);
    buf_free(&b);
    free(ctx);
}

void ms_reply_collection(struct ms *ms, struct http_req *req, const char *context, json_t *values,
                         long long count, const char *next_token)
{
    char *text = json_to_string(values);
    if (text)
        ms_reply_collection_text(ms, req, context, text, strlen(text), count, next_token);
    else            /* only an unserialisable value (a NaN) gets here */
        emu_reply_error(req, 500, "internal", "The reply could not be serialised.");
    free(text);
    json_decref(values);
}

void ms_reply_entity(struct ms *ms, struct http_req *req, int status, const char *what,
                     json_t *entity)
{
    char *entity_what = xasprintf("%s/$entity", what);
    char *ctx = ms_graph_context(ms, entity_what);
    json_object_set_new(entity, "@odata.context", json_string(ctx));
    free(ctx);
    free(entity_what);
    emu_reply_json(req, status, entity);
}

char *ms_token_encode(long long value)
{
    char text[48];
    int n = snprintf(text, sizeof text, "emu1:%lld", value);
    return emu_ids_base64url((const unsigned char *)text, (size_t)n);
}

int ms_token_decode(const char *token, long long *value)
{
    size_t len = 0;
    unsigned char *raw = emu_ids_base64url_decode(token, &len);
    char *end = NULL;
    int rc = -1;
    if (raw && strncmp((char *)raw, "emu1:", 5) == 0) {
        *value = strtoll((char *)raw + 5, &end, 10);
        rc = (end && *end == '\0') ? 0 : -1;
    }
    free(raw);
    return rc;
}

json_t *ms_body_object(struct http_req *req)
{
    json_t *body = NULL;
    const char *why = NULL;
    if (http_req_json(req, &body, &why) != PARLEY_OK) {
        emu_reply_error(req, 400, "BadRequest", why ? why : "Invalid JSON body.");
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        emu_reply_error(req, 400, "BadRequest", "The request body must be a JSON object.");
        return NULL;
    }
    return body;
}
