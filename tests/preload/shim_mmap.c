// SPDX-License-Identifier: MIT
/*
 * An mmap that can be made slow, to fork while another thread holds one of
 * the preload's locks: preloaded before liblgalloc_preload.so, it sees the
 * preload's own mmap calls (its private copy of the library maps areas
 * through libc's mmap, under the size class's refill lock).  Once armed,
 * the next mapping of at least shim_mmap_min bytes sets shim_mmap_entered
 * and sleeps 300 ms before it maps: long enough for the test to fork
 * while the lock is held.  semantics.c ("forkheld") drives it.
 */
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

SHIM_EXPORT atomic_int shim_mmap_armed, shim_mmap_entered;
SHIM_EXPORT size_t shim_mmap_min = (size_t)1 << 30;

/* The system call itself, not dlsym(RTLD_NEXT): dlsym may allocate, and
 * the allocator is the preload under test. */
SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (len >= shim_mmap_min && atomic_exchange(&shim_mmap_armed, 0)) {
		struct timespec pause = {0, 300 * 1000 * 1000};

		atomic_store(&shim_mmap_entered, 1);
		while (nanosleep(&pause, &pause))
			;
	}
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
