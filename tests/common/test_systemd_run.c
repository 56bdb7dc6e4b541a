// SPDX-License-Identifier: MIT
/*
 * Unit tests of common/systemd_run.c without systemd: the command line
 * built for each kind of scope, the stand-in that systemd_run_find takes,
 * and the trial run against stand-in scripts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/cgroup.h"
#include "common/systemd_run.h"

static char dir[64];

/* ARGV joined by spaces, in a static buffer. */
static const char *joined(char **argv)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (; *argv; argv++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", *argv);
	return buf;
}

static void test_argv(void **state)
{
	char *args[] = {"--paging", "x y", NULL}, *none[] = {NULL};
	struct launch_creds creds = {.drop = true, .uid = 1000, .gid = 100};
	struct systemd_scope s = {.unit = "lgrun-42.scope", .memory = 512ULL << 20, .swap = CG_NO_LIMIT};
	struct systemd_run_argv a;

	(void)state;
	/* As root, swap not limited, no ids. */
	assert_int_equal(systemd_run_argv(&a, "/usr/bin/systemd-run", &s, "/bin/lgbench", args), 0);
	assert_string_equal(joined(a.argv),
			    "/usr/bin/systemd-run --scope --quiet --collect --unit=lgrun-42.scope "
			    "--property=MemoryMax=536870912 -- /bin/lgbench --paging x y");
	assert_string_equal(a.argv[9], "x y");
	assert_null(a.argv[10]);
	systemd_run_argv_free(&a);
	assert_null(a.argv);

	/* Not root (--user), swap limited, ids of a sudo user. */
	s.user = true;
	s.swap = 4ULL << 30;
	s.creds = &creds;
	assert_int_equal(systemd_run_argv(&a, "systemd-run", &s, "/bin/true", none), 0);
	assert_string_equal(joined(a.argv),
			    "systemd-run --user --scope --quiet --collect --unit=lgrun-42.scope "
			    "--property=MemoryMax=536870912 --property=MemorySwapMax=4294967296 "
			    "--uid=1000 --gid=100 -- /bin/true");
	systemd_run_argv_free(&a);

	/* Credentials that do not drop add no ids. */
	creds.drop = false;
	s.user = false;
	s.swap = 0;
	assert_int_equal(systemd_run_argv(&a, "systemd-run", &s, "cmd", none), 0);
	assert_string_equal(joined(a.argv),
			    "systemd-run --scope --quiet --collect --unit=lgrun-42.scope "
			    "--property=MemoryMax=536870912 --property=MemorySwapMax=0 -- cmd");
	systemd_run_argv_free(&a);
}

static void test_find(void **state)
{
	char buf[256];
	int err;

	(void)state;
	assert_int_equal(systemd_run_find("/opt/stand-in", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/opt/stand-in");
	/* An empty stand-in is none; then it depends on this machine. */
	err = systemd_run_find("", buf, sizeof(buf));
	if (err == 0)
		assert_non_null(strstr(buf, "/systemd-run"));
	else
		assert_int_equal(err, -ENOENT);
}

/* A stand-in systemd-run that checks its arguments and exits CODE. */
static void stand_in(const char *name, int code, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"#!/bin/sh\n"
		"echo noise; echo noise >&2\n"
		"[ \"$1 $2 $4\" = '--scope --quiet --unit=lgrun-probe-1.scope' ] || exit 9\n"
		"exit %d\n",
		code);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_probe(void **state)
{
	struct systemd_scope s = {.unit = "lgrun-probe-1.scope", .memory = 1 << 20, .swap = CG_NO_LIMIT};
	char ok[128], bad[128], missing[128];

	(void)state;
	stand_in("ok", 0, ok, sizeof(ok));
	stand_in("bad", 1, bad, sizeof(bad));
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	assert_int_equal(systemd_run_probe(ok, &s, NULL), 0);
	assert_int_equal(systemd_run_probe(bad, &s, NULL), -ECANCELED);
	assert_int_equal(systemd_run_probe(missing, &s, NULL), -ENOENT);
	s.unit = "other.scope";
	assert_int_equal(systemd_run_probe(ok, &s, NULL), -ECANCELED);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lg-sdrun-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests_name("common/systemd_run", tests, setup, teardown);
}
