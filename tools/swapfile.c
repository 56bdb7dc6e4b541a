// SPDX-License-Identifier: MIT
/*
 * Temporary swap files.  The swap header is written here (what mkswap(8)
 * writes: version 1, the last page, a random UUID and the SWAPSPACE2 magic at
 * the end of the first page) so no external program runs during setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <unistd.h>

#include "size_parse.h"
#include "swapfile.h"

#define SWAP_MIN_PAGES 10

int swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[512];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

/* Whether PATH is listed in /proc/swaps (as the kernel spells it, octal escapes aside). */
static int swap_listed(const char *path)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[4352], name[4352];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%4351s", name) == 1 && !strcmp(name, path);
	fclose(f);
	return found;
}

static int signal_pending(const sigset_t *stop)
{
	sigset_t pending;
	int sig;

	if (!stop || sigpending(&pending))
		return 0;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(stop, sig) == 1 && sigismember(&pending, sig) == 1)
			return 1;
	return 0;
}

/* Fill the file with zeros, the "dd" way, for file systems without fallocate. */
static int write_zeros(int fd, uint64_t size, const sigset_t *stop)
{
	static const char zeros[1 << 20];
	uint64_t done = 0;

	while (done < size) {
		size_t n = size - done < sizeof(zeros) ? size - done : sizeof(zeros);
		ssize_t w = pwrite(fd, zeros, n, (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		if (signal_pending(stop)) {
			errno = EINTR;
			return -1;
		}
		done += (uint64_t)w;
	}
	return fsync(fd);
}

static int write_header(int fd, uint64_t size, long page)
{
	char *hdr = calloc(1, (size_t)page);
	uint32_t info[3] = {1, (uint32_t)(size / (uint64_t)page - 1), 0};
	unsigned char uuid[16];
	int rc = -1;

	if (!hdr)
		return -1;
	if (getrandom(uuid, sizeof(uuid), 0) != sizeof(uuid))
		memset(uuid, 0x5a, sizeof(uuid));
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	memcpy(hdr + 1024, info, sizeof(info));
	memcpy(hdr + 1024 + sizeof(info), uuid, sizeof(uuid));
	memcpy(hdr + page - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, hdr, (size_t)page, 0) == page && fsync(fd) == 0)
		rc = 0;
	free(hdr);
	return rc;
}

static void fail(struct swapfile *sf, const char *what)
{
	fprintf(stderr, "lgrun: %s %s: %s\n", what, sf->path, strerror(errno));
}

/* Give the file its blocks; *zeroed tells whether they were written. */
static int fill(struct swapfile *sf, int fd, int *zeroed, const sigset_t *stop)
{
	struct statvfs vfs;

	*zeroed = 0;
	if (fallocate(fd, 0, 0, (off_t)sf->size) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS) {
		fail(sf, "fallocate");
		return -1;
	}
	if (fstatvfs(fd, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < sf->size) {
		errno = ENOSPC;
		fail(sf, "cannot fill");
		return -1;
	}
	*zeroed = 1;
	if (write_zeros(fd, sf->size, stop)) {
		fail(sf, "writing zeros to");
		return -1;
	}
	return 0;
}

int swapfile_make(struct swapfile *sf, const char *dir, uint64_t size, const sigset_t *stop)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[32], real[PATH_MAX];
	int fd, zeroed, rc;

	memset(sf, 0, sizeof(*sf));
	sf->size = size - size % (uint64_t)page;
	if (sf->size < SWAP_MIN_PAGES * (uint64_t)page || sf->size / (uint64_t)page > UINT32_MAX) {
		fprintf(stderr, "lgrun: swap size %s out of range\n", size_format(size, buf, sizeof(buf)));
		return -1;
	}
	if (!realpath(dir, real)) {
		fprintf(stderr, "lgrun: swap directory %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(sf->path, sizeof(sf->path), "%s/lgrun-swap.XXXXXX", real) >= sizeof(sf->path)) {
		fprintf(stderr, "lgrun: swap directory name too long\n");
		return -1;
	}
	fd = mkostemp(sf->path, O_CLOEXEC);
	if (fd < 0) {
		fail(sf, "cannot create swap file");
		return -1;
	}
	sf->made = 1;
	if (fchmod(fd, 0600)) {
		fail(sf, "chmod");
		goto err;
	}
	if (fill(sf, fd, &zeroed, stop))
		goto err;
	if (write_header(fd, sf->size, page)) {
		fail(sf, "writing the swap header to");
		goto err;
	}
	rc = swapon(sf->path, 0);
	if (rc && errno == EINVAL && !zeroed) {
		/* Some file systems refuse unwritten extents in a swap file: write them out. */
		if (ftruncate(fd, 0) || write_zeros(fd, sf->size, stop) || write_header(fd, sf->size, page)) {
			fail(sf, "writing zeros to");
			goto err;
		}
		rc = swapon(sf->path, 0);
	}
	if (rc) {
		fprintf(stderr,
			"lgrun: swapon %s: %s (does this file system take swap files? try --swap-dir)\n",
			sf->path, strerror(errno));
		goto err;
	}
	sf->active = 1;
	close(fd);
	return 0;
err:
	close(fd);
	swapfile_remove(sf);
	return -1;
}

int swapfile_remove(struct swapfile *sf)
{
	int rc = 0;

	if (sf->active) {
		int r;

		do
			r = swapoff(sf->path);
		while (r && errno == EINTR);
		if (r && swap_listed(sf->path)) {
			fprintf(stderr, "lgrun: swapoff %s: %s (run: swapoff %s && rm %s)\n", sf->path,
				strerror(errno), sf->path, sf->path);
			return -1;
		}
		sf->active = 0;
	}
	if (sf->made) {
		if (unlink(sf->path) && errno != ENOENT) {
			fail(sf, "cannot remove");
			rc = -1;
		}
		sf->made = 0;
	}
	return rc;
}
