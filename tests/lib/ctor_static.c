// SPDX-License-Identifier: MIT
/*
 * lgalloc used from a program's own constructor, linked with the static
 * library: the library's subsystems must be registered (their constructors
 * have priority) before a constructor of default priority runs.  Prints
 * testlib-style "ok"/"not ok" lines for tests/run.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "lgalloc.h"

/* -ECANCELED: the step did not run. */
static int ctor_configure = -ECANCELED, ctor_allocate = -ECANCELED, ctor_deallocate = -ECANCELED;

__attribute__((constructor)) static void early(void)
{
	struct lgalloc_config c;
	struct lgalloc_handle h;

	lgalloc_config_init(&c);
	c.enabled = 1;
	ctor_configure = lgalloc_configure(&c);
	ctor_allocate = lgalloc_allocate(4 << 20, &h);
	if (!ctor_allocate) {
		memset(h.ptr, 1, h.len);
		ctor_deallocate = lgalloc_deallocate(h);
	}
}

static void report(const char *name, int err)
{
	if (err)
		printf("not ok %s: %s\n", name, lgalloc_strerror(err));
	else
		printf("ok %s\n", name);
}

int main(void)
{
	int status;
	pid_t pid;

	report("static link: lgalloc_configure from a constructor", ctor_configure);
	report("static link: lgalloc_allocate from a constructor", ctor_allocate);
	report("static link: lgalloc_deallocate from a constructor", ctor_deallocate);
	/* The fork handlers were installed by that first call. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct lgalloc_handle h;

		_exit(lgalloc_allocate(2 << 20, &h) || lgalloc_deallocate(h) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		printf("not ok static link: a forked child allocates\n");
	else
		printf("ok static link: a forked child allocates\n");
	return 0;
}
