/* SPDX-License-Identifier: MIT */
/*
 * GET /metrics (Prometheus text format), and the counters it reports that
 * the record does not hold: requests by route and status, open event
 * streams.  The counters are a record of their own, so that the workers
 * count without a lock of the web server's.
 */
#include <config.h>
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/control.h"
#include "util/strconv.h"
#include "util/timeutil.h"
#include "web/server.h"

SS_RECORD_DEFINE(webstats, WEBSTATS_FIELDS);

/* The statuses counted one by one; the last slot is "other". */
static const int counted_status[WEB_NSTATUS] = { WEB_COUNTED_STATUSES, 0 };
_Static_assert(sizeof((int[]){ WEB_COUNTED_STATUSES }) / sizeof(int) + 1 ==
		       WEB_NSTATUS,
	       "WEB_NSTATUS counts the statuses and \"other\"");

struct count {
	int route;
	int status;
};

static int count_request(struct webstats *s, void *ctx)
{
	const struct count *c = ctx;
	size_t j = 0;

	while (counted_status[j] && counted_status[j] != c->status)
		j++;
	s->counts.n[c->route][j]++;
	return 0;
}

void web_count(struct web *w, int route, int status)
{
	struct count c = { route, status };

	webstats_update(w->stats, count_request, &c);
}

static int stream_open(struct webstats *s, void *ctx)
{
	unsigned max = *(unsigned *)ctx;

	if (s->sse_clients >= max)
		return -1;
	s->sse_clients++;
	return 0;
}

static int stream_close(struct webstats *s, void *ctx)
{
	(void)ctx;
	s->sse_clients--;
	return 0;
}

bool web_stream_open(struct web *w, unsigned max)
{
	return webstats_update(w->stats, stream_open, &max) == 0;
}

void web_stream_close(struct web *w)
{
	webstats_update(w->stats, stream_close, NULL);
}

/* Prometheus text format. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len)
			break;
		{
			size_t cap = t->cap * 2 + (size_t)n;
			char *grown = realloc(t->buf, cap);

			if (!grown) {
				t->failed = true;
				return;
			}
			t->buf = grown;
			t->cap = cap;
		}
	}
	t->len += (size_t)n;
}

static void metric(struct text *t, const char *name, const char *type,
		   const char *help, double value)
{
	char num[40];

	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	if (isnan(value)) {
		put(t, "%s NaN\n", name);
		return;
	}
	strconv_format_double(num, sizeof(num), value);
	put(t, "%s %s\n", name, num);
}

void route_metrics(struct req *q)
{
	struct text t = { malloc(4096), 0, 4096, false };
	struct webstats ws;
	struct thermo r;
	double now = mono_now();

	if (!t.buf) {
		respond_error(q, 500, "out of memory");
		return;
	}
	thermo_read(q->w->rec, &r, NULL);
	webstats_read(q->w->stats, &ws, NULL);
	metric(&t, "thermostat_temperature_celsius", "gauge",
	       "The measured temperature (NaN when unknown or stale).",
	       control_record_fresh(&r, &q->w->cfg->control, now)
		       ? r.temperature
		       : NAN);
	metric(&t, "thermostat_setpoint_celsius", "gauge",
	       "The temperature to hold.", r.setpoint);
	metric(&t, "thermostat_heating", "gauge",
	       "1 while the furnace relay is on.", r.heating);
	metric(&t, "thermostat_mode_heat", "gauge",
	       "1 in heat mode, 0 when off.", r.mode == MODE_HEAT);
	metric(&t, "thermostat_relay_switches_total", "counter",
	       "Relay switches since start.", r.relay_switches);
	metric(&t, "thermostat_relay_errors_total", "counter",
	       "Failed relay writes since start.", r.relay_errors);
	metric(&t, "thermostat_sensor_errors_total", "counter",
	       "Failed sensor reads since start.", r.sensor_errors);
	metric(&t, "thermostat_sensor_stale", "gauge",
	       "1 when there has been no valid reading for sensor_timeout.",
	       r.sensor_status == SENSOR_STALE);
	metric(&t, "thermostat_runaway_alarm", "gauge",
	       "1 while the runaway alarm holds the heat off (heated "
	       "runaway_time without a rise).", r.runaway);
	metric(&t, "thermostat_furnace_runtime_seconds_total", "counter",
	       "Seconds the furnace ran (kept across restarts).",
	       (double)r.runtime.total_seconds);
	metric(&t, "thermostat_furnace_cycles_total", "counter",
	       "Runs of the furnace (kept across restarts).",
	       (double)r.runtime.total_cycles);
	metric(&t, "thermostat_runaway_trips_total", "counter",
	       "Runaway alarms raised since start.", r.runaway_trips);
	metric(&t, "thermostat_state_errors_total", "counter",
	       "Failed saves of the state file.", r.state_errors);
	if (q->w->cfg->mqtt.enabled) {
		metric(&t, "thermostat_mqtt_connected", "gauge",
		       "1 while connected to the MQTT broker.",
		       r.mqtt_link == MQTT_UP);
		metric(&t, "thermostat_mqtt_connects_total", "counter",
		       "Connections made to the MQTT broker since start.",
		       r.mqtt_connects);
		metric(&t, "thermostat_mqtt_commands_total", "counter",
		       "Commands taken from the MQTT broker.", r.mqtt_commands);
		metric(&t, "thermostat_mqtt_rejected_total", "counter",
		       "Messages from the MQTT broker refused (bad topic or "
		       "payload).", r.mqtt_rejected);
	}
	metric(&t, "thermostat_sse_clients", "gauge",
	       "Open event streams.", ws.sse_clients);
	metric(&t, "thermostat_uptime_seconds", "gauge",
	       "Seconds since the daemon started.", now - q->w->start);
	put(&t, "# HELP thermostat_http_requests_total HTTP requests by route, "
		"method and status.\n# TYPE thermostat_http_requests_total counter\n");
	for (int i = 0; i < ROUTE_COUNT; i++)
		for (size_t j = 0; j < WEB_NSTATUS; j++)
			if (ws.counts.n[i][j]) {
				char status[8];

				if (counted_status[j])
					snprintf(status, sizeof(status), "%d",
						 counted_status[j]);
				else
					strcpy(status, "other");
				put(&t, "thermostat_http_requests_total{route="
					"\"%s\",method=\"%s\",status=\"%s\"} "
					"%llu\n",
				    web_routes[i].path, web_routes[i].method,
				    status,
				    (unsigned long long)ws.counts.n[i][j]);
			}
	if (t.failed)
		respond_error(q, 500, "out of memory");
	else
		respond(q, 200, "text/plain; version=0.0.4; charset=utf-8",
			t.buf, t.len, NULL);
	free(t.buf);
}
