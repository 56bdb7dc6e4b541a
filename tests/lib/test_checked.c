// SPDX-License-Identifier: MIT
/*
 * Checked mode: a double free, a prefetch of a freed region and every kind
 * of malformed handle are refused with the documented code, explained on
 * stderr, and change nothing; legitimate frees are never refused, also
 * while other threads churn and checked mode is switched on and off; and
 * LGALLOC_CHECKED sets the starting mode (a re-executed copy of this
 * program, since the variable is read once per process).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "test_util.h"

static char **self_argv;

static void set_checked(int on)
{
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.checked = on;
	assert_int_equal(lgalloc_configure(&c), 0);
}

/* stderr into a temporary file between capture_begin() and capture_end(). */
static int saved_stderr = -1;
static FILE *capture_file;

static void capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture_file), 2) >= 0);
}

/* What was written, in a static buffer. */
static const char *capture_end(void)
{
	static char text[8192];
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) >= 0);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(text, 1, sizeof(text) - 1, capture_file);
	text[n] = 0;
	fclose(capture_file);
	return text;
}

static void assert_said(const char *text, const char *what, const void *ptr)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "%p", ptr);
	if (!strstr(text, what) || !strstr(text, addr) || !strstr(text, "lgalloc: checked mode:"))
		fail_msg("stderr lacks \"%s\" or %s: \"%s\"", what, addr, text);
}

static void test_double_free_refused(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(2 * MiB);
	struct lgalloc_class_stats before, after;
	const char *said;

	set_checked(1);
	free_or_fail(h);
	before = class_stats(2 * MiB);
	capture_begin();
	int err = lgalloc_deallocate(h);
	said = capture_end();
	assert_int_equal(err, -LGALLOC_ERR_FREED);
	assert_said(said, "double free", h.ptr);
	after = class_stats(2 * MiB);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_invariant(2 * MiB, 0);
	/* Leased again (after what the thread cache still held from before
	 * checked mode), it can be freed again, once. */
	struct lgalloc_handle held[64];
	int n = 0;
	do
		held[n] = alloc_or_fail(2 * MiB);
	while (held[n++].ptr != h.ptr && n < 64);
	assert_ptr_equal(held[n - 1].ptr, h.ptr);
	for (int i = 0; i < n; i++)
		free_or_fail(held[i]);
	capture_begin();
	err = lgalloc_deallocate(h);
	capture_end();
	assert_int_equal(err, -LGALLOC_ERR_FREED);
	assert_invariant(2 * MiB, 0);
	set_checked(0);
}

static void test_malformed_handles_explained(void **state)
{
	(void)state;
	struct lgalloc_handle h2 = alloc_or_fail(2 * MiB), h4 = alloc_or_fail(4 * MiB);
	void *heap = malloc(64);
	void *map = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *map_aligned = (void *)(((uintptr_t)map + 2 * MiB - 1) & ~(2 * MiB - 1));
	const struct {
		struct lgalloc_handle h;
		const char *said;
	} bad[] = {
		{{h2.ptr, 3 * MiB}, "not a size class"},
		{{h2.ptr, 0}, "not a size class"},
		{{NULL, 2 * MiB}, "NULL pointer"},
		{{(char *)h2.ptr + 1, 2 * MiB}, "points 1 bytes into the 2097152-byte region"},
		{{(char *)h2.ptr + 4096, 2 * MiB}, "not at its start"},
		{{(char *)h4.ptr + 2 * MiB, 2 * MiB}, "points 2097152 bytes into the 4194304-byte region"},
		{{h4.ptr, 2 * MiB}, "length 2097152 does not match the region's size 4194304"},
		{{h2.ptr, 4 * MiB}, "does not match"},
		{{heap, 2 * MiB}, "foreign pointer"},
		{{map_aligned, 2 * MiB}, "foreign pointer"},
		{{(void *)((uintptr_t)1 << 60), 2 * MiB}, "foreign pointer"},
	};
	struct lgalloc_class_stats s2, s4;

	assert_ptr_not_equal(map, MAP_FAILED);
	set_checked(1);
	s2 = class_stats(2 * MiB);
	s4 = class_stats(4 * MiB);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		capture_begin();
		int err = lgalloc_deallocate(bad[i].h);
		const char *said = capture_end();

		assert_int_equal(err, -EINVAL);
		assert_said(said, bad[i].said, bad[i].h.ptr);
		assert_said(said, "lgalloc_deallocate", bad[i].h.ptr);
		/* The prefetch calls explain the same way. */
		capture_begin();
		err = lgalloc_prefetch(bad[i].h, 0, 4096);
		said = capture_end();
		assert_int_equal(err, -EINVAL);
		assert_said(said, bad[i].said, bad[i].h.ptr);
		assert_said(said, "lgalloc_prefetch(", bad[i].h.ptr);
	}
	struct lgalloc_class_stats a2 = class_stats(2 * MiB), a4 = class_stats(4 * MiB);
	assert_memory_equal(&a2, &s2, sizeof(a2));
	assert_memory_equal(&a4, &s4, sizeof(a4));

	/* Unchecked, the same handles are refused without a word. */
	set_checked(0);
	capture_begin();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lgalloc_deallocate(bad[i].h), -EINVAL);
	assert_string_equal(capture_end(), "");
	free_or_fail(h2);
	free_or_fail(h4);
	free(heap);
	munmap(map, 4 * MiB);
}

static void test_prefetch_after_free_refused(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(8 * MiB);
	int (*calls[])(struct lgalloc_handle, size_t, size_t) = {lgalloc_prefetch, lgalloc_prefetch_async,
								 lgalloc_prefetch_wait};
	const char *names[] = {"lgalloc_prefetch(", "lgalloc_prefetch_async(", "lgalloc_prefetch_wait("};

	set_checked(1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(calls[i](h, 0, 4096), 0);
	lgalloc_prefetch_wait(h, 0, h.len);
	free_or_fail(h);
	struct lgalloc_class_stats before = class_stats(8 * MiB);
	for (int i = 0; i < 3; i++) {
		capture_begin();
		int err = calls[i](h, 0, 4096);
		const char *said = capture_end();

		assert_int_equal(err, -LGALLOC_ERR_FREED);
		assert_said(said, "use after free", h.ptr);
		assert_said(said, names[i], h.ptr);
	}
	struct lgalloc_class_stats after = class_stats(8 * MiB);
	assert_memory_equal(&before, &after, sizeof(before));
	/* Leased again, the region may be hinted. */
	h = alloc_or_fail(8 * MiB);
	for (int i = 0; i < 3; i++)
		assert_int_equal(calls[i](h, 0, 4096), 0);
	free_or_fail(h);
	set_checked(0);
}

/* Two threads free the same handle at once: exactly one free succeeds. */
struct racer {
	struct lgalloc_handle h;
	pthread_barrier_t *go;
	int err;
};

static void *race_free(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->err = lgalloc_deallocate(r->h);
	return NULL;
}

static void test_racing_double_free(void **state)
{
	(void)state;
	pthread_barrier_t go;
	int saved = dup(2), devnull = open("/dev/null", O_WRONLY);

	assert_true(saved >= 0 && devnull >= 0);
	set_checked(1);
	dup2(devnull, 2); /* 200 reports */
	for (int round = 0; round < 200; round++) {
		struct racer r[2];
		pthread_t t[2];

		pthread_barrier_init(&go, NULL, 2);
		r[0].h = r[1].h = alloc_or_fail(16 * MiB);
		for (int i = 0; i < 2; i++) {
			r[i].go = &go;
			assert_int_equal(pthread_create(&t[i], NULL, race_free, &r[i]), 0);
		}
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		pthread_barrier_destroy(&go);
		if (!((r[0].err == 0 && r[1].err == -LGALLOC_ERR_FREED) ||
		      (r[1].err == 0 && r[0].err == -LGALLOC_ERR_FREED))) {
			dup2(saved, 2);
			fail_msg("round %d: frees returned %d and %d", round, r[0].err, r[1].err);
		}
	}
	dup2(saved, 2);
	close(saved);
	close(devnull);
	assert_invariant(16 * MiB, 0);
	set_checked(0);
}

/*
 * Threads allocate, stamp, pass on and free regions (every free legitimate)
 * while the main thread switches checked mode on and off: no free may be
 * refused, and the stats balance at the end.
 */
#define CHURN_SIZE (32 * MiB)

static atomic_bool churn_stop;
static _Atomic(struct lgalloc_handle *) handoff;
static atomic_int refused;

static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&churn_stop)) {
		struct lgalloc_handle *mine = malloc(sizeof(*mine));

		assert_non_null(mine);
		if (lgalloc_allocate(CHURN_SIZE, mine)) {
			atomic_fetch_add(&refused, 1);
			free(mine);
			continue;
		}
		*(volatile unsigned *)mine->ptr = seed;
		/* Every other region goes through the other thread. */
		if (rand_r(&seed) & 1)
			mine = atomic_exchange(&handoff, mine);
		if (mine) {
			if (lgalloc_deallocate(*mine))
				atomic_fetch_add(&refused, 1);
			free(mine);
		}
	}
	return NULL;
}

static void test_switching_under_load(void **state)
{
	(void)state;
	pthread_t t[2];
	double end = now_s() + stress_seconds(2);
	int switches = 0;

	atomic_store(&churn_stop, false);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)), 0);
	while (now_s() < end || switches < 20) {
		set_checked(switches++ & 1);
		sleep_ms(1 + switches % 3);
	}
	atomic_store(&churn_stop, true);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	struct lgalloc_handle *last = atomic_exchange(&handoff, NULL);
	if (last) {
		free_or_fail(*last);
		free(last);
	}
	set_checked(0);
	assert_int_equal(atomic_load(&refused), 0);
	assert_invariant(CHURN_SIZE, 0);
}

/* Run this program again with LGALLOC_CHECKED=@value and @arg; its exit
 * status, and its stderr in @err. */
static int run_child(const char *value, const char *arg, char *err, size_t errlen)
{
	int fds[2];
	size_t got = 0;
	ssize_t n;
	int status;

	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		if (value)
			setenv("LGALLOC_CHECKED", value, 1);
		else
			unsetenv("LGALLOC_CHECKED");
		execl("/proc/self/exe", self_argv[0], "--child", arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < errlen - 1 && (n = read(fds[0], err + got, errlen - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * The child: configures enabled (and checked = 0 with "override"), then
 * reports the mode it runs in: 1 checked (a free skips the thread cache and
 * a double free is refused), 0 not (the free lands in the thread cache; the
 * double free is not tried), 2 on anything unexpected.
 */
static int child(const char *arg)
{
	struct lgalloc_config c;
	struct lgalloc_handle h;
	struct lgalloc_stats s;

	lgalloc_config_init(&c);
	c.enabled = 1;
	if (strcmp(arg, "override") == 0)
		c.checked = 0;
	if (lgalloc_configure(&c) || lgalloc_allocate(2 * MiB, &h) || lgalloc_deallocate(h) ||
	    lgalloc_stats(&s))
		return 2;
	if (s.classes[0].thread_regions == 1)
		return 0;
	return lgalloc_deallocate(h) == -LGALLOC_ERR_FREED ? 1 : 2;
}

static void test_environment(void **state)
{
	(void)state;
	char err[4096];

	assert_int_equal(run_child(NULL, "plain", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(run_child("1", "plain", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "double free"));
	assert_int_equal(run_child("0", "plain", err, sizeof(err)), 0);
	/* The field, when set, overrides the environment. */
	assert_int_equal(run_child("1", "override", err, sizeof(err)), 0);
	/* A value other than 0 or 1 is refused, and said so. */
	assert_int_equal(run_child("yes", "plain", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "LGALLOC_CHECKED=yes ignored"));
}

static void test_invalid_checked_value(void **state)
{
	(void)state;
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	assert_int_equal(c.checked, -1);
	c.checked = 2;
	assert_int_equal(lgalloc_configure(&c), -EINVAL);
	c.checked = -2;
	assert_int_equal(lgalloc_configure(&c), -EINVAL);
	/* Still unchecked: a free goes to the thread cache. */
	struct lgalloc_handle h = alloc_or_fail(64 * MiB);
	size_t global = class_stats(64 * MiB).global_regions;
	configure_or_fail(-1, -1, -1, 128 * MiB);
	free_or_fail(h);
	assert_int_equal(class_stats(64 * MiB).global_regions, global);
	assert_int_equal(class_stats(64 * MiB).thread_regions, 1);
	configure_or_fail(-1, -1, -1, 32 * MiB);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_free_refused),
		cmocka_unit_test(test_malformed_handles_explained),
		cmocka_unit_test(test_prefetch_after_free_refused),
		cmocka_unit_test(test_racing_double_free),
		cmocka_unit_test(test_switching_under_load),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_invalid_checked_value),
	};

	self_argv = argv;
	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child(argv[2]);
	enable();
	return cmocka_run_group_tests_name("checked", tests, NULL, NULL);
}
