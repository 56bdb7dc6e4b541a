// SPDX-License-Identifier: MIT
/* The public API: classes, handles, errors, configuration, prefetch. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "test_util.h"

/* Runs first: the allocator starts disabled. */
static void test_disabled_until_enabled(void **state)
{
	(void)state;
	struct lgalloc_handle h = {(void *)1, 1};

	assert_int_equal(lgalloc_allocate(2 * MiB, &h), -LGALLOC_ERR_DISABLED);
	assert_null(h.ptr);
	assert_int_equal(h.len, 0);
	enable();
	h = alloc_or_fail(2 * MiB);
	configure_or_fail(0, -1, -1, -1);
	struct lgalloc_handle h2;
	assert_int_equal(lgalloc_allocate(2 * MiB, &h2), -LGALLOC_ERR_DISABLED);
	/* Freeing still works while disabled: leased regions must go back. */
	free_or_fail(h);
	enable();
}

/* The README's example, as a user writes it. */
static void test_readme_example(void **state)
{
	(void)state;
	struct lgalloc_handle h;
	int err = lgalloc_allocate(3 * MiB, &h);

	assert_int_equal(err, 0);
	assert_int_equal(h.len, 4 * MiB);
	memset(h.ptr, 0xab, 3 * MiB);
	assert_int_equal(((unsigned char *)h.ptr)[3 * MiB - 1], 0xab);
	assert_int_equal(lgalloc_deallocate(h), 0);
}

static void test_allocate_and_write(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(2 * MiB);
	unsigned char *p = h.ptr;

	for (size_t i = 0; i < h.len; i += 512)
		p[i] = (unsigned char)(i >> 9);
	for (size_t i = 0; i < h.len; i += 512)
		assert_int_equal(p[i], (unsigned char)(i >> 9));
	free_or_fail(h);
}

static void test_zero_size(void **state)
{
	(void)state;
	struct lgalloc_handle h = {(void *)1, 7};

	assert_int_equal(lgalloc_allocate(0, &h), 0);
	assert_null(h.ptr);
	assert_int_equal(h.len, 0);
	assert_int_equal(lgalloc_deallocate(h), 0);
	assert_int_equal(lgalloc_allocate(0, NULL), -EINVAL);
}

static void expect_class(size_t bytes, int err, size_t len)
{
	struct lgalloc_handle h;

	assert_int_equal(lgalloc_allocate(bytes, &h), err);
	assert_int_equal(h.len, len);
	if (!err) {
		assert_non_null(h.ptr);
		free_or_fail(h);
	} else {
		assert_null(h.ptr);
	}
}

static void test_size_class_boundaries(void **state)
{
	(void)state;
	expect_class(1, -LGALLOC_ERR_SIZE, 0);
	expect_class(4096, -LGALLOC_ERR_SIZE, 0);
	expect_class(1 * MiB, -LGALLOC_ERR_SIZE, 0);
	expect_class(1 * MiB + 1, 0, 2 * MiB);
	expect_class(2 * MiB, 0, 2 * MiB);
	expect_class(2 * MiB + 1, 0, 4 * MiB);
	expect_class(32 * GiB + 1, 0, 64 * GiB);
	expect_class(64 * GiB, 0, 64 * GiB);
	expect_class(64 * GiB + 1, -LGALLOC_ERR_SIZE, 0);
	expect_class(SIZE_MAX / 2 + 2, -LGALLOC_ERR_SIZE, 0);
	expect_class(SIZE_MAX, -LGALLOC_ERR_SIZE, 0);
}

static void test_every_class_2mib_aligned(void **state)
{
	(void)state;
	for (unsigned shift = LGALLOC_MIN_CLASS; shift <= LGALLOC_MAX_CLASS; shift++) {
		struct lgalloc_handle h[3];

		for (int i = 0; i < 3; i++) {
			h[i] = alloc_or_fail((size_t)1 << shift);
			assert_int_equal(h[i].len, (size_t)1 << shift);
			assert_int_equal((uintptr_t)h[i].ptr % (2 * MiB), 0);
		}
		/* The largest region of all is usable at both ends. */
		((volatile char *)h[0].ptr)[0] = 1;
		((volatile char *)h[0].ptr)[h[0].len - 1] = 1;
		for (int i = 0; i < 3; i++)
			free_or_fail(h[i]);
	}
}

static void test_stats(void **state)
{
	(void)state;
	struct lgalloc_class_stats before = class_stats(2 * MiB), after;
	struct lgalloc_handle h = alloc_or_fail(2 * MiB);

	after = class_stats(2 * MiB);
	assert_int_equal(after.class_bytes, 2 * MiB);
	assert_int_equal(after.allocations, before.allocations + 1);
	assert_true(after.areas >= 1);
	assert_true(after.area_total_bytes >= 32 * MiB);
	free_or_fail(h);
	after = class_stats(2 * MiB);
	assert_int_equal(after.deallocations, before.deallocations + 1);
	assert_int_equal(after.free_regions,
			 after.thread_regions + after.global_regions + after.clean_regions);
	assert_int_equal(lgalloc_stats(NULL), -EINVAL);

	struct lgalloc_stats all;
	assert_int_equal(lgalloc_stats(&all), 0);
	for (unsigned i = 0; i < LGALLOC_NUM_CLASSES; i++)
		assert_int_equal(all.classes[i].class_bytes, (size_t)1 << (LGALLOC_MIN_CLASS + i));
}

static void test_prefetch(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(2 * MiB), empty = {NULL, 0};

	memset(h.ptr, 0x5a, h.len);
	assert_int_equal(lgalloc_prefetch(h, 0, h.len), 0);
	assert_int_equal(lgalloc_prefetch(h, 4096, 8192), 0);
	assert_int_equal(lgalloc_prefetch(h, 1, 1), 0); /* unaligned start */
	assert_int_equal(lgalloc_prefetch(h, h.len - 1, 1), 0);
	/* Empty ranges are no-ops, even at the very end. */
	assert_int_equal(lgalloc_prefetch(h, 0, 0), 0);
	assert_int_equal(lgalloc_prefetch(h, h.len, 0), 0);
	assert_int_equal(lgalloc_prefetch(empty, 0, 0), 0);
	/* Every way out of bounds. */
	assert_int_equal(lgalloc_prefetch(h, 0, h.len + 1), -ERANGE);
	assert_int_equal(lgalloc_prefetch(h, h.len, 1), -ERANGE);
	assert_int_equal(lgalloc_prefetch(h, h.len + 1, 0), -ERANGE);
	assert_int_equal(lgalloc_prefetch(h, 1, h.len), -ERANGE);
	assert_int_equal(lgalloc_prefetch(h, 1, SIZE_MAX), -ERANGE);
	assert_int_equal(lgalloc_prefetch(h, SIZE_MAX, 2), -ERANGE);
	assert_int_equal(lgalloc_prefetch(h, SIZE_MAX, SIZE_MAX), -ERANGE);
	assert_int_equal(lgalloc_prefetch(empty, 0, 1), -ERANGE);
	/* A malformed handle is not a range problem. */
	struct lgalloc_handle bad = {(char *)h.ptr + 4096, h.len};
	assert_int_equal(lgalloc_prefetch(bad, 0, 1), -EINVAL);
	/* Contents unchanged. */
	for (size_t i = 0; i < h.len; i += 4096)
		assert_int_equal(((unsigned char *)h.ptr)[i], 0x5a);
	free_or_fail(h);
}

static void test_malformed_handles_rejected(void **state)
{
	(void)state;
	struct lgalloc_handle h2 = alloc_or_fail(2 * MiB), h4 = alloc_or_fail(4 * MiB);
	struct lgalloc_class_stats s2 = class_stats(2 * MiB), s4 = class_stats(4 * MiB);
	void *heap = malloc(64);
	void *map = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *map_aligned = (void *)(((uintptr_t)map + 2 * MiB - 1) & ~(2 * MiB - 1));
	struct lgalloc_handle bad[] = {
		{h2.ptr, 3 * MiB},			 /* not a class size */
		{h2.ptr, 1 * MiB},			 /* below the smallest class */
		{h2.ptr, 0},				 /* pointer without length */
		{h2.ptr, 128 * GiB},			 /* above the largest class */
		{NULL, 2 * MiB},			 /* NULL with a length */
		{(char *)h2.ptr + 1, 2 * MiB},		 /* not page aligned */
		{(char *)h2.ptr + 4096, 2 * MiB},	 /* inside the region */
		{(char *)h4.ptr + 2 * MiB, 2 * MiB},	 /* inside another region */
		{h4.ptr, 2 * MiB},			 /* wrong class for the region */
		{h2.ptr, 4 * MiB},			 /* wrong class the other way */
		{heap, 2 * MiB},			 /* from malloc */
		{map_aligned, 2 * MiB},			 /* an mmap of our own */
		{(void *)((uintptr_t)1 << 60), 2 * MiB}, /* beyond user space */
	};

	assert_ptr_not_equal(map, MAP_FAILED);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lgalloc_deallocate(bad[i]), -EINVAL);
	/* Nothing changed. */
	struct lgalloc_class_stats a2 = class_stats(2 * MiB), a4 = class_stats(4 * MiB);
	assert_memory_equal(&a2, &s2, sizeof(a2));
	assert_memory_equal(&a4, &s4, sizeof(a4));
	free_or_fail(h2);
	free_or_fail(h4);
	free(heap);
	munmap(map, 4 * MiB);
}

static void test_invalid_configuration_rejected(void **state)
{
	(void)state;
	struct lgalloc_config c;
	struct lgalloc_config bad[8];
	size_t n = 0;

	assert_int_equal(lgalloc_configure(NULL), -EINVAL);
	for (int i = 0; i < 8; i++) {
		lgalloc_config_init(&bad[i]);
		bad[i].local_buffer_bytes = 0; /* valid, must not be applied */
	}
	bad[n++].enabled = 2;
	bad[n++].eager_return = -2;
	bad[n++].growth_dampener = -2;
	bad[n++].local_buffer_bytes = -7;
	bad[n++].background_interval_ms = -2;
	bad[n++].background_interval_ms = 1L << 40;
	bad[n++].background_clear_bytes = -5;
	bad[n++].enabled = -100;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lgalloc_configure(&bad[i]), -EINVAL);

	/* local_buffer_bytes is still 32 MiB: a free lands in this thread's
	 * cache, which it would not with a budget of 0. */
	struct lgalloc_handle h = alloc_or_fail(2 * MiB);
	size_t thread_before = class_stats(2 * MiB).thread_regions;
	free_or_fail(h);
	assert_int_equal(class_stats(2 * MiB).thread_regions, thread_before + 1);
	assert_int_equal(wait_threads_named("lgalloc-0", 0), 0);

	/* An all-unchanged configuration is valid and changes nothing. */
	lgalloc_config_init(&c);
	assert_int_equal(lgalloc_configure(&c), 0);
	lgalloc_config_init(NULL);
}

static void test_strerror(void **state)
{
	(void)state;
	int codes[] = {0, -EINVAL, -ENOMEM, -ERANGE, -LGALLOC_ERR_DISABLED, -LGALLOC_ERR_SIZE, -EIO, -99999};
	const char *seen[8];

	for (size_t i = 0; i < 8; i++) {
		seen[i] = lgalloc_strerror(codes[i]);
		assert_non_null(seen[i]);
		assert_true(strlen(seen[i]) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	assert_string_equal(lgalloc_strerror(LGALLOC_ERR_SIZE), lgalloc_strerror(-LGALLOC_ERR_SIZE));
}

/* Out of address space: the allocator reports -ENOMEM, changes nothing,
 * and works again once the limit is raised (the RLIMIT_AS round trip).
 * Runs in a child whose address space is capped (the soft limit only, so
 * that it can be raised again without privilege). */
static void test_out_of_memory(void **state)
{
	(void)state;
	if (UNDER_SANITIZER) {
		/* Sanitizers reserve terabytes of shadow: RLIMIT_AS breaks them. */
		print_message("test_out_of_memory: not run under a sanitizer (RLIMIT_AS breaks its shadow "
			      "memory)\n");
		skip();
	}
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit saved, lim;
		struct lgalloc_handle h, held[64];
		struct lgalloc_stats start, before, after;
		const unsigned ci = 30 - LGALLOC_MIN_CLASS; /* 1 GiB */
		int n = 0, err = 0;

		if (getrlimit(RLIMIT_AS, &saved))
			_exit(10);
		lim = saved;
		lim.rlim_cur = 2 * GiB;
		if (setrlimit(RLIMIT_AS, &lim))
			_exit(10);
		lgalloc_stats(&start);
		/* Pools may hold free regions from earlier tests: drain them
		 * until a refill is needed and fails. */
		while (n < 64 && !(err = lgalloc_allocate(1 * GiB, &h)))
			held[n++] = h;
		if (err != -ENOMEM)
			_exit(11);
		if (h.ptr || h.len)
			_exit(12);
		/* The failure changed nothing but the count of slow paths (it
		 * took the class lock). */
		lgalloc_stats(&before);
		if (lgalloc_allocate(1 * GiB, &h) != -ENOMEM)
			_exit(11);
		lgalloc_stats(&after);
		before.classes[ci].slow_path++;
		if (memcmp(&before.classes[ci], &after.classes[ci], sizeof(before.classes[ci])))
			_exit(14);
		/* Smaller classes still work. */
		if (lgalloc_allocate(8 * MiB, &h) || lgalloc_deallocate(h))
			_exit(13);
		/* Memory is back: the class maps a new area and allocates. */
		if (setrlimit(RLIMIT_AS, &saved))
			_exit(10);
		if (lgalloc_allocate(1 * GiB, &h))
			_exit(15);
		memset(h.ptr, 1, 4096);
		held[n++] = h;
		while (n > 0)
			if (lgalloc_deallocate(held[--n]))
				_exit(16);
		lgalloc_stats(&after);
		struct lgalloc_class_stats *s = &after.classes[ci];
		size_t live = start.classes[ci].allocations - start.classes[ci].deallocations;
		if (s->areas != before.classes[ci].areas + 1 || s->allocations - s->deallocations != live ||
		    s->free_regions + live != s->area_total_bytes / s->class_bytes)
			_exit(17);
		_exit(0);
	}
	assert_child_ok(pid);
}

/* A seccomp filter that fails madvise(MADV_HUGEPAGE) with EINVAL, as a
 * kernel without transparent huge pages does. */
static int refuse_hugepage_advice(void)
{
	return refuse_syscall(SYS_madvise, 2, MADV_HUGEPAGE, EINVAL);
}

/* Without huge-page advice, areas still work and stderr gets one warning
 * for the whole process, not one per area, naming the call and giving the
 * kernel's reason, not an lgalloc API text. */
static void test_hugepage_refused_warns_once(void **state)
{
	(void)state;
	int fds[2];
	char out[4096] = "";
	size_t got = 0;
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct lgalloc_handle h[3];

		dup2(fds[1], 2);
		if (refuse_hugepage_advice())
			_exit(10);
		/* Three classes this process has not mapped yet: 3 areas. */
		for (int i = 0; i < 3; i++)
			if (lgalloc_allocate((size_t)1 << (LGALLOC_MAX_CLASS - i), &h[i]))
				_exit(11);
		for (int i = 0; i < 3; i++)
			if (lgalloc_deallocate(h[i]))
				_exit(12);
		_exit(0);
	}
	close(fds[1]);
	while (got < sizeof(out) - 1 && (n = read(fds[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	assert_child_ok(pid);
	char *first = strstr(out, "MADV_HUGEPAGE");
	assert_non_null(first);
	assert_null(strstr(first + 1, "MADV_HUGEPAGE"));
	print_message("%s", out);
	assert_non_null(strstr(out, "madvise(MADV_HUGEPAGE) failed: "));
	assert_non_null(strstr(out, strerrordesc_np(EINVAL)));
	assert_null(strstr(out, lgalloc_strerror(-EINVAL)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_until_enabled),
		/* Before any test maps the largest classes. */
		cmocka_unit_test(test_hugepage_refused_warns_once),
		cmocka_unit_test(test_readme_example),
		cmocka_unit_test(test_allocate_and_write),
		cmocka_unit_test(test_zero_size),
		cmocka_unit_test(test_size_class_boundaries),
		cmocka_unit_test(test_every_class_2mib_aligned),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_malformed_handles_rejected),
		cmocka_unit_test(test_invalid_configuration_rejected),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
