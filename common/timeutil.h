/* SPDX-License-Identifier: MIT */
/*
 * Time: the monotonic clock, and two sleeps with two meanings.  All are
 * thread-safe and async-signal-safe.
 */
#ifndef LG_COMMON_TIMEUTIL_H
#define LG_COMMON_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds.  Inline: lgbench times single operations with it. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

/* Sleep MS milliseconds, the whole time: a signal handler that runs meanwhile does not shorten it. */
void sleep_ms(unsigned long ms);

/*
 * Sleep up to MS milliseconds; a caught signal ends the sleep early (for
 * loops that check a flag the handler sets).  Returns 0 after the whole
 * time, -EINTR when cut short.
 */
int sleep_ms_interruptible(unsigned long ms);

#endif
