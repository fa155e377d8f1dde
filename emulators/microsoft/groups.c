/* groups.c - Graph groups and teams: list (with $filter, e.g.
 * resourceProvisioningOptions/Any(x:x eq 'Team')), get, group members,
 * team members, joinedTeams, and groups delta with members@delta. */
#include "microsoft/ms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/ids.h"
#include "microsoft/auth.h"
#include "microsoft/graph.h"
#include "microsoft/repr.h"
#include "util/xmalloc.h"

#define GROUPS_DEFAULT_TOP 100
#define GROUPS_MAX_TOP 999
#define DELTA_PAGE 50

/* Offset-paged list of groups (TEAMS_ONLY: teams, as /teams). */
static void list_groups(struct ms *ms, struct http_req *req, int teams_only)
{
    struct ms_caller caller;
    struct ms_query q;
    struct ms_filter *filter = NULL;
    long long offset;
    char *next = NULL;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) ||
        ms_query_list(req, GROUPS_DEFAULT_TOP, GROUPS_MAX_TOP, &q, &filter, &offset))
        goto out;
    json_t *values = json_array();
    long long count = 0, seen = 0;
    ms_state_lock(ms->st);
    for (size_t i = 0; i < ms->st->groups.len; i++) {
        struct ms_group *g = ms->st->groups.items[i];
        if (teams_only && !g->is_team)
            continue;
        json_t *full = teams_only ? ms_repr_team(g) : ms_repr_group(g);
        if (!ms_filter_match(filter, full)) {
            json_decref(full);
            continue;
        }
        count++;
        if (seen++ < offset || next) {
            json_decref(full);
            continue;
        }
        if (json_array_size(values) == (size_t)q.top) {
            next = ms_token_encode(offset + q.top);
            json_decref(full);
            continue;
        }
        json_array_append_new(values, ms_select(full, q.select));
    }
    ms_state_unlock(ms->st);
    ms_reply_collection(ms, req, teams_only ? "teams" : "groups", values, q.count ? count : -1,
                        next);
out:
    free(next);
    ms_filter_free(filter);
}

static void on_groups(struct http_req *req, void *ctx)
{
    list_groups(ctx, req, 0);
}

static void on_teams(struct http_req *req, void *ctx)
{
    list_groups(ctx, req, 1);
}

static void get_group(struct ms *ms, struct http_req *req, int team)
{
    struct ms_caller caller;
    const char *id = http_req_param(req, "id");

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_group *g = ms_group_find(ms->st, id);
    json_t *body = (g && (!team || g->is_team)) ? (team ? ms_repr_team(g) : ms_repr_group(g)) : NULL;
    ms_state_unlock(ms->st);
    if (body)
        ms_reply_entity(ms, req, 200, team ? "teams" : "groups",
                        ms_select(body, http_req_query(req, "$select")));
    else
        ms_reply_not_found(req, id);
}

static void on_group(struct http_req *req, void *ctx)
{
    get_group(ctx, req, 0);
}

static void on_team(struct http_req *req, void *ctx)
{
    get_group(ctx, req, 1);
}

/* Members of a group (directoryObjects) or a team (conversationMembers),
 * offset-paged. */
static void list_members(struct ms *ms, struct http_req *req, int team)
{
    struct ms_caller caller;
    struct ms_query q;
    long long offset;
    char *next = NULL;
    const char *id = http_req_param(req, "id");

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller) ||
        ms_query_list(req, 100, GROUPS_MAX_TOP, &q, NULL, &offset))
        return;
    ms_state_lock(ms->st);
    struct ms_group *g = ms_group_find(ms->st, id);
    if (!g || (team && !g->is_team)) {
        ms_state_unlock(ms->st);
        ms_reply_not_found(req, id);
        return;
    }
    json_t *values = json_array();
    size_t total = g->members.len;
    for (size_t i = (size_t)offset; i < total && json_array_size(values) < (size_t)q.top; i++) {
        struct ms_user *u = g->members.items[i];
        json_array_append_new(values, team ? ms_repr_team_member(ms->st, g, u)
                                           : ms_select(ms_repr_member_object(u), q.select));
    }
    if ((size_t)offset + (size_t)q.top < total)
        next = ms_token_encode(offset + q.top);
    ms_state_unlock(ms->st);
    ms_reply_collection(ms, req, team ? "teams('x')/members" : "directoryObjects", values,
                        q.count ? (long long)total : -1, next);
    free(next);
}

static void on_group_members(struct http_req *req, void *ctx)
{
    list_members(ctx, req, 0);
}

static void on_team_members(struct http_req *req, void *ctx)
{
    list_members(ctx, req, 1);
}

static void on_joined_teams(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    const char *id = http_req_param(req, "id");

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    ms_state_lock(ms->st);
    struct ms_user *u = ms_user_find(ms->st, id);
    json_t *values = u ? json_array() : NULL;
    for (size_t i = 0; u && i < ms->st->groups.len; i++) {
        struct ms_group *g = ms->st->groups.items[i];
        if (g->is_team && ms_group_has_member(g, u))
            json_array_append_new(values, ms_repr_team(g));
    }
    ms_state_unlock(ms->st);
    if (values)
        ms_reply_collection(ms, req, "teams", values, -1, NULL);
    else
        ms_reply_not_found(req, id);
}

/* ---- delta ----
 * Tokens carry versions: a delta round started from version SINCE (0: full
 * sync) pages through groups changed after SINCE, DELTA_PAGE groups a page,
 * then ends with a deltaLink holding the version at which the round began. */

static json_t *member_delta(const struct ms_group *g, long long since)
{
    json_t *list = json_array();
    if (since == 0) {
        for (size_t i = 0; i < g->members.len; i++) {
            const struct ms_user *u = g->members.items[i];
            json_array_append_new(list, json_pack("{s:s, s:s}", "@odata.type",
                                                  "#microsoft.graph.user", "id", u->id));
        }
        return list;
    }
    /* Only the last change per user counts. */
    struct emu_map *last = emu_map_new();
    for (size_t i = 0; i < g->changes.len; i++) {
        struct ms_member_change *c = g->changes.items[i];
        if (c->version > since)
            emu_map_put(last, c->user_id, c);
    }
    for (size_t i = 0; i < g->changes.len; i++) {
        struct ms_member_change *c = g->changes.items[i];
        if (c->version <= since || emu_map_get(last, c->user_id) != c)
            continue;
        json_t *entry = json_pack("{s:s, s:s}", "@odata.type", "#microsoft.graph.user", "id",
                                  c->user_id);
        if (c->removed)
            json_object_set_new(entry, "@removed", json_pack("{s:s}", "reason", "deleted"));
        json_array_append_new(list, entry);
    }
    emu_map_free(last);
    return list;
}

/* A delta token: "since:offset:round", base64url. */
static char *delta_token(long long since, long long offset, long long round)
{
    char text[96];
    int n = snprintf(text, sizeof text, "d1:%lld:%lld:%lld", since, offset, round);
    return emu_ids_base64url((const unsigned char *)text, (size_t)n);
}

static int delta_parse(const char *token, long long *since, long long *offset, long long *round)
{
    size_t len = 0;
    unsigned char *raw = emu_ids_base64url_decode(token, &len);
    int ok = raw && sscanf((char *)raw, "d1:%lld:%lld:%lld", since, offset, round) == 3;
    free(raw);
    return ok ? 0 : -1;
}

/* GET /groups/delta: without a token a full round; $skiptoken continues a
 * round; $deltatoken starts a round of changes since the token's version. */
static void on_groups_delta(struct http_req *req, void *ctx)
{
    struct ms *ms = ctx;
    struct ms_caller caller;
    const char *skip = http_req_query(req, "$skiptoken");
    const char *delta = http_req_query(req, "$deltatoken");
    const char *token = skip ? skip : delta;
    long long since = 0, offset = 0, round = 0;

    if (ms_auth_check(ms, req, MS_ACCESS_ANY, &caller))
        return;
    if (token && delta_parse(token, &since, &offset, &round) != 0) {
        emu_reply_error(req, 410, "syncStateNotFound", "The delta token is not valid; resync.");
        return;
    }
    ms_state_lock(ms->st);
    if (!skip) {
        /* A new round: changes after the token's round, up to now. */
        since = delta ? round : 0;
        offset = 0;
        round = ms->st->version;
    }
    json_t *values = json_array();
    long long seen = 0;
    int more = 0;
    struct emu_vec *lists[] = {&ms->st->groups, &ms->st->deleted_groups};
    for (size_t l = 0; l < 2 && !more; l++) {
        for (size_t i = 0; i < lists[l]->len; i++) {
            struct ms_group *g = lists[l]->items[i];
            if (g->version <= since || (l == 1 && since == 0))
                continue;
            if (seen++ < offset)
                continue;
            if (json_array_size(values) == DELTA_PAGE) {
                more = 1;
                break;
            }
            json_t *obj = json_pack("{s:s, s:s, s:s?}", "id", g->id, "displayName",
                                    g->display_name, "description", g->description);
            if (l == 1)
                json_object_set_new(obj, "@removed", json_pack("{s:s}", "reason", "changed"));
            else
                json_object_set_new(obj, "members@delta", member_delta(g, since));
            json_array_append_new(values, obj);
        }
    }
    ms_state_unlock(ms->st);

    char *ctxurl = ms_graph_context(ms, "groups");
    char *next = more ? delta_token(since, offset + DELTA_PAGE, round) : delta_token(0, 0, round);
    char *link = xasprintf("%s/v1.0/groups/delta?%s=%s", emu_frame_origin(ms->frame),
                           more ? "$skiptoken" : "$deltatoken", next);
    json_t *body = json_pack("{s:s, s:s, s:o}", "@odata.context", ctxurl,
                             more ? "@odata.nextLink" : "@odata.deltaLink", link, "value", values);
    emu_reply_json(req, 200, body);
    free(link);
    free(next);
    free(ctxurl);
}

void ms_groups_routes(struct ms *ms)
{
    struct emu_frame *f = ms->frame;
    emu_frame_route(f, "GET", "/v1.0/groups", on_groups, ms);
    emu_frame_route(f, "GET", "/v1.0/groups/delta", on_groups_delta, ms);
    emu_frame_route(f, "GET", "/v1.0/groups/microsoft.graph.delta", on_groups_delta, ms);
    emu_frame_route(f, "GET", "/v1.0/groups/microsoft.graph.delta()", on_groups_delta, ms);
    emu_frame_route(f, "GET", "/v1.0/groups/:id", on_group, ms);
    emu_frame_route(f, "GET", "/v1.0/groups/:id/members", on_group_members, ms);
    emu_frame_route(f, "GET", "/v1.0/groups/:id/transitiveMembers", on_group_members, ms);
    emu_frame_route(f, "GET", "/v1.0/teams", on_teams, ms);
    emu_frame_route(f, "GET", "/v1.0/teams/:id", on_team, ms);
    emu_frame_route(f, "GET", "/v1.0/teams/:id/members", on_team_members, ms);
    emu_frame_route(f, "GET", "/v1.0/users/:id/joinedTeams", on_joined_teams, ms);
}
