/* test_config.c - settings resolution: flags over environment over defaults,
 * validation errors name the setting, scopes hide other commands' flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/config.h"

enum { SCOPE_A = 1, SCOPE_B = 2 };

static const struct config_setting table[] = {
    { "listen", CONFIG_HOSTPORT, "127.0.0.1:8080", "TEST_CFG_LISTEN", 0, 0, "ADDR:PORT", "listen", SCOPE_A },
    { "workers", CONFIG_INT, "4", "TEST_CFG_WORKERS", 0, 64, "N", "workers", SCOPE_A },
    { "data", CONFIG_STRING, "./var", "TEST_CFG_DATA", 0, 0, "DIR", "data", 0 },
    { "level", CONFIG_LOG_LEVEL, "info", NULL, 0, 0, "LEVEL", "log level", 0 },
    { "stdin", CONFIG_FLAG, NULL, NULL, 0, 0, NULL, "flag", SCOPE_B },
};
#define COUNT ((int)(sizeof table / sizeof table[0]))

/* Resolve with a writable copy of the literal arguments; returns the error
 * and leaves the first line of error output in ERRBUF. */
static enum parley_err resolve(unsigned scope, struct config_values *v, char *errbuf, size_t errlen,
                               int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    FILE *err = fmemopen(errbuf, errlen, "w");
    enum parley_err rc = config_resolve(table, COUNT, scope, argc, argv, v, NULL, err);
    fclose(err);
    return rc;
}

static int clear_env(void **state)
{
    (void)state;
    unsetenv("TEST_CFG_LISTEN");
    unsetenv("TEST_CFG_WORKERS");
    unsetenv("TEST_CFG_DATA");
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    struct config_values v = { 0 };
    char errbuf[256] = "";
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 0), PARLEY_OK);
    assert_string_equal(config_get(&v, "listen"), "127.0.0.1:8080");
    assert_int_equal(config_get_int(&v, "workers"), 4);
    assert_string_equal(config_get(&v, "data"), "./var");
    config_values_free(&v);
}

static void test_env_over_default_flag_over_env(void **state)
{
    (void)state;
    struct config_values v = { 0 };
    char errbuf[256] = "";
    setenv("TEST_CFG_WORKERS", "8", 1);
    setenv("TEST_CFG_DATA", "/env/dir", 1);
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 2, "--workers", "2"), PARLEY_OK);
    assert_int_equal(config_get_int(&v, "workers"), 2);          /* flag wins */
    assert_string_equal(config_get(&v, "data"), "/env/dir");      /* env beats default */
    config_values_free(&v);

    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 1, "--data=/flag/dir"), PARLEY_OK);
    assert_string_equal(config_get(&v, "data"), "/flag/dir");
    assert_int_equal(config_get_int(&v, "workers"), 8);
    config_values_free(&v);
}

static void test_bad_values_name_the_setting(void **state)
{
    (void)state;
    struct config_values v = { 0 };
    char errbuf[256] = "";
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 2, "--workers", "lots"),
                     PARLEY_ERR_INVALID);
    assert_non_null(strstr(errbuf, "workers"));
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 2, "--workers", "65"),
                     PARLEY_ERR_INVALID);
    assert_non_null(strstr(errbuf, "out of range"));
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 2, "--listen", "nowhere"),
                     PARLEY_ERR_INVALID);
    assert_non_null(strstr(errbuf, "listen"));
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 2, "--level", "loud"),
                     PARLEY_ERR_INVALID);
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 1, "--bogus"), PARLEY_ERR_INVALID);
    assert_non_null(strstr(errbuf, "--bogus"));
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 1, "--workers"), PARLEY_ERR_INVALID);
    assert_non_null(strstr(errbuf, "missing value"));
    setenv("TEST_CFG_WORKERS", "x", 1);
    assert_int_equal(resolve(SCOPE_A, &v, errbuf, sizeof errbuf, 0), PARLEY_ERR_INVALID);
    assert_non_null(strstr(errbuf, "TEST_CFG_WORKERS"));
}

static void test_scope_hides_other_commands(void **state)
{
    (void)state;
    struct config_values v = { 0 };
    char errbuf[256] = "";
    assert_int_equal(resolve(SCOPE_B, &v, errbuf, sizeof errbuf, 2, "--workers", "2"),
                     PARLEY_ERR_INVALID);
    assert_int_equal(resolve(SCOPE_B, &v, errbuf, sizeof errbuf, 1, "--stdin"), PARLEY_OK);
    assert_true(config_get_flag(&v, "stdin"));
    assert_null(config_get(&v, "workers"));
    config_values_free(&v);
}

static void test_hostport(void **state)
{
    (void)state;
    char *host = NULL;
    int port = -1;
    assert_int_equal(config_parse_hostport("[::1]:0", &host, &port), PARLEY_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 0);
    free(host);
    assert_int_equal(config_parse_hostport("0.0.0.0:65535", &host, &port), PARLEY_OK);
    assert_int_equal(port, 65535);
    free(host);
    assert_int_equal(config_parse_hostport(":80", &host, &port), PARLEY_ERR_INVALID);
    assert_int_equal(config_parse_hostport("h:70000", &host, &port), PARLEY_ERR_INVALID);
    assert_int_equal(config_parse_hostport("h:", &host, &port), PARLEY_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_env_over_default_flag_over_env, clear_env),
        cmocka_unit_test_setup(test_bad_values_name_the_setting, clear_env),
        cmocka_unit_test_setup(test_scope_hides_other_commands, clear_env),
        cmocka_unit_test_setup(test_hostport, clear_env),
    };
    return cmocka_run_group_tests_name("util/config", tests, NULL, NULL);
}
