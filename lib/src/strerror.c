// SPDX-License-Identifier: MIT
/* lgalloc_strerror(): a static message for every code the library returns. */
#include <errno.h>
#include <string.h>

#include "lgalloc_internal.h"

LG_EXPORT const char *lgalloc_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case LGALLOC_ERR_DISABLED:
		return "lgalloc is disabled (enable it with lgalloc_configure)";
	case LGALLOC_ERR_SIZE:
		return "size has no lgalloc size class (more than 1 MiB up to 64 GiB)";
	case LGALLOC_ERR_FREED:
		return "region already freed (checked mode: a double free, or a prefetch after the free)";
	case EINVAL:
		return "invalid argument (bad handle, pointer or configuration value)";
	case ENOMEM:
		return "out of memory: pools empty and no new area could be mapped";
	case ERANGE:
		return "range lies outside the region";
	}
	/* strerrordesc_np returns a static string (not per-thread, not
	 * translated), which is what a const char * result promises. */
	const char *msg = strerrordesc_np(err);
	return msg ? msg : "unknown lgalloc error";
}
