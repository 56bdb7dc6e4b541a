// SPDX-License-Identifier: MIT
/* systemd-run scopes of systemd_run.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/systemd_run.h"

#define SYSTEMD_BOOTED "/run/systemd/system"
#define SYSTEMD_ARGS   12 /* most systemd-run arguments before CMD's own */

int systemd_run_find(const char *override, char *buf, size_t len)
{
	struct stat st;

	if (override && *override) {
		snprintf(buf, len, "%s", override);
		return 0;
	}
	if (stat(SYSTEMD_BOOTED, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	return launch_resolve("systemd-run", buf, len) ? -ENOENT : 0;
}

int systemd_run_argv(struct systemd_run_argv *a, const char *systemd_run, const struct systemd_scope *s,
		     const char *cmd, char *const *args)
{
	size_t n = 0;
	int i = 0, p = 0;

	while (args[n])
		n++;
	a->argv = calloc(n + SYSTEMD_ARGS + 2, sizeof(char *));
	if (!a->argv)
		return -ENOMEM;
	a->argv[i++] = (char *)systemd_run;
	if (s->user)
		a->argv[i++] = "--user";
	a->argv[i++] = "--scope";
	a->argv[i++] = "--quiet";
	a->argv[i++] = "--collect";
	snprintf(a->props[p], SYSTEMD_RUN_PROP_LEN, "--unit=%s", s->unit);
	a->argv[i++] = a->props[p++];
	snprintf(a->props[p], SYSTEMD_RUN_PROP_LEN, "--property=MemoryMax=%llu",
		 (unsigned long long)s->memory);
	a->argv[i++] = a->props[p++];
	if (s->swap != CG_NO_LIMIT) {
		snprintf(a->props[p], SYSTEMD_RUN_PROP_LEN, "--property=MemorySwapMax=%llu",
			 (unsigned long long)s->swap);
		a->argv[i++] = a->props[p++];
	}
	if (s->creds && s->creds->drop) {
		snprintf(a->props[p], SYSTEMD_RUN_PROP_LEN, "--uid=%u", (unsigned int)s->creds->uid);
		a->argv[i++] = a->props[p++];
		snprintf(a->props[p], SYSTEMD_RUN_PROP_LEN, "--gid=%u", (unsigned int)s->creds->gid);
		a->argv[i++] = a->props[p++];
	}
	a->argv[i++] = "--";
	a->argv[i++] = (char *)cmd;
	while (*args)
		a->argv[i++] = *args++;
	a->argv[i] = NULL;
	return 0;
}

void systemd_run_argv_free(struct systemd_run_argv *a)
{
	free(a->argv);
	a->argv = NULL;
}

/* In the trial's child: stdin, stdout and stderr from /dev/null. */
static int quiet_hook(void *arg)
{
	int fd = open("/dev/null", O_RDWR);

	(void)arg;
	if (fd < 0)
		return -errno;
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return -errno;
	return 0;
}

int systemd_run_probe(const char *systemd_run, const struct systemd_scope *s, const sigset_t *keep)
{
	char *none[] = {NULL}, truepath[PATH_MAX];
	struct launch_opts lo = {.path = systemd_run, .hook = quiet_hook, .keep_signals = keep};
	struct systemd_run_argv a;
	struct launch l;
	int status, err;

	if (launch_resolve("true", truepath, sizeof(truepath)))
		snprintf(truepath, sizeof(truepath), "/bin/true");
	err = systemd_run_argv(&a, systemd_run, s, truepath, none);
	if (err)
		return err;
	lo.argv = a.argv;
	err = launch_start(&l, &lo);
	if (!err)
		err = launch_wait(l.pid, &status);
	systemd_run_argv_free(&a);
	if (err)
		return err;
	return launch_exit_code(status) == 0 ? 0 : -ECANCELED;
}
