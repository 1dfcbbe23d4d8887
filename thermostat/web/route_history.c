/* SPDX-License-Identifier: MIT */
/* GET /api/v1/history?minutes=N: the points of the last N minutes. */
#include <config.h>
#include <math.h>

#include "util/timeutil.h"
#include "web/server.h"

struct hist_json {
	json_t *points;
	char unit;
	int failed;
};

static int add_point(const struct hist_point *p, void *ctx)
{
	struct hist_json *hj = ctx;
	json_t *t = isfinite(p->temperature)
			    ? json_real(round(api_to_unit(p->temperature,
							  hj->unit) * 100) / 100)
			    : json_null();

	if (json_array_append_new(
		    hj->points,
		    json_pack("{s:I, s:o, s:f, s:b}", "t",
			      (json_int_t)llround(p->t * 1000.0), "temperature",
			      t, "setpoint",
			      round(api_to_unit(p->setpoint, hj->unit) * 100) /
				      100,
			      "heating", p->heating)) != 0)
		hj->failed = 1;
	return hj->failed;
}

void route_history(struct req *q)
{
	const struct thermo_settings *cfg = q->w->cfg;
	struct hist_json hj = { json_array(), cfg->units, 0 };
	struct api_error err;
	char unit[2] = { cfg->units, '\0' };
	int minutes;

	if (api_parse_history_query(q->ri->query_string, cfg->history_minutes,
				    &minutes, &err) < 0) {
		json_decref(hj.points);
		respond_error(q, err.status, "%s", err.message);
		return;
	}
	/* Built under the history's read lock, without copying the ring. */
	history_each_since(q->w->hist, mono_to_wall(mono_now()) - minutes * 60.0,
			   add_point, &hj);
	if (hj.failed || !hj.points) {
		json_decref(hj.points);
		respond_error(q, 500, "out of memory");
		return;
	}
	respond_json(q, 200, json_pack("{s:i, s:s, s:o}", "interval",
				       cfg->history_interval, "units", unit,
				       "points", hj.points));
}
