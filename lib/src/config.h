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
	_Atomic long local_buffer_bytes;
};

extern struct lg_settings lg_settings;

/* lgalloc_config_init() and lgalloc_configure(), exported under those names
 * at version LGALLOC_0.2 (compat_0_1.c has the 0.1 ones). */
void lg_config_init_0_2(struct lgalloc_config *c);
int lg_configure_0_2(const struct lgalloc_config *c);

#endif /* LGALLOC_CONFIG_H */
