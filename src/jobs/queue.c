/* queue.c - job queue semantics over the store: enqueue validation,
 * the retry-or-dead decision (see queue.h; the backoff is in backoff.c). */
#include "jobs/queue.h"

#include <jansson.h>
#include <sodium.h>

#include "util/clock.h"
#include "util/log.h"

static uint64_t random64(void)
{
    /* sodium_init is idempotent and thread-safe; randombytes needs it once. */
    if (sodium_init() < 0)
        return 0;
    return ((uint64_t)randombytes_random() << 32) | randombytes_random();
}

enum parley_err jobs_queue_enqueue(struct store *st, const struct store_job_new *spec,
                                   long long *id, int *created)
{
    json_t *payload;
    int is_object;

    if (spec && spec->payload_json) {
        payload = json_loads(spec->payload_json, JSON_REJECT_DUPLICATES, NULL);
        is_object = json_is_object(payload);
        json_decref(payload);
        if (!is_object)
            return PARLEY_ERR_BAD_JSON;
    }
    return store_job_enqueue(st, spec, clock_now_ms(), id, created);
}

enum parley_err jobs_queue_claim(struct store *st, const char *owner, long long lease_ms,
                                 const char *const *kinds, struct store_job *out)
{
    return store_job_claim(st, owner, clock_now_ms(), lease_ms, kinds, out);
}

enum parley_err jobs_queue_complete(struct store *st, const struct store_job *job,
                                    const char *result_json, enum store_job_state *left)
{
    if (!job || !job->lease_owner)
        return PARLEY_ERR_INVALID;
    return store_job_complete(st, job->id, job->lease_owner, result_json, clock_now_ms(), left);
}

enum parley_err jobs_queue_fail(struct store *st, const struct store_job *job, const char *error,
                                int permanent, long long retry_after_ms,
                                const struct jobs_backoff *backoff, long long *retry_in_ms,
                                enum store_job_state *left)
{
    long long now = clock_now_ms(), delay = -1;
    int dead;
    enum parley_err rc;

    if (!job || !job->lease_owner)
        return PARLEY_ERR_INVALID;
    dead = permanent || job->attempts >= job->max_attempts;
    if (!dead)
        delay = jobs_retry_delay_ms(job->attempts, backoff, retry_after_ms, random64());
    rc = store_job_fail(st, job->id, job->lease_owner, error, dead, dead ? 0 : now + delay, now,
                        left);
    if (retry_in_ms)
        *retry_in_ms = delay;
    return rc;
}

enum parley_err jobs_queue_release(struct store *st, const struct store_job *job,
                                   const char *reason)
{
    long long now = clock_now_ms();

    if (!job || !job->lease_owner)
        return PARLEY_ERR_INVALID;
    return store_job_fail(st, job->id, job->lease_owner, reason, 0, now, now, NULL);
}

enum parley_err jobs_queue_retry(struct store *st, long long id)
{
    enum parley_err rc = store_job_retry(st, id, clock_now_ms());

    if (rc == PARLEY_OK)
        log_info("jobs", "dead job queued again", "l:job", id);
    return rc;
}
