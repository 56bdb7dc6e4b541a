// SPDX-License-Identifier: MIT
/* The settings and lgalloc_configure(), which validates and applies them. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "background.h"
#include "checked.h"
#include "config.h"
#include "init.h"
#include "prefetch.h"

struct lg_settings lg_settings = {
	.enabled = 0,
	.eager_return = 0,
	.growth_dampener = 0,
	.local_buffer_bytes = 32L << 20,
};

/* Serialises lgalloc_configure() so that validation and application of one
 * call are not interleaved with another's. */
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
/* The configured cache budget; lg_settings has the one in use. */
static long local_buffer_bytes = 32L << 20; /* under config_lock */

/* Under config_lock, or from init. */
static void set_checked(bool on)
{
	lg_checked_set(on);
	atomic_store_explicit(&lg_settings.local_buffer_bytes, on ? 0 : local_buffer_bytes, lg_relaxed);
}

/* LGALLOC_CHECKED, read once: lg_init() runs this before any
 * lgalloc_configure() applies its settings. */
static void config_init(void)
{
	const char *v = getenv("LGALLOC_CHECKED");

	if (!v)
		return;
	if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
		set_checked(v[0] == '1');
	else
		fprintf(stderr, "lgalloc: LGALLOC_CHECKED=%s ignored: expected 0 or 1\n", v);
}

static const struct lg_subsystem config_subsystem = {
	.rank = LG_RANK_CONFIG,
	.lock = &config_lock,
	.init = config_init,
};
LG_SUBSYSTEM(config_subsystem);

/* Exported as the LGALLOC_0.3 (default) versions of lgalloc_config_init and
 * lgalloc_configure, for the struct with checked; the older ones are in
 * compat_0_1.c and compat_0_2.c. */
__asm__(".symver lg_config_init_0_3, lgalloc_config_init@@LGALLOC_0.3");
__asm__(".symver lg_configure_0_3, lgalloc_configure@@LGALLOC_0.3");

LG_EXPORT void lg_config_init_0_3(struct lgalloc_config *c)
{
	if (!c)
		return;
	*c = (struct lgalloc_config){
		.enabled = -1,
		.eager_return = -1,
		.growth_dampener = -1,
		.local_buffer_bytes = -1,
		.background_interval_ms = -1,
		.background_clear_bytes = -1,
		.prefetch_mode = -1,
		.prefetch_ring_depth = -1,
		.prefetch_workers = -1,
		.checked = -1,
	};
}

static bool flag_ok(int v)
{
	return v >= -1 && v <= 1;
}

static bool validate(const struct lgalloc_config *c)
{
	/* A dampener past this only makes every area the minimum size. */
	const long max_dampener = 1L << 30;
	/* One day between ticks is the longest useful interval; it also keeps
	 * the deadline arithmetic far from overflow. */
	const long max_interval_ms = 24L * 3600 * 1000;

	return flag_ok(c->enabled) && flag_ok(c->eager_return) && c->growth_dampener >= -1 &&
	       c->growth_dampener <= max_dampener && c->local_buffer_bytes >= -1 &&
	       c->background_interval_ms >= -1 && c->background_interval_ms <= max_interval_ms &&
	       c->background_clear_bytes >= -1 && c->prefetch_mode >= -1 &&
	       c->prefetch_mode <= LGALLOC_PREFETCH_URING &&
	       (c->prefetch_ring_depth == -1 ||
		(c->prefetch_ring_depth >= 1 && c->prefetch_ring_depth <= LG_PREFETCH_MAX_DEPTH)) &&
	       c->prefetch_workers >= -1 && c->prefetch_workers <= LG_PREFETCH_MAX_WORKERS &&
	       flag_ok(c->checked);
}

static long round_up_pow2(long v)
{
	long p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

LG_EXPORT int lg_configure_0_3(const struct lgalloc_config *c)
{
	int err = 0;

	if (!c || !validate(c))
		return -EINVAL;
	err = lg_init();
	if (err)
		return err;
	pthread_mutex_lock(&config_lock);
	/* The worker is the one part that can fail (thread creation): do it
	 * first so that a failure applies nothing. */
	if (c->background_interval_ms != -1 || c->background_clear_bytes != -1)
		err = lg_background_configure(c->background_interval_ms, c->background_clear_bytes);
	if (!err) {
		if (c->eager_return != -1)
			atomic_store_explicit(&lg_settings.eager_return, c->eager_return, lg_relaxed);
		if (c->growth_dampener != -1)
			atomic_store_explicit(&lg_settings.growth_dampener, c->growth_dampener, lg_relaxed);
		if (c->local_buffer_bytes != -1)
			local_buffer_bytes = c->local_buffer_bytes;
		/* Applies the budget too: 0 while checked. */
		set_checked(c->checked != -1 ? c->checked == 1 : lg_checked_mode() != 0);
		if (c->enabled != -1)
			atomic_store_explicit(&lg_settings.enabled, c->enabled, lg_relaxed);
		lg_prefetch_configure(c->prefetch_mode,
				      c->prefetch_ring_depth == -1 ? -1
								   : round_up_pow2(c->prefetch_ring_depth),
				      c->prefetch_workers);
	}
	pthread_mutex_unlock(&config_lock);
	return err;
}
