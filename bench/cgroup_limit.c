// SPDX-License-Identifier: MIT
/* Memory limit detection for cgroup v2 and v1; see cgroup_limit.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_limit.h"
#include "util.h"

/* v1 reports "no limit" as the largest page-aligned long. */
#define V1_UNLIMITED (1ULL << 62)

/* Read one number from @path; "max" is MEM_UNLIMITED.  -errno on failure. */
static int read_limit(const char *path, uint64_t *out)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	char *end;
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		err = -EIO;
	} else if (!strncmp(buf, "max", 3)) {
		*out = MEM_UNLIMITED;
	} else {
		errno = 0;
		*out = strtoull(buf, &end, 10);
		if (errno || end == buf)
			err = -EINVAL;
		else if (*out >= V1_UNLIMITED)
			*out = MEM_UNLIMITED;
	}
	fclose(f);
	return err;
}

/*
 * The cgroup path of this process in the v2 hierarchy (v1 == false) or in
 * the v1 hierarchy that holds the memory controller.
 */
static int own_cgroup(const char *proc_cgroup, bool v1, char *path, size_t len)
{
	FILE *f = fopen(proc_cgroup, "re");
	char line[PATH_MAX + 64];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		/* hierarchy-id:controller-list:cgroup-path */
		char *ctrl = strchr(line, ':'), *cg = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!cg)
			continue;
		*ctrl++ = '\0';
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		if (v1 ? list_has(ctrl, ',', "memory") : !strcmp(line, "0") && !*ctrl)
			err = copy_str(path, len, cg) ? -ENAMETOOLONG : 0;
	}
	fclose(f);
	return err;
}

/*
 * Where the hierarchy is mounted: the mount point and the cgroup path its
 * root stands for (not "/" inside a cgroup namespace or a bind mount).
 */
static int find_mount(const char *mountinfo, bool v1, char *mnt, size_t mlen, char *root, size_t rlen)
{
	FILE *f = fopen(mountinfo, "re");
	char line[2 * PATH_MAX];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		/* id parent maj:min root mountpoint opts [tags...] - fstype source superopts */
		char r[PATH_MAX], m[PATH_MAX], fstype[32], superopts[256];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", r, m) != 2 ||
		    sscanf(sep + 3, "%31s %*s %255s", fstype, superopts) != 2)
			continue;
		if (v1 ? strcmp(fstype, "cgroup") || !list_has(superopts, ',', "memory")
		       : strcmp(fstype, "cgroup2"))
			continue;
		err = copy_str(mnt, mlen, m) || copy_str(root, rlen, r) ? -ENAMETOOLONG : 0;
	}
	fclose(f);
	return err;
}

/* Walk from the cgroup directory up to the mount point, keeping the lowest
 * limit in @file, and the swap limit of the same directory. */
static int lowest_limit(const char *mnt, const char *rel, const char *file, const char *swap_file,
			struct mem_limit *ml)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	size_t base = strlen(mnt);
	int found = -ENOENT;

	if (snprintf(dir, sizeof(dir), "%s%s", mnt, rel) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	for (;;) {
		uint64_t v, swap;
		size_t dlen = strlen(dir);

		while (dlen > base && dir[dlen - 1] == '/')
			dir[--dlen] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (!read_limit(path, &v)) {
			if (found || v < ml->bytes) {
				ml->bytes = v;
				copy_str(ml->source, sizeof(ml->source), path);
				snprintf(path, sizeof(path), "%s/%s", dir, swap_file);
				if (read_limit(path, &swap))
					ml->swap_bytes = MEM_UNLIMITED;
				/* v1 limits memory plus swap, v2 swap alone. */
				else if (!strcmp(swap_file, "memory.memsw.limit_in_bytes"))
					ml->swap_bytes = swap == MEM_UNLIMITED || v == MEM_UNLIMITED ? swap
							 : swap > v ? swap - v
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

static int detect_one(struct mem_limit *ml, const char *proc_cgroup, const char *mountinfo, bool v1)
{
	char cg[PATH_MAX], mnt[PATH_MAX], root[PATH_MAX];
	const char *rel = cg;
	size_t rlen;
	int err;

	err = own_cgroup(proc_cgroup, v1, cg, sizeof(cg));
	if (!err)
		err = find_mount(mountinfo, v1, mnt, sizeof(mnt), root, sizeof(root));
	if (err)
		return err;
	rlen = strlen(root);
	if (strcmp(root, "/") && !strncmp(cg, root, rlen) && (cg[rlen] == '/' || !cg[rlen]))
		rel = cg + rlen;
	if (v1)
		return lowest_limit(mnt, rel, "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", ml);
	return lowest_limit(mnt, rel, "memory.max", "memory.swap.max", ml);
}

int mem_limit_detect_from(struct mem_limit *ml, const char *proc_cgroup, const char *mountinfo)
{
	FILE *f = fopen(proc_cgroup, "re");

	*ml = (struct mem_limit){.bytes = MEM_UNLIMITED, .swap_bytes = MEM_UNLIMITED};
	if (!f)
		return -errno;
	fclose(f);
	/* A v2 hierarchy without the memory controller has no memory.max. */
	if (!detect_one(ml, proc_cgroup, mountinfo, false)) {
		strcpy(ml->version, "v2");
		return 0;
	}
	if (!detect_one(ml, proc_cgroup, mountinfo, true))
		strcpy(ml->version, "v1");
	return 0;
}

int mem_limit_detect(struct mem_limit *ml)
{
	return mem_limit_detect_from(ml, "/proc/self/cgroup", "/proc/self/mountinfo");
}

void mem_limit_describe(const struct mem_limit *ml, char *buf, size_t len)
{
	char size[32];

	if (!ml->version[0]) {
		snprintf(buf, len, "none (no memory cgroup found)");
		return;
	}
	if (ml->bytes == MEM_UNLIMITED)
		snprintf(size, sizeof(size), "unlimited");
	else
		format_bytes(size, sizeof(size), ml->bytes);
	snprintf(buf, len, "%s (cgroup %s: %s)", size, ml->version, ml->source);
}
