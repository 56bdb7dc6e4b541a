// SPDX-License-Identifier: MIT
/*
 * Fuzz target for lgrun's command line (tools/lgrun/options.c): the input,
 * split at NUL bytes, is argv after "lgrun".  Every outcome is one of run,
 * help, version or a usage error whose text starts "lgrun: " and ends with
 * a newline; a run has a memory limit above zero, a command inside argv, a
 * swap file size that is 0 (none) or above zero, and never --parent with
 * --mechanism systemd; parsing the same argv twice gives the same result.
 */
#include <errno.h>

#include "fuzz_util.h"
#include "options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[LGRUN_MSG_LEN], msg2[LGRUN_MSG_LEN];
	char *argv[MAX_ARGS + 1], *buf = malloc(size + 1);
	struct options o, o2;
	int argc, rc, rc2;
	size_t len;

	if (!buf)
		abort();
	argc = fuzz_argv(data, size, "lgrun", buf, argv, MAX_ARGS + 1);
	msg[0] = '\0';
	rc = lgrun_parse_options(&o, argc, argv, msg, sizeof(msg));
	switch (rc) {
	case LGRUN_RUN:
		if (!o.memory || !o.cmd || o.cmd < argv + 1 || o.cmd >= argv + argc || !*o.cmd)
			fuzz_fail("run with memory %llu, cmd %p", (unsigned long long)o.memory,
				  (void *)o.cmd);
		if (o.parent && o.mech == MECH_SYSTEMD)
			fuzz_fail("--parent with --mechanism systemd accepted");
		if (o.mech > MECH_V1 || !o.swap_dir)
			fuzz_fail("mechanism %d, swap dir %p", (int)o.mech, (void *)o.swap_dir);
		break;
	case LGRUN_HELP:
	case LGRUN_VERSION:
		break;
	case -EINVAL:
		len = strlen(msg);
		if (strncmp(msg, "lgrun: ", 7) || !len || msg[len - 1] != '\n')
			fuzz_fail("usage error message '%s'", msg);
		break;
	default:
		fuzz_fail("lgrun_parse_options returned %d", rc);
	}
	msg2[0] = '\0';
	rc2 = lgrun_parse_options(&o2, argc, argv, msg2, sizeof(msg2));
	if (rc2 != rc || strcmp(msg, msg2) || (rc == LGRUN_RUN && memcmp(&o, &o2, sizeof(o))))
		fuzz_fail("a second parse of the same argv differs: %d '%s' / %d '%s'", rc, msg, rc2, msg2);
	free(buf);
	return 0;
}
