// SPDX-License-Identifier: MIT
/*
 * Memory cgroups through the cgroup file systems.  v2: the new cgroup gets
 * memory.max and memory.swap.max, in a parent whose subtree_control has (or
 * is given) +memory.  v1: memory.limit_in_bytes, and
 * memory.memsw.limit_in_bytes = memory + swap where the kernel has memsw.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup.h"
#include "size_parse.h"

#define RETRY_MS 2000

const char *cgroup_kind_name(enum cg_kind kind)
{
	return kind == CG_V1 ? "v1" : kind == CG_V2 ? "v2" : "auto";
}

/* OUT = A followed by B; -1 when it does not fit. */
static int join(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s%s", a, b);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = errno;
	else if ((size_t)n != strlen(val))
		err = EIO;
	close(fd);
	return err;
}

/* Read DIR/NAME into BUF (NUL-terminated, trailing newline kept).  Returns 0 or -1. */
static int read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int has_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Whether the space-separated list in DIR/NAME has WORD. */
static int list_has(const char *dir, const char *name, const char *word)
{
	char buf[1024], *tok, *save;

	if (read_file(dir, name, buf, sizeof(buf)))
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return 1;
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static int has_option(const char *opts, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = opts; (p = strstr(p, word)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0' || p[n] == '\n'))
			return 1;
	return 0;
}

/* The mount point and mount root of the v2 hierarchy, or of the v1 one with the memory controller. */
static int find_mount(enum cg_kind kind, char *mnt, char *root)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[8192];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char r[4096], m[4096], fstype[64], super[2048];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", r, m) != 2 ||
		    sscanf(sep + 3, "%63s %*s %2047s", fstype, super) != 2)
			continue;
		if (kind == CG_V2 ? strcmp(fstype, "cgroup2")
				  : strcmp(fstype, "cgroup") || !has_option(super, "memory"))
			continue;
		unescape(r);
		unescape(m);
		snprintf(mnt, PATH_MAX, "%s", m);
		snprintf(root, PATH_MAX, "%s", r);
		found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Our own cgroup in the hierarchy (v2: the "0::" line; v1: the line listing memory). */
static int own_cgroup(enum cg_kind kind, char *out)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!path)
			continue;
		*ctl++ = '\0';
		*path++ = '\0';
		if (kind == CG_V2 ? strcmp(line, "0") || *ctl : !has_option(ctl, "memory"))
			continue;
		path[strcspn(path, "\n")] = '\0';
		snprintf(out, PATH_MAX, "%s", path);
		found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Can a child of DIR (a v2 cgroup) get the memory controller, now or by enabling it? */
static int v2_parent_ok(const char *dir, int is_root)
{
	char buf[64];

	if (list_has(dir, "cgroup.subtree_control", "memory"))
		return 1;
	if (!list_has(dir, "cgroup.controllers", "memory"))
		return 0;
	/* Enabling needs no processes in DIR (the "no internal processes" rule), but at the root. */
	return is_root || (read_file(dir, "cgroup.procs", buf, sizeof(buf)) == 0 && buf[0] == '\0');
}

static int find_kind(struct cgroup *cg, enum cg_kind kind, char *why, size_t len)
{
	char mnt[PATH_MAX], root[PATH_MAX], own[PATH_MAX], rel[PATH_MAX];
	size_t rl;

	if (find_mount(kind, mnt, root)) {
		snprintf(why, len, "no cgroup %s hierarchy%s is mounted", cgroup_kind_name(kind),
			 kind == CG_V1 ? " with the memory controller" : "");
		return -1;
	}
	if (own_cgroup(kind, own)) {
		snprintf(why, len, "cannot find our own cgroup %s in /proc/self/cgroup",
			 cgroup_kind_name(kind));
		return -1;
	}
	/* Paths in /proc/self/cgroup are from the hierarchy's root, the mount may show a subtree. */
	rl = strlen(root);
	if (strcmp(root, "/") && !strncmp(own, root, rl) && (own[rl] == '/' || !own[rl]))
		snprintf(rel, sizeof(rel), "%s", own + rl);
	else
		snprintf(rel, sizeof(rel), "%s", strcmp(root, "/") ? "" : own);
	cg->kind = kind;
	snprintf(cg->base, sizeof(cg->base), "%s", mnt);
	if (kind == CG_V1) {
		return join(cg->parent, sizeof(cg->parent), mnt, strcmp(rel, "/") ? rel : "");
	}
	/* v2: walk up from our own cgroup to one whose children can have the memory controller. */
	for (;;) {
		char *slash;

		if (join(cg->parent, sizeof(cg->parent), mnt, strcmp(rel, "/") ? rel : ""))
			break;
		if (v2_parent_ok(cg->parent, !rel[0] || !strcmp(rel, "/")))
			return 0;
		slash = strrchr(rel, '/');
		if (!slash || (!rel[0] || !strcmp(rel, "/")))
			break;
		*slash = '\0';
	}
	snprintf(why, len, "cgroup v2 at %s has no memory controller", mnt);
	return -1;
}

int cgroup_find(struct cgroup *cg, enum cg_kind want, const char *parent, char *why, size_t len)
{
	struct statfs sfs;

	memset(cg, 0, sizeof(*cg));
	if (parent) {
		if (statfs(parent, &sfs)) {
			snprintf(why, len, "%s: %s", parent, strerror(errno));
			return -1;
		}
		cg->kind = sfs.f_type == CGROUP2_SUPER_MAGIC ? CG_V2
			   : sfs.f_type == CGROUP_SUPER_MAGIC && has_file(parent, "memory.limit_in_bytes")
				   ? CG_V1
				   : CG_AUTO;
		if (cg->kind == CG_AUTO || (want != CG_AUTO && want != cg->kind)) {
			snprintf(why, len, "%s is not a %s memory cgroup", parent,
				 want == CG_AUTO ? "v1 or v2" : cgroup_kind_name(want));
			return -1;
		}
		if (cg->kind == CG_V2 && !list_has(parent, "cgroup.controllers", "memory")) {
			snprintf(why, len, "%s has no memory controller", parent);
			return -1;
		}
		snprintf(cg->parent, sizeof(cg->parent), "%s", parent);
		cg->fixed_parent = 1;
		return 0;
	}
	if (want != CG_AUTO)
		return find_kind(cg, want, why, len);
	if (find_kind(cg, CG_V2, why, len) == 0)
		return 0;
	return find_kind(cg, CG_V1, why, len);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int warn_or_fail(int keep_going, const char *what)
{
	fprintf(stderr, "lgrun: %s%s\n", what, keep_going ? " (going on without it: --keep-going)" : "");
	return keep_going ? 0 : -1;
}

static int set_limits(struct cgroup *cg, uint64_t memory, uint64_t swap, int keep_going)
{
	char val[32];
	const char *mem_file = cg->kind == CG_V1 ? "memory.limit_in_bytes" : "memory.max";
	const char *swap_file = cg->kind == CG_V1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
	int err;

	snprintf(val, sizeof(val), "%llu\n", (unsigned long long)memory);
	err = write_file(cg->path, mem_file, val);
	if (err) {
		fprintf(stderr, "lgrun: cannot set %s/%s: %s\n", cg->path, mem_file, strerror(err));
		return -1;
	}
	if (swap == CG_NO_LIMIT)
		return 0;
	if (!has_file(cg->path, swap_file))
		return warn_or_fail(keep_going, cg->kind == CG_V1
							? "cannot limit swap: the kernel has no "
							  "memory.memsw files (swapaccount=1 missing)"
							: "cannot limit swap: no memory.swap.max");
	if (cg->kind == CG_V1)
		swap = swap > UINT64_MAX - memory ? UINT64_MAX : swap + memory;
	if (swap == UINT64_MAX)
		snprintf(val, sizeof(val), cg->kind == CG_V1 ? "-1\n" : "max\n");
	else
		snprintf(val, sizeof(val), "%llu\n", (unsigned long long)swap);
	err = write_file(cg->path, swap_file, val);
	if (err) {
		fprintf(stderr, "lgrun: cannot set %s/%s: %s\n", cg->path, swap_file, strerror(err));
		return -1;
	}
	cg->has_swap_limit = 1;
	return 0;
}

int cgroup_create(struct cgroup *cg, uint64_t memory, uint64_t swap, int keep_going)
{
	int err, i;

	if (cg->kind == CG_V2 && !list_has(cg->parent, "cgroup.subtree_control", "memory")) {
		err = write_file(cg->parent, "cgroup.subtree_control", "+memory");
		if (err) {
			fprintf(stderr,
				"lgrun: cannot enable the memory controller in %s/cgroup.subtree_control: "
				"%s%s\n",
				cg->parent, strerror(err),
				err == EBUSY
					? " (the cgroup has processes of its own; pick another with --parent)"
					: "");
			return -1;
		}
		cg->enabled_memory = 1;
	}
	for (i = 0; i < 100 && !cg->created; i++) {
		snprintf(cg->path, sizeof(cg->path), i ? "%s/lgrun-%d-%d" : "%s/lgrun-%d", cg->parent,
			 (int)getpid(), i);
		if (mkdir(cg->path, 0755) == 0)
			cg->created = 1;
		else if (errno != EEXIST)
			break;
	}
	if (!cg->created) {
		fprintf(stderr, "lgrun: cannot create a cgroup in %s: %s\n", cg->parent, strerror(errno));
		cgroup_remove(cg);
		return -1;
	}
	join(cg->procs, sizeof(cg->procs), cg->path, "/cgroup.procs");
	if (set_limits(cg, memory, swap, keep_going)) {
		cgroup_remove(cg);
		return -1;
	}
	return 0;
}

int cgroup_enter(const struct cgroup *cg)
{
	char pid[24];
	int fd = open(cg->procs, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, strlen(pid)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Kill the processes left in the cgroup; returns how many were found the first time. */
static int kill_leftovers(struct cgroup *cg)
{
	int first = -1, waited;

	for (waited = 0; waited < RETRY_MS; waited += 10) {
		FILE *f = fopen(cg->procs, "re");
		int pid, n = 0;

		if (!f)
			break;
		while (fscanf(f, "%d", &pid) == 1) {
			if (first < 0 || waited % 200 == 0)
				kill(pid, SIGKILL);
			n++;
		}
		fclose(f);
		if (first < 0)
			first = n;
		if (!n)
			break;
		if (has_file(cg->path, "cgroup.kill"))
			write_file(cg->path, "cgroup.kill", "1");
		sleep_ms(10);
	}
	return first < 0 ? 0 : first;
}

/* Whether DIR has a subdirectory (another cgroup). */
static int has_children(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 1;
	while (!found && (e = readdir(d)))
		found = e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return found;
}

int cgroup_remove(struct cgroup *cg)
{
	int rc = 0, waited, n;

	if (cg->created) {
		n = kill_leftovers(cg);
		if (n)
			fprintf(stderr, "lgrun: killed %d process%s left in %s\n", n, n > 1 ? "es" : "",
				cg->path);
		for (waited = 0; rmdir(cg->path) && errno == EBUSY && waited < RETRY_MS; waited += 10)
			sleep_ms(10);
		if (access(cg->path, F_OK) == 0) {
			fprintf(stderr, "lgrun: cannot remove cgroup %s: %s\n", cg->path, strerror(errno));
			rc = -1;
		} else {
			cg->created = 0;
		}
	}
	if (cg->enabled_memory && !cg->created && !has_children(cg->parent)) {
		write_file(cg->parent, "cgroup.subtree_control", "-memory");
		cg->enabled_memory = 0;
	}
	return rc;
}
