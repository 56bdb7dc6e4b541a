// SPDX-License-Identifier: MIT
/* Huge page backing of a region, from pagemap and kpageflags (hugepage.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kernel-page-flags.h>
#include <stdint.h>
#include <unistd.h>

#include "hugepage.h"
#include "util.h"

#define PM_PRESENT  (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

static int read_u64(int fd, uint64_t index, uint64_t *v)
{
	ssize_t n = pread(fd, v, sizeof(*v), (off_t)(index * sizeof(*v)));

	if (n < 0)
		return -errno;
	return n == sizeof(*v) ? 0 : -EIO;
}

/* The frame of the page at @addr (0 when not resident) and its flags. */
static int page_info(int pm, int kf, uintptr_t addr, uint64_t *pfn, uint64_t *flags)
{
	uint64_t e;
	int err = read_u64(pm, addr / PAGE_4K, &e);

	*pfn = 0;
	*flags = 0;
	if (err || !(e & PM_PRESENT))
		return err;
	*pfn = e & PM_PFN_MASK;
	if (!*pfn)
		return -EPERM; /* present, but the frame is hidden from us */
	return read_u64(kf, *pfn, flags);
}

int region_huge(const void *p)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	/* Set on every path that uses them; gcc -O2 with Debian's build flags
	 * cannot see it (maybe-uninitialized). */
	uint64_t pfn0 = 0, pfn1 = 0, f0 = 0, f1 = 0;
	int err = pm < 0 || kf < 0 ? -errno : 0;

	if (!err)
		err = page_info(pm, kf, (uintptr_t)p, &pfn0, &f0);
	if (!err)
		err = page_info(pm, kf, (uintptr_t)p + REGION_2M - PAGE_4K, &pfn1, &f1);
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	if (err)
		return err;
	return pfn0 && pfn1 == pfn0 + REGION_2M / PAGE_4K - 1 && (f0 & (1ULL << KPF_THP)) &&
	       (f0 & (1ULL << KPF_COMPOUND_HEAD)) && (f1 & (1ULL << KPF_THP));
}
