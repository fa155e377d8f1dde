/* emu_google.c - figures for build/parley-emu's Google side on loopback,
 * one client thread: start-up with a generated customer, JWT-bearer token
 * grants (client signing included), Directory users.list paged through the
 * whole customer, Chat messages.create into one space and messages.list.
 *
 *   build/bench/emu_google [USERS] [MESSAGES]     (defaults 10000 and 2000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "lib/google_client.h"
#include "util/clock.h"
#include "util/xmalloc.h"

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* Print "NAME: N in MS ms (RATE/s), p50 / p99 per call" from LAT (sorted here). */
static void report(const char *name, long long *lat_us, size_t n, long long total_ms)
{
    qsort(lat_us, n, sizeof *lat_us, cmp_ll);
    printf("%-28s %6zu in %6lld ms  %8.0f/s  p50 %5.2f ms  p99 %5.2f ms\n", name, n, total_ms,
           total_ms ? 1000.0 * (double)n / (double)total_ms : 0.0,
           (double)lat_us[n / 2] / 1000.0, (double)lat_us[n * 99 / 100] / 1000.0);
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    long users = argc > 1 ? atol(argv[1]) : 10000;
    long messages = argc > 2 ? atol(argv[2]) : 2000;
    struct google_client g;
    struct harness_resp r;
    int status = 1;
    char *seed = xasprintf("{\"google\": {\"domain\": \"bench.example\", \"admin_email\": "
                           "\"admin@bench.example\", \"generate\": {\"users\": %ld}}}", users);
    long long *lat = xcalloc((size_t)(messages > 1000 ? messages : 1000), sizeof *lat);
    char *token = NULL, *space = NULL;

    long long t0 = clock_mono_ms();
    if (google_client_start(&g, seed, NULL) != 0) {
        fprintf(stderr, "emu_google: parley-emu did not start\n");
        goto out;
    }
    printf("start-up with %ld users: %lld ms\n", users, clock_mono_ms() - t0);

    /* Token grants. */
    size_t grants = 200;
    t0 = clock_mono_ms();
    for (size_t i = 0; i < grants; i++) {
        long long s = now_us();
        free(token);
        token = google_client_token(&g, "admin@bench.example",
                                    "admin.directory.user.readonly chat.spaces chat.messages");
        lat[i] = now_us() - s;
        if (!token)
            goto out;
    }
    report("token grant", lat, grants, clock_mono_ms() - t0);

    /* users.list through the whole customer, 500 a page. */
    char *page = NULL;
    size_t pages = 0, listed = 0;
    t0 = clock_mono_ms();
    do {
        char *escaped = page ? curl_easy_escape(NULL, page, 0) : NULL;
        long long s = now_us();
        google_client_call(&g, "GET", token, NULL, &r,
                           "/admin/directory/v1/users?customer=my_customer&maxResults=500%s%s",
                           escaped ? "&pageToken=" : "", escaped ? escaped : "");
        lat[pages++] = now_us() - s;
        curl_free(escaped);
        free(page);
        page = NULL;
        if (r.status != 200) {
            harness_resp_clear(&r);
            goto out;
        }
        listed += json_array_size(json_object_get(r.json, "users"));
        page = xstrdup(json_string_value(json_object_get(r.json, "nextPageToken")));
        harness_resp_clear(&r);
    } while (page && pages < 1000);
    free(page);
    printf("users.list: %zu users\n", listed);
    report("users.list page (500)", lat, pages, clock_mono_ms() - t0);

    /* messages.create into one space. */
    google_client_call(&g, "POST", token,
                       "{\"space\": {\"spaceType\": \"SPACE\", \"displayName\": \"Bench\"}}", &r,
                       "/v1/spaces:setup");
    space = xstrdup(json_string_value(json_object_get(r.json, "name")));
    harness_resp_clear(&r);
    if (!space)
        goto out;
    t0 = clock_mono_ms();
    for (long i = 0; i < messages; i++) {
        long long s = now_us();
        google_client_call(&g, "POST", token, "{\"text\": \"benchmark message with some text\"}",
                           &r, "/v1/%s/messages", space);
        lat[i] = now_us() - s;
        int ok = r.status == 200;
        harness_resp_clear(&r);
        if (!ok)
            goto out;
    }
    report("messages.create", lat, (size_t)messages, clock_mono_ms() - t0);

    /* messages.list, 100 a page. */
    size_t lists = 0;
    t0 = clock_mono_ms();
    for (; lists < 100; lists++) {
        long long s = now_us();
        google_client_call(&g, "GET", token, NULL, &r, "/v1/%s/messages?pageSize=100", space);
        lat[lists] = now_us() - s;
        harness_resp_clear(&r);
    }
    report("messages.list page (100)", lat, lists, clock_mono_ms() - t0);
    status = 0;
out:
    free(space);
    free(token);
    free(lat);
    free(seed);
    if (google_client_stop(&g) != 0)
        status = 1;
    return status;
}
