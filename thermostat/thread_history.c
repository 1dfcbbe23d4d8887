/* SPDX-License-Identifier: MIT */
/*
 * The history thread (threads.h): a point every history_interval.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>

#include "core/control.h"
#include "threads.h"
#include "util/timeutil.h"

void *history_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const struct thermo_settings *cfg = ta->d->cfg;
	int interval_ms = cfg->history_interval * 1000;
	uint64_t seen = 0;

	do {
		struct thermo r;
		struct hist_point p;
		double now;

		thermo_read(ta->h, &r, NULL);
		now = mono_now();
		p.t = mono_to_wall(now);
		p.temperature = control_record_fresh(&r, &cfg->control, now)
					? (float)r.temperature
					: NAN;
		p.setpoint = (float)r.setpoint;
		p.heating = r.heating;
		history_append(ta->d->hist, &p);
	} while (thermo_wait(ta->h, &seen, 0, interval_ms) != -ECANCELED);
	thermo_unref(ta->h);
	return NULL;
}
