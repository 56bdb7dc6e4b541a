// SPDX-License-Identifier: MIT
/* Unit tests of common/procfs.c: first lines, /proc/swaps, /proc/PID/stat, octal escapes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/procfs.h"

static char tmp[64];

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/lg-procfs-XXXXXX");
	return mkstemp(tmp) < 0 ? -1 : 0;
}

static int remove_tmp(void **state)
{
	(void)state;
	return unlink(tmp);
}

static void put(const char *text)
{
	FILE *f = fopen(tmp, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_unescape(void **state)
{
	char s[64];

	(void)state;
	strcpy(s, "/mnt/my\\040disk\\011tab\\134back\\012");
	proc_unescape(s);
	assert_string_equal(s, "/mnt/my disk\ttab\\back\n");
	/* Not an escape: left as is. */
	strcpy(s, "a\\9xy\\04\\");
	proc_unescape(s);
	assert_string_equal(s, "a\\9xy\\04\\");
	strcpy(s, "\\400\\08x");
	proc_unescape(s);
	assert_string_equal(s, "\\400\\08x");
}

static void test_read_line(void **state)
{
	char buf[8];

	(void)state;
	put("always [madvise] never\nsecond\n");
	assert_int_equal(read_line(tmp, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "always ");
	put("one\n");
	assert_int_equal(read_line(tmp, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "one");
	put("");
	assert_int_equal(read_line(tmp, buf, sizeof(buf)), -EIO);
	assert_int_equal(read_line("/nonexistent/file", buf, sizeof(buf)), -ENOENT);
}

static void test_swaps_line(void **state)
{
	struct swap_entry e;

	(void)state;
	assert_int_equal(proc_swaps_parse_line("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", &e),
			 -EINVAL);
	assert_int_equal(
		proc_swaps_parse_line(
			"/swapfile                               file\t\t2097148\t\t1024\t\t-2\n", &e),
		0);
	assert_string_equal(e.name, "/swapfile");
	assert_string_equal(e.type, "file");
	assert_true(e.size_kib == 2097148 && e.used_kib == 1024);
	assert_int_equal(e.priority, -2);
	assert_int_equal(proc_swaps_parse_line("/var/tmp/my\\040swap file 1024 0 5\n", &e), 0);
	assert_string_equal(e.name, "/var/tmp/my swap");
	assert_int_equal(proc_swaps_parse_line("/dev/zram0 partition\n", &e), -EINVAL);
	assert_int_equal(proc_swaps_parse_line("\n", &e), -EINVAL);
}

/* Found by tests/fuzz/fuzz_procfs: the kernel escapes only space, tab,
 * newline and backslash in the path; a carriage return, vertical tab or form
 * feed is written as it is and is part of the name, not a separator.  A
 * field too long for its buffer is an error, not cut into two fields. */
static void test_swaps_line_blanks(void **state)
{
	struct swap_entry e;
	char line[5000];

	(void)state;
	assert_int_equal(proc_swaps_parse_line("/var/tmp/a\rb\vc\fd\\040e file\t\t1024\t\t0\t\t-3\n", &e), 0);
	assert_string_equal(e.name, "/var/tmp/a\rb\vc\fd e");
	assert_string_equal(e.type, "file");
	assert_true(e.size_kib == 1024 && e.used_kib == 0);
	assert_int_equal(e.priority, -3);
	memset(line, 'x', sizeof(line));
	line[0] = '/';
	snprintf(line + 4200, sizeof(line) - 4200, " file 1024 0 -2\n");
	assert_int_equal(proc_swaps_parse_line(line, &e), -EINVAL);
	assert_int_equal(proc_swaps_parse_line("/swapfile file 1024x 0 -2\n", &e), -EINVAL);
	assert_int_equal(proc_swaps_parse_line("/swapfile file 1024 0 -2x\n", &e), -EINVAL);
}

struct seen {
	int n;
	char names[4][64];
	uint64_t kib;
	int stop_after;
};

static int collect(const struct swap_entry *e, void *arg)
{
	struct seen *s = arg;

	snprintf(s->names[s->n++], sizeof(s->names[0]), "%.63s", e->name);
	s->kib += e->size_kib;
	return s->n == s->stop_after ? 42 : 0;
}

static void test_swaps_each(void **state)
{
	struct seen s = {0};

	(void)state;
	put("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	    "/dev/zram0                              partition\t1048572\t\t0\t\t100\n"
	    "/var/tmp/lgrun-swap.Ab\\040cd             file\t\t262140\t\t0\t\t-2\n");
	assert_int_equal(proc_swaps_each(tmp, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "/dev/zram0");
	assert_string_equal(s.names[1], "/var/tmp/lgrun-swap.Ab cd");
	assert_true(s.kib == 1048572 + 262140);
	s = (struct seen){.stop_after = 1};
	assert_int_equal(proc_swaps_each(tmp, collect, &s), 42);
	assert_int_equal(s.n, 1);
	put("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	s = (struct seen){0};
	assert_int_equal(proc_swaps_each(tmp, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(proc_swaps_each("/nonexistent/swaps", collect, &s), -ENOENT);
	/* The machine's own: whatever it holds, reading it works. */
	(void)swap_active();
	assert_false(swap_listed("/nonexistent/swap"));
}

static void test_stat_parse(void **state)
{
	struct proc_stat st = {0};

	(void)state;
	assert_int_equal(
		proc_stat_parse("1234 (lgbench) R 1 1234 1234 0 -1 4194560 5012 0 3 0 10 2 0 0 20 0 1 0\n",
				&st),
		0);
	assert_int_equal(st.state, 'R');
	assert_true(st.minflt == 5012 && st.majflt == 3);
	/* comm with spaces and parentheses: the fields start after the last ')'. */
	assert_int_equal(proc_stat_parse("77 (a) b) S (c)) Z 1 77 77 0 -1 0 123456789012 7 42 0 0 0\n", &st),
			 0);
	assert_int_equal(st.state, 'Z');
	assert_true(st.minflt == 123456789012ULL && st.majflt == 42);
	assert_true(st.cminflt == 7 && st.cmajflt == 0);
	assert_int_equal(proc_stat_parse("77 (x y) D 1 2 3 4 5 6 9\n", &st), -EINVAL);
	assert_int_equal(proc_stat_parse("77 no parenthesis R 1 2 3 4 5 6 7 8 9\n", &st), -EINVAL);
	assert_int_equal(proc_stat_parse("", &st), -EINVAL);
	assert_true(st.minflt == 123456789012ULL);
	/* The children's counts: cminflt between minflt and majflt, cmajflt after. */
	assert_int_equal(proc_stat_parse("9 (w) S 1 9 9 0 -1 0 10 20 30 40 0\n", &st), 0);
	assert_true(st.minflt == 10 && st.cminflt == 20 && st.majflt == 30 && st.cmajflt == 40);
}

static void test_stat_read(void **state)
{
	struct proc_stat st;

	(void)state;
	assert_int_equal(proc_stat_read(getpid(), &st), 0);
	assert_int_equal(st.state, 'R');
	assert_true(st.minflt > 0);
	assert_int_equal(proc_stat_read(-5, &st), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unescape),
		cmocka_unit_test_setup_teardown(test_read_line, make_tmp, remove_tmp),
		cmocka_unit_test(test_swaps_line),
		cmocka_unit_test(test_swaps_line_blanks),
		cmocka_unit_test_setup_teardown(test_swaps_each, make_tmp, remove_tmp),
		cmocka_unit_test(test_stat_parse),
		cmocka_unit_test(test_stat_read),
	};

	return cmocka_run_group_tests_name("common/procfs", tests, NULL, NULL);
}
