/* request.h - what an admin asks of user sync, for one person or many:
 * choose the primary platform, sync, unsync (see docs/sync.md).
 *
 * Each request moves the chosen people's statuses (pending, unsyncing) and
 * enqueues one job per person ("sync.provision" / "sync.unsync", dedup key
 * "sync:PERSON", payload {"person_id", "requested_by"}), in batches of
 * SYNC_REQUEST_BATCH people per store transaction, so 10,000 people take
 * twenty commits; idle workers are woken after each batch.  People the
 * request does not apply to are skipped and counted.
 *
 *   long long ids[] = { 12, 13 };
 *   struct sync_selection sel = { .org_id = org, .ids = ids, .count = 2 };
 *   sync_request_sync(st, pool, &sel, "admin:a@x", &counts);
 *
 *   struct store_people_query q = { .org_id = org, .sync_status = "imported" };
 *   sel = (struct sync_selection){ .org_id = org, .filter = &q };   // everyone matching
 *   sync_request_primary(st, pool, &sel, "google", "admin:a@x", &counts); */
#ifndef PARLEY_SYNC_REQUEST_H
#define PARLEY_SYNC_REQUEST_H

#include <stddef.h>

#include "store/store.h"
#include "util/err.h"

struct jobs_pool;

#define SYNC_REQUEST_BATCH 500

/* Which people: the IDS (COUNT of them) or, when IDS is NULL, everyone
 * matching FILTER (its org, search, platform, status and team; its sort
 * and paging are ignored).  All borrowed. */
struct sync_selection {
    long long org_id;
    const long long *ids;
    size_t count;
    const struct store_people_query *filter;
};

struct sync_request_counts {
    long long selected;        /* people looked at */
    long long changed;         /* people the request applied to */
    long long skipped;         /* not applicable (see each request) */
    long long jobs;            /* jobs enqueued (a live job of the person counts too) */
};

/* Sync: the person goes to pending and a provision job is enqueued.
 * Applies to the not synced, errors (the admin's retry), unsyncing (the
 * unsync is called off) and pending or provisioning (the job is enqueued
 * again if it was lost).  Skipped: already synced, no primary platform, or
 * no account of their own on the primary platform.  POOL (may be NULL) is
 * woken; ACTOR is recorded, e.g. "admin:a@x". */
enum parley_err sync_request_sync(struct store *st, struct jobs_pool *pool,
                                  const struct sync_selection *sel, const char *actor,
                                  struct sync_request_counts *out);
/* Unsync: the person goes to unsyncing and an unsync job is enqueued.
 * Skipped: not synced. */
enum parley_err sync_request_unsync(struct store *st, struct jobs_pool *pool,
                                    const struct sync_selection *sel, const char *actor,
                                    struct sync_request_counts *out);
/* Set the primary platform ("microsoft" or "google").  For a person synced
 * or on the way (pending, provisioning) whose primary changes, this is a
 * switch: pending again, and the provision job removes the old secondary
 * account and makes the new one.  Skipped: no account of their own on
 * PLATFORM, or already so. */
enum parley_err sync_request_primary(struct store *st, struct jobs_pool *pool,
                                     const struct sync_selection *sel, const char *platform,
                                     const char *actor, struct sync_request_counts *out);

#endif
