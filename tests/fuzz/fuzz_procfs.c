// SPDX-License-Identifier: MIT
/*
 * Fuzz target for common/procfs.c's parsers: proc_stat_parse (/proc/PID/stat),
 * proc_swaps_parse_line (/proc/swaps) and proc_unescape.  The first byte
 * picks a mode: raw text (any result, no crash, nothing written on error),
 * or a line written the way the kernel writes it from fields taken from the
 * input, which must parse back to those fields.
 */
#include <errno.h>
#include <stdbool.h>

#include "common/procfs.h"
#include "fuzz_util.h"

/* Up to MAX bytes of the input, without NUL, as a string in BUF. */
static size_t take_text(struct in *in, char *buf, size_t max, const char *reject)
{
	size_t len = take(in, 1) % (max + 1), n = 0;

	while (n < len && in->n) {
		char c = (char)take(in, 1);

		if (c && !strchr(reject, c))
			buf[n++] = c;
	}
	buf[n] = '\0';
	return n;
}

/* The kernel's escape of a path in /proc/swaps and mountinfo (seq_path's
 * " \t\n\\" as \ooo). */
static void escape(const char *s, char *out)
{
	for (; *s; s++) {
		if (strchr(" \t\n\\", *s))
			out += sprintf(out, "\\%03o", (unsigned char)*s);
		else
			*out++ = *s;
	}
	*out = '\0';
}

static void raw(const char *text)
{
	struct proc_stat st = {'?', 1, 2, 3, 4};
	struct swap_entry e;
	char *copy = strdup(text);
	size_t len = strlen(text);
	int err;

	err = proc_stat_parse(text, &st);
	if (err && (err != -EINVAL || st.state != '?' || st.minflt != 1 || st.majflt != 2))
		fuzz_fail("proc_stat_parse failed (%d) but wrote", err);
	err = proc_swaps_parse_line(text, &e);
	if (err && err != -EINVAL)
		fuzz_fail("proc_swaps_parse_line = %d", err);
	if (!err && (strlen(e.name) >= sizeof(e.name) || strlen(e.type) >= sizeof(e.type)))
		fuzz_fail("proc_swaps_parse_line overflowed a field");
	if (!copy)
		abort();
	proc_unescape(copy);
	if (strlen(copy) > len)
		fuzz_fail("proc_unescape lengthened '%s'", text);
	free(copy);
}

static void stat_line(struct in *in)
{
	char comm[64], line[512];
	struct proc_stat st;
	char state = "RSDZTtXxIWP"[take(in, 1) % 11];
	unsigned long long minflt = take(in, 8), majflt = take(in, 8);
	int err;

	/* comm: up to 15 bytes (TASK_COMM_LEN), any but NUL, ')' and '(' too. */
	take_text(in, comm, 15, "");
	snprintf(line, sizeof(line), "%d (%s) %c 1 %d %d 0 -1 4194304 %llu 0 %llu 0 3 4 0 0 20 0 1 0 123\n",
		 (int)(take(in, 2) + 1), comm, state, (int)take(in, 2), (int)take(in, 2), minflt, majflt);
	err = proc_stat_parse(line, &st);
	if (err || st.state != state || st.minflt != minflt || st.majflt != majflt)
		fuzz_fail("proc_stat_parse('%s') = %d: %c %llu %llu", line, err, st.state, st.minflt,
			  st.majflt);
}

static void swaps_line(struct in *in)
{
	char name[256], escaped[1100], line[1300];
	const char *type = take(in, 1) & 1 ? "file" : "partition";
	unsigned long long size = take(in, 5), used = take(in, 5);
	int prio = (int)(int16_t)take(in, 2);
	struct swap_entry e;
	int err;

	/* A path: the kernel writes it absolute, escaped. */
	name[0] = '/';
	take_text(in, name + 1, 200, "");
	escape(name, escaped);
	snprintf(line, sizeof(line), "%s\t\t\t\t%s\t\t%llu\t\t%llu\t\t%d\n", escaped, type, size, used, prio);
	err = proc_swaps_parse_line(line, &e);
	if (err || strcmp(e.name, name) || strcmp(e.type, type) || e.size_kib != size || e.used_kib != used ||
	    e.priority != prio)
		fuzz_fail("proc_swaps_parse_line('%s') = %d: '%s' %s %llu %llu %d", line, err, e.name, e.type,
			  (unsigned long long)e.size_kib, (unsigned long long)e.used_kib, e.priority);
	if (proc_swaps_parse_line("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", &e) != -EINVAL)
		fuzz_fail("the header of /proc/swaps parsed as an entry");
}

static void unescape_round_trip(struct in *in)
{
	char s[512], escaped[2100];

	take_text(in, s, 500, "");
	escape(s, escaped);
	proc_unescape(escaped);
	if (strcmp(s, escaped))
		fuzz_fail("proc_unescape(escape('%s')) = '%s'", s, escaped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data + 1, size ? size - 1 : 0};
	char *s;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		s = fuzz_string(data + 1, size - 1);
		raw(s);
		free(s);
		break;
	case 1:
		stat_line(&in);
		break;
	case 2:
		swaps_line(&in);
		break;
	default:
		unescape_round_trip(&in);
		break;
	}
	return 0;
}
