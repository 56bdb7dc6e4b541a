// SPDX-License-Identifier: MIT
/*
 * Unit tests of common/cgroup.c without root: mountinfo and
 * /proc/self/cgroup parsing, and the memory limit detection against fake
 * cgroup trees.
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
	snprintf(root, sizeof(root), "/tmp/lg-cgroup-XXXXXX");
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

static void test_mountinfo_line(void **state)
{
	struct mount_entry m;

	(void)state;
	assert_int_equal(mountinfo_parse_line("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
					      "rw,errors=continue\n",
					      &m),
			 0);
	assert_string_equal(m.root, "/mnt1");
	assert_string_equal(m.point, "/mnt2");
	assert_string_equal(m.fstype, "ext3");
	assert_string_equal(m.super_opts, "rw,errors=continue");
	/* No optional fields, octal escapes in root and mount point. */
	assert_int_equal(
		mountinfo_parse_line("32 1 0:28 /job\\040a /sys/fs/cgroup/my\\040memory\\134x rw - cgroup "
				     "cgroup rw,memory\n",
				     &m),
		0);
	assert_string_equal(m.root, "/job a");
	assert_string_equal(m.point, "/sys/fs/cgroup/my memory\\x");
	assert_string_equal(m.fstype, "cgroup");
	assert_string_equal(m.super_opts, "rw,memory");
	assert_int_equal(mountinfo_parse_line("30 1 0:26 / /sys/fs/cgroup rw,nosuid\n", &m), -EINVAL);
	assert_int_equal(mountinfo_parse_line("30 1 - cgroup2 cgroup2 rw\n", &m), -EINVAL);
	assert_int_equal(mountinfo_parse_line("", &m), -EINVAL);
}

/* Found by tests/fuzz/fuzz_mountinfo: the kernel escapes only space, tab,
 * newline and backslash in root and mount point; a carriage return,
 * vertical tab or form feed is part of the path.  A path too long for its
 * buffer is an error, not cut into two fields. */
static void test_mountinfo_blanks(void **state)
{
	static char line[3 * PATH_MAX];
	struct mount_entry m;
	size_t n;

	(void)state;
	assert_int_equal(mountinfo_parse_line("36 35 0:30 /a\rb /mnt/c\vd\fe\\040f rw shared:2 - cgroup2 "
					      "cgroup2 rw,nsdelegate\n",
					      &m),
			 0);
	assert_string_equal(m.root, "/a\rb");
	assert_string_equal(m.point, "/mnt/c\vd\fe f");
	assert_string_equal(m.fstype, "cgroup2");
	assert_string_equal(m.super_opts, "rw,nsdelegate");
	n = (size_t)snprintf(line, sizeof(line), "36 35 0:30 /");
	memset(line + n, 'x', PATH_MAX + 10);
	snprintf(line + n + PATH_MAX + 10, sizeof(line) - n - PATH_MAX - 10, " /mnt rw - ext4 /dev/sda rw\n");
	assert_int_equal(mountinfo_parse_line(line, &m), -EINVAL);
}

static void test_find_mount(void **state)
{
	struct mount_entry m;
	char mi[1024], path[512];

	(void)state;
	snprintf(mi, sizeof(mi),
		 "25 1 0:5 / /proc rw - proc proc rw\n"
		 "31 1 0:27 / %s/cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
		 "32 1 0:28 / %s/mem\\040ory rw - cgroup cgroup rw,memory\n"
		 "33 1 0:29 / %s/v2 rw - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n",
		 root, root, root);
	mountinfo(mi);
	snprintf(path, sizeof(path), "%s/proc/mountinfo", root);
	assert_int_equal(cgroup_find_mount(path, CG_V1, &m), 0);
	snprintf(mi, sizeof(mi), "%s/mem ory", root);
	assert_string_equal(m.point, mi);
	assert_int_equal(cgroup_find_mount(path, CG_V2, &m), 0);
	snprintf(mi, sizeof(mi), "%s/v2", root);
	assert_string_equal(m.point, mi);
	/* memory_recursiveprot is not the memory controller. */
	mountinfo("33 1 0:29 / /sys/fs/cgroup rw - cgroup cgroup rw,memory_recursiveprot\n");
	assert_int_equal(cgroup_find_mount(path, CG_V1, &m), -ENOENT);
	assert_int_equal(cgroup_find_mount("/nonexistent/mountinfo", CG_V2, &m), -ENOENT);
}

static void test_own_cgroup(void **state)
{
	char path[512], own[64], tiny[4];

	(void)state;
	put("proc/cgroup",
	    "12:memory:/job/x\n11:cpu,cpuacct:/\n1:name=systemd:/user.slice\n0::/user.slice/lg\n");
	snprintf(path, sizeof(path), "%s/proc/cgroup", root);
	assert_int_equal(cgroup_own(path, CG_V1, own, sizeof(own)), 0);
	assert_string_equal(own, "/job/x");
	assert_int_equal(cgroup_own(path, CG_V2, own, sizeof(own)), 0);
	assert_string_equal(own, "/user.slice/lg");
	assert_int_equal(cgroup_own(path, CG_V2, tiny, sizeof(tiny)), -ENAMETOOLONG);
	put("proc/cgroup", "4:memory_x:/a\n0:memory:/b\n");
	assert_int_equal(cgroup_own(path, CG_V1, own, sizeof(own)), 0);
	assert_string_equal(own, "/b");
	assert_int_equal(cgroup_own(path, CG_V2, own, sizeof(own)), -ENOENT);
	assert_string_equal(cgroup_kind_name(CG_V1), "v1");
	assert_string_equal(cgroup_kind_name(CG_V2), "v2");
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
	assert_int_equal(ml.swap_bytes, CG_NO_LIMIT);
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
	char mi[1024], desc[600], want[600];

	(void)state;
	put("proc/cgroup", "4:memory:/outer/inner\n");
	snprintf(mi, sizeof(mi), "32 1 0:28 /outer %s/memory rw - cgroup cgroup rw,memory\n", root);
	mountinfo(mi);
	put("memory/inner/memory.limit_in_bytes", "536870912\n");
	detect(&ml, 0);
	assert_int_equal(ml.bytes, 512 << 20);
	mem_limit_describe(&ml, desc, sizeof(desc));
	snprintf(want, sizeof(want), "512 MiB (cgroup v1: %s/memory/inner/memory.limit_in_bytes)", root);
	assert_string_equal(desc, want);
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
	assert_int_equal(ml.bytes, CG_NO_LIMIT);
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
	assert_int_equal(ml.bytes, CG_NO_LIMIT);
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

/* A parent that is no cgroup: refused with the reason, nothing made. */
static void test_parent_not_cgroup(void **state)
{
	struct cgroup cg;
	char why[600], want[600];

	(void)state;
	assert_int_equal(cgroup_find(&cg, CG_AUTO, root, why, sizeof(why)), -EINVAL);
	snprintf(want, sizeof(want), "%s is not a v1 or v2 memory cgroup", root);
	assert_string_equal(why, want);
	assert_int_equal(cgroup_find(&cg, CG_V2, "/nonexistent/cg", why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "/nonexistent/cg: No such file or directory");
	assert_false(cg.created);
	assert_int_equal(cgroup_remove(&cg, NULL, why, sizeof(why)), 0);
}

/* cgroup_enter writes "PID\n" (formatted by hand) to cgroup.procs; a plain file stands in. */
static void test_enter(void **state)
{
	struct cgroup cg = {0};
	char want[32], got[32] = "";
	FILE *f;

	(void)state;
	put("procs", "");
	snprintf(cg.procs, sizeof(cg.procs), "%s/procs", root);
	assert_int_equal(cgroup_enter(&cg), 0);
	f = fopen(cg.procs, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	assert_string_equal(got, want);
	snprintf(cg.procs, sizeof(cg.procs), "%s/none/procs", root);
	assert_int_equal(cgroup_enter(&cg), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mountinfo_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mountinfo_blanks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_lowest_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_mount_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlimited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_found, setup, teardown),
		cmocka_unit_test(test_no_proc),
		cmocka_unit_test_setup_teardown(test_parent_not_cgroup, setup, teardown),
		cmocka_unit_test(test_self),
		cmocka_unit_test_setup_teardown(test_enter, setup, teardown),
	};

	return cmocka_run_group_tests_name("common/cgroup", tests, NULL, NULL);
}
