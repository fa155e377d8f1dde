/* people.c - GET /api/orgs/:org/people: the people imported into the org,
 * with their identities, sync status and secondary account, searched,
 * filtered, sorted and paged; and the person JSON and filter checks the
 * other people endpoints share (person.c, sync.c).
 *
 *   ?q=TEXT        name or email contains TEXT (case-insensitive)
 *   ?platform=P    people with a native account on P (microsoft, google)
 *   ?status=S      sync status (not_synced, pending, provisioning, synced,
 *                  error, unsyncing)
 *   ?sort=name|email
 *   ?limit=N       1-200, default 50
 *   ?after=CURSOR  the previous answer's "next": the page after it
 *
 * Paging is keyset (every page costs the same however deep), so there are
 * no page numbers: {"people": [...], "total": N, "next": "CURSOR" | null}.
 * The cursor is "ID.SORTKEY" and is meant to be passed back as it is. */
#include "api/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/route.h"
#include "http/server.h"
#include "store/store.h"
#include "util/xmalloc.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT     200

/* The API's names of the sync statuses, by enum store_sync_status. */
static const char *const status_names[STORE_SYNC_STATUS_COUNT] = {
    [STORE_SYNC_NOT_SYNCED] = "not_synced",   [STORE_SYNC_PENDING] = "pending",
    [STORE_SYNC_PROVISIONING] = "provisioning", [STORE_SYNC_SYNCED] = "synced",
    [STORE_SYNC_ERROR] = "error",             [STORE_SYNC_UNSYNCING] = "unsyncing",
};

struct page {
    json_t *people;
    enum store_people_sort sort;
    char *next;                /* cursor after the last person seen */
};

const char *api_sync_status_name(enum store_sync_status status)
{
    return (unsigned)status < STORE_SYNC_STATUS_COUNT ? status_names[status] : "not_synced";
}

enum store_sync_status api_person_status(const struct store_person *p)
{
    enum store_sync_status status = STORE_SYNC_NOT_SYNCED;
    if (store_sync_status_parse(p->sync_status, &status) != PARLEY_OK)
        status = STORE_SYNC_NOT_SYNCED;
    return status;
}

const struct store_identity *api_person_identity(const struct store_person *p,
                                                 const char *platform, int native)
{
    for (size_t i = 0; platform && i < p->identity_count; i++)
        if (strcmp(p->identities[i].platform, platform) == 0 &&
            (strcmp(p->identities[i].kind, "native") == 0) == native)
            return &p->identities[i];
    return NULL;
}

const struct store_identity *api_person_secondary(const struct store_person *p)
{
    const struct store_identity *any = NULL;

    /* The account on the platform that is not the primary one; while a
     * switch is under way, the old one left on the (new) primary platform. */
    for (size_t i = 0; i < p->identity_count; i++) {
        const struct store_identity *id = &p->identities[i];
        if (strcmp(id->kind, "native") == 0)
            continue;
        if (!p->primary_platform || strcmp(id->platform, p->primary_platform) != 0)
            return id;
        if (!any)
            any = id;
    }
    return any;
}

static json_t *identity_json(const struct store_identity *i)
{
    return json_pack("{ss ss ss ss? ss}", "platform", i->platform, "kind", i->kind, "external_id",
                     i->external_id, "email", i->email, "state", i->state);
}

static json_t *secondary_json(const struct store_person *p)
{
    const struct store_identity *i = api_person_secondary(p);
    if (!i)
        return json_null();
    return json_pack("{ss ss ss ss? ss}", "platform", i->platform, "kind", i->kind, "external_id",
                     i->external_id, "login", i->email, "state", i->state);
}

/* The platforms the person has a native account on, in a fixed order. */
static json_t *native_platforms(const struct store_person *p)
{
    static const char *const order[] = { "microsoft", "google" };
    json_t *out = json_array();
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        if (api_person_identity(p, order[k], 1))
            json_array_append_new(out, json_string(order[k]));
    return out;
}

json_t *api_person_json(const struct store_person *p)
{
    json_t *identities = json_array();

    for (size_t i = 0; i < p->identity_count; i++)
        json_array_append_new(identities, identity_json(&p->identities[i]));
    return json_pack("{sI ss ss ss? ss? ss? ss ss? so so so sI sI}", "id", (json_int_t)p->id,
                     "email", p->email, "display_name", p->display_name, "given_name",
                     p->given_name, "family_name", p->family_name, "primary_platform",
                     p->primary_platform, "sync_status", api_sync_status_name(api_person_status(p)),
                     "status_reason", p->status_reason, "platforms", native_platforms(p),
                     "secondary", secondary_json(p), "identities", identities, "created_at",
                     (json_int_t)p->created_at, "updated_at", (json_int_t)p->updated_at);
}

static enum parley_err on_person(const struct store_person *p, void *arg)
{
    struct page *page = arg;

    json_array_append_new(page->people, api_person_json(p));
    free(page->next);
    page->next = xasprintf("%lld.%s", p->id,
                           page->sort == STORE_PEOPLE_BY_EMAIL ? p->email : p->display_name);
    return PARLEY_OK;
}

/* Split CURSOR "ID.KEY" into q->after_id and q->after_key (pointing into
 * CURSOR); -1 when malformed. */
static int parse_cursor(const char *cursor, struct store_people_query *q)
{
    char *end;
    errno = 0;
    long long id = strtoll(cursor, &end, 10);
    if (errno || id <= 0 || *end != '.')
        return -1;
    q->after_id = id;
    q->after_key = end + 1;
    return 0;
}

int api_people_filter(struct http_req *req, const char *search, const char *platform,
                      const char *status, struct store_people_query *q)
{
    enum platform_kind kind;
    enum store_sync_status st;

    q->search = search && *search ? search : NULL;
    q->platform = NULL;
    q->sync_status = NULL;
    if (platform && *platform) {
        if (platform_kind_parse(platform, &kind) != 0) {
            http_reply_error(req, 400, "invalid", "platform must be microsoft or google");
            return -1;
        }
        q->platform = platform_kind_name(kind);
    }
    if (status && *status) {
        if (store_sync_status_parse(status, &st) != PARLEY_OK) {
            http_reply_error(req, 400, "invalid",
                             "status must be not_synced, pending, provisioning, synced, error "
                             "or unsyncing");
            return -1;
        }
        q->sync_status = store_sync_status_name(st);    /* the stored name */
    }
    return 0;
}

const char *api_primary_platform(struct http_req *req, const json_t *body)
{
    const char *name = json_string_value(json_object_get(body, "primary_platform"));
    enum platform_kind kind;

    if (!name || platform_kind_parse(name, &kind) != 0) {
        http_reply_error(req, 400, "invalid", "primary_platform must be microsoft or google");
        return NULL;
    }
    return platform_kind_name(kind);
}

/* Fill Q from the query string; answers 400 and returns -1 on a bad value. */
static int read_query(struct http_req *req, struct api_ctx *ctx, struct store_people_query *q)
{
    const char *sort = http_req_query(req, "sort");
    const char *after = http_req_query(req, "after");
    long long limit;

    if (api_query_int(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, &limit) ||
        api_people_filter(req, http_req_query(req, "q"), http_req_query(req, "platform"),
                          http_req_query(req, "status"), q))
        return -1;
    q->org_id = ctx->org_id;
    q->limit = (int)limit;
    if (sort && *sort && strcmp(sort, "name") != 0 && strcmp(sort, "email") != 0) {
        http_reply_error(req, 400, "invalid", "sort must be name or email");
        return -1;
    }
    q->sort = sort && strcmp(sort, "email") == 0 ? STORE_PEOPLE_BY_EMAIL : STORE_PEOPLE_BY_NAME;
    if (after && *after && parse_cursor(after, q)) {
        http_reply_error(req, 400, "invalid", "after must be the \"next\" of a previous answer");
        return -1;
    }
    return 0;
}

static void on_list(struct http_req *req, struct api_ctx *ctx)
{
    struct store_people_query q = { 0 };
    struct page page = { json_array(), STORE_PEOPLE_BY_NAME, NULL };
    long long total = 0;
    enum parley_err err;

    if (read_query(req, ctx, &q))
        goto out;
    page.sort = q.sort;
    if ((err = store_people_count(ctx->store, &q, &total)) ||
        (err = store_people_list(ctx->store, &q, on_person, &page))) {
        api_reply_err(req, err);
        goto out;
    }
    /* A full page may have more behind it. */
    int full = json_array_size(page.people) == (size_t)q.limit;
    http_reply_json(req, 200, json_pack("{sO sI ss?}", "people", page.people, "total",
                                        (json_int_t)total, "next", full ? page.next : NULL));

out:
    free(page.next);
    json_decref(page.people);
}

void api_people_register(struct api *api, struct http_router *router)
{
    api_route(api, router, "GET", "/api/orgs/:org/people", on_list, AUTH_ROLE_VIEWER);
}
