/* test_log.c - the JSON-lines logger: each line is one valid JSON object
 * with ts, level, module, msg and typed fields; secrets are redacted by key;
 * levels filter; a thread's request/job context tags its lines and can be
 * carried to a helper thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

/* Run FN with stderr captured; returns the captured lines as a JSON array. */
static json_t *capture(void (*fn)(void))
{
    char path[] = "/tmp/parley-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    json_t *lines = json_array();
    char line[4096];
    FILE *f;

    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        json_error_t err;
        json_t *obj = json_loads(line, 0, &err);
        if (!obj)
            fail_msg("not JSON: %s (%s)", line, err.text);
        json_array_append_new(lines, obj);
    }
    fclose(f);
    unlink(path);
    return lines;
}

static void write_fields(void)
{
    log_set_level(LOG_INFO);
    log_context_set(NULL, NULL);
    log_info("test", "hello \"world\"\n", "s:name", "ada", "i:count", 3, "l:big", 1LL << 40,
             "b:ok", 1, "s:client_secret", "hunter2", "s:password", "pw", "s:access_token", "t",
             "s:raw", "a\\b\tc\x01" "d\r\"é");
    log_debug("test", "filtered out");
}

static void test_log_fields_and_redaction(void **state)
{
    (void)state;
    json_t *lines = capture(write_fields);
    json_t *l = json_array_get(lines, 0);

    assert_int_equal(json_array_size(lines), 1);          /* debug is below the level */
    assert_string_equal(json_string_value(json_object_get(l, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(l, "module")), "test");
    assert_string_equal(json_string_value(json_object_get(l, "msg")), "hello \"world\"\n");
    assert_non_null(json_string_value(json_object_get(l, "ts")));
    assert_string_equal(json_string_value(json_object_get(l, "name")), "ada");
    assert_int_equal(json_integer_value(json_object_get(l, "count")), 3);
    assert_int_equal(json_integer_value(json_object_get(l, "big")), 1LL << 40);
    assert_true(json_is_true(json_object_get(l, "ok")));
    assert_string_equal(json_string_value(json_object_get(l, "client_secret")), "[redacted]");
    assert_string_equal(json_string_value(json_object_get(l, "password")), "[redacted]");
    assert_string_equal(json_string_value(json_object_get(l, "access_token")), "[redacted]");
    assert_string_equal(json_string_value(json_object_get(l, "raw")), "a\\b\tc\x01" "d\r\"é");
    json_decref(lines);
}

static void *on_helper(void *arg)
{
    log_context_restore(arg);
    log_info("test", "from the helper");
    return NULL;
}

static void write_with_context(void)
{
    struct log_context ctx;
    pthread_t t;

    log_set_level(LOG_INFO);
    log_context_set(NULL, "42");
    log_info("test", "from the job");
    log_context_save(&ctx);
    pthread_create(&t, NULL, on_helper, &ctx);
    pthread_join(t, NULL);
    log_context_set(NULL, NULL);
    log_info("test", "untagged");
}

static void test_log_context_carried_to_a_helper_thread(void **state)
{
    (void)state;
    json_t *lines = capture(write_with_context);

    assert_int_equal(json_array_size(lines), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 0), "job_id")),
                        "42");
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 1), "job_id")),
                        "42");
    assert_null(json_object_get(json_array_get(lines, 2), "job_id"));
    json_decref(lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_fields_and_redaction),
        cmocka_unit_test(test_log_context_carried_to_a_helper_thread),
    };
    return cmocka_run_group_tests_name("util/log", tests, NULL, NULL);
}
