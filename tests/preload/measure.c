// SPDX-License-Identifier: MIT
/*
 * The measurements behind docs/preload.md's choices; run it with and
 * without the preload (not part of make test: it times things).
 *
 *   measure cycles MIB N   N x (malloc + memset + free) of MIB MiB: page
 *                          faults (getrusage minflt) and ns per cycle
 *   measure zero MIB       zeroing a reused (resident) block: memset vs
 *                          MADV_DONTNEED, each followed by touching every
 *                          page or none; run under the preload
 *   measure move MIB       moving MIB MiB of resident data to another
 *                          block: memcpy vs mremap(MREMAP_FIXED) plus the
 *                          mmap that refills the hole
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static void *volatile sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void touch(char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4096)
		p[i] = 1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define REPS 11

/* Median of REPS runs of @fn on a block of @n bytes, and the faults of all. */
static void zero_case(const char *name, size_t n, int madv, int touch_after)
{
	double t[REPS];
	long f0 = minflt();

	for (int r = 0; r < REPS; r++) {
		char *p = malloc(n);

		memset(p, 0xaa, n); /* the last user's data, resident */
		free(p);
		p = malloc(n); /* the same region again */
		double t0 = now_ns();
		if (madv)
			madvise(p, n, MADV_DONTNEED);
		else
			memset(p, 0, n);
		if (touch_after)
			touch(p, n);
		t[r] = now_ns() - t0;
		sink = p;
		free(p);
	}
	qsort(t, REPS, sizeof(t[0]), cmp);
	printf("zero %-14s %5zu MiB %s: %9.0f us (median of %d), %ld faults per run\n", name, n >> 20,
	       touch_after ? "then touch all" : "then touch none", t[REPS / 2] / 1e3, REPS,
	       (minflt() - f0) / REPS);
}

static void move_case(size_t n)
{
	double tc[REPS], tm[REPS];

	for (int r = 0; r < REPS; r++) {
		char *a = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memset(a, 1, n);
		memset(b, 2, n);
		double t0 = now_ns();
		memcpy(b, a, n);
		tc[r] = now_ns() - t0;
		memset(a, 3, n);
		t0 = now_ns();
		mremap(a, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, b);
		mmap(a, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		tm[r] = now_ns() - t0;
		if (b[n - 1] != 3)
			abort();
		munmap(a, n);
		munmap(b, n);
	}
	qsort(tc, REPS, sizeof(tc[0]), cmp);
	qsort(tm, REPS, sizeof(tm[0]), cmp);
	printf("move %5zu MiB: memcpy %9.0f us, mremap+mmap %9.0f us (medians of %d)\n", n >> 20,
	       tc[REPS / 2] / 1e3, tm[REPS / 2] / 1e3, REPS);
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoull(argv[2], NULL, 0) << 20 : 0;

	if (argc == 4 && !strcmp(argv[1], "cycles")) {
		int cycles = atoi(argv[3]);
		long f0 = minflt();
		double t0 = now_ns();

		for (int i = 0; i < cycles; i++) {
			char *p = malloc(n);

			sink = p;
			memset(p, 1, n);
			free(sink);
		}
		printf("cycles %zu MiB x %d: %ld faults, %.0f us per cycle\n", n >> 20, cycles, minflt() - f0,
		       (now_ns() - t0) / cycles / 1e3);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "zero")) {
		zero_case("memset", n, 0, 1);
		zero_case("MADV_DONTNEED", n, 1, 1);
		zero_case("memset", n, 0, 0);
		zero_case("MADV_DONTNEED", n, 1, 0);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "move")) {
		move_case(n);
		return 0;
	}
	fprintf(stderr, "usage: %s cycles MIB N | zero MIB | move MIB\n", argv[0]);
	return 2;
}
