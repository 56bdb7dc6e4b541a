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
#include <unistd.h>
#include <linux/magic.h>

#include "common/cgroup.h"
#include "common/parse.h"
#include "common/procfs.h"
#include "common/timeutil.h"

#define RETRY_MS     2000
/* v1 reports "no limit" as the largest page-aligned long. */
#define V1_UNLIMITED (1ULL << 62)

const char *cgroup_kind_name(enum cg_kind kind)
{
	return kind == CG_V1 ? "v1" : kind == CG_V2 ? "v2" : "auto";
}

/* OUT = A followed by B; -ENAMETOOLONG when it does not fit. */
static int join(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s%s", a, b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(val))
		err = -EIO;
	close(fd);
	return err;
}

/* Read DIR/NAME into BUF (NUL-terminated, trailing newline kept).  Returns 0 or -errno. */
static int read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static bool has_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Whether the space-separated list in DIR/NAME (cgroup.controllers and the like) has WORD. */
static bool file_list_has(const char *dir, const char *name, const char *word)
{
	char buf[1024];

	return read_file(dir, name, buf, sizeof(buf)) == 0 && list_has(buf, ' ', word);
}

int mountinfo_parse_line(const char *line, struct mount_entry *m)
{
	char tag[2];
	const char *p = line;

	/* id parent maj:min root mountpoint opts [tags...] - fstype source
	 * superopts, split as procfs.h's proc_field() says. */
	for (int i = 0; i < 3 && p; i++)
		p = proc_field(p, NULL, 0);
	p = p ? proc_field(p, m->root, sizeof(m->root)) : NULL;
	p = p ? proc_field(p, m->point, sizeof(m->point)) : NULL;
	p = p ? proc_field(p, NULL, 0) : NULL;
	do {
		const char *q = p ? proc_field(p, tag, sizeof(tag)) : NULL;

		/* A tag longer than "-" does not fit: skip it. */
		p = q ? q : p ? proc_field(p, NULL, 0) : NULL;
		if (q && !strcmp(tag, "-"))
			break;
	} while (p);
	p = p ? proc_field(p, m->fstype, sizeof(m->fstype)) : NULL;
	p = p ? proc_field(p, NULL, 0) : NULL;
	if (!p || !proc_field(p, m->super_opts, sizeof(m->super_opts)))
		return -EINVAL;
	proc_unescape(m->root);
	proc_unescape(m->point);
	return 0;
}

int cgroup_find_mount(const char *mountinfo, enum cg_kind kind, struct mount_entry *m)
{
	FILE *f = fopen(mountinfo ? mountinfo : "/proc/self/mountinfo", "re");
	char line[3 * PATH_MAX];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		if (mountinfo_parse_line(line, m))
			continue;
		if (kind == CG_V2 ? !strcmp(m->fstype, "cgroup2")
				  : !strcmp(m->fstype, "cgroup") && list_has(m->super_opts, ',', "memory"))
			err = 0;
	}
	fclose(f);
	return err;
}

int cgroup_own(const char *proc_cgroup, enum cg_kind kind, char *out, size_t len)
{
	FILE *f = fopen(proc_cgroup ? proc_cgroup : "/proc/self/cgroup", "re");
	char line[PATH_MAX + 64];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		/* hierarchy-id:controller-list:cgroup-path */
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!path)
			continue;
		*ctl++ = '\0';
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (kind == CG_V2 ? !strcmp(line, "0") && !*ctl : list_has(ctl, ',', "memory"))
			err = join(out, len, path, "");
	}
	fclose(f);
	return err;
}

/*
 * The directory of cgroup OWN under the mount M: paths in /proc/self/cgroup
 * are from the hierarchy's root, the mount may show a subtree of it.
 */
static int cgroup_dir(const struct mount_entry *m, const char *own, char *out, size_t len)
{
	size_t rl = strlen(m->root);
	const char *rel = own;

	if (strcmp(m->root, "/") && !strncmp(own, m->root, rl) && (own[rl] == '/' || !own[rl]))
		rel = own + rl;
	return join(out, len, m->point, strcmp(rel, "/") ? rel : "");
}

/* ---- the memory limit ---- */

/* Read one number from PATH; "max" is CG_NO_LIMIT.  Returns 0 or -errno. */
static int read_limit(const char *path, uint64_t *out)
{
	char buf[64], *end;
	int err = read_line(path, buf, sizeof(buf));

	if (err)
		return err;
	if (!strncmp(buf, "max", 3)) {
		*out = CG_NO_LIMIT;
		return 0;
	}
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	if (*out >= V1_UNLIMITED)
		*out = CG_NO_LIMIT;
	return 0;
}

/* Walk from directory DIR up to the mount point BASE, keeping the lowest limit in FILE, and the
 * swap limit of the same directory. */
static int lowest_limit(char *dir, size_t base, const char *file, const char *swap_file, struct mem_limit *ml)
{
	char path[PATH_MAX + 64];
	int found = -ENOENT;

	for (;;) {
		uint64_t v, swap;
		size_t dlen = strlen(dir);

		while (dlen > base && dir[dlen - 1] == '/')
			dir[--dlen] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (!read_limit(path, &v)) {
			if (found || v < ml->bytes) {
				ml->bytes = v;
				snprintf(ml->source, sizeof(ml->source), "%s", path);
				snprintf(path, sizeof(path), "%s/%s", dir, swap_file);
				if (read_limit(path, &swap))
					ml->swap_bytes = CG_NO_LIMIT;
				/* v1 limits memory plus swap, v2 swap alone. */
				else if (!strcmp(swap_file, "memory.memsw.limit_in_bytes"))
					ml->swap_bytes = swap == CG_NO_LIMIT || v == CG_NO_LIMIT ? swap
							 : swap > v				 ? swap - v
												 : 0;
				else
					ml->swap_bytes = swap;
			}
			found = 0;
		}
		if (dlen <= base)
			break;
		while (dlen > base && dir[dlen - 1] != '/')
			dir[--dlen] = '\0';
	}
	return found;
}

static int detect_one(struct mem_limit *ml, const char *proc_cgroup, const char *mountinfo, enum cg_kind kind)
{
	char own[PATH_MAX], dir[PATH_MAX];
	struct mount_entry m;
	int err;

	err = cgroup_own(proc_cgroup, kind, own, sizeof(own));
	if (!err)
		err = cgroup_find_mount(mountinfo, kind, &m);
	if (!err)
		err = cgroup_dir(&m, own, dir, sizeof(dir));
	if (err)
		return err;
	if (kind == CG_V1)
		return lowest_limit(dir, strlen(m.point), "memory.limit_in_bytes",
				    "memory.memsw.limit_in_bytes", ml);
	return lowest_limit(dir, strlen(m.point), "memory.max", "memory.swap.max", ml);
}

int mem_limit_detect_from(struct mem_limit *ml, const char *proc_cgroup, const char *mountinfo)
{
	FILE *f = fopen(proc_cgroup, "re");

	*ml = (struct mem_limit){.bytes = CG_NO_LIMIT, .swap_bytes = CG_NO_LIMIT};
	if (!f)
		return -errno;
	fclose(f);
	/* A v2 hierarchy without the memory controller has no memory.max. */
	if (!detect_one(ml, proc_cgroup, mountinfo, CG_V2)) {
		strcpy(ml->version, "v2");
		return 0;
	}
	if (!detect_one(ml, proc_cgroup, mountinfo, CG_V1))
		strcpy(ml->version, "v1");
	return 0;
}

int mem_limit_detect(struct mem_limit *ml)
{
	return mem_limit_detect_from(ml, "/proc/self/cgroup", "/proc/self/mountinfo");
}

void mem_limit_describe(const struct mem_limit *ml, char *buf, size_t len)
{
	char size[SIZE_FORMAT_LEN];

	if (!ml->version[0]) {
		snprintf(buf, len, "none (no memory cgroup found)");
		return;
	}
	if (ml->bytes == CG_NO_LIMIT)
		snprintf(size, sizeof(size), "unlimited");
	else
		size_format(ml->bytes, SIZE_IEC, size, sizeof(size));
	snprintf(buf, len, "%s (cgroup %s: %s)", size, ml->version, ml->source);
}

/* ---- a fresh cgroup ---- */

/* Can a child of DIR (a v2 cgroup) get the memory controller, now or by enabling it? */
static bool v2_parent_ok(const char *dir, bool is_root)
{
	char buf[64];

	if (file_list_has(dir, "cgroup.subtree_control", "memory"))
		return true;
	if (!file_list_has(dir, "cgroup.controllers", "memory"))
		return false;
	/* Enabling needs no processes in DIR (the "no internal processes" rule), but at the root. */
	return is_root || (read_file(dir, "cgroup.procs", buf, sizeof(buf)) == 0 && buf[0] == '\0');
}

static int find_kind(struct cgroup *cg, enum cg_kind kind, char *why, size_t len)
{
	char own[PATH_MAX];
	struct mount_entry m;
	size_t base;
	int err;

	err = cgroup_find_mount(NULL, kind, &m);
	if (err) {
		snprintf(why, len, "no cgroup %s hierarchy%s is mounted", cgroup_kind_name(kind),
			 kind == CG_V1 ? " with the memory controller" : "");
		return err;
	}
	err = cgroup_own(NULL, kind, own, sizeof(own));
	if (!err)
		err = cgroup_dir(&m, own, cg->parent, sizeof(cg->parent));
	if (err) {
		snprintf(why, len, "cannot find our own cgroup %s in /proc/self/cgroup",
			 cgroup_kind_name(kind));
		return err;
	}
	cg->kind = kind;
	snprintf(cg->base, sizeof(cg->base), "%s", m.point);
	if (kind == CG_V1)
		return 0;
	/* v2: walk up from our own cgroup to one whose children can have the memory controller. */
	base = strlen(cg->base);
	for (;;) {
		char *slash = strrchr(cg->parent, '/');

		if (v2_parent_ok(cg->parent, strlen(cg->parent) <= base))
			return 0;
		if (strlen(cg->parent) <= base || !slash)
			break;
		*slash = '\0';
	}
	snprintf(why, len, "cgroup v2 at %s has no memory controller", cg->base);
	return -ENOENT;
}

int cgroup_find(struct cgroup *cg, enum cg_kind want, const char *parent, char *why, size_t len)
{
	struct statfs sfs;

	memset(cg, 0, sizeof(*cg));
	if (parent) {
		if (statfs(parent, &sfs)) {
			snprintf(why, len, "%s: %s", parent, strerror(errno));
			return -errno;
		}
		cg->kind = sfs.f_type == CGROUP2_SUPER_MAGIC ? CG_V2
			   : sfs.f_type == CGROUP_SUPER_MAGIC && has_file(parent, "memory.limit_in_bytes")
				   ? CG_V1
				   : CG_AUTO;
		if (cg->kind == CG_AUTO || (want != CG_AUTO && want != cg->kind)) {
			snprintf(why, len, "%s is not a %s memory cgroup", parent,
				 want == CG_AUTO ? "v1 or v2" : cgroup_kind_name(want));
			return -EINVAL;
		}
		if (cg->kind == CG_V2 && !file_list_has(parent, "cgroup.controllers", "memory")) {
			snprintf(why, len, "%s has no memory controller", parent);
			return -EINVAL;
		}
		snprintf(cg->parent, sizeof(cg->parent), "%s", parent);
		cg->fixed_parent = true;
		return 0;
	}
	if (want != CG_AUTO)
		return find_kind(cg, want, why, len);
	if (find_kind(cg, CG_V2, why, len) == 0)
		return 0;
	return find_kind(cg, CG_V1, why, len);
}

static int set_limits(struct cgroup *cg, uint64_t memory, uint64_t swap, bool keep_going, char *why,
		      size_t len)
{
	char val[32];
	const char *mem_file = cg->kind == CG_V1 ? "memory.limit_in_bytes" : "memory.max";
	const char *swap_file = cg->kind == CG_V1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
	int err;

	snprintf(val, sizeof(val), "%llu\n", (unsigned long long)memory);
	err = write_file(cg->path, mem_file, val);
	if (err) {
		snprintf(why, len, "cannot set %s/%s: %s", cg->path, mem_file, strerror(-err));
		return err;
	}
	if (swap == CG_NO_LIMIT)
		return 0;
	if (!has_file(cg->path, swap_file)) {
		snprintf(why, len, "%s",
			 cg->kind == CG_V1 ? "cannot limit swap: the kernel has no memory.memsw files "
					     "(swapaccount=1 missing)"
					   : "cannot limit swap: no memory.swap.max");
		return keep_going ? 0 : -EOPNOTSUPP;
	}
	if (cg->kind == CG_V1)
		swap = swap > UINT64_MAX - memory ? UINT64_MAX : swap + memory;
	if (swap == UINT64_MAX)
		snprintf(val, sizeof(val), cg->kind == CG_V1 ? "-1\n" : "max\n");
	else
		snprintf(val, sizeof(val), "%llu\n", (unsigned long long)swap);
	err = write_file(cg->path, swap_file, val);
	if (err) {
		snprintf(why, len, "cannot set %s/%s: %s", cg->path, swap_file, strerror(-err));
		return err;
	}
	cg->has_swap_limit = true;
	return 0;
}

int cgroup_create(struct cgroup *cg, const char *prefix, uint64_t memory, uint64_t swap, bool keep_going,
		  char *why, size_t len)
{
	int err = 0, i;

	why[0] = '\0';
	if (cg->kind == CG_V2 && !file_list_has(cg->parent, "cgroup.subtree_control", "memory")) {
		err = write_file(cg->parent, "cgroup.subtree_control", "+memory");
		if (err) {
			snprintf(
				why, len,
				"cannot enable the memory controller in %s/cgroup.subtree_control: %s%s",
				cg->parent, strerror(-err),
				err == -EBUSY
					? " (the cgroup has processes of its own; pick another with --parent)"
					: "");
			return err;
		}
		cg->enabled_memory = true;
	}
	for (i = 0; i < 100 && !cg->created; i++) {
		snprintf(cg->path, sizeof(cg->path), i ? "%s/%s-%d-%d" : "%s/%s-%d", cg->parent, prefix,
			 (int)getpid(), i);
		if (mkdir(cg->path, 0755) == 0)
			cg->created = true;
		else if (errno != EEXIST)
			break;
	}
	if (!cg->created) {
		err = -errno;
		snprintf(why, len, "cannot create a cgroup in %s: %s", cg->parent, strerror(errno));
	} else {
		err = join(cg->procs, sizeof(cg->procs), cg->path, "/cgroup.procs");
		if (err)
			snprintf(why, len, "%s/cgroup.procs: %s", cg->path, strerror(-err));
		else
			err = set_limits(cg, memory, swap, keep_going, why, len);
	}
	if (err)
		/* A fresh empty cgroup: a failure to remove it shows again at the caller's cleanup. */
		cgroup_remove(cg, NULL, NULL, 0);
	return err;
}

int cgroup_enter(const struct cgroup *cg)
{
	/* By hand, not snprintf: this runs in a forked child of a threaded program. */
	char pid[24], *p = pid + sizeof(pid);
	unsigned long v = (unsigned long)getpid();
	int fd = open(cg->procs, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	*--p = '\n';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (write(fd, p, (size_t)(pid + sizeof(pid) - p)) < 0)
		err = -errno;
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
static bool has_children(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return true;
	while (!found && (e = readdir(d)))
		found = e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return found;
}

int cgroup_remove(struct cgroup *cg, int *killed, char *why, size_t len)
{
	int err = 0, waited, n = 0;

	if (cg->created) {
		n = kill_leftovers(cg);
		for (waited = 0; (err = rmdir(cg->path) ? -errno : 0) == -EBUSY && waited < RETRY_MS;
		     waited += 10)
			sleep_ms(10);
		if (err && access(cg->path, F_OK) == 0) {
			if (why)
				snprintf(why, len, "cannot remove cgroup %s: %s", cg->path, strerror(-err));
		} else {
			err = 0;
			cg->created = false;
		}
	}
	if (killed)
		*killed = n;
	if (cg->enabled_memory && !cg->created && !has_children(cg->parent)) {
		write_file(cg->parent, "cgroup.subtree_control", "-memory");
		cg->enabled_memory = false;
	}
	return err;
}
