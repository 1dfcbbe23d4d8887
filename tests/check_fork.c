/* SPDX-License-Identifier: MIT */
/* fork(2): what libsharedstate(7) says a child may do.  The library
 * installs no fork handlers: a child may use an inherited record when no
 * other thread of the parent was inside a call on it at the fork, and
 * may always make and use records of its own. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h" /* ss__snap_barrier: a test hook */
#include "records.h"
#include "testutil.h"

/* The child's verdict: its exit status (0, or the number of the step
 * that failed), CHILD_HUNG (killed after 10 s, scaled) or CHILD_DIED
 * (killed by a signal).  No assertion here: the caller first stops its
 * threads, whose data is on its stack, then asserts. */
enum { CHILD_HUNG = -1, CHILD_DIED = -2 };

static int child_status(pid_t pid)
{
	double give_up = now_ms() + test_duration_ms(10000);
	int status;
	pid_t got;

	while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_ms() > give_up) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return CHILD_HUNG;
		}
		usleep(2000);
	}
	if (got != pid || !WIFEXITED(status))
		return CHILD_DIED;
	return WEXITSTATUS(status);
}

static void assert_child_ok(int verdict)
{
	ck_assert_msg(verdict != CHILD_HUNG, "the child hung");
	ck_assert_msg(verdict != CHILD_DIED, "the child died");
	ck_assert_msg(verdict == 0, "the child failed at step %d", verdict);
}

static int bump_y(struct small *r, void *ctx)
{
	(void)ctx;
	r->y++;
	return 0;
}

/* Every call the child makes on a record: 0 if all work, else the step
 * that failed.  The record may be inherited or the child's own. */
static int use_record(small_handle h, int x)
{
	uint64_t seen = small_version(h), n;
	int fd;

	if (small_get_x(h) != x)
		return 1;
	if (small_set_x(h, x + 1) != 1 || small_get_x(h) != x + 1)
		return 2;
	if (small_update(h, bump_y, NULL) != 0)
		return 3;
	if (small_wait(h, &seen, SS_MASK(small, x), 0) != 0)
		return 4;
	if (small_wait(h, &seen, SS_MASK(small, x), 10) != -ETIMEDOUT)
		return 5;
	fd = small_watch_fd(h, SS_MASK(small, x));
	if (fd < 0 || small_set_x(h, x + 2) != 1 ||
	    read(fd, &n, sizeof(n)) != sizeof(n) || n != 1)
		return 6;
	small_close(h);
	if (small_wait(h, &seen, SS_MASK_ALL, -1) != -ECANCELED)
		return 7;
	small_unref(h);
	return 0;
}

struct busy {
	small_handle h;
	atomic_int stop;
	atomic_long writes;
};

static void *writer(void *arg)
{
	struct busy *b = arg;
	int i = 0;

	while (!atomic_load(&b->stop)) {
		small_set_y(b->h, ++i);
		atomic_fetch_add(&b->writes, 1);
	}
	return NULL;
}

static void *waiter(void *arg)
{
	struct busy *b = arg;
	uint64_t seen = 0;

	small_wait(b->h, &seen, SS_MASK(small, y), -1);
	return NULL;
}

/* The parent's threads used the record, and were joined: no thread is
 * inside a call on it at the fork, so the child uses its copy, which is
 * its own (the parent's record does not change). */
START_TEST(child_of_quiet_parent_uses_inherited_record)
{
	struct busy b = { small_new(NULL, POLICY), 0, 0 };
	int fd = small_watch_fd(b.h, SS_MASK(small, z));
	pthread_t w, t;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(small_set_x(b.h, 40), 1);
	ck_assert_int_eq(pthread_create(&t, NULL, waiter, &b), 0);
	ck_assert_int_eq(pthread_create(&w, NULL, writer, &b), 0);
	while (atomic_load(&b.writes) < 1000)
		sched_yield();
	atomic_store(&b.stop, 1);
	pthread_join(w, NULL);
	pthread_join(t, NULL);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The inherited watch is the parent's eventfd: released,
		 * not read. */
		if (small_unwatch_fd(b.h, fd) != 0)
			_exit(50);
		_exit(use_record(b.h, 40));
	}
	assert_child_ok(child_status(pid));
	/* The parent's copy: as it was, its watch still working. */
	ck_assert_int_eq(small_get_x(b.h), 40);
	ck_assert(!ss_is_closed(small_state(b.h)));
	ck_assert_int_eq(small_set_z(b.h, 1.0), 1);
	ck_assert_int_eq(poll(&(struct pollfd){ .fd = fd, .events = POLLIN },
			      1, 0), 1);
	small_unref(b.h);
}
END_TEST

/* A writer is busy on the record at the fork: the child must not touch
 * that record (its lock may be held by a thread the child does not
 * have), but a record it makes itself works. */
START_TEST(child_of_busy_parent_uses_a_new_record)
{
	struct busy b = { small_new(NULL, POLICY), 0, 0 };
	pthread_t w;
	pid_t pid;
	int verdict;

	ck_assert_int_eq(pthread_create(&w, NULL, writer, &b), 0);
	while (atomic_load(&b.writes) < 1000)
		sched_yield();
	pid = fork();
	if (pid < 0) {
		atomic_store(&b.stop, 1);
		pthread_join(w, NULL);
		ck_abort_msg("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		small_handle mine = small_new(NULL, POLICY);

		if (!small_valid(mine))
			_exit(100);
		if (small_set_x(mine, 5) != 1)
			_exit(101);
		_exit(use_record(mine, 5));
	}
	verdict = child_status(pid);
	/* The writer stopped before any assertion: with CK_FORK=no a
	 * failed one leaves this frame, and @b with it. */
	atomic_store(&b.stop, 1);
	pthread_join(w, NULL);
	small_unref(b.h);
	/* SS_SNAPSHOT: the thousands of versions the writer retired are
	 * freed before the test ends, not while the process exits under
	 * memcheck (CK_FORK=no), which would call the batch liburcu's
	 * call_rcu thread holds on its stack lost. */
	if (POLICY == SS_SNAPSHOT)
		ss__snap_barrier();
	assert_child_ok(verdict);
}
END_TEST

Suite *suite_fork(void)
{
	Suite *s = suite_create("fork");
	TCase *tc = tcase_create("fork");

	tcase_add_loop_test(tc, child_of_quiet_parent_uses_inherited_record,
			    0, NPOLICIES);
	tcase_add_loop_test(tc, child_of_busy_parent_uses_a_new_record, 0,
			    NPOLICIES);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
