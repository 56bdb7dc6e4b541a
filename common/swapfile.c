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
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/btrfs.h>
#include <linux/fs.h>
#include <linux/magic.h>

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

#ifndef NFS_SUPER_MAGIC
#define NFS_SUPER_MAGIC 0x6969
#endif
#ifndef F2FS_SUPER_MAGIC
#define F2FS_SUPER_MAGIC 0xF2F52010
#endif
#define ZFS_SUPER_MAGIC	 0x2fc12fc1
#define FUSE_SUPER_MAGIC 0x65735546

/*
 * What each file system needs of a swap file (the kernel's
 * Documentation/filesystems/, swapon(8) NOTES, btrfs(5) SWAPFILE SUPPORT).
 * The kernel takes a swap file through the file system's swap_activate
 * (btrfs, xfs, f2fs, nfs with CONFIG_NFS_SWAP...) or bmap (ext2/3/4, vfat...):
 * either way the file must have every block allocated (no holes) and stay put.
 */
static const struct fs_rule {
	unsigned long magic;
	const char *name;
	const char *refusal; /* why no swap file can be on it; NULL: it can */
} fs_rules[] = {
	{TMPFS_MAGIC, "tmpfs", "keeps its files in memory and has no block map: no swap file can be on it"},
	{RAMFS_MAGIC, "ramfs", "keeps its files in memory: no swap file can be on it"},
	{OVERLAYFS_SUPER_MAGIC, "overlayfs",
	 "has no swap support (the file lives in another file system: put it there)"},
	{NFS_SUPER_MAGIC, "nfs",
	 "swap over NFS needs a kernel built with CONFIG_NFS_SWAP and is not done here"},
	{SQUASHFS_MAGIC, "squashfs", "is read-only and compressed: no swap file can be on it"},
	{ZFS_SUPER_MAGIC, "zfs", "does not support swap files (use a zvol)"},
	{FUSE_SUPER_MAGIC, "fuse", "has no block map: no swap file can be on it"},
	{BTRFS_SUPER_MAGIC, "btrfs", NULL},
	{XFS_SUPER_MAGIC, "xfs", NULL},
	{EXT4_SUPER_MAGIC, "ext2/3/4", NULL},
	{F2FS_SUPER_MAGIC, "f2fs", NULL},
};

const char *swapfile_fs_name(unsigned long magic)
{
	for (size_t i = 0; i < sizeof(fs_rules) / sizeof(fs_rules[0]); i++)
		if (fs_rules[i].magic == magic)
			return fs_rules[i].name;
	return NULL;
}

const char *swapfile_fs_refusal(unsigned long magic)
{
	for (size_t i = 0; i < sizeof(fs_rules) / sizeof(fs_rules[0]); i++)
		if (fs_rules[i].magic == magic)
			return fs_rules[i].refusal;
	return NULL;
}

/*
 * btrfs, before any data is written: the file must be NOCOW (chattr +C; this also
 * keeps it uncompressed) and the file system on a single device.  The other conditions
 * (no snapshot of the subvolume holds it, not a reflinked copy) are the kernel's to check
 * at swapon.  0 or -errno with WHY.
 */
static int btrfs_prepare(struct swapfile *sf, int fd, char *why, size_t len)
{
	struct btrfs_ioctl_fs_info_args info;
	int flags = 0;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, BTRFS_IOC_FS_INFO, &info) == 0 && info.num_devices > 1) {
		snprintf(why, len,
			 "%s: btrfs takes a swap file only on a single-device file system (this one has %llu "
			 "devices)",
			 sf->path, (unsigned long long)info.num_devices);
		return -EINVAL;
	}
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
		snprintf(why, len, "FS_IOC_GETFLAGS %s: %s", sf->path, strerror(errno));
		return -errno;
	}
	flags |= FS_NOCOW_FL;
	flags &= ~FS_COMPR_FL;
	errno = 0;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ||
	    !(flags & FS_NOCOW_FL)) {
		int err = errno ? -errno : -EINVAL;

		snprintf(why, len, "cannot make %s NOCOW (chattr +C), which btrfs needs of a swap file: %s",
			 sf->path, strerror(-err));
		return err;
	}
	return 0;
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

/*
 * Give the file all its blocks, once: fallocate where the file system has it
 * (ext4, xfs, btrfs, f2fs take fallocated swap files), zeros written where it
 * has not (EOPNOTSUPP: ext2/3 without extents, vfat...).
 */
static int fill(struct swapfile *sf, int fd, const sigset_t *stop, char *why, size_t len)
{
	struct statvfs vfs;
	int err;

	if (fallocate(fd, 0, 0, (off_t)sf->size) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return fail(sf, -errno, "fallocate", why, len);
	if (fstatvfs(fd, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < sf->size)
		return fail(sf, -ENOSPC, "cannot fill", why, len);
	err = write_zeros(fd, sf->size, stop);
	return err ? fail(sf, err, "writing zeros to", why, len) : 0;
}

int swapfile_make(struct swapfile *sf, const char *dir, const char *prefix, uint64_t size,
		  const sigset_t *stop, char *why, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[SIZE_FORMAT_LEN], real[PATH_MAX];
	const char *fs, *refusal;
	struct statfs sfs;
	int fd, err;

	memset(sf, 0, sizeof(*sf));
	sf->size = size - size % (uint64_t)page;
	if (sf->size < SWAP_MIN_PAGES * (uint64_t)page || sf->size / (uint64_t)page > UINT32_MAX) {
		snprintf(why, len, "swap size %s out of range",
			 size_format(size, SIZE_SHORT, buf, sizeof(buf)));
		return -ERANGE;
	}
	if (!realpath(dir, real) || statfs(real, &sfs)) {
		err = -errno;
		snprintf(why, len, "swap directory %s: %s", dir, strerror(errno));
		return err;
	}
	fs = swapfile_fs_name((unsigned long)sfs.f_type);
	refusal = swapfile_fs_refusal((unsigned long)sfs.f_type);
	if (refusal) {
		snprintf(why, len, "swap directory %s is on %s, which %s", real, fs, refusal);
		return -EINVAL;
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
	if (sfs.f_type == BTRFS_SUPER_MAGIC) {
		err = btrfs_prepare(sf, fd, why, len);
		if (err)
			goto err;
	}
	err = fill(sf, fd, stop, why, len);
	if (err)
		goto err;
	err = write_header(fd, sf->size, page);
	if (err) {
		fail(sf, err, "writing the swap header to", why, len);
		goto err;
	}
	err = swapon(sf->path, 0) ? -errno : 0;
	if (err) {
		if (err == -EINVAL && sfs.f_type == BTRFS_SUPER_MAGIC)
			snprintf(why, len,
				 "swapon %s: %s (btrfs takes a swap file only when it is NOCOW, not "
				 "compressed, "
				 "on one device, not shared with a snapshot or reflink, and the subvolume is "
				 "not being snapshotted: see btrfs(5) SWAPFILE SUPPORT)",
				 sf->path, strerror(-err));
		else if (err == -EINVAL)
			snprintf(why, len,
				 "swapon %s: %s (the %s file system (magic 0x%lx) refused the swap file: it "
				 "may "
				 "not support swap files, or the file has holes; see swapon(8) NOTES)",
				 sf->path, strerror(-err), fs ? fs : "unknown", (unsigned long)sfs.f_type);
		else
			snprintf(why, len, "swapon %s: %s", sf->path, strerror(-err));
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
