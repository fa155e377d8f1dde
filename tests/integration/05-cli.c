/* 05-cli.c - the `parley` command line as a user meets it: help texts, exit
 * codes (0 ok, 2 usage), one-line errors naming the bad setting, settings
 * from PARLEY_* variables, `admin create` and `migrate` on a temp data dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/harness.h"
#include "util/xmalloc.h"

struct cli_result {
    int exit_code;
    char *output;           /* stdout + stderr */
};

static char *tmp_dir;

/* Run a shell command line with "$PARLEY" set to the binary. */
static struct cli_result run(const char *fmt, ...)
{
    struct cli_result r = { -1, NULL };
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);

    char *log = xasprintf("%s/cli.log", tmp_dir);
    unlink(log);                        /* each run reads only its own output */
    char *parley = xasprintf("PARLEY=%s", harness_bin("parley"));
    const char *argv[] = { "/bin/sh", "-c", line, NULL };
    const char *env[] = { parley, NULL };
    struct harness_proc *p = harness_proc_start(argv, env, log);
    assert_non_null(p);
    int status = harness_proc_stop(p, 0, 30000);
    harness_proc_free(p);
    r.exit_code = (status >= 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    r.output = harness_read_file(log);
    if (!r.output)
        r.output = xstrdup("");
    free(log);
    free(parley);
    return r;
}

static int setup(void **state)
{
    (void)state;
    tmp_dir = harness_tmpdir("parley-cli");
    return tmp_dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    harness_rmrf(tmp_dir);
    free(tmp_dir);
    return 0;
}

static void test_help_and_version(void **state)
{
    (void)state;
    struct cli_result r = run("\"$PARLEY\" --help");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.output, "serve"));
    assert_non_null(strstr(r.output, "admin"));
    free(r.output);

    r = run("\"$PARLEY\" serve --help");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.output, "--listen ADDR:PORT"));
    assert_non_null(strstr(r.output, "PARLEY_LISTEN"));
    assert_non_null(strstr(r.output, "127.0.0.1:8080"));
    free(r.output);

    r = run("\"$PARLEY\" admin create --help");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.output, "--password-stdin"));
    free(r.output);

    r = run("\"$PARLEY\" version");
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.output, "parley "));
    free(r.output);
}

static void test_bad_usage_exits_2_naming_the_setting(void **state)
{
    (void)state;
    struct cli_result r = run("\"$PARLEY\" frobnicate");
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.output, "unknown command"));
    free(r.output);

    r = run("\"$PARLEY\" serve --workers many --data %s/d", tmp_dir);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.output, "workers"));
    free(r.output);

    r = run("PARLEY_LISTEN=nowhere \"$PARLEY\" serve --data %s/d", tmp_dir);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.output, "PARLEY_LISTEN"));
    free(r.output);

    r = run("\"$PARLEY\" serve --colour blue");
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.output, "--colour"));
    free(r.output);

    r = run("\"$PARLEY\" admin create --org X --data %s/d", tmp_dir);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.output, "email"));
    free(r.output);

    r = run("echo short | \"$PARLEY\" admin create --email a@b.c --org X --password-stdin "
            "--data %s/d", tmp_dir);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.output, "password"));
    free(r.output);
}

static void test_admin_create_and_migrate(void **state)
{
    (void)state;
    struct cli_result r = run("\"$PARLEY\" admin create --email Owner@Example.com --org Acme "
                              "--data %s/data --log-level warn", tmp_dir);
    assert_int_equal(r.exit_code, 0);
    const char *pw = strstr(r.output, "password: ");
    assert_non_null(pw);
    assert_true(strlen(pw + 10) >= 20);          /* generated, printed once */
    free(r.output);

    /* The database lives in the data dir. */
    struct stat sb;
    char *db = xasprintf("%s/data/parley.db", tmp_dir);
    assert_int_equal(stat(db, &sb), 0);
    free(db);

    r = run("\"$PARLEY\" admin create --email owner@example.com --org Acme --data %s/data",
            tmp_dir);
    assert_int_not_equal(r.exit_code, 0);        /* same email again */
    assert_non_null(strstr(r.output, "already exists"));
    free(r.output);

    r = run("echo 'a long enough password' | \"$PARLEY\" admin create --email v@example.com "
            "--org Acme --role viewer --password-stdin --data %s/data", tmp_dir);
    assert_int_equal(r.exit_code, 0);
    assert_null(strstr(r.output, "password: "));  /* nothing to show */
    free(r.output);

    r = run("PARLEY_DATA_DIR=%s/data \"$PARLEY\" migrate", tmp_dir);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.output, "schema version"));
    free(r.output);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_bad_usage_exits_2_naming_the_setting),
        cmocka_unit_test(test_admin_create_and_migrate),
    };
    return cmocka_run_group_tests_name("integration/cli", tests, setup, teardown);
}
