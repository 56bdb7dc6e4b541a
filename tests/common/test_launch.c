// SPDX-License-Identifier: MIT
/*
 * Unit tests of common/launch.c without root: PATH resolution, sudo
 * credentials from the environment's values, fork + exec with errors coming
 * back through the pipe, the hook, the hold, signals, exit codes.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/exit_codes.h"
#include "common/launch.h"
#include "common/timeutil.h"

static char dir[64];

static void put(const char *name, const char *text, mode_t mode)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	char sub[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lg-launch-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	put("lg-exec", "#!/bin/sh\nexit 0\n", 0755);
	put("lg-noexec", "#!/bin/sh\nexit 0\n", 0644);
	snprintf(sub, sizeof(sub), "%s/lg-dir", dir);
	return mkdir(sub, 0755);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_resolve(void **state)
{
	char out[256], want[256], path[256], *old = getenv("PATH");

	(void)state;
	old = old ? strdup(old) : NULL;
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	setenv("PATH", path, 1);
	assert_int_equal(launch_resolve("lg-exec", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/lg-exec", dir);
	assert_string_equal(out, want);
	assert_int_equal(launch_resolve("lg-noexec", out, sizeof(out)), -EACCES);
	assert_string_equal(out, "lg-noexec");
	assert_int_equal(launch_resolve("lg-dir", out, sizeof(out)), -ENOENT);
	assert_int_equal(launch_resolve("lg-none", out, sizeof(out)), -ENOENT);
	/* With a slash: the name as is. */
	assert_int_equal(launch_resolve(want, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	snprintf(want, sizeof(want), "%s/lg-noexec", dir);
	assert_int_equal(launch_resolve(want, out, sizeof(out)), -EACCES);
	snprintf(want, sizeof(want), "%s/lg-dir", dir);
	assert_int_equal(launch_resolve(want, out, sizeof(out)), -EACCES);
	snprintf(want, sizeof(want), "%s/lg-none", dir);
	assert_int_equal(launch_resolve(want, out, sizeof(out)), -ENOENT);
	/* The stat's own error: a file as a directory, a loop of links. */
	snprintf(want, sizeof(want), "%s/lg-exec/x", dir);
	assert_int_equal(launch_resolve(want, out, sizeof(out)), -ENOTDIR);
	assert_int_equal(launch_stage_exit_code(LAUNCH_STAGE_EXEC, -ENOTDIR), EXIT_NOTFOUND);
	snprintf(want, sizeof(want), "%s/lg-loop", dir);
	assert_int_equal(symlink(want, want), 0);
	assert_int_equal(launch_resolve(want, out, sizeof(out)), -ELOOP);
	assert_int_equal(launch_stage_exit_code(LAUNCH_STAGE_EXEC, -ELOOP), EXIT_NOEXEC);
	unlink(want);
	if (old)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	assert_int_equal(launch_resolve("sh", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "/sh"));
}

static void test_creds(void **state)
{
	struct launch_creds c;
	char why[128];

	(void)state;
	assert_int_equal(launch_creds_parse(&c, NULL, NULL, why, sizeof(why)), 0);
	assert_false(c.drop);
	assert_int_equal(launch_creds_parse(&c, "", "", why, sizeof(why)), 0);
	assert_false(c.drop);
	assert_int_equal(launch_creds_parse(&c, "0", "0", why, sizeof(why)), 0);
	assert_false(c.drop);
	assert_int_equal(launch_creds_parse(&c, "abc", "1000", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad SUDO_UID/SUDO_GID in the environment (use --as-root?)");
	assert_int_equal(launch_creds_parse(&c, "-1", "1000", why, sizeof(why)), -EINVAL);
	assert_int_equal(launch_creds_parse(&c, "4294967295", "1000", why, sizeof(why)), -EINVAL);
	assert_int_equal(launch_creds_parse(&c, "1000", NULL, why, sizeof(why)), -EINVAL);
	assert_int_equal(launch_creds_parse(&c, "1000", "x1", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "bad SUDO_GID 'x1' in the environment (use --as-root?)");
	assert_false(c.drop);
	/* A user without a passwd entry: just the gid, no HOME/USER. */
	assert_int_equal(launch_creds_parse(&c, "3999999", "3999998", why, sizeof(why)), 0);
	assert_true(c.drop);
	assert_int_equal(c.uid, 3999999);
	assert_int_equal(c.gid, 3999998);
	assert_int_equal(c.ngroups, 1);
	assert_int_equal(c.groups[0], 3999998);
	assert_null(c.user);
	launch_creds_free(&c);
	assert_null(c.groups);
}

static int run(struct launch_opts *o, struct launch *l)
{
	int status = -1, err = launch_start(l, o);

	if (err)
		return launch_stage_exit_code(l->stage, err);
	assert_int_equal(launch_wait(l->pid, &status), 0);
	return launch_exit_code(status);
}

static void test_exit_codes(void **state)
{
	char *exit3[] = {"sh", "-c", "exit 3", NULL}, *term[] = {"sh", "-c", "kill -TERM $$", NULL};
	char noexec[128];
	struct launch_opts o = {.path = "/bin/sh", .argv = exit3};
	struct launch l;

	(void)state;
	assert_int_equal(run(&o, &l), 3);
	o.argv = term;
	assert_int_equal(run(&o, &l), EXIT_SIGNAL_BASE + SIGTERM);
	o.path = "/nonexistent/cmd";
	assert_int_equal(launch_start(&l, &o), -ENOENT);
	assert_int_equal(l.stage, LAUNCH_STAGE_EXEC);
	assert_int_equal(l.pid, 0);
	assert_int_equal(launch_stage_exit_code(l.stage, -ENOENT), EXIT_NOTFOUND);
	snprintf(noexec, sizeof(noexec), "%s/lg-noexec", dir);
	o.path = noexec;
	assert_int_equal(launch_start(&l, &o), -EACCES);
	assert_int_equal(launch_stage_exit_code(l.stage, -EACCES), EXIT_NOEXEC);
	assert_int_equal(launch_stage_exit_code(LAUNCH_STAGE_HOOK, -EPERM), EXIT_SETUP);
}

static int hook_fail(void *arg)
{
	(void)arg;
	return -EPERM;
}

static int hook_env(void *arg)
{
	return setenv("LG_HOOK", arg, 1) ? -errno : 0;
}

static void test_hook(void **state)
{
	char *check[] = {"sh", "-c", "test \"$LG_HOOK\" = ran", NULL};
	struct launch_opts o = {.path = "/bin/sh", .argv = check, .hook = hook_env, .hook_arg = "ran"};
	struct launch l;

	(void)state;
	assert_int_equal(run(&o, &l), 0);
	o.hook = hook_fail;
	assert_int_equal(launch_start(&l, &o), -EPERM);
	assert_int_equal(l.stage, LAUNCH_STAGE_HOOK);
	assert_int_equal(l.pid, 0);
}

/* The creds' HOME/USER/LOGNAME without switching ids (what systemd-run --uid needs). */
static void test_env_only(void **state)
{
	char *check[] = {"sh", "-c", "test \"$HOME:$USER:$LOGNAME\" = /home/lg:lguser:lguser", NULL};
	struct launch_creds c = {
		.drop = true, .uid = 3999999, .gid = 3999999, .home = "/home/lg", .user = "lguser"};
	struct launch_opts o = {.path = "/bin/sh", .argv = check, .creds = &c, .creds_env_only = true};
	struct launch l;

	(void)state;
	assert_int_equal(run(&o, &l), 0);
}

static void test_hold(void **state)
{
	char file[128], cmd[160], *argv[] = {"sh", "-c", cmd, NULL};
	struct launch_opts o = {.path = "/bin/sh", .argv = argv, .hold = true};
	struct launch l;
	int status;

	(void)state;
	snprintf(file, sizeof(file), "%s/ran", dir);
	snprintf(cmd, sizeof(cmd), "echo ran > %s", file);
	assert_int_equal(launch_start(&l, &o), 0);
	assert_true(l.pid > 0);
	sleep_ms(50);
	assert_int_not_equal(access(file, F_OK), 0);
	assert_int_equal(launch_release(&l), 0);
	assert_int_equal(launch_wait(l.pid, &status), 0);
	assert_int_equal(launch_exit_code(status), 0);
	assert_int_equal(access(file, F_OK), 0);
	/* Held, then killed: it never runs. */
	unlink(file);
	assert_int_equal(launch_start(&l, &o), 0);
	launch_kill(&l);
	assert_int_equal(l.pid, 0);
	assert_int_not_equal(access(file, F_OK), 0);
	/* Held, and the exec fails at the release. */
	o.path = "/nonexistent/cmd";
	assert_int_equal(launch_start(&l, &o), 0);
	assert_int_equal(launch_release(&l), -ENOENT);
	assert_int_equal(l.stage, LAUNCH_STAGE_EXEC);
}

/*
 * The launching process dies without launch_release(): the held child sees
 * EOF on its hold pipe and ends.  The test is the subreaper, so the child,
 * orphaned, becomes its own to reap.
 */
static void test_hold_parent_dies(void **state)
{
	char *argv[] = {"sh", "-c", "exit 0", NULL};
	struct launch_opts o = {.path = "/bin/sh", .argv = argv, .hold = true};
	int p[2], status, waited;
	pid_t helper, held = 0;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(p), 0);
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		struct launch l;

		close(p[0]);
		if (launch_start(&l, &o) || write(p[1], &l.pid, sizeof(l.pid)) != sizeof(l.pid))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &held, sizeof(held)), sizeof(held));
	close(p[0]);
	assert_int_equal(waitpid(helper, &status, 0), helper);
	assert_int_equal(launch_exit_code(status), 0);
	for (waited = 0; waited < 5000; waited += 10) {
		if (waitpid(held, &status, WNOHANG) == held)
			break;
		sleep_ms(10);
	}
	if (waited >= 5000) {
		kill(held, SIGKILL);
		waitpid(held, &status, 0);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_true(waited < 5000);
	assert_int_equal(launch_exit_code(status), EXIT_NOEXEC);
}

/* Signals are reset in the child but for those kept. */
static void test_signals(void **state)
{
	char *usr1[] = {"sh", "-c", "kill -USR1 $$; exit 0", NULL};
	struct launch_opts o = {.path = "/bin/sh", .argv = usr1};
	struct launch l;
	sigset_t keep;

	(void)state;
	signal(SIGUSR1, SIG_IGN);
	assert_int_equal(run(&o, &l), EXIT_SIGNAL_BASE + SIGUSR1);
	sigemptyset(&keep);
	sigaddset(&keep, SIGUSR1);
	o.keep_signals = &keep;
	assert_int_equal(run(&o, &l), 0);
	signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),		 cmocka_unit_test(test_creds),
		cmocka_unit_test(test_exit_codes),	 cmocka_unit_test(test_hook),
		cmocka_unit_test(test_env_only),	 cmocka_unit_test(test_hold),
		cmocka_unit_test(test_hold_parent_dies), cmocka_unit_test(test_signals),
	};

	return cmocka_run_group_tests_name("common/launch", tests, setup, teardown);
}
