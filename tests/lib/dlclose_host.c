// SPDX-License-Identifier: MIT
/*
 * A host that loads liblgalloc as a plugin would: dlopen() by path, use it,
 * dlclose(), and go on running.  Each case runs in a child of its own and
 * must exit 0; a signal means the process ran code of the unloaded library.
 *
 *   dlclose_host [LIBRARY.so...]
 *
 * Without arguments: $BUILD/lib/liblgalloc.so and
 * $BUILD/tests/lib/dlclose_plugin.so, a plugin linked with the static
 * archive.  For each library:
 *
 * thread_exit: a thread allocates and frees (so it has a cache and an exit
 *   hook), then waits; the host dlclose()s the library; the thread exits.
 * worker: the host configures the background worker (1 ms) and a
 *   thread-cache, dlclose()s the library, and lets the worker tick.
 * Output: TAP lines for tests/run.sh.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lgalloc.h"

struct api {
	void *so;
	void (*config_init)(struct lgalloc_config *);
	int (*configure)(const struct lgalloc_config *);
	int (*allocate)(size_t, struct lgalloc_handle *);
	int (*deallocate)(struct lgalloc_handle);
};

static const char *lib_path; /* what load() opens */
static sem_t used, unloaded;

static int load(struct api *a)
{
	a->so = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
	if (!a->so) {
		fprintf(stderr, "dlopen %s: %s\n", lib_path, dlerror());
		return -1;
	}
	a->config_init = (void (*)(struct lgalloc_config *))dlsym(a->so, "lgalloc_config_init");
	a->configure = (int (*)(const struct lgalloc_config *))dlsym(a->so, "lgalloc_configure");
	a->allocate = (int (*)(size_t, struct lgalloc_handle *))dlsym(a->so, "lgalloc_allocate");
	a->deallocate = (int (*)(struct lgalloc_handle))dlsym(a->so, "lgalloc_deallocate");
	if (!a->config_init || !a->configure || !a->allocate || !a->deallocate) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return -1;
	}
	return 0;
}

static int enable(struct api *a, long interval_ms)
{
	struct lgalloc_config c;

	a->config_init(&c);
	c.enabled = 1;
	c.background_interval_ms = interval_ms;
	c.background_clear_bytes = 64L << 20;
	return a->configure(&c);
}

static void *user(void *arg)
{
	struct api *a = arg;
	struct lgalloc_handle h;

	if (a->allocate(4 << 20, &h) || a->deallocate(h))
		exit(3);
	sem_post(&used);
	/* Exit (running the thread-exit hooks) only after the unload. */
	sem_wait(&unloaded);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts))
		;
}

static int thread_exit_case(void)
{
	struct api a;
	pthread_t t;

	if (load(&a) || enable(&a, -1))
		return 2;
	sem_init(&used, 0, 0);
	sem_init(&unloaded, 0, 0);
	if (pthread_create(&t, NULL, user, &a))
		return 4;
	sem_wait(&used);
	if (dlclose(a.so))
		return 5;
	sem_post(&unloaded);
	pthread_join(t, NULL);
	return 0;
}

static int worker_case(void)
{
	struct api a;
	struct lgalloc_handle h;

	if (load(&a) || enable(&a, 1))
		return 2;
	if (a.allocate(4 << 20, &h) || a.deallocate(h))
		return 3;
	if (dlclose(a.so))
		return 5;
	sleep_ms(50); /* 50 worker ticks, had it survived */
	return 0;
}

static void run(const char *what, const char *path, int (*fn)(void))
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("not ok %s (%s): fork: %s\n", what, base, strerror(errno));
		return;
	}
	if (pid == 0) {
		lib_path = path;
		alarm(30);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("ok %s (%s)\n", what, base);
	else if (WIFEXITED(status))
		printf("not ok %s (%s): exit status %d\n", what, base, WEXITSTATUS(status));
	else
		printf("not ok %s (%s): killed by signal %d (%s)\n", what, base, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
}

static void run_all(const char *path)
{
	run("a thread that used lgalloc exits after dlclose", path, thread_exit_case);
	run("the background worker outlives dlclose", path, worker_case);
}

int main(int argc, char **argv)
{
	const char *build = getenv("BUILD");
	char path[4096];

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_all(argv[i]);
		return 0;
	}
	if (!build) {
		fprintf(stderr, "usage: %s LIBRARY.so..., or BUILD set to the build directory\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/lib/liblgalloc.so", build);
	run_all(path);
	snprintf(path, sizeof(path), "%s/tests/lib/dlclose_plugin.so", build);
	run_all(path);
	return 0;
}
