/* SPDX-License-Identifier: MIT */
/*
 * The sensor thread (threads.h): reads the temperature every
 * sensor_interval and writes the reading, or the error, to the record.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>

#include "core/control.h"
#include "io/sensor.h"
#include "log.h"
#include "threads.h"
#include "util/timeutil.h"

struct reading {
	int ok;			/* 0: a temperature; -1: an error */
	double celsius;
	char error[64];
	struct timespec at;
	const struct daemon *d;
	enum sensor_status before;
};

static int apply_reading(struct thermo *r, void *ctx)
{
	struct reading *rd = ctx;
	struct control_input in;

	rd->before = r->sensor_status;
	r->sensor_at = rd->at;
	if (rd->ok == 0) {
		r->temperature = rd->celsius;
		r->temperature_at = rd->at;
		r->sensor_status = SENSOR_OK;
		return 0;
	}
	r->sensor_errors++;
	SS_STR_SET(r->sensor_error, rd->error);
	/* Until the reading goes stale the last one stands (or, before the
	 * first one, the daemon is still starting); after that the
	 * temperature is unknown, not the last value. */
	control_input_of(&in, r, ts_to_s(rd->at), rd->d->start);
	if (control_sensor_stale(&in, &rd->d->cfg->control)) {
		r->sensor_status = SENSOR_STALE;
		r->temperature = NAN;
	} else {
		r->sensor_status = SENSOR_ERROR;
	}
	return 0;
}

bool sim_heating(void *ctx)
{
	thermo_handle *h = ctx;

	return thermo_get_heating(*h);
}

void *sensor_thread(void *arg)
{
	struct thread_arg *ta = arg;
	int interval_ms = (int)(ta->d->cfg->sensor.interval * 1000);
	uint64_t seen = 0;

	for (;;) {
		struct reading rd = { .d = ta->d };

		rd.ok = sensor_read(ta->d->sensor, &rd.celsius, rd.error,
				    sizeof(rd.error));
		rd.at = mono_now_ts();
		thermo_update(ta->h, apply_reading, &rd);
		if (rd.ok == 0 && rd.before != SENSOR_OK &&
		    rd.before != SENSOR_STARTING)
			log_info("sensor: readings are back: %.2f C",
				 rd.celsius);
		else if (rd.ok == 0 && rd.before == SENSOR_STARTING)
			log_info("sensor: first reading %.2f C", rd.celsius);
		else if (rd.ok != 0 && rd.before == SENSOR_OK)
			log_warn("sensor: %s", rd.error);
		else if (rd.ok != 0)
			log_debug("sensor: %s", rd.error);
		/* Sleep, but wake at once when the record is closed. */
		if (thermo_wait(ta->h, &seen, 0, interval_ms) == -ECANCELED)
			break;
	}
	thermo_unref(ta->h);
	return NULL;
}
