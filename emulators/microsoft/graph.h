/* graph.h - Graph's wire conventions shared by the handlers: error bodies,
 * OData query options ($top, $select, $filter, $count, $skiptoken), absolute
 * links on the emulator's origin, collection replies with @odata.context and
 * @odata.nextLink. */
#ifndef EMU_MICROSOFT_GRAPH_H
#define EMU_MICROSOFT_GRAPH_H

#include <jansson.h>

#include "http/server.h"
#include "microsoft/ms.h"

/* The frame's error formatter: Graph's {"error":{code, message, innerError}}. */
json_t *ms_graph_error_body(struct http_req *req, int status, const char *code,
                            const char *message, void *plat);

/* The OData options of a request. */
struct ms_query {
    int top;                     /* page size (default and maximum per collection) */
    const char *select;          /* NULL: the default property set */
    const char *filter;
    const char *skiptoken;
    int count;                   /* $count=true */
};

/* Read the options; DEF_TOP / MAX_TOP bound $top.  Answers 400 and returns -1
 * on a bad value. */
int ms_query_parse(struct http_req *req, int def_top, int max_top, struct ms_query *q);
/* $count=true needs ConsistencyLevel: eventual on directory objects; answers
 * 400 Request_UnsupportedQuery and returns -1 when it is missing. */
int ms_query_need_eventual(struct http_req *req, const struct ms_query *q);

struct ms_filter;
/* The options of a list of directory objects: ms_query_parse, then
 * ConsistencyLevel for $count, then (with FILTER) the $filter compiled into
 * *FILTER, then the $skiptoken's value into *AFTER (0 without one).  Answers
 * 400 and returns -1 at the first that fails. */
int ms_query_list(struct http_req *req, int def_top, int max_top, struct ms_query *q,
                  struct ms_filter **filter, long long *after);

/* Reply 404 Request_ResourceNotFound naming ID, as Graph does for an unknown
 * user or group. */
void ms_reply_not_found(struct http_req *req, const char *id);

/* A compiled $filter: a conjunction of `prop eq 'v'`, `prop eq true|false`,
 * `startswith(prop,'v')` and `resourceProvisioningOptions/Any(x:x eq 'Team')`. */
/* NULL or blank TEXT gives *OUT NULL: a filter that matches everything (every
 * ms_filter_* function takes NULL).  Answers 400 and returns -1 on syntax
 * Graph would refuse or the emulator does not support. */
int ms_filter_compile(struct http_req *req, const char *text, struct ms_filter **out);
int ms_filter_match(const struct ms_filter *f, const json_t *obj);
/* When the filter is a single `eq` on PROP, its value (borrowed); else NULL. */
const char *ms_filter_eq_value(const struct ms_filter *f, const char *prop);
void ms_filter_free(struct ms_filter *f);

/* Keep only the $select-ed properties of OBJ (plus "@odata.type"); steals OBJ.
 * SELECT NULL: OBJ unchanged. */
json_t *ms_select(json_t *obj, const char *select);

/* origin + "/v1.0" + PATH ("/users?..."); the caller frees it. */
char *ms_graph_url(struct ms *ms, const char *path);
/* "<origin>/v1.0/$metadata#" + WHAT; the caller frees it. */
char *ms_graph_context(struct ms *ms, const char *what);

/* Reply 200 {"@odata.context", ["@odata.count"], "value", ["@odata.nextLink"]}.
 * VALUES is stolen; COUNT < 0 omits the count; NEXT_TOKEN NULL omits the link,
 * else the link repeats the request's path and options with this $skiptoken. */
void ms_reply_collection(struct ms *ms, struct http_req *req, const char *context, json_t *values,
                         long long count, const char *next_token);
/* The same with VALUES already serialised: LEN bytes of a JSON array (borrowed). */
void ms_reply_collection_text(struct ms *ms, struct http_req *req, const char *context,
                              const char *values, size_t len, long long count,
                              const char *next_token);
/* Reply STATUS with an entity body, adding "@odata.context": <...>#WHAT/$entity. */
void ms_reply_entity(struct ms *ms, struct http_req *req, int status, const char *what,
                     json_t *entity);

/* Opaque paging tokens around one integer (a sequence number or an offset). */
char *ms_token_encode(long long value);
int ms_token_decode(const char *token, long long *value);

/* The JSON body as an object; answers 400 and returns NULL otherwise. */
json_t *ms_body_object(struct http_req *req);

#endif
