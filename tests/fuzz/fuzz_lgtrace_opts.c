// SPDX-License-Identifier: MIT
/*
 * Fuzz target for lgtrace's command line (tools/lgtrace/options.c): the
 * input, split at NUL bytes, is argv after "lgtrace".  Every outcome is one
 * of run, help, version or a usage error with a message; a run has exactly
 * one of -p and a command, the command inside argv, values in their
 * documented ranges; parsing the same argv twice gives the same result.
 */
#include <errno.h>

#include "fuzz_util.h"
#include "options.h"

#define MAX_ARGS 32

static int parse(int argc, char **argv, struct lgtrace_opts *o, char *msg)
{
	*o = (struct lgtrace_opts){.btf_path = "/btf", .latency_sample = 16};
	msg[0] = '\0';
	return lgtrace_parse_args(argc, argv, o, msg, LGTRACE_MSG_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[LGTRACE_MSG_LEN], msg2[LGTRACE_MSG_LEN];
	char *argv[MAX_ARGS + 1], *copy[MAX_ARGS + 1], *buf = malloc(size + 1);
	struct lgtrace_opts o, o2;
	int argc, rc, rc2;

	if (!buf)
		abort();
	argc = fuzz_argv(data, size, "lgtrace", buf, argv, MAX_ARGS + 1);
	/* getopt_long permutes nothing with '+', but keep the original. */
	memcpy(copy, argv, sizeof(argv));
	rc = parse(argc, argv, &o, msg);
	switch (rc) {
	case LGTRACE_RUN:
		/* Exactly one target: -p, --cgroup or a command. */
		if (!!o.pid + !!o.cmd + !!o.cgroup != 1)
			fuzz_fail("run with pid %d, cmd %p, cgroup %p", (int)o.pid, (void *)o.cmd,
				  (void *)o.cgroup);
		if ((o.follow && !o.pid) || (o.cgroup && !*o.cgroup))
			fuzz_fail("--follow without -p, or an empty --cgroup");
		if (o.pid < 0 || (o.cmd && (o.cmd < argv + 1 || o.cmd >= argv + argc || !*o.cmd)))
			fuzz_fail("run with a bad pid or command");
		if (o.interval < 0 || o.interval > 1e7 || o.duration < 0 || o.duration > 1e7)
			fuzz_fail("interval %g, duration %g", o.interval, o.duration);
		if (o.latency_sample < 1 || o.latency_sample > 1000000)
			fuzz_fail("latency sample %u", o.latency_sample);
		break;
	case LGTRACE_FEATURES:
		if (o.pid || o.cmd || o.cgroup)
			fuzz_fail("--features with pid %d, cmd %p, cgroup %p", (int)o.pid, (void *)o.cmd,
				  (void *)o.cgroup);
		break;
	case LGTRACE_HELP:
	case LGTRACE_VERSION:
		break;
	case -EINVAL:
		if (!msg[0])
			fuzz_fail("usage error without a message");
		break;
	default:
		fuzz_fail("lgtrace_parse_args returned %d", rc);
	}
	if (memcmp(copy, argv, sizeof(argv)))
		fuzz_fail("argv was reordered");
	rc2 = parse(argc, argv, &o2, msg2);
	if (rc2 != rc || strcmp(msg, msg2) || (rc == LGTRACE_RUN && memcmp(&o, &o2, sizeof(o))))
		fuzz_fail("a second parse of the same argv differs: %d '%s' / %d '%s'", rc, msg, rc2, msg2);
	free(buf);
	return 0;
}
