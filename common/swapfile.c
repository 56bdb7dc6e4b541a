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

#include "common/parse.h"
#include "common/procfs.h"
#include "common/swapfile.h"

#define SWAP_MIN_PAGES 10

static bool signal_pending(const sigset_t *stop)
{
	sigset_t pending;
	int sig;

	if (!stop || sigpending(&pending))
		return false;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(stop, sig) == 1 && sigismember(&pending, sig) == 1)
			return true;
	return false;
}

/* Fill the file with zeros, the "dd" way, for file systems without fallocate.  0 or -errno. */
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
			return w < 0 ? -errno : -EIO;
		if (signal_pending(stop))
			return -EINTR;
		done += (uint64_t)w;
	}
	return fsync(fd) ? -errno : 0;
}

static int write_header(int fd, uint64_t size, long page)
{
	char *hdr = calloc(1, (size_t)page);
	uint32_t info[3] = {1, (uint32_t)(size / (uint64_t)page - 1), 0};
	unsigned char uuid[16];
	int err = 0;

	if (!hdr)
		return -ENOMEM;
	if (getrandom(uuid, sizeof(uuid), 0) != sizeof(uuid))
		memset(uuid, 0x5a, sizeof(uuid));
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	memcpy(hdr + 1024, info, sizeof(info));
	memcpy(hdr + 1024 + sizeof(info), uuid, sizeof(uuid));
	memcpy(hdr + page - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, hdr, (size_t)page, 0) != page)
		err = errno ? -errno : -EIO;
	else if (fsync(fd))
		err = -errno;
	free(hdr);
	return err;
}

/* Leave "WHAT PATH: error" in WHY; returns ERR. */
static int fail(const struct swapfile *sf, int err, const char *what, char *why, size_t len)
{
	snprintf(why, len, "%s %s: %s", what, sf->path, strerror(-err));
	return err;
}

/* Give the file its blocks; *zeroed tells whether they were written. */
static int fill(struct swapfile *sf, int fd, bool *zeroed, const sigset_t *stop, char *why, size_t len)
{
	struct statvfs vfs;
	int err;

	*zeroed = false;
	if (fallocate(fd, 0, 0, (off_t)sf->size) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return fail(sf, -errno, "fallocate", why, len);
	if (fstatvfs(fd, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < sf->size)
		return fail(sf, -ENOSPC, "cannot fill", why, len);
	*zeroed = true;
	err = write_zeros(fd, sf->size, stop);
	return err ? fail(sf, err, "writing zeros to", why, len) : 0;
}

int swapfile_make(struct swapfile *sf, const char *dir, const char *prefix, uint64_t size,
		  const sigset_t *stop, char *why, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[SIZE_FORMAT_LEN], real[PATH_MAX];
	int fd, err;
	bool zeroed;

	memset(sf, 0, sizeof(*sf));
	sf->size = size - size % (uint64_t)page;
	if (sf->size < SWAP_MIN_PAGES * (uint64_t)page || sf->size / (uint64_t)page > UINT32_MAX) {
		snprintf(why, len, "swap size %s out of range",
			 size_format(size, SIZE_SHORT, buf, sizeof(buf)));
		return -ERANGE;
	}
	if (!realpath(dir, real)) {
		err = -errno;
		snprintf(why, len, "swap directory %s: %s", dir, strerror(errno));
		return err;
	}
	if ((size_t)snprintf(sf->path, sizeof(sf->path), "%s/%s-swap.XXXXXX", real, prefix) >=
	    sizeof(sf->path)) {
		snprintf(why, len, "swap directory name too long");
		return -ENAMETOOLONG;
	}
	fd = mkostemp(sf->path, O_CLOEXEC);
	if (fd < 0)
		return fail(sf, -errno, "cannot create swap file", why, len);
	sf->made = true;
	if (fchmod(fd, 0600)) {
		err = fail(sf, -errno, "chmod", why, len);
		goto err;
	}
	err = fill(sf, fd, &zeroed, stop, why, len);
	if (err)
		goto err;
	err = write_header(fd, sf->size, page);
	if (err) {
		fail(sf, err, "writing the swap header to", why, len);
		goto err;
	}
	err = swapon(sf->path, 0) ? -errno : 0;
	if (err == -EINVAL && !zeroed) {
		/* Some file systems refuse unwritten extents in a swap file: write them out. */
		err = ftruncate(fd, 0) ? -errno : 0;
		if (!err)
			err = write_zeros(fd, sf->size, stop);
		if (!err)
			err = write_header(fd, sf->size, page);
		if (err) {
			fail(sf, err, "writing zeros to", why, len);
			goto err;
		}
		err = swapon(sf->path, 0) ? -errno : 0;
	}
	if (err) {
		snprintf(why, len,
			 "swapon %s: %s (does this file system take swap files? try another directory)",
			 sf->path, strerror(-err));
		goto err;
	}
	sf->active = true;
	close(fd);
	return 0;
err:
	close(fd);
	swapfile_remove(sf, NULL, 0);
	return err;
}

int swapfile_remove(struct swapfile *sf, char *why, size_t len)
{
	int err = 0;

	if (sf->active) {
		int r;

		do
			r = swapoff(sf->path) ? -errno : 0;
		while (r == -EINTR);
		if (r && swap_listed(sf->path)) {
			err = r;
			if (why)
				snprintf(why, len, "swapoff %s: %s (run: swapoff %s && rm %s)", sf->path,
					 strerror(-err), sf->path, sf->path);
			return err;
		}
		sf->active = false;
	}
	if (sf->made) {
		if (unlink(sf->path) && errno != ENOENT) {
			err = -errno;
			if (why)
				fail(sf, err, "cannot remove", why, len);
		}
		sf->made = false;
	}
	return err;
}
