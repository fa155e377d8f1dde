/* api.c - the connectors' shared plumbing: connection setup, base URLs, the
 * authorised JSON call (token, retries, one retry after a 401, error
 * mapping), the paged walk, and the naming and password rules of
 * secondary accounts (see api.h). */
#include "platform/api.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "net/url.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/json_scan.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char accept_json[] = "Accept: application/json";

enum parley_err platform_conn_init(struct platform_conn *c, enum platform_kind kind,
                                   const char *service, platform_describe_fn describe,
                                   const char *ca_file, struct platform_error *err)
{
    struct net_http_config cfg = { .ca_file = ca_file && *ca_file ? ca_file : NULL };

    c->kind = kind;
    c->service = service;
    c->describe = describe;
    c->http = net_http_client_new(&cfg);
    c->tokens = net_token_cache_new(NULL, NULL);
    if (!c->http || !c->tokens) {
        platform_error_set(err, PARLEY_ERR_NOMEM, 0, "%s: cannot start the HTTP client", service);
        return PARLEY_ERR_NOMEM;
    }
    return PARLEY_OK;
}

void platform_conn_fini(struct platform_conn *c)
{
    if (!c)
        return;
    net_http_client_free(c->http);
    net_token_cache_free(c->tokens);
    c->http = NULL;
    c->tokens = NULL;
}

enum parley_err platform_base_url(const char *name, const char *configured, const char *def,
                                  const char *suffix, char **out, struct platform_error *err)
{
    const char *base = configured && *configured ? configured : def;
    size_t len = strlen(base);
    char *why = NULL;
    enum parley_err rc;

    *out = NULL;
    while (len && base[len - 1] == '/')
        len--;
    *out = xasprintf("%.*s%s", (int)len, base, suffix);
    rc = net_url_check_transport(*out, &why);
    if (rc != PARLEY_OK) {
        platform_error_set(err, rc, 0, "%s: %s", name, why);
        free(*out);
        *out = NULL;
    }
    free(why);
    return rc;
}

const char *platform_transport_advice(enum parley_err code)
{
    switch (code) {
    case PARLEY_ERR_NETWORK:
        return " Check the URL and that this server can reach the host (DNS, firewall, proxy).";
    case PARLEY_ERR_TLS:
        return " The server's certificate is not trusted for this host name: check the "
               "connection's CA file (ca_file), or the system's CA store.";
    case PARLEY_ERR_TIMEOUT:
        return " The host did not answer in time; try again later.";
    default:
        return "";
    }
}

enum parley_err platform_api_token(struct platform_conn *c, const struct platform_call *call,
                                   char **token, struct platform_error *err)
{
    const struct platform_token *t = call->token;
    char *why = NULL;
    enum parley_err rc;

    rc = net_token_cache_get(c->tokens, t->key, t->fetch, t->ctx, token, &why);
    if (rc != PARLEY_OK) {
        const char *text = why ? why : parley_strerror(rc);
        const char *advice = platform_transport_advice(rc);
        size_t len = strlen(text);
        platform_error_set(err, rc, 0, "%s%s%s", text,
                           *advice && len && text[len - 1] != '.' ? "." : "", advice);
    }
    free(why);
    return rc;
}

json_t *platform_answer_json(const struct platform_answer *answer)
{
    json_t *doc = NULL;
    char *why = NULL;

    if (answer->body && answer->len &&
        json_parse(answer->body, answer->len, &doc, &why) == PARLEY_OK && !json_is_object(doc)) {
        json_decref(doc);
        doc = NULL;
    }
    free(why);
    return doc;
}

/* ERR for the non-2xx RESP to CALL, through the connector's table. */
static void describe(struct platform_conn *c, const struct platform_call *call,
                     const struct net_http_response *resp, struct platform_error *err)
{
    struct platform_answer answer = {
        .status = resp->status,
        .body = resp->body.data,
        .len = resp->body.len,
        .retry_after_ms = -1,
        .request_id = resp->request_id,
    };

    if (resp->retry_after &&
        net_retry_after_parse(resp->retry_after, clock_now_ms(), &answer.retry_after_ms) != PARLEY_OK)
        answer.retry_after_ms = -1;
    c->describe(&answer, call, err);
    log_warn("platform", "platform refused a call", "s:service", c->service, "s:call", call->what,
             "i:status", resp->status, "s:request_id", resp->request_id ? resp->request_id : "",
             "s:error", parley_errname(err->code));
}

/* The 2xx body of RESP as a JSON object into *out. */
static enum parley_err parse_object(struct platform_conn *c, const struct platform_call *call,
                                    const struct net_http_response *resp, json_t **out,
                                    struct platform_error *err)
{
    char *why = NULL;
    enum parley_err rc = json_parse(resp->body.data, resp->body.len, out, &why);

    if (rc == PARLEY_OK && !json_is_object(*out))
        rc = PARLEY_ERR_BAD_JSON;
    if (rc != PARLEY_OK) {
        json_decref(*out);
        *out = NULL;
        platform_error_set(err, PARLEY_ERR_PLATFORM, resp->status,
                           "%s answered the request to %s with something that is not a JSON "
                           "object (HTTP %d%s%s).", c->service, call->what, resp->status,
                           why ? ": " : "", why ? why : "");
        rc = PARLEY_ERR_PLATFORM;
    }
    free(why);
    return rc;
}

/* METHOD URL as CALL, with JSON_BODY (may be NULL): a token, the shared
 * retry policy, once more after a 401.
 * PARLEY_OK only for a 2xx answer, in *resp; anything else is in ERR.
 * The caller frees *resp either way. */
static enum parley_err api_call(struct platform_conn *c, const struct platform_call *call,
                                const char *method, const char *url, const char *json_body,
                                struct net_http_response *resp, struct platform_error *err)
{
    const char *const headers[] = { accept_json, call->header, NULL };
    struct net_http_request req = { .method = method, .url = url, .headers = headers };
    char *token = NULL;
    enum parley_err rc;

    if (json_body) {
        req.body = json_body;
        req.body_len = strlen(json_body);
        req.content_type = "application/json";
    }
    for (int attempt = 1;; attempt++) {
        rc = platform_api_token(c, call, &token, err);
        if (rc != PARLEY_OK)
            return rc;
        req.bearer = token;
        rc = net_retry_send(c->http, &c->retry, &req, resp);
        net_token_free_string(token);
        if (rc != PARLEY_OK) {
            platform_error_set(err, rc, 0, "Cannot %s: %s could not be reached: %s.%s", call->what,
                               c->service, resp->error ? resp->error : parley_strerror(rc),
                               platform_transport_advice(rc));
            return rc;
        }
        if (resp->status != 401 || attempt == 2)
            break;
        /* The token was revoked or expired early: fetch a new one, once. */
        net_token_cache_invalidate(c->tokens, call->token->key);
        net_http_response_free(resp);
    }
    if (resp->status < 200 || resp->status > 299) {
        describe(c, call, resp, err);
        return err->code ? err->code : PARLEY_ERR_PLATFORM;
    }
    return PARLEY_OK;
}

enum parley_err platform_api_send(struct platform_conn *c, const struct platform_call *call,
                                  const char *method, const char *url, const json_t *body,
                                  json_t **out, struct platform_error *err)
{
    struct net_http_response resp = { 0 };
    char *text = NULL;
    enum parley_err rc;

    if (out)
        *out = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT);
        if (!text) {
            platform_error_set(err, PARLEY_ERR_NOMEM, 0, "Cannot %s: the request body could not "
                               "be written.", call->what);
            return PARLEY_ERR_NOMEM;
        }
    }
    rc = api_call(c, call, method, url, text, &resp, err);
    if (rc == PARLEY_OK && out && resp.body.len)
        rc = parse_object(c, call, &resp, out, err);
    platform_secret_free(text);
    net_http_response_free(&resp);
    return rc;
}

enum parley_err platform_api_get(struct platform_conn *c, const struct platform_call *call,
                                 const char *url, json_t **out, struct platform_error *err)
{
    enum parley_err rc = platform_api_send(c, call, "GET", url, NULL, out, err);

    if (rc == PARLEY_OK && !*out) {
        /* A GET answers with a resource, never with nothing. */
        platform_error_set(err, PARLEY_ERR_PLATFORM, 0, "%s answered the request to %s with an "
                           "empty body.", c->service, call->what);
        rc = PARLEY_ERR_PLATFORM;
    }
    return rc;
}

/* ---- paged walks ---- */

struct walk;

/* How a walk reads a page's 2xx answer RESP into PAGE (on the pager's
 * fetch thread); it may take RESP's body. */
typedef enum parley_err (*page_read_fn)(struct walk *w, struct net_http_response *resp,
                                        struct net_paging_page *page);

/* The state of one walk, shared by the pager's callbacks.  The GETs run on
 * the pager's fetch thread while the page callback runs on the caller's,
 * so each side has its own error: a GET's lands in GET_ERR and reaches the
 * caller's ERR only when that GET is what ended the walk. */
struct walk {
    struct platform_conn *conn;
    const struct platform_call *call;
    enum net_paging_style style;
    page_read_fn read;
    platform_json_page_fn on_json;              /* JSON pages */
    const struct platform_people_walk *people;  /* pages of people */
    void *ctx;
    struct platform_error *err;
    struct platform_error get_err;
    int page_failed;                /* the page callback stopped the walk */
};

static enum parley_err on_get(void *ctx, const char *url, struct net_paging_page *page,
                              char **why)
{
    struct walk *w = ctx;
    struct net_http_response resp = { 0 };
    enum parley_err rc;

    *why = NULL;
    memset(&w->get_err, 0, sizeof w->get_err);
    rc = api_call(w->conn, w->call, "GET", url, NULL, &resp, &w->get_err);
    if (rc == PARLEY_OK)
        rc = w->read(w, &resp, page);
    net_http_response_free(&resp);
    return rc;
}

/* A page read as a JSON tree (page_read_fn). */
static enum parley_err read_json_page(struct walk *w, struct net_http_response *resp,
                                      struct net_paging_page *page)
{
    json_t *doc = NULL;
    enum parley_err rc = parse_object(w->conn, w->call, resp, &doc, &w->get_err);

    if (rc == PARLEY_OK) {
        page->data = doc;
        page->next = net_paging_next_of(w->style, doc);
    }
    return rc;
}

static void free_json_page(void *data)
{
    json_decref(data);
}

static enum parley_err on_json_page(struct walk *w, void *data)
{
    return w->on_json(w->ctx, data);
}

/* A page of people read straight from the answer's text: the people's
 * strings point into TEXT, which the page owns. */
struct people_page {
    char *text;
    struct platform_person *people;
    size_t count, cap;
};

static void free_people_page(void *data)
{
    struct people_page *pp = data;

    if (!pp)
        return;
    free(pp->text);
    free(pp->people);
    free(pp);
}

/* The items of the array at S into PP, through the connector's scan. */
static void scan_people(struct json_scan *s, const struct platform_people_walk *pw,
                        struct people_page *pp)
{
    json_scan_array(s);
    while (json_scan_element(s)) {
        struct platform_person person = { 0 };

        if (!json_scan_at_object(s)) {
            json_scan_skip(s);
            continue;
        }
        json_scan_object(s);
        if (!pw->scan(s, &person) || s->error)
            continue;
        if (pp->count == pp->cap) {
            pp->cap = pp->cap ? 2 * pp->cap : 64;
            pp->people = xrealloc(pp->people, pp->cap * sizeof *pp->people);
        }
        pp->people[pp->count++] = person;
    }
}

/* A page of people (page_read_fn): the listing's array, each item read by
 * the connector's scan, and where the next page is; the rest skipped. */
static enum parley_err read_people_page(struct walk *w, struct net_http_response *resp,
                                        struct net_paging_page *page)
{
    const char *next_key = w->style == NET_PAGING_ODATA ? "@odata.nextLink" : "nextPageToken";
    struct people_page *pp = xcalloc(1, sizeof *pp);
    struct json_scan s;
    const char *key, *next;

    pp->text = resp->body.data;         /* the page keeps the text its people point into */
    json_scan_init(&s, pp->text, resp->body.len);
    memset(&resp->body, 0, sizeof resp->body);
    if (json_scan_object(&s)) {
        while (json_scan_member(&s, &key)) {
            if (strcmp(key, w->people->array) == 0 && json_scan_at_array(&s)) {
                scan_people(&s, w->people, pp);
            } else if (strcmp(key, next_key) == 0) {
                next = json_scan_string(&s);
                free(page->next);
                page->next = next && *next ? xstrdup(next) : NULL;
            } else {
                json_scan_skip(&s);
            }
        }
    }
    if (!json_scan_finish(&s)) {
        platform_error_set(&w->get_err, PARLEY_ERR_PLATFORM, resp->status,
                           "%s answered the request to %s with something that is not valid JSON "
                           "(HTTP %d: %s at byte %zu).", w->conn->service, w->call->what,
                           resp->status, s.error, s.error_at);
        free_people_page(pp);
        free(page->next);
        page->next = NULL;
        return PARLEY_ERR_PLATFORM;
    }
    page->data = pp;
    return PARLEY_OK;
}

static enum parley_err on_people_page(struct walk *w, void *data)
{
    const struct people_page *pp = data;

    return pp->count ? w->people->fn(pp->people, pp->count, w->people->arg) : PARLEY_OK;
}

static enum parley_err on_page(void *ctx, void *data)
{
    struct walk *w = ctx;
    enum parley_err rc = w->people ? on_people_page(w, data) : on_json_page(w, data);

    w->page_failed = rc != PARLEY_OK;
    return rc;
}

/* Walk every page of FIRST_URL with W (reader and page callback set). */
static enum parley_err walk_run(struct walk *w, const char *first_url,
                                void (*free_data)(void *data))
{
    struct net_paging p = {
        .style = w->style, .first_url = first_url, .get = on_get, .on_page = on_page,
        .free_data = free_data, .ctx = w, .prefetch = 1,
    };
    struct platform_error *err = w->err;
    char *why = NULL;
    enum parley_err rc;

    memset(err, 0, sizeof *err);
    rc = net_paging_run(&p, &why);
    if (rc != PARLEY_OK && !w->page_failed && w->get_err.code != PARLEY_OK)
        *err = w->get_err;
    if (rc != PARLEY_OK && err->code == PARLEY_OK) {
        /* Neither the GET nor the page callback said why: the pager did. */
        if (why)
            platform_error_set(err, rc, 0, "Cannot %s: %s: %s.", w->call->what,
                               w->conn->service, why);
        else
            platform_error_set(err, rc, 0, "The listing to %s was stopped: %s.", w->call->what,
                               parley_strerror(rc));
    }
    free(why);
    return rc;
}

enum parley_err platform_api_list(struct platform_conn *c, const struct platform_call *call,
                                  enum net_paging_style style, const char *first_url,
                                  platform_json_page_fn page_fn, void *ctx,
                                  struct platform_error *err)
{
    struct walk w = { .conn = c, .call = call, .style = style, .read = read_json_page,
                      .on_json = page_fn, .ctx = ctx, .err = err };

    return walk_run(&w, first_url, free_json_page);
}

enum parley_err platform_api_list_people(struct platform_conn *c,
                                         const struct platform_call *call,
                                         enum net_paging_style style, const char *first_url,
                                         const struct platform_people_walk *people,
                                         struct platform_error *err)
{
    struct walk w = { .conn = c, .call = call, .style = style, .read = read_people_page,
                      .people = people, .err = err };

    return walk_run(&w, first_url, free_people_page);
}

/* ---- secondary accounts ---- */

#define NAME_HASH_HEX 8

static int name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Make NAME (lower case, LEN bytes) legal in place: each bad character
 * becomes '-', as does a '.' at either end or after another '.'.
 * Returns whether anything changed. */
static int name_sanitise(char *name, size_t len)
{
    int changed = 0;

    for (size_t i = 0; i < len; i++) {
        char *p = &name[i];
        if (!name_char_ok(*p) ||
            (*p == '.' && (i == 0 || i == len - 1 || name[i - 1] == '.'))) {
            *p = '-';
            changed = 1;
        }
    }
    return changed;
}

char *platform_account_name(const char *email)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    unsigned char hash[crypto_hash_sha256_BYTES];
    char *lower, *name;
    size_t len;

    if (!at || at == email || !at[1])
        return NULL;
    lower = xstrdup(email);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    name = xstrdup(lower);
    name[at - email] = '_';
    len = strlen(name);
    if (name_sanitise(name, len) || len > PLATFORM_ACCOUNT_NAME_MAX) {
        size_t keep = PLATFORM_ACCOUNT_NAME_MAX - 1 - NAME_HASH_HEX;
        char *cut;

        crypto_hash_sha256(hash, (const unsigned char *)lower, strlen(lower));
        if (len > keep)
            len = keep;
        while (len && name[len - 1] == '.')
            len--;
        cut = xasprintf("%.*s-%02x%02x%02x%02x", (int)len, name, hash[0], hash[1], hash[2],
                        hash[3]);
        free(name);
        name = cut;
    }
    free(lower);
    return name;
}

char *platform_random_password(void)
{
    static const char *const classes[] = {
        "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%+-.:=?@^_~",
    };
    enum { NCLASSES = sizeof classes / sizeof classes[0], LEN = 24 };
    char *pw = xmalloc(LEN + 1);

    if (sodium_init() < 0)          /* idempotent; only fails when no entropy source */
        abort();
    for (size_t i = 0; i < LEN; i++) {
        /* One character of each class first, then any class. */
        const char *set = classes[i < NCLASSES ? i : randombytes_uniform(NCLASSES)];
        pw[i] = set[randombytes_uniform((uint32_t)strlen(set))];
    }
    /* Shuffle (Fisher-Yates) so the classes' order gives nothing away. */
    for (size_t i = LEN - 1; i > 0; i--) {
        size_t j = randombytes_uniform((uint32_t)(i + 1));
        char t = pw[i];
        pw[i] = pw[j];
        pw[j] = t;
    }
    pw[LEN] = '\0';
    return pw;
}

size_t platform_utf8_prefix(const char *s, size_t max)
{
    size_t len = strlen(s);

    if (len <= max)
        return len;
    len = max;
    while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;                      /* s[len] continues a character: cut before it */
    return len;
}

void platform_secret_free(char *s)
{
    if (!s)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}
