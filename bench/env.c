// SPDX-License-Identifier: MIT
/* Machine and limit detection for the run settings. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "env.h"
#include "util.h"

/* "always [madvise] never" -> "madvise" */
static void detect_thp(char *buf, size_t len)
{
	char line[128], *open, *close;

	if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line)) ||
	    !(open = strchr(line, '[')) || !(close = strchr(open, ']'))) {
		snprintf(buf, len, "unknown");
		return;
	}
	*close = '\0';
	snprintf(buf, len, "%s", open + 1);
}

/* "/swapfile file 2.0 GiB; /dev/zram0 partition 1 GiB" */
static void detect_swap(char *buf, size_t len)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[512], name[256], type[32], size[32];
	unsigned long long kib;
	size_t used = 0;

	buf[0] = '\0';
	if (f) {
		/* The first line is the header. */
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%255s %31s %llu", name, type, &kib) != 3)
				continue;
			format_bytes(size, sizeof(size), kib * 1024);
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s %s %s",
						 used ? "; " : "", name, type, size);
		}
		fclose(f);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

void env_detect(struct run_env *env)
{
	struct utsname u;
	cpu_set_t set;

	if (mem_limit_detect(&env->limit))
		env->limit = (struct mem_limit){.bytes = MEM_UNLIMITED, .swap_bytes = MEM_UNLIMITED};
	detect_thp(env->thp, sizeof(env->thp));
	snprintf(env->kernel, sizeof(env->kernel), "%s", uname(&u) ? "unknown" : u.release);
	env->cpus = sched_getaffinity(0, sizeof(set), &set) ? 0 : CPU_COUNT(&set);
	detect_swap(env->swap, sizeof(env->swap));
}
