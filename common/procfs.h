/* SPDX-License-Identifier: MIT */
/*
 * Reading /proc (and /sys) files: the first line of a file, the entries of
 * /proc/swaps, the state and fault counts of /proc/PID/stat, and the octal
 * escapes the kernel puts in path names there.  Nothing printed; errors are
 * -errno.  The *_parse functions are pure (thread-safe); the readers open
 * files and are thread-safe too.
 */
#ifndef LG_COMMON_PROCFS_H
#define LG_COMMON_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read the first line of PATH into BUF (LEN bytes, NUL-terminated, newline
 * removed, cut at LEN - 1 bytes).  Returns 0, -errno when PATH cannot be
 * opened, -EIO when it is empty.
 */
int read_line(const char *path, char *buf, size_t len);

/*
 * Undo the octal escapes the kernel writes into path names in mountinfo,
 * /proc/swaps and the like ("\040" for a space, "\134" for a backslash), in
 * place.
 */
void proc_unescape(char *s);

/*
 * The next field of S, copied into OUT (LEN bytes; OUT NULL: skipped).
 * Fields are separated by spaces, tabs and newlines, the bytes the kernel
 * escapes in the path names of /proc/swaps and mountinfo (any other byte,
 * a carriage return or a form feed too, belongs to the field).  Returns the
 * text after the field, or NULL when there is none or it does not fit.
 */
const char *proc_field(const char *s, char *out, size_t len);

struct swap_entry {
	char name[4096]; /* file or device, escapes undone */
	char type[16];	 /* "file", "partition" */
	uint64_t size_kib;
	uint64_t used_kib;
	int priority;
};

/*
 * Parse one line of /proc/swaps ("Filename Type Size Used Priority").
 * Returns 0, or -EINVAL for the header line or anything else that is not an
 * entry.
 */
int proc_swaps_parse_line(const char *line, struct swap_entry *e);

/*
 * Call FN for each entry of the swaps file PATH (NULL: /proc/swaps) in
 * order, until FN returns non-zero.  Returns what FN last returned (0 when
 * it always returned 0 or there are no entries), or -errno when PATH cannot
 * be opened.
 */
int proc_swaps_each(const char *path, int (*fn)(const struct swap_entry *e, void *arg), void *arg);

/* Whether any swap area is active (an entry in /proc/swaps). */
bool swap_active(void);

/* Whether PATH is an active swap area (listed in /proc/swaps). */
bool swap_listed(const char *path);

struct proc_stat {
	char state; /* R, S, D, Z, X, T, ... */
	unsigned long long minflt;
	unsigned long long majflt;
	/* of the children waited for (0 when the line ends before cmajflt) */
	unsigned long long cminflt;
	unsigned long long cmajflt;
};

/*
 * Parse the text of /proc/PID/stat.  The command name (field 2) may hold
 * spaces and parentheses: the fields after it are found after the last ')'.
 * Returns 0, or -EINVAL when the text is not of that form.
 */
int proc_stat_parse(const char *text, struct proc_stat *st);

/* Read and parse /proc/PID/stat.  Returns 0, -errno (-ENOENT: no such process), or -EINVAL/-EIO. */
int proc_stat_read(pid_t pid, struct proc_stat *st);

#endif
