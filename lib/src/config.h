/* SPDX-License-Identifier: MIT */
/* The settings lgalloc_configure() sets, read everywhere on every call. */
#ifndef LGALLOC_CONFIG_H
#define LGALLOC_CONFIG_H

#include "lgalloc_internal.h"

/* Read with relaxed loads. */
struct lg_settings {
	_Atomic int enabled;
	_Atomic int eager_return;
	_Atomic long growth_dampener;
	/* The cache budget threads use: the configured local_buffer_bytes,
	 * or 0 in checked mode, which sends every free past the thread caches
	 * to the checks in the slow path. */
	_Atomic long local_buffer_bytes;
};

extern struct lg_settings lg_settings;

/* lgalloc_config_init() and lgalloc_configure(), exported under those names
 * at version LGALLOC_0.3 (compat_0_1.c and compat_0_2.c have the older
 * ones, for the shorter structs). */
void lg_config_init_0_3(struct lgalloc_config *c);
int lg_configure_0_3(const struct lgalloc_config *c);

#endif /* LGALLOC_CONFIG_H */
