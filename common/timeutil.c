// SPDX-License-Identifier: MIT
/* Time helpers of timeutil.h. */
#include <errno.h>

#include "common/timeutil.h"

double now_s(void)
{
	return (double)now_ns() / 1e9;
}

static struct timespec ms_timespec(unsigned long ms)
{
	return (struct timespec){.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
}

void sleep_ms(unsigned long ms)
{
	struct timespec ts = ms_timespec(ms);

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int sleep_ms_interruptible(unsigned long ms)
{
	struct timespec ts = ms_timespec(ms);

	return nanosleep(&ts, NULL) ? -errno : 0;
}
