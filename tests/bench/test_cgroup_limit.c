// SPDX-License-Identifier: MIT
/* Unit tests of the memory limit detection against fake cgroup trees. */
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

#include "cgroup_limit.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* mkdir -p of the parent */
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/lgbench-cg-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void detect(struct mem_limit *ml, int expect_err)
{
	char cg[512], mi[512];

	snprintf(cg, sizeof(cg), "%s/proc/cgroup", root);
	snprintf(mi, sizeof(mi), "%s/proc/mountinfo", root);
	assert_int_equal(mem_limit_detect_from(ml, cg, mi), expect_err);
}

/* A mountinfo line for @fstype mounted at root/@mnt showing cgroup @cgroot. */
static void mountinfo(const char *lines)
{
	put("proc/mountinfo", lines);
}

static void test_v2_lowest_ancestor(void **state)
{
	struct mem_limit ml;
	char mi[1024], want[512];

	(void)state;
	put("proc/cgroup", "0::/a/b\n");
	snprintf(mi, sizeof(mi),
		 "30 1 0:26 / %s/v2 rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
		 "31 1 0:27 / %s/memory rw - cgroup cgroup rw,memory\n",
		 root, root);
	mountinfo(mi);
	put("v2/a/memory.max", "268435456\n");
	put("v2/a/memory.swap.max", "max\n");
	put("v2/a/b/memory.max", "max\n");
	put("v2/a/b/memory.swap.max", "1073741824\n");
	detect(&ml, 0);
	assert_string_equal(ml.version, "v2");
	assert_int_equal(ml.bytes, 268435456);
	assert_int_equal(ml.swap_bytes, MEM_UNLIMITED);
	snprintf(want, sizeof(want), "%s/v2/a/memory.max", root);
	assert_string_equal(ml.source, want);
}

/* The v2 hierarchy lacks the memory controller: fall back to v1, found
 * through the "memory" line of /proc/self/cgroup. */
static void test_v1_fallback(void **state)
{
	struct mem_limit ml;
	char mi[1024], want[512];

	(void)state;
	put("proc/cgroup", "9:cpu,cpuacct:/\n4:memory:/job/x\n0::/\n");
	snprintf(mi, sizeof(mi),
		 "30 1 0:26 / %s/unified rw - cgroup2 cgroup2 rw\n"
		 "31 1 0:27 / %s/cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
		 "32 1 0:28 / %s/memory rw,nosuid shared:9 - cgroup cgroup rw,memory\n",
		 root, root, root);
	mountinfo(mi);
	put("memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/job/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/job/x/memory.limit_in_bytes", "67108864\n");
	put("memory/job/x/memory.memsw.limit_in_bytes", "201326592\n");
	detect(&ml, 0);
	assert_string_equal(ml.version, "v1");
	assert_int_equal(ml.bytes, 64 << 20);
	assert_int_equal(ml.swap_bytes, 128 << 20);
	snprintf(want, sizeof(want), "%s/memory/job/x/memory.limit_in_bytes", root);
	assert_string_equal(ml.source, want);
}

/* Inside a cgroup namespace or bind mount the mount's root is the cgroup
 * path it stands for: strip it. */
static void test_v1_mount_root(void **state)
{
	struct mem_limit ml;
	char mi[1024];

	(void)state;
	put("proc/cgroup", "4:memory:/outer/inner\n");
	snprintf(mi, sizeof(mi), "32 1 0:28 /outer %s/memory rw - cgroup cgroup rw,memory\n", root);
	mountinfo(mi);
	put("memory/inner/memory.limit_in_bytes", "536870912\n");
	detect(&ml, 0);
	assert_int_equal(ml.bytes, 512 << 20);
}

static void test_unlimited(void **state)
{
	struct mem_limit ml;
	char mi[512], desc[600];

	(void)state;
	put("proc/cgroup", "0::/free\n");
	snprintf(mi, sizeof(mi), "30 1 0:26 / %s/v2 rw - cgroup2 cgroup2 rw\n", root);
	mountinfo(mi);
	put("v2/free/memory.max", "max\n");
	detect(&ml, 0);
	assert_string_equal(ml.version, "v2");
	assert_int_equal(ml.bytes, MEM_UNLIMITED);
	mem_limit_describe(&ml, desc, sizeof(desc));
	assert_non_null(strstr(desc, "unlimited"));
}

static void test_nothing_found(void **state)
{
	struct mem_limit ml;
	char desc[600];

	(void)state;
	put("proc/cgroup", "0::/\n");
	mountinfo("25 1 0:5 / /proc rw - proc proc rw\n");
	detect(&ml, 0);
	assert_string_equal(ml.version, "");
	assert_int_equal(ml.bytes, MEM_UNLIMITED);
	mem_limit_describe(&ml, desc, sizeof(desc));
	assert_non_null(strstr(desc, "none"));
}

static void test_no_proc(void **state)
{
	struct mem_limit ml;

	(void)state;
	assert_int_not_equal(mem_limit_detect_from(&ml, "/nonexistent/cgroup", "/nonexistent/mountinfo"), 0);
}

/* This process: whatever the machine, detection must not fail. */
static void test_self(void **state)
{
	struct mem_limit ml;

	(void)state;
	assert_int_equal(mem_limit_detect(&ml), 0);
	if (ml.version[0])
		assert_non_null(strstr(ml.source, "memory."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_lowest_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_mount_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlimited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_found, setup, teardown),
		cmocka_unit_test(test_no_proc),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests_name("lgbench memory limit", tests, NULL, NULL);
}
