// SPDX-License-Identifier: MIT
/* The preload's settings from the environment, and LGALLOC_STATS (see
 * settings.h).  Values are parsed with common/parse: sizes take K, M, G, T. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/parse.h"
#include "lgalloc.h"
#include "settings.h"

_Atomic size_t lgp_min_bytes = SIZE_MAX;

/* LGALLOC_STATS=1: a duplicate of the standard error the program started
 * with, for the table at exit (programs such as GNU sort and xz close
 * stderr before the destructors run); -1 otherwise. */
static int stats_fd = -1;

enum kind { FLAG, NUMBER, SIZE, MODE };

/* One variable: its name, how to read it, the range, and where it goes. */
struct var {
	const char *name;
	enum kind kind;
	unsigned long min, max;
	long *value; /* NUMBER, SIZE */
	int *flag;   /* FLAG, MODE */
};

static void ignored(const char *name, const char *v, const char *why)
{
	fprintf(stderr, "liblgalloc_preload: %s=%s ignored: %s\n", name, v, why);
}

/* Read @var into its field; report and leave the field alone when the
 * value is invalid. */
static void read_var(const struct var *var)
{
	const char *v = getenv(var->name);
	char why[96];
	unsigned long n;
	uint64_t bytes;
	int err;

	if (!v)
		return;
	switch (var->kind) {
	case FLAG:
		if (strcmp(v, "0") && strcmp(v, "1")) {
			ignored(var->name, v, "expected 0 or 1");
			return;
		}
		*var->flag = v[0] == '1';
		return;
	case MODE:
		if (!strcmp(v, "auto"))
			*var->flag = LGALLOC_PREFETCH_AUTO;
		else if (!strcmp(v, "sync"))
			*var->flag = LGALLOC_PREFETCH_SYNC;
		else if (!strcmp(v, "uring"))
			*var->flag = LGALLOC_PREFETCH_URING;
		else
			ignored(var->name, v, "expected auto, sync or uring");
		return;
	case NUMBER:
		err = parse_ulong(v, var->min, var->max, &n);
		if (err) {
			snprintf(why, sizeof(why), "expected a whole number from %lu to %lu", var->min,
				 var->max);
			ignored(var->name, v, why);
			return;
		}
		*var->value = (long)n;
		return;
	case SIZE:
		err = size_parse(v, &bytes);
		if (err || bytes < var->min || bytes > var->max) {
			snprintf(why, sizeof(why),
				 "expected a size in bytes from %lu to %lu (suffix K, M, G or T)", var->min,
				 var->max);
			ignored(var->name, v, why);
			return;
		}
		*var->value = (long)bytes;
		return;
	}
}

static void stats_at_exit(void)
{
	struct lgalloc_stats st;
	int err = lgalloc_stats(&st);

	if (err) {
		dprintf(stats_fd, "liblgalloc_preload: LGALLOC_STATS: lgalloc_stats failed: %s\n",
			lgalloc_strerror(err));
		return;
	}
	dprintf(stats_fd,
		"liblgalloc_preload: statistics at exit (pid %d; requests of %zu bytes or more from "
		"lgalloc)\n"
		"%12s %6s %12s %11s %13s %6s %6s %6s %6s %9s %6s %11s %10s %13s\n",
		(int)getpid(), atomic_load(&lgp_min_bytes), "class_bytes", "areas", "area_bytes",
		"allocations", "deallocations", "free", "clean", "global", "thread", "slow_path", "refill",
		"clear_eager", "clear_slow", "advise_failed");
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		const struct lgalloc_class_stats *c = &st.classes[ci];

		if (!c->areas && !c->allocations)
			continue;
		dprintf(stats_fd,
			"%12zu %6zu %12zu %11zu %13zu %6zu %6zu %6zu %6zu %9zu %6zu %11zu %10zu %13zu\n",
			c->class_bytes, c->areas, c->area_total_bytes, c->allocations, c->deallocations,
			c->free_regions, c->clean_regions, c->global_regions, c->thread_regions, c->slow_path,
			c->refill, c->clear_eager_total, c->clear_slow_total, c->advise_failed);
	}
}

/* After every other destructor of ours and the program's exit handlers
 * registered before: the figures include what they freed. */
__attribute__((destructor)) static void settings_exit(void)
{
	if (stats_fd >= 0)
		stats_at_exit();
}

void lgp_settings_apply(void)
{
	static atomic_flag done = ATOMIC_FLAG_INIT;
	struct lgalloc_config c;
	long min_bytes = (long)LGP_DEFAULT_MIN_BYTES;
	int stats = 0, err;

	if (atomic_flag_test_and_set(&done))
		return;
	lgalloc_config_init(&c);
	c.enabled = 1;
	const struct var vars[] = {
		{"LGALLOC_ENABLED", FLAG, .flag = &c.enabled},
		{"LGALLOC_EAGER_RETURN", FLAG, .flag = &c.eager_return},
		{"LGALLOC_GROWTH_DAMPENER", NUMBER, 0, 1UL << 30, .value = &c.growth_dampener},
		{"LGALLOC_LOCAL_BUFFER_BYTES", SIZE, 0, LONG_MAX, .value = &c.local_buffer_bytes},
		{"LGALLOC_BACKGROUND_INTERVAL_MS", NUMBER, 0, 24UL * 3600 * 1000,
		 .value = &c.background_interval_ms},
		{"LGALLOC_BACKGROUND_CLEAR_BYTES", SIZE, 0, LONG_MAX, .value = &c.background_clear_bytes},
		{"LGALLOC_PREFETCH_MODE", MODE, .flag = &c.prefetch_mode},
		{"LGALLOC_PREFETCH_RING_DEPTH", NUMBER, 1, 4096, .value = &c.prefetch_ring_depth},
		{"LGALLOC_PREFETCH_WORKERS", NUMBER, 0, 128, .value = &c.prefetch_workers},
		/* LGALLOC_CHECKED (the field `checked`) is read by the library
		 * itself, which reports an invalid value the same way. */
		{"LGALLOC_PRELOAD_MIN_BYTES", SIZE, 1, LONG_MAX, .value = &min_bytes},
		{"LGALLOC_STATS", FLAG, .flag = &stats},
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		read_var(&vars[i]);

	err = lgalloc_configure(&c);
	if (err == -EINVAL) {
		/* Each value is in its range; only a combination the library
		 * refuses gets here.  Keep the defaults, enabled or not. */
		int enabled = c.enabled;

		fprintf(stderr,
			"liblgalloc_preload: the LGALLOC_* settings were refused (%s): defaults used\n",
			lgalloc_strerror(err));
		lgalloc_config_init(&c);
		c.enabled = enabled;
		err = lgalloc_configure(&c);
	}
	if (err) {
		fprintf(stderr,
			"liblgalloc_preload: lgalloc_configure failed: %s; every request goes to the next "
			"allocator\n",
			lgalloc_strerror(err));
		return;
	}
	if (stats) {
		/* Above the descriptors programs number by hand; close-on-exec,
		 * so a program it runs gets its own. */
		stats_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
		if (stats_fd < 0)
			fprintf(stderr,
				"liblgalloc_preload: LGALLOC_STATS: fcntl(F_DUPFD_CLOEXEC) failed: %s\n",
				strerror(errno));
	}
	if (c.enabled)
		atomic_store(&lgp_min_bytes,
			     (size_t)min_bytes < LGP_LEAST_BYTES ? LGP_LEAST_BYTES : (size_t)min_bytes);
}
