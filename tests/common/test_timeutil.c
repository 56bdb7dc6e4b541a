// SPDX-License-Identifier: MIT
/* Unit tests of common/timeutil.c: the two sleeps differ when a signal arrives. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <cmocka.h>

#include "common/timeutil.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM in 20 ms, caught by a handler installed without SA_RESTART. */
static void alarm_soon(void)
{
	struct sigaction sa;
	struct itimerval it = {.it_value = {.tv_sec = 0, .tv_usec = 20000}};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarms = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void test_now(void **state)
{
	uint64_t a = now_ns();
	double s = now_s();
	uint64_t b = now_ns();

	(void)state;
	assert_true(b >= a);
	assert_true(s * 1e9 >= (double)a - 1e3 && s * 1e9 <= (double)b + 1e3);
}

static void test_sleep_whole(void **state)
{
	uint64_t t0 = now_ns();

	(void)state;
	alarm_soon();
	sleep_ms(120);
	assert_int_equal(alarms, 1);
	assert_true(now_ns() - t0 >= 120000000ULL);
}

static void test_sleep_interruptible(void **state)
{
	uint64_t t0 = now_ns();

	(void)state;
	alarm_soon();
	assert_int_equal(sleep_ms_interruptible(5000), -EINTR);
	assert_int_equal(alarms, 1);
	assert_true(now_ns() - t0 < 2000000000ULL);
	t0 = now_ns();
	assert_int_equal(sleep_ms_interruptible(30), 0);
	assert_true(now_ns() - t0 >= 30000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_sleep_whole),
		cmocka_unit_test(test_sleep_interruptible),
	};

	return cmocka_run_group_tests_name("common/timeutil", tests, NULL, NULL);
}
