/* SPDX-License-Identifier: MIT */
/*
 * The clock thread (threads.h): notices wall-clock jumps (NTP setting a
 * Pi's clock) and tells the control thread through the record, which
 * evaluates the weekly program again at once.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "threads.h"

static int count_jump(struct thermo *r, void *ctx)
{
	(void)ctx;
	r->clock_jumps++;
	return 0;
}

/* A timer on CLOCK_REALTIME far in the future that the kernel cancels
 * when the clock is set (TFD_TIMER_CANCEL_ON_SET). */
static int arm_jump_timer(int tfd)
{
	struct itimerspec far = { { 0, 0 }, { 0, 0 } };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	/* Ten years on; should it ever fire, it is armed again. */
	far.it_value.tv_sec = now.tv_sec + 10L * 365 * 86400;
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			       &far, NULL);
}

void *clock_thread(void *arg)
{
	struct thread_arg *ta = arg;
	int tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	int wfd = thermo_watch_fd(ta->h, 0);
	struct pollfd pfd[2];

	if (tfd < 0 || wfd < 0 || arm_jump_timer(tfd) < 0) {
		/* The control thread still notices a clock that went back,
		 * and one that went forward past the program's next change,
		 * at its next decision (CONTROL_HEARTBEAT_S at most). */
		log_warn("clock: cannot watch for wall-clock jumps (%s): the "
			 "program follows them within %g s", strerror(errno),
			 CONTROL_HEARTBEAT_S);
		goto out;
	}
	pfd[0] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = wfd, .events = POLLIN };
	while (!ss_is_closed(thermo_state(ta->h))) {
		uint64_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("clock: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents && read(wfd, &n, sizeof(n)) < 0 &&
		    errno != EAGAIN)
			break;
		if (!pfd[0].revents)
			continue;
		if (read(tfd, &n, sizeof(n)) < 0 && errno == ECANCELED) {
			log_info("clock: the wall clock was set: the program "
				 "is evaluated again (runs and rests keep their "
				 "own clock)");
			thermo_update(ta->h, count_jump, NULL);
		}
		if (arm_jump_timer(tfd) < 0) {
			log_err("clock: timerfd: %s", strerror(errno));
			break;
		}
	}
out:
	if (wfd >= 0)
		thermo_unwatch_fd(ta->h, wfd);
	if (tfd >= 0)
		close(tfd);
	thermo_unref(ta->h);
	return NULL;
}
