/* SPDX-License-Identifier: MIT */
/* Watches: an eventfd per field mask, for poll(2), epoll(7) and event
 * loops (ss_watch_fd). */
#include <config.h>
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "records.h"
#include "testutil.h"

/* A sanity bound for a wake-up that must come. */
#define MUST_MS ((int)test_duration_ms(10000))

/* Whether @fd is readable within @ms (0: now). */
static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	ck_assert_int_ge(n, 0);
	return n == 1 && (p.revents & POLLIN);
}

/* Reads the eventfd's count: how many signals since the last read. */
static uint64_t drain(int fd)
{
	uint64_t n = 0;

	ck_assert_int_eq(read(fd, &n, sizeof(n)), sizeof(n));
	return n;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(watch_wakes_on_masked_change_only)
{
	small_handle h = small_new(NULL, POLICY);
	int fd = small_watch_fd(h, SS_MASK(small, x));

	ck_assert_int_ge(fd, 0);
	ck_assert(!readable(fd, 0));
	/* Another field, and the same bytes: nothing. */
	ck_assert_int_eq(small_set_y(h, 5), 1);
	ck_assert_int_eq(small_set_x(h, 0), 0);
	ck_assert(!readable(fd, 0));
	/* A change of x: readable until read. */
	ck_assert_int_eq(small_set_x(h, 1), 1);
	ck_assert(readable(fd, 0));
	ck_assert(readable(fd, 0));
	ck_assert_uint_eq(drain(fd), 1);
	/* Reading re-arms it. */
	ck_assert(!readable(fd, 0));
	/* Changes before a read are counted, not queued. */
	ck_assert_int_eq(small_set_x(h, 2), 1);
	ck_assert_int_eq(small_set_x(h, 3), 1);
	ck_assert_uint_eq(drain(fd), 2);
	ck_assert(!readable(fd, 0));
	small_unref(h);
}
END_TEST

static int set_x_and_z(struct small *r, void *ctx)
{
	(void)ctx;
	r->x += 10;
	r->z += 1.0;
	return 0;
}

static int set_nothing(struct small *r, void *ctx)
{
	(void)r;
	(void)ctx;
	return 0;
}

/* Updates signal the watches of the fields they changed, once. */
START_TEST(watch_follows_updates)
{
	small_handle h = small_new(NULL, POLICY);
	int fx = small_watch_fd(h, SS_MASK(small, x));
	int fy = small_watch_fd(h, SS_MASK(small, y));
	int fz = small_watch_fd(h, SS_MASK(small, z) | SS_MASK(small, x));

	ck_assert(fx >= 0 && fy >= 0 && fz >= 0);
	ck_assert_int_eq(small_update(h, set_nothing, NULL), 0);
	ck_assert(!readable(fx, 0) && !readable(fy, 0) && !readable(fz, 0));
	ck_assert_int_eq(small_update(h, set_x_and_z, NULL), 0);
	ck_assert(readable(fx, 0));
	ck_assert(!readable(fy, 0));
	ck_assert_uint_eq(drain(fz), 1);
	ck_assert_uint_eq(drain(fx), 1);
	small_unref(h);
}
END_TEST

struct later_set {
	small_handle h;
	int delay_ms;
};

static void *set_x_later(void *arg)
{
	struct later_set *l = arg;

	usleep((useconds_t)l->delay_ms * 1000);
	small_set_x(l->h, 7);
	return NULL;
}

START_TEST(watch_wakes_epoll_from_another_thread)
{
	small_handle h = small_new(NULL, POLICY);
	int fd = small_watch_fd(h, SS_MASK(small, x));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct later_set l = { h, 30 };
	pthread_t t;

	ck_assert(fd >= 0 && ep >= 0);
	ev.data.fd = fd;
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	ck_assert_int_eq(epoll_wait(ep, &got, 1, 0), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, set_x_later, &l), 0);
	ck_assert_int_eq(epoll_wait(ep, &got, 1, MUST_MS), 1);
	ck_assert_int_eq(got.data.fd, fd);
	ck_assert(got.events & EPOLLIN);
	ck_assert_int_eq(small_get_x(h), 7);
	ck_assert_uint_eq(drain(fd), 1);
	ck_assert_int_eq(epoll_wait(ep, &got, 1, 0), 0);
	pthread_join(t, NULL);
	/* Out of the loop before it is released. */
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL), 0);
	ck_assert_int_eq(small_unwatch_fd(h, fd), 0);
	close(ep);
	small_unref(h);
}
END_TEST

static void *close_later(void *arg)
{
	struct later_set *l = arg;

	usleep((useconds_t)l->delay_ms * 1000);
	small_close(l->h);
	return NULL;
}

/* The close is reported: readable (poll and epoll), and ss_is_closed
 * says why; a mask of 0 watches only the close. */
START_TEST(close_makes_watches_readable)
{
	small_handle h = small_new(NULL, POLICY);
	int fx = small_watch_fd(h, SS_MASK(small, x));
	int f0 = small_watch_fd(h, 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got;
	struct later_set l = { h, 30 };
	pthread_t t;

	ck_assert(fx >= 0 && f0 >= 0 && ep >= 0);
	ev.data.fd = f0;
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, f0, &ev), 0);
	ck_assert_int_eq(small_set_x(h, 1), 1);
	ck_assert(!readable(f0, 0));
	ck_assert_uint_eq(drain(fx), 1);
	ck_assert_int_eq(pthread_create(&t, NULL, close_later, &l), 0);
	ck_assert_int_eq(epoll_wait(ep, &got, 1, MUST_MS), 1);
	ck_assert(got.events & EPOLLIN);
	ck_assert(ss_is_closed(small_state(h)));
	/* The closer signals the watches one after the other: fx may
	 * follow f0 by a moment. */
	ck_assert(readable(fx, MUST_MS));
	ck_assert_uint_eq(drain(f0), 1);
	pthread_join(t, NULL);
	/* A closed record takes no new watch. */
	ck_assert_int_eq(small_watch_fd(h, SS_MASK_ALL), -ECANCELED);
	close(ep);
	small_unref(h);
}
END_TEST

START_TEST(watch_fd_is_cloexec_and_nonblocking)
{
	small_handle h = small_new(NULL, POLICY);
	int fd = small_watch_fd(h, SS_MASK_ALL);
	uint64_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	errno = 0;
	ck_assert_int_eq(read(fd, &n, sizeof(n)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	small_unref(h);
}
END_TEST

/* Many watches on a record: each wakes for its own fields only. */
START_TEST(many_watches)
{
	enum { N = 90 };
	small_handle h = small_new(NULL, POLICY);
	const uint64_t masks[3] = { SS_MASK(small, x), SS_MASK(small, y),
				    SS_MASK(small, x) | SS_MASK(small, z) };
	int fd[N];

	for (int i = 0; i < N; i++) {
		fd[i] = small_watch_fd(h, masks[i % 3]);
		ck_assert_int_ge(fd[i], 0);
	}
	ck_assert_int_eq(small_set_x(h, 1), 1);
	for (int i = 0; i < N; i++)
		ck_assert_msg(readable(fd[i], 0) == (i % 3 != 1),
			      "watch %d (mask %d)", i, i % 3);
	/* Released in the middle, the others keep working. */
	for (int i = 0; i < N; i += 2)
		ck_assert_int_eq(small_unwatch_fd(h, fd[i]), 0);
	ck_assert_int_eq(small_set_y(h, 1), 1);
	for (int i = 1; i < N; i += 2)
		ck_assert(readable(fd[i], 0));
	small_unref(h);
}
END_TEST

/* The record owns its watches: ss_unwatch_fd closes one, the last unref
 * closes those left, an unref that is not the last closes none. */
START_TEST(watches_are_released_with_the_record)
{
	small_handle h = small_new(NULL, POLICY);
	int before = open_fds(), fd[40];

	for (int i = 0; i < 40; i++) {
		fd[i] = small_watch_fd(h, SS_MASK(small, y));
		ck_assert_int_ge(fd[i], 0);
	}
	ck_assert_int_eq(open_fds(), before + 40);
	ck_assert_int_eq(small_unwatch_fd(h, fd[3]), 0);
	ck_assert_int_eq(open_fds(), before + 39);
	ck_assert_int_eq(fcntl(fd[3], F_GETFD), -1);
	/* Released already, or never a watch of this record. */
	ck_assert_int_eq(small_unwatch_fd(h, fd[3]), -EINVAL);
	ck_assert_int_eq(small_unwatch_fd(h, STDIN_FILENO), -EINVAL);
	small_ref(h);
	small_unref(h);
	ck_assert_int_eq(open_fds(), before + 39);
	ck_assert_int_eq(small_set_y(h, 1), 1);
	ck_assert(readable(fd[39], 0));
	small_unref(h);
	ck_assert_int_eq(open_fds(), before);
}
END_TEST

static int watch_inside(struct small *r, void *ctx)
{
	(void)r;
	return ss_watch_fd(small_state(*(small_handle *)ctx), SS_MASK_ALL);
}

START_TEST(watch_rejects_bad_arguments)
{
	small_handle h = small_new(NULL, POLICY), other = small_new(NULL, POLICY);
	int fd;

	errno = 1234;
	ck_assert_int_eq(ss_watch_fd(NULL, SS_MASK_ALL), -EINVAL);
	ck_assert_int_eq(small_watch_fd(h, UINT64_C(1) << small_NFIELDS),
			 -EINVAL);
	ck_assert_int_eq(small_update(h, watch_inside, &h), -EDEADLK);
	ck_assert_int_eq(ss_unwatch_fd(NULL, 0), -EINVAL);
	ck_assert_int_eq(small_unwatch_fd(h, -1), -EINVAL);
	fd = small_watch_fd(other, SS_MASK_ALL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(small_unwatch_fd(h, fd), -EINVAL);
	ck_assert_int_eq(small_unwatch_fd(other, fd), 0);
	ck_assert_int_eq(errno, 1234);
	small_unref(other);
	small_unref(h);
}
END_TEST

/* A writer whose signal finds the eventfd's counter full (EAGAIN) leaves
 * errno alone, and the watch stays readable. */
START_TEST(signalling_a_full_watch_leaves_errno_alone)
{
	small_handle h = small_new(NULL, POLICY);
	int fd = small_watch_fd(h, SS_MASK(small, x));
	uint64_t most = UINT64_MAX - 1;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, &most, sizeof(most)), sizeof(most));
	errno = 1234;
	ck_assert_int_eq(small_set_x(h, 1), 1);
	small_close(h);
	ck_assert_int_eq(errno, 1234);
	ck_assert(readable(fd, 0));
	small_unref(h);
}
END_TEST

/* The writer races the watcher as in no_lost_wakeup_when_racing: every
 * change made after the watcher's read of the record makes the watch
 * readable. */
struct race {
	small_handle h;
	int rounds;
	atomic_int ready;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;

	for (int i = 1; i <= r->rounds; i++) {
		while (atomic_load(&r->ready) < i)
			sched_yield();
		small_set_x(r->h, i);
	}
	return NULL;
}

START_TEST(no_lost_signal_when_racing)
{
	struct race r = { small_new(NULL, POLICY), 1000, 0 };
	int fd = small_watch_fd(r.h, SS_MASK(small, x));
	pthread_t t;
	int lost = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, race_writer, &r), 0);
	for (int i = 1; i <= r.rounds; i++) {
		ck_assert_int_eq(small_get_x(r.h), i - 1);
		atomic_store(&r.ready, i);
		if (!readable(fd, MUST_MS)) {
			lost++;
			break;
		}
		drain(fd);
		ck_assert_int_eq(small_get_x(r.h), i);
	}
	atomic_store(&r.ready, r.rounds + 1);
	pthread_join(t, NULL);
	ck_assert_msg(lost == 0, "lost signal");
	small_unref(r.h);
}
END_TEST

Suite *suite_watch(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("watch");

	tcase_add_loop_test(tc, watch_wakes_on_masked_change_only, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, watch_follows_updates, 0, NPOLICIES);
	tcase_add_loop_test(tc, watch_wakes_epoll_from_another_thread, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, close_makes_watches_readable, 0, NPOLICIES);
	tcase_add_loop_test(tc, watch_fd_is_cloexec_and_nonblocking, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, many_watches, 0, NPOLICIES);
	tcase_add_loop_test(tc, watches_are_released_with_the_record, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, watch_rejects_bad_arguments, 0, NPOLICIES);
	tcase_add_loop_test(tc, signalling_a_full_watch_leaves_errno_alone,
			    0, NPOLICIES);
	tcase_add_loop_test(tc, no_lost_signal_when_racing, 0, NPOLICIES);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
