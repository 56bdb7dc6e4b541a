// SPDX-License-Identifier: MIT
/* Machine and limit detection for the run settings. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/parse.h"
#include "common/procfs.h"
#include "env.h"

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

struct swap_text {
	char *buf;
	size_t len, used;
};

static int add_swap(const struct swap_entry *e, void *arg)
{
	struct swap_text *t = arg;
	char size[SIZE_FORMAT_LEN];

	size_format(e->size_kib * 1024, SIZE_IEC, size, sizeof(size));
	t->used += (size_t)snprintf(t->buf + t->used, t->used < t->len ? t->len - t->used : 0, "%s%s %s %s",
				    t->used ? "; " : "", e->name, e->type, size);
	return 0;
}

/* "/swapfile file 2G; /dev/zram0 partition 1023.9M" */
static void detect_swap(char *buf, size_t len)
{
	struct swap_text t = {buf, len, 0};

	buf[0] = '\0';
	proc_swaps_each(NULL, add_swap, &t);
	if (!buf[0])
		snprintf(buf, len, "none");
}

void env_detect(struct run_env *env)
{
	struct utsname u;
	cpu_set_t set;

	if (mem_limit_detect(&env->limit))
		env->limit = (struct mem_limit){.bytes = CG_NO_LIMIT, .swap_bytes = CG_NO_LIMIT};
	detect_thp(env->thp, sizeof(env->thp));
	snprintf(env->kernel, sizeof(env->kernel), "%s", uname(&u) ? "unknown" : u.release);
	env->cpus = sched_getaffinity(0, sizeof(set), &set) ? 0 : CPU_COUNT(&set);
	detect_swap(env->swap, sizeof(env->swap));
}
