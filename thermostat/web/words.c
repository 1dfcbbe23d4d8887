/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"
#include "web/api.h"
#include "web/words.h"

double words_wait(const struct thermo *r, const struct thermo_settings *cfg,
		  double now)
{
	double since = ts_to_s(r->relay_changed_at);

	switch (r->reason) {
	case REASON_MIN_ON:
		return since + cfg->control.min_on - now;
	case REASON_MIN_OFF:
		return since + cfg->control.min_off - now;
	default:
		return -1;
	}
}

/* The local calendar day of @t, as a count comparable between days. */
static long day_number(const struct tm *tm)
{
	return (long)(tm->tm_year + 1900) * 400 + tm->tm_yday;
}

void words_when(time_t t, time_t wall, char *buf, size_t len)
{
	struct tm at, now;
	long days;

	if (!localtime_r(&t, &at) || !localtime_r(&wall, &now)) {
		snprintf(buf, len, "?");
		return;
	}
	/* Days apart across a new year: through the dates' noon instants. */
	days = day_number(&at) - day_number(&now);
	if (at.tm_year != now.tm_year)
		days = lround(difftime(t, wall) / 86400.0);
	if (days == 0)
		strftime(buf, len, "%H:%M", &at);
	else if (days == 1)
		strftime(buf, len, "tomorrow %H:%M", &at);
	else if (days > 1 && days < 7)
		strftime(buf, len, "%A %H:%M", &at);
	else
		strftime(buf, len, "%-d %b %H:%M", &at);
}

/* "Comfort" for comfort, "21.5 C" for a temperature. */
static void name_of(const struct thermo *r, int preset, char *buf, size_t len)
{
	if (preset >= 0 && (size_t)preset < r->presets.n) {
		snprintf(buf, len, "%s", r->presets.p[preset].name);
		buf[0] = (char)toupper((unsigned char)buf[0]);
		for (char *c = buf; *c; c++)
			if (*c == '_')
				*c = ' ';
	} else {
		buf[0] = '\0';
	}
}

static void temp_text(double celsius, char unit, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f %c", api_to_unit(celsius, unit), unit);
}

/* "21.0 C (Comfort) until 22:00, then Eco" */
static void target_text(const struct thermo *r,
			const struct thermo_settings *cfg, time_t wall,
			char *buf, size_t len)
{
	const struct sched_target *t = &r->target;
	char temp[24], name[SCHED_PRESET_NAME + 8], why[48], when[40];
	char then[48] = "";
	size_t off;

	temp_text(r->setpoint, cfg->units, temp, sizeof(temp));
	name_of(r, t->preset, name, sizeof(name));
	if (t->source == TARGET_BOOST)
		snprintf(why, sizeof(why), " (boost)");
	else if (t->source == TARGET_HOLD && name[0])
		snprintf(why, sizeof(why), " (%s, held)", name);
	else if (t->source == TARGET_HOLD)
		snprintf(why, sizeof(why), " (held)");
	else if (name[0])
		snprintf(why, sizeof(why), " (%s)", name);
	else
		why[0] = '\0';
	off = (size_t)snprintf(buf, len, "%s%s", temp, why);
	if (off >= len)
		return;
	if (t->until == 0) {
		if (t->source == TARGET_HOLD)
			snprintf(buf + off, len - off, " until you change it");
		return;
	}
	words_when(t->until, wall, when, sizeof(when));
	/* What comes then, when it is the schedule's next point. */
	if (t->until == t->next_switch) {
		name_of(r, t->next_preset, name, sizeof(name));
		if (name[0])
			snprintf(then, sizeof(then), ", then %s", name);
		else {
			temp_text(t->next_temp, cfg->units, temp, sizeof(temp));
			snprintf(then, sizeof(then), ", then %s", temp);
		}
	} else {
		snprintf(then, sizeof(then), ", then the schedule");
	}
	snprintf(buf + off, len - off, " until %s%s", when, then);
}

/* "2 more minutes", "1 more minute" (to the nearest minute), "40 more
 * seconds" (under a minute, rounded up). */
static void wait_text(double s, char *buf, size_t len)
{
	long m = lround(fmax(s, 60) / 60.0);

	if (s < 60)
		snprintf(buf, len, "%ld more second%s", lround(ceil(fmax(s, 1))),
			 lround(ceil(fmax(s, 1))) == 1 ? "" : "s");
	else
		snprintf(buf, len, "%ld more minute%s", m, m == 1 ? "" : "s");
}

void words_summary(const struct thermo *r, const struct thermo_settings *cfg,
		   double now, time_t wall, char *buf, size_t len)
{
	char target[160], wait[40];

	target_text(r, cfg, wall, target, sizeof(target));
	wait_text(words_wait(r, cfg, now), wait, sizeof(wait));
	switch (r->reason) {
	case REASON_START:
		snprintf(buf, len, "Starting: waiting for the first temperature "
			 "reading.");
		return;
	case REASON_MODE_OFF:
		snprintf(buf, len, r->mode == MODE_OFF
					   ? "Off: the heating is switched off."
					   : "Off: there is no valid setpoint.");
		return;
	case REASON_SENSOR_STALE:
		snprintf(buf, len, "Not heating: no temperature from the sensor "
			 "(check the sensor).");
		return;
	case REASON_RUNAWAY:
		snprintf(buf, len, "Not heating: the furnace ran without warming "
			 "the room (furnace or sensor fault?). Clear the alarm "
			 "once it is fixed.");
		return;
	case REASON_MAX_ON:
		snprintf(buf, len, "Resting: the furnace ran as long as one run "
			 "may. Then %s.", target);
		return;
	case REASON_RELAY_ERROR:
		snprintf(buf, len, "Cannot switch the furnace: the relay does not "
			 "answer; trying again.");
		return;
	case REASON_SHUTDOWN:
		snprintf(buf, len, "Stopping: the furnace is off.");
		return;
	case REASON_MIN_OFF:
		snprintf(buf, len, "Waiting %s before heating again to protect "
			 "the furnace. Target %s.", wait, target);
		return;
	case REASON_MIN_ON:
		snprintf(buf, len, "Warm enough; the furnace finishes its run in "
			 "%s. Target %s.", wait, target);
		return;
	case REASON_COLD:
	case REASON_HOLD_ON:
		snprintf(buf, len, "Heating to %s.", target);
		return;
	case REASON_WARM:
	case REASON_HOLD_OFF:
		snprintf(buf, len, "Warm enough, not heating. Target %s.",
			 target);
		return;
	}
	snprintf(buf, len, "Target %s.", target);
}
