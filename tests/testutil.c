/* SPDX-License-Identifier: MIT */
#include <config.h>
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h" /* ss__waiting: test hook */
#include "testutil.h"

int test_npolicies(void)
{
	const char *e = getenv("SS_TEST_NPOLICIES");
	int n = 4; /* SS_MUTEX .. SS_SNAPSHOT */

	if (e && *e) {
		char *end;
		long v = strtol(e, &end, 10);

		if (*end || v < 1 || v > n) {
			fprintf(stderr, "SS_TEST_NPOLICIES=%s: not 1..%d\n", e,
				n);
			exit(2);
		}
		n = (int)v;
	}
	return n;
}

double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

double test_duration_ms(double base)
{
	const char *scale = getenv("TEST_SCALE");

	return scale ? base * atof(scale) : base;
}

void expect_abort(void (*fn)(void *), void *arg, const char *needle)
{
	int fds[2], status;
	char buf[4096];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		fn(arg);
		_exit(0); /* did not abort: the parent fails the test */
	}
	close(fds[1]);
	while (got < sizeof(buf) - 1 &&
	       (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		      "child did not abort (status %#x), stderr: %s", status,
		      buf);
	ck_assert_msg(strstr(buf, needle) != NULL,
		      "abort message lacks \"%s\": %s", needle, buf);
}

bool join_within(pthread_t t, double ms, void **ret)
{
	long long ns = (long long)(ms * 1e6);
	struct timespec at;

	clock_gettime(CLOCK_REALTIME, &at);
	ns += at.tv_nsec;
	at.tv_sec += (time_t)(ns / 1000000000LL);
	at.tv_nsec = (long)(ns % 1000000000LL);
	return pthread_timedjoin_np(t, ret, &at) == 0;
}

void until_waiting(ss_state *s, unsigned n)
{
	double give_up = now_ms() + test_duration_ms(10000);

	while (ss__waiting(s) != n) {
		ck_assert_msg(now_ms() < give_up, "waiters never registered");
		usleep(1000);
	}
}
