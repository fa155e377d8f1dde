/* faults.c - the fault rule list (see faults.h). */
#include "frame/faults.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/json.h"
#include "util/xmalloc.h"

struct rule {
    struct rule *next;
    char *method;            /* "*" matches any */
    char *prefix;
    int remaining;
    struct emu_fault_action action;
};

struct emu_faults {
    pthread_mutex_t lock;
    struct rule *head;
};

struct emu_faults *emu_faults_new(void)
{
    struct emu_faults *faults = xcalloc(1, sizeof *faults);
    pthread_mutex_init(&faults->lock, NULL);
    return faults;
}

static void rule_free(struct rule *r)
{
    free(r->method);
    free(r->prefix);
    free(r);
}

void emu_faults_clear(struct emu_faults *faults)
{
    pthread_mutex_lock(&faults->lock);
    while (faults->head) {
        struct rule *r = faults->head;
        faults->head = r->next;
        rule_free(r);
    }
    pthread_mutex_unlock(&faults->lock);
}

void emu_faults_free(struct emu_faults *faults)
{
    if (!faults)
        return;
    emu_faults_clear(faults);
    pthread_mutex_destroy(&faults->lock);
    free(faults);
}

enum parley_err emu_faults_add(struct emu_faults *faults, const json_t *desc, const char **why)
{
    if (!json_is_object(desc)) {
        *why = "a fault is a JSON object";
        return PARLEY_ERR_INVALID;
    }
    const char *method = json_get_str(desc, "method");
    const char *prefix = json_get_str(desc, "path_prefix");
    long long count = json_get_int(desc, "count", 1);
    struct emu_fault_action action = {
        .status = (int)json_get_int(desc, "status", 0),
        .retry_after_s = (int)json_get_int(desc, "retry_after", 0),
        .latency_ms = (int)json_get_int(desc, "latency_ms", 0),
        .drop = json_get_bool(desc, "reset", 0),
    };

    if (!prefix || prefix[0] != '/') {
        *why = "path_prefix: expected a path starting with '/'";
        return PARLEY_ERR_INVALID;
    }
    if (count < 1 || count > 1000000) {
        *why = "count: expected an integer from 1 to 1000000";
        return PARLEY_ERR_INVALID;
    }
    if (action.status != 0 && (action.status < 400 || action.status > 599)) {
        *why = "status: expected an HTTP error status (400-599)";
        return PARLEY_ERR_INVALID;
    }
    if (action.latency_ms < 0 || action.latency_ms > 120000 || action.retry_after_s < 0) {
        *why = "latency_ms: expected 0-120000 and retry_after >= 0";
        return PARLEY_ERR_INVALID;
    }
    if (!action.status && !action.latency_ms && !action.drop) {
        *why = "give at least one of status, latency_ms or reset";
        return PARLEY_ERR_INVALID;
    }
    if (action.status == 429 && !action.retry_after_s)
        action.retry_after_s = 1;

    struct rule *r = xcalloc(1, sizeof *r);
    r->method = xstrdup(method ? method : "*");
    r->prefix = xstrdup(prefix);
    r->remaining = (int)count;
    r->action = action;

    pthread_mutex_lock(&faults->lock);
    struct rule **tail = &faults->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = r;
    pthread_mutex_unlock(&faults->lock);
    return PARLEY_OK;
}

int emu_faults_take(struct emu_faults *faults, const char *method, const char *path,
                    struct emu_fault_action *action)
{
    int matched = 0;

    pthread_mutex_lock(&faults->lock);
    for (struct rule **link = &faults->head; *link; link = &(*link)->next) {
        struct rule *r = *link;
        if ((strcmp(r->method, "*") != 0 && strcasecmp(r->method, method) != 0) ||
            strncmp(path, r->prefix, strlen(r->prefix)) != 0)
            continue;
        *action = r->action;
        matched = 1;
        if (--r->remaining == 0) {
            *link = r->next;
            rule_free(r);
        }
        break;
    }
    pthread_mutex_unlock(&faults->lock);
    return matched;
}

json_t *emu_faults_json(struct emu_faults *faults)
{
    json_t *list = json_array();

    pthread_mutex_lock(&faults->lock);
    for (struct rule *r = faults->head; r; r = r->next)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:b}", "method", r->method,
                            "path_prefix", r->prefix, "count", r->remaining, "status",
                            r->action.status, "retry_after", r->action.retry_after_s,
                            "latency_ms", r->action.latency_ms, "reset", r->action.drop));
    pthread_mutex_unlock(&faults->lock);
    return json_pack("{s:o}", "faults", list);
}
