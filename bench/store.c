/* store.c - the store alone: how fast SQLite takes the writes an import
 * makes, with no network, no JSON and no other thread.  The same calls an
 * import's writer makes per person (store_person_upsert, store_identity_upsert
 * and, for a team, store_team_member_upsert), in transactions of up to
 * GROUP people on a connection marked store_bulk_writer, on a fresh database:
 *
 *   google shape      people + identities, all new; then all unchanged
 *   microsoft shape   the same in a second org, each person a member of
 *                     one of 10 teams
 *
 * The rates printed are a ceiling for bench/import: the hub cannot import
 * faster than its store writes, so hub/emulator can be at most
 * (store people/s) / (emulator people/s).
 *
 * Then another thread's small writes while a bulk writer runs transactions
 * back to back (as an import's writer does when pages wait for it): how
 * long each waited for the write lock (store_sqlite_begin lets waiting
 * writers go first).
 *
 *   build/bench/store [PEOPLE]      default 100000 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/harness.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEFAULT_PEOPLE 100000
#define GROUP 20000                   /* GROUP_PEOPLE of src/sync/import_run.c */
#define TEAMS 10

struct person {
    char email[48], name[48], given[32], external_id[40];
};

/* What one timed pass writes. */
struct pass {
    struct store *st;
    long long org;
    const char *platform;
    long long teams[TEAMS];           /* 0: no membership */
    const struct person *people;
    long from, to;                    /* this transaction's people */
    long created, unchanged;
};

static double seconds(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* store_tx body: people FROM..TO of P, as an import's writer writes them. */
static enum parley_err write_people(struct store *st, void *arg)
{
    struct pass *p = arg;

    for (long i = p->from; i < p->to; i++) {
        const struct person *x = &p->people[i];
        struct store_person_new person = {
            .org_id = p->org, .email = x->email, .display_name = x->name,
            .given_name = x->given, .family_name = "Generated", .source = p->platform,
        };
        struct store_identity_new ident = {
            .platform = p->platform, .kind = "native", .external_id = x->external_id,
            .email = x->email,
        };
        enum store_upsert_result result, ident_result;
        long long ident_id;
        enum parley_err rc = store_person_upsert(st, &person, 1, &ident.person_id, &result);

        if (rc == PARLEY_OK)
            rc = store_identity_upsert(st, &ident, 1, &ident_id, &ident_result);
        if (rc == PARLEY_OK && p->teams[0])
            rc = store_team_member_upsert(st, p->teams[i % TEAMS], ident.person_id, 1);
        if (rc != PARLEY_OK)
            return rc;
        if (result == STORE_UPSERT_NEW)
            p->created++;
        else
            p->unchanged++;
    }
    return PARLEY_OK;
}

/* Write all COUNT people of P in groups; print one line. */
static int timed_pass(struct pass *p, long count, const char *what)
{
    double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);

    p->created = p->unchanged = 0;
    for (p->from = 0; p->from < count; p->from = p->to) {
        p->to = p->from + GROUP < count ? p->from + GROUP : count;
        if (store_tx(p->st, write_people, p) != PARLEY_OK) {
            fprintf(stderr, "bench: the store refused %s\n", what);
            return -1;
        }
    }
    wall = seconds(CLOCK_MONOTONIC) - wall;
    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    printf("| %s | %ld | %ld | %ld | %.2f | %.0f | %.2f | %.1f |\n", what, count, p->created,
           p->unchanged, wall, (double)count / wall, cpu, cpu * 1e6 / (double)count);
    return 0;
}

/* COUNT people shaped like parley-emu's generated ones (sorted emails,
 * random-looking account ids). */
static struct person *make_people(long count)
{
    struct person *people = xcalloc((size_t)count, sizeof *people);
    unsigned long long x = 88172645463325252ULL;

    for (long i = 0; i < count; i++) {
        x ^= x << 13;                 /* xorshift: ids as random as the platforms' */
        x ^= x >> 7;
        x ^= x << 17;
        snprintf(people[i].email, sizeof people[i].email, "user%05ld@bench.example", i + 1);
        snprintf(people[i].given, sizeof people[i].given, "User%05ld", i + 1);
        snprintf(people[i].name, sizeof people[i].name, "User%05ld Generated", i + 1);
        snprintf(people[i].external_id, sizeof people[i].external_id, "%016llx-%05ld", x, i);
    }
    return people;
}

static int make_teams(struct pass *p)
{
    for (int t = 0; t < TEAMS; t++) {
        char id[32], name[32];
        struct store_team_new team = { .org_id = p->org, .platform = p->platform,
                                       .external_id = id, .name = name, .member_count = -1 };
        snprintf(id, sizeof id, "team-%d", t);
        snprintf(name, sizeof name, "Team %d", t);
        if (store_team_upsert(p->st, &team, 1, &p->teams[t], NULL) != PARLEY_OK)
            return -1;
    }
    return 0;
}

/* A bulk writer writing the Microsoft shape again and again until STOP. */
struct busy_writer {
    struct pass pass;
    long count;
    atomic_int stop;
    int failed;
};

static void *busy_writer_main(void *arg)
{
    struct busy_writer *w = arg;

    if (store_bulk_writer(w->pass.st) != PARLEY_OK)
        w->failed = 1;
    while (!w->failed && !atomic_load(&w->stop)) {
        for (w->pass.from = 0; w->pass.from < w->count && !atomic_load(&w->stop);
             w->pass.from = w->pass.to) {
            w->pass.to = w->pass.from + GROUP < w->count ? w->pass.from + GROUP : w->count;
            if (store_tx(w->pass.st, write_people, &w->pass) != PARLEY_OK)
                w->failed = 1;
        }
    }
    return NULL;
}

/* Small writes (a new org each), 100 ms apart, on a thread of their own
 * (an ordinary writer, like the Hub's): how long each waited. */
struct probe {
    struct store *st;
    double total, worst;
    int failed;
};

#define PROBE_WRITES 10

static void *probe_main(void *arg)
{
    struct probe *p = arg;

    for (int i = 0; i < PROBE_WRITES && !p->failed; i++) {
        char name[32];
        long long id;
        int created;
        double t = seconds(CLOCK_MONOTONIC);

        snprintf(name, sizeof name, "during-bulk-%d", i);
        if (store_org_ensure(p->st, name, &id, &created) != PARLEY_OK)
            p->failed = 1;
        t = seconds(CLOCK_MONOTONIC) - t;
        p->total += t;
        p->worst = t > p->worst ? t : p->worst;
        usleep(100 * 1000);
    }
    return NULL;
}

/* The probe's writes during a bulk writer's back-to-back transactions. */
static int writes_during_bulk(const struct pass *shape, long count)
{
    struct busy_writer w = { .pass = *shape, .count = count };
    struct probe probe = { .st = shape->st };
    pthread_t writer, prober;

    if (pthread_create(&writer, NULL, busy_writer_main, &w) != 0)
        return -1;
    usleep(200 * 1000);
    if (pthread_create(&prober, NULL, probe_main, &probe) == 0)
        pthread_join(prober, NULL);
    else
        probe.failed = 1;
    atomic_store(&w.stop, 1);
    pthread_join(writer, NULL);
    if (probe.failed || w.failed)
        return -1;
    printf("\nAnother thread's writes during a bulk writer's back-to-back transactions "
           "(%d, 100 ms apart): waited %.0f ms on average, %.0f ms at most\n", PROBE_WRITES,
           probe.total * 1000 / PROBE_WRITES, probe.worst * 1000);
    return 0;
}

static int run(struct store *st, long count)
{
    struct person *people = make_people(count);
    struct pass google = { .st = st, .platform = "google", .people = people };
    struct pass microsoft = { .st = st, .platform = "microsoft", .people = people };
    int created, rc = -1;

    if (store_bulk_writer(st) != PARLEY_OK ||
        store_org_ensure(st, "google-shape", &google.org, &created) != PARLEY_OK ||
        store_org_ensure(st, "microsoft-shape", &microsoft.org, &created) != PARLEY_OK ||
        make_teams(&microsoft) != 0)
        goto out;
    printf("| pass | people | new | unchanged | wall s | people/s | CPU s | CPU us/person |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    if (timed_pass(&google, count, "google shape, all new") != 0 ||
        timed_pass(&google, count, "google shape, unchanged") != 0 ||
        timed_pass(&microsoft, count, "microsoft shape (10 teams), all new") != 0 ||
        timed_pass(&microsoft, count, "microsoft shape (10 teams), unchanged") != 0 ||
        writes_during_bulk(&microsoft, count) != 0)
        goto out;
    rc = 0;
out:
    free(people);
    return rc;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_PEOPLE;
    char *dir, *url;
    struct store *st = NULL;
    int rc = 1;

    if (argc > 2 || count <= 0) {
        fprintf(stderr, "usage: store [PEOPLE]   (default %d)\n", DEFAULT_PEOPLE);
        return 2;
    }
    log_set_level(LOG_WARN);            /* no migration lines among the figures */
    dir = harness_tmpdir("parley-bench-store");
    url = xasprintf("sqlite://%s/parley.db", dir);
    printf("The store alone: an import's writes of %ld people into a fresh SQLite database "
           "(transactions of up to %d people, one thread)\n\n", count, GROUP);
    if (store_open(url, &st) == PARLEY_OK && store_migrate(st, NULL) == PARLEY_OK &&
        run(st, count) == 0)
        rc = 0;
    store_close(st);
    harness_rmrf(dir);
    free(url);
    free(dir);
    return rc;
}
