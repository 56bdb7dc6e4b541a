// SPDX-License-Identifier: MIT
/*
 * Unit tests of common/swapfile.c that need no root and activate no swap:
 * sizes out of range, a missing directory, and a file system that takes no
 * swap file (tmpfs: refused before anything is made, the condition named),
 * and the per-file-system rules.  Each failure leaves nothing behind; the
 * file systems that can hold one are tested for real in
 * tests/tools/lgrun_swapfs_test.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <cmocka.h>

#include "common/swapfile.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/dev/shm/lg-swapfile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static bool dir_empty(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n == 0;
}

static void test_size_range(void **state)
{
	struct swapfile sf;
	char why[256];

	(void)state;
	assert_int_equal(swapfile_make(&sf, dir, "lgtest", 4096, NULL, why, sizeof(why)), -ERANGE);
	assert_string_equal(why, "swap size 4K out of range");
	assert_false(sf.made || sf.active);
	assert_true(dir_empty());
}

static void test_missing_dir(void **state)
{
	struct swapfile sf;
	char why[256];

	(void)state;
	assert_int_equal(swapfile_make(&sf, "/nonexistent/dir", "lgtest", 1 << 20, NULL, why, sizeof(why)),
			 -ENOENT);
	assert_string_equal(why, "swap directory /nonexistent/dir: No such file or directory");
}

/* tmpfs takes no swap file (EINVAL for root, EPERM for others): undone, the reason names swapon. */
static void test_swapon_refused(void **state)
{
	struct swapfile sf;
	struct statfs st;
	char why[256], want[128];
	int err;

	(void)state;
	if (statfs(dir, &st) || st.f_type != TMPFS_MAGIC)
		skip();
	err = swapfile_make(&sf, dir, "lgtest", 1 << 20, NULL, why, sizeof(why));
	/* Refused before anything is made, naming the file system and the condition. */
	assert_int_equal(err, -EINVAL);
	snprintf(want, sizeof(want), "swap directory %s is on tmpfs, which keeps its files in memory", dir);
	assert_memory_equal(why, want, strlen(want));
	assert_false(sf.made || sf.active);
	assert_true(dir_empty());
	assert_int_equal(swapfile_remove(&sf, why, sizeof(why)), 0);
}

/* Each file system has its rule: the ones that cannot hold a swap file say why. */
static void test_fs_rules(void **state)
{
	(void)state;
	assert_non_null(swapfile_fs_refusal(TMPFS_MAGIC));
	assert_non_null(swapfile_fs_refusal(OVERLAYFS_SUPER_MAGIC));
	assert_non_null(swapfile_fs_refusal(0x6969)); /* nfs */
	assert_null(swapfile_fs_refusal(EXT4_SUPER_MAGIC));
	assert_null(swapfile_fs_refusal(XFS_SUPER_MAGIC));
	assert_null(swapfile_fs_refusal(BTRFS_SUPER_MAGIC));
	assert_null(swapfile_fs_refusal(0x12345678)); /* unknown: swapon decides */
	assert_string_equal(swapfile_fs_name(BTRFS_SUPER_MAGIC), "btrfs");
	assert_string_equal(swapfile_fs_name(TMPFS_MAGIC), "tmpfs");
	assert_null(swapfile_fs_name(0x12345678));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_range),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_swapon_refused),
		cmocka_unit_test(test_fs_rules),
	};

	return cmocka_run_group_tests_name("common/swapfile", tests, setup, teardown);
}
