// SPDX-License-Identifier: MIT
/* /proc readers of procfs.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/procfs.h"

int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

void proc_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && is_octal(s[2]) && is_octal(s[3])) {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

const char *proc_field(const char *s, char *out, size_t len)
{
	size_t n;

	s += strspn(s, " \t\n");
	n = strcspn(s, " \t\n");
	if (!n || (out && n >= len))
		return NULL;
	if (out) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return s + n;
}

/* The next field of *S as a decimal number (a sign where SIGNED); 0 or -EINVAL. */
static int number_field(const char **s, bool is_signed, long long *v)
{
	char buf[32], *end;

	*s = *s ? proc_field(*s, buf, sizeof(buf)) : NULL;
	if (!*s || !(isdigit((unsigned char)buf[0]) || (is_signed && buf[0] == '-')))
		return -EINVAL;
	errno = 0;
	*v = is_signed ? strtoll(buf, &end, 10) : (long long)strtoull(buf, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

int proc_swaps_parse_line(const char *line, struct swap_entry *e)
{
	long long size, used, prio;
	const char *p = proc_field(line, e->name, sizeof(e->name));

	p = p ? proc_field(p, e->type, sizeof(e->type)) : NULL;
	if (!p || number_field(&p, false, &size) || number_field(&p, false, &used) ||
	    number_field(&p, true, &prio) || prio < INT_MIN || prio > INT_MAX)
		return -EINVAL;
	proc_unescape(e->name);
	e->size_kib = (uint64_t)size;
	e->used_kib = (uint64_t)used;
	e->priority = (int)prio;
	return 0;
}

int proc_swaps_each(const char *path, int (*fn)(const struct swap_entry *e, void *arg), void *arg)
{
	FILE *f = fopen(path ? path : "/proc/swaps", "re");
	struct swap_entry e;
	char line[4352];
	int rc = 0;

	if (!f)
		return -errno;
	while (!rc && fgets(line, sizeof(line), f))
		if (proc_swaps_parse_line(line, &e) == 0)
			rc = fn(&e, arg);
	fclose(f);
	return rc;
}

static int stop_at_any(const struct swap_entry *e, void *arg)
{
	(void)e;
	(void)arg;
	return 1;
}

bool swap_active(void)
{
	return proc_swaps_each(NULL, stop_at_any, NULL) == 1;
}

static int stop_at_path(const struct swap_entry *e, void *arg)
{
	return !strcmp(e->name, arg);
}

bool swap_listed(const char *path)
{
	return proc_swaps_each(NULL, stop_at_path, (void *)path) == 1;
}

int proc_stat_parse(const char *text, struct proc_stat *st)
{
	const char *p = strrchr(text, ')');
	struct proc_stat s;

	/* After "(comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt */
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %llu %llu %llu", &s.state, &s.minflt, &s.cminflt,
			 &s.majflt) != 4)
		return -EINVAL;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %llu", &s.cmajflt) != 1)
		s.cmajflt = 0;
	*st = s;
	return 0;
}

int proc_stat_read(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return proc_stat_parse(buf, st);
}
