// SPDX-License-Identifier: MIT
/* The operating-system layer: memory system calls, each returning -errno. */
#include <errno.h>
#include <stdint.h>

#include "os.h"

/* Map @align more than needed and trim both ends, so the result is aligned
 * whatever placement the kernel picks. */
int lg_os_reserve_aligned(size_t len, size_t align, void **base)
{
	size_t span = len + align;
	char *raw, *start;

	if (span < len)
		return -ENOMEM;
	raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	start = (char *)(((uintptr_t)raw + align - 1) & ~(align - 1));
	/* Trimming splits the mapping: it can fail (ENOMEM at the
	 * vm.max_map_count limit), and then the whole span goes back. */
	if ((start > raw && munmap(raw, (size_t)(start - raw))) ||
	    (raw + span > start + len && munmap(start + len, (size_t)(raw + span - (start + len))))) {
		int err = -errno;

		munmap(raw, span);
		return err;
	}
	*base = start;
	return 0;
}

int lg_os_unmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

int lg_os_advise(void *addr, size_t len, int advice)
{
	return madvise(addr, len, advice) ? -errno : 0;
}
