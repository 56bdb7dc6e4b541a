// SPDX-License-Identifier: MIT
/*
 * Fuzz target for common/cgroup.c's mountinfo_parse_line.  The first byte
 * picks raw text (any result, no crash) or a line written the way the
 * kernel writes /proc/PID/mountinfo (show_mountinfo: escaped root and mount
 * point, optional fields, " - ", fstype, source, super options) from fields
 * taken from the input, which must parse back to those fields.
 */
#include <errno.h>

#include "common/cgroup.h"
#include "fuzz_util.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

/* Up to MAX bytes, without NUL or a byte of REJECT, into BUF; at least MIN. */
static void take_text(struct in *in, char *buf, size_t min, size_t max, const char *reject)
{
	size_t len = min + take(in, 1) % (max - min + 1), n = 0;

	while (n < len) {
		char c = in->n ? (char)take(in, 1) : 'x';

		buf[n++] = c && !strchr(reject, c) ? c : '_';
	}
	buf[n] = '\0';
}

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

static void kernel_line(struct in *in)
{
	static const char *const tags[] = {"", " shared:1", " master:7", " shared:3 master:2", " unbindable"};
	char root[256], point[256], eroot[1100], epoint[1100], fstype[40], source[64], opts[200];
	char line[3000];
	struct mount_entry m;
	int err;

	root[0] = '/';
	take_text(in, root + 1, 0, 200, "");
	point[0] = '/';
	take_text(in, point + 1, 0, 200, "");
	/* fstype, source and options: no blanks (the kernel escapes them too). */
	take_text(in, fstype, 1, 30, " \t\n\\");
	take_text(in, source, 1, 40, " \t\n\\");
	take_text(in, opts, 1, 150, " \t\n\\");
	escape(root, eroot);
	escape(point, epoint);
	snprintf(line, sizeof(line), "%u %u %u:%u %s %s rw,nosuid,relatime%s - %s %s %s\n",
		 (unsigned)take(in, 2), (unsigned)take(in, 2), (unsigned)take(in, 1), (unsigned)take(in, 1),
		 eroot, epoint, tags[take(in, 1) % 5], fstype, source, opts);
	err = mountinfo_parse_line(line, &m);
	if (err || strcmp(m.root, root) || strcmp(m.point, point) || strcmp(m.fstype, fstype) ||
	    strcmp(m.super_opts, opts))
		fuzz_fail("mountinfo_parse_line('%s') = %d: root '%s' point '%s' fstype '%s' opts '%s'", line,
			  err, m.root, m.point, m.fstype, m.super_opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data + 1, size ? size - 1 : 0};
	struct mount_entry *m;
	char *s;
	int err;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		kernel_line(&in);
		return 0;
	}
	s = fuzz_string(data + 1, size - 1);
	m = malloc(sizeof(*m));
	if (!m)
		abort();
	err = mountinfo_parse_line(s, m);
	if (err && err != -EINVAL)
		fuzz_fail("mountinfo_parse_line = %d", err);
	if (!err &&
	    (strlen(m->root) >= sizeof(m->root) || strlen(m->point) >= sizeof(m->point) ||
	     strlen(m->fstype) >= sizeof(m->fstype) || strlen(m->super_opts) >= sizeof(m->super_opts)))
		fuzz_fail("mountinfo_parse_line overflowed a field");
	free(m);
	free(s);
	return 0;
}
