// SPDX-License-Identifier: MIT
/*
 * Workloads for tests/lgtrace_test.sh, each ending with one line
 * "minflt=N majflt=N pages2m=N pages8m=N ops=N" (getrusage of the whole
 * process, then what the workload did).
 *
 *   lgtrace_work [--gate] attrib REGIONS_2M REGIONS_8M  touch every page
 *   lgtrace_work [--gate] swap MIB                      write MIB in 8 MiB
 *                                                       regions, read it back
 *   lgtrace_work storm THREADS MS                       mmap/munmap storm
 *   lgtrace_work [--gate] loop MS                       alloc/free, no touch
 *
 * --gate: map the areas first (allocate, or warm up), print "ready PID",
 * wait for SIGUSR1, then do the work: for attaching lgtrace -p in between.
 * Transparent huge pages are off for the process, so a touched page is
 * one fault.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lgalloc.h"

#define PAGE 4096UL
#define MIB  (1UL << 20)

static unsigned long pages2m, pages8m, ops;
static volatile int storm_stop;

static void die(const char *what, int err)
{
	fprintf(stderr, "lgtrace_work: %s: %s\n", what, lgalloc_strerror(err));
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void gate(int on)
{
	sigset_t set;
	int sig;

	if (!on)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	printf("ready %d\n", getpid());
	fflush(stdout);
	sigwait(&set, &sig);
}

static struct lgalloc_handle *alloc_regions(size_t n, size_t bytes)
{
	struct lgalloc_handle *h = calloc(n ? n : 1, sizeof(*h));
	int err;

	if (!h)
		die("calloc", -12);
	for (size_t i = 0; i < n; i++)
		if ((err = lgalloc_allocate(bytes, &h[i])))
			die("lgalloc_allocate", err);
	return h;
}

static unsigned long touch(struct lgalloc_handle *h, size_t n)
{
	unsigned long pages = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t off = 0; off < h[i].len; off += PAGE, pages++)
			((volatile char *)h[i].ptr)[off] = 1;
	return pages;
}

static void attrib(int gated, size_t n2, size_t n8)
{
	struct lgalloc_handle *a = alloc_regions(n2, 2 * MIB), *b = alloc_regions(n8, 8 * MIB);

	gate(gated);
	pages2m = touch(a, n2);
	pages8m = touch(b, n8);
}

static void swap(int gated, size_t mib)
{
	size_t n = mib / 8;
	struct lgalloc_handle *h = alloc_regions(n, 8 * MIB);
	unsigned long sum = 0;

	gate(gated);
	pages8m = touch(h, n);
	for (size_t i = 0; i < n; i++)
		for (size_t off = 0; off < h[i].len; off += PAGE)
			sum += ((volatile char *)h[i].ptr)[off];
	ops = sum;
}

static void *storm_thread(void *arg)
{
	(void)arg;
	while (!storm_stop) {
		char *p = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		p[0] = 1;
		munmap(p, 64 * 1024);
		__atomic_fetch_add(&ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void storm(int threads, double ms)
{
	pthread_t t[64];

	if (threads > 64)
		threads = 64;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, storm_thread, NULL);
	usleep((useconds_t)(ms * 1000));
	storm_stop = 1;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
}

static void alloc_free(double ms)
{
	struct lgalloc_handle h[8];
	double end = now_ms() + ms;

	while (now_ms() < end) {
		for (int k = 0; k < 1000; k++) {
			for (int i = 0; i < 8; i++)
				if (lgalloc_allocate(2 * MIB, &h[i]))
					die("lgalloc_allocate", -12);
			for (int i = 0; i < 8; i++)
				lgalloc_deallocate(h[i]);
			ops += 8;
		}
	}
}

int main(int argc, char **argv)
{
	struct lgalloc_config c;
	struct rusage ru;
	sigset_t set;
	int gated = 0, err;

	if (argc > 1 && !strcmp(argv[1], "--gate")) {
		gated = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr,
			"usage: lgtrace_work [--gate] attrib|swap|storm|loop ARGS (see the source)\n");
		return 2;
	}
	/* SIGUSR1 stays pending until the gate takes it. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	lgalloc_config_init(&c);
	c.enabled = 1;
	if ((err = lgalloc_configure(&c)))
		die("lgalloc_configure", err);

	if (!strcmp(argv[1], "attrib") && argc == 4) {
		attrib(gated, strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	} else if (!strcmp(argv[1], "swap")) {
		swap(gated, strtoul(argv[2], NULL, 0));
	} else if (!strcmp(argv[1], "storm") && argc == 4) {
		storm(atoi(argv[2]), atof(argv[3]));
	} else if (!strcmp(argv[1], "loop")) {
		alloc_free(50); /* warm-up: areas mapped, caches filled */
		gate(gated);
		alloc_free(atof(argv[2]));
	} else {
		fprintf(stderr, "lgtrace_work: bad arguments\n");
		return 2;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("minflt=%ld majflt=%ld pages2m=%lu pages8m=%lu ops=%lu\n", ru.ru_minflt, ru.ru_majflt, pages2m,
	       pages8m, ops);
	return 0;
}
