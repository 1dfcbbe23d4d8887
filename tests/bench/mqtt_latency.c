/* SPDX-License-Identifier: MIT */
/*
 * mqtt_latency: how long the running daemon takes from a setpoint command
 * published to its BASE/setpoint/set topic to (a) its retained
 * BASE/setpoint topic carrying the new value and (b) the control thread's
 * decision showing on BASE/action (the relay switched: "heating" or
 * "idle").  The MQTT twin of web_latency, with the same daemon set-up: a
 * house that does not move (sim gain, loss and noise 0) and no rest
 * times, so that every setpoint across the temperature flips the relay.
 * Talks to the broker with libmosquitto, as Home Assistant's side would;
 * BASE is thermostat/NODE (the daemon's default mqtt_topic_prefix).
 * Rounds are 150 ms apart (the daemon coalesces changes over 100 ms).
 * Prints "name value unit" lines.
 *   mqtt_latency BROKER_PORT NODE ROUNDS TEMPERATURE
 */
#include <config.h>
#define _GNU_SOURCE
#include <math.h>
#include <mosquitto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* A wait that takes this long is no latency but a bug: say so and fail,
 * instead of hanging the run. */
#define DEADLINE_S 30

/* What the daemon last said, and when it came (the callbacks run in
 * mosquitto_loop, on this thread). */
static struct {
	char topic_setpoint[256], topic_action[256], topic_avail[256];
	bool connected, subscribed;
	int connect_rc;
	/* The last payloads seen, and the time of the message. */
	double setpoint;
	bool have_setpoint;
	double setpoint_at;
	char action[64];
	double action_at;
	char avail[64];
	unsigned long messages;
} seen;

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	char *subs[] = { seen.topic_setpoint, seen.topic_action,
			 seen.topic_avail };

	(void)arg;
	seen.connect_rc = rc;
	if (rc != 0)
		return;
	seen.connected = true;
	/* QoS 1, as Home Assistant subscribes to the state topics. */
	rc = mosquitto_subscribe_multiple(m, NULL, 3, subs, 1, 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt_latency: subscribe: %s\n",
			mosquitto_strerror(rc));
		exit(1);
	}
}

static void on_subscribe(struct mosquitto *m, void *arg, int mid, int n,
			 const int *granted)
{
	(void)m;
	(void)arg;
	(void)mid;
	for (int i = 0; i < n; i++)
		if (granted[i] > 2) {
			fprintf(stderr, "mqtt_latency: the broker refused "
					"a subscription\n");
			exit(1);
		}
	seen.subscribed = true;
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	double t = now_us();
	char payload[64];
	size_t n = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;

	(void)m;
	(void)arg;
	if (n >= sizeof(payload))
		n = sizeof(payload) - 1;
	memcpy(payload, msg->payload ? msg->payload : "", n);
	payload[n] = '\0';
	seen.messages++;
	if (strcmp(msg->topic, seen.topic_setpoint) == 0) {
		char *end;
		double v = strtod(payload, &end);

		if (end == payload) {
			fprintf(stderr, "mqtt_latency: %s: not a number: "
					"'%s'\n", msg->topic, payload);
			exit(1);
		}
		seen.setpoint = v;
		seen.have_setpoint = true;
		seen.setpoint_at = t;
	} else if (strcmp(msg->topic, seen.topic_action) == 0) {
		snprintf(seen.action, sizeof(seen.action), "%s", payload);
		seen.action_at = t;
	} else if (strcmp(msg->topic, seen.topic_avail) == 0) {
		snprintf(seen.avail, sizeof(seen.avail), "%s", payload);
	}
}

/* One turn of the client's loop (at most 10 ms in select); a lost link
 * fails the run: the daemon's figures would be the broker's. */
static void turn(struct mosquitto *m)
{
	int rc = mosquitto_loop(m, 10, 1);

	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt_latency: the broker link: %s\n",
			rc == MOSQ_ERR_ERRNO ? "connection error"
					     : mosquitto_strerror(rc));
		exit(1);
	}
}

/* Loops until *@flag, or fails saying @what after DEADLINE_S. */
static void wait_flag(struct mosquitto *m, const bool *flag, const char *what)
{
	double end = now_us() + DEADLINE_S * 1e6;

	while (!*flag) {
		if (now_us() > end) {
			fprintf(stderr, "mqtt_latency: %s: not in %d s\n", what,
				DEADLINE_S);
			exit(1);
		}
		turn(m);
		if (seen.connect_rc != 0) {
			fprintf(stderr, "mqtt_latency: the broker refused "
					"the connection: %s\n",
				mosquitto_connack_string(seen.connect_rc));
			exit(1);
		}
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%s.p50 %.3f ms\n", name, v[n / 2] / 1000);
	printf("%s.p99 %.3f ms\n", name, v[n * 99 / 100] / 1000);
	printf("%s.max %.3f ms\n", name, v[n - 1] / 1000);
}

int main(int argc, char **argv)
{
	struct mosquitto *m;
	double *to_sp, *to_dec, temp;
	int port, rounds, rc;
	const char *node;
	char base[200], cmd_topic[256], client_id[64];

	if (argc != 5) {
		fprintf(stderr, "usage: mqtt_latency BROKER_PORT NODE ROUNDS "
				"TEMPERATURE\n");
		return 2;
	}
	port = atoi(argv[1]);
	node = argv[2];
	rounds = atoi(argv[3]);
	temp = atof(argv[4]);
	if (port <= 0 || port > 65535 || !*node || rounds < 10) {
		fprintf(stderr, "mqtt_latency: bad arguments\n");
		return 2;
	}
	snprintf(base, sizeof(base), "thermostat/%s", node);
	snprintf(seen.topic_setpoint, sizeof(seen.topic_setpoint),
		 "%s/setpoint", base);
	snprintf(seen.topic_action, sizeof(seen.topic_action), "%s/action",
		 base);
	snprintf(seen.topic_avail, sizeof(seen.topic_avail), "%s/availability",
		 base);
	snprintf(cmd_topic, sizeof(cmd_topic), "%s/setpoint/set", base);
	snprintf(client_id, sizeof(client_id), "mqtt_latency-%ld",
		 (long)getpid());
	to_sp = calloc((size_t)rounds, sizeof(*to_sp));
	to_dec = calloc((size_t)rounds, sizeof(*to_dec));
	if (!to_sp || !to_dec)
		return 1;

	mosquitto_lib_init();
	m = mosquitto_new(client_id, true, NULL);
	if (!m) {
		perror("mqtt_latency: mosquitto_new");
		return 1;
	}
	/* As web_latency's sockets: no Nagle delay on this side's small
	 * packets (a PUBLISH behind an unacknowledged PUBACK would wait). */
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);
	rc = mosquitto_connect(m, "127.0.0.1", port, 30);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt_latency: connect to 127.0.0.1:%d: %s\n",
			port,
			rc == MOSQ_ERR_ERRNO ? "connection refused or failed"
					     : mosquitto_strerror(rc));
		return 1;
	}
	wait_flag(m, &seen.connected, "connected to the broker");
	wait_flag(m, &seen.subscribed, "subscribed");
	/* The daemon is there (its retained availability), and has said
	 * its setpoint and decision (retained too). */
	{
		double end = now_us() + DEADLINE_S * 1e6;

		while (strcmp(seen.avail, "online") != 0 ||
		       !seen.have_setpoint || !seen.action[0]) {
			if (now_us() > end) {
				fprintf(stderr,
					"mqtt_latency: no daemon on %s in %d s "
					"(availability '%s', setpoint %s, "
					"action '%s')\n",
					base, DEADLINE_S, seen.avail,
					seen.have_setpoint ? "seen" : "none",
					seen.action);
				return 1;
			}
			turn(m);
		}
	}

	for (int i = 0; i < rounds; i++) {
		const char *want;
		char payload[32];
		double t0, end, sp;
		bool heat, got_sp = false, got_dec = false;

		/* A command as a person (or an automation) gives one: the
		 * daemon publishes a topic every 100 ms at most
		 * (MQTT_COALESCE_S in thread_mqtt.c), and back-to-back
		 * rounds would measure that window, not the path.  Then
		 * drain what is already queued: a late message of the round
		 * before (or of web_latency's last PUT, before the first)
		 * must not count for this one. */
		usleep(150000);
		for (int k = 0; k < 3; k++)
			turn(m);
		/* The daemon publishes a topic only when its payload
		 * changes: each round goes the other way from the decision
		 * in effect now, well above or well below the temperature,
		 * on the daemon's setpoint_step (0.5 C by default), in the
		 * display unit, as Home Assistant sends it. */
		heat = strcmp(seen.action, "heating") != 0;
		sp = heat ? temp + 3 + (i % 7) * 0.5 : temp - 3 - (i % 5) * 0.5;
		want = heat ? "heating" : "idle";
		/* Not the setpoint in effect (the first round's could be). */
		if (fabs(seen.setpoint - sp) < 0.01)
			sp += heat ? 0.5 : -0.5;
		snprintf(payload, sizeof(payload), "%.1f", sp);
		t0 = now_us();
		end = t0 + DEADLINE_S * 1e6;
		rc = mosquitto_publish(m, NULL, cmd_topic, (int)strlen(payload),
				       payload, 1, false);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqtt_latency: publish: %s\n",
				mosquitto_strerror(rc));
			return 1;
		}
		while (!got_sp || !got_dec) {
			turn(m);
			if (!got_sp && seen.have_setpoint &&
			    seen.setpoint_at >= t0 &&
			    fabs(seen.setpoint - sp) < 0.01) {
				to_sp[i] = seen.setpoint_at - t0;
				got_sp = true;
			}
			/* The previous round left the other action: a
			 * message with this one after t0 is the new
			 * decision (it may come before or with the setpoint
			 * in one coalesced burst). */
			if (!got_dec && seen.action_at >= t0 &&
			    strcmp(seen.action, want) == 0) {
				to_dec[i] = seen.action_at - t0;
				got_dec = true;
			}
			if (now_us() > end) {
				fprintf(stderr,
					"mqtt_latency: round %d: %s on %s, "
					"then in %d s: setpoint %s, action "
					"%s (last seen: setpoint %.2f, action "
					"'%s'; %lu messages in all)\n",
					i, payload, cmd_topic, DEADLINE_S,
					got_sp ? "came" : "NEVER CAME",
					got_dec ? "came" : "NEVER CAME",
					seen.setpoint, seen.action,
					seen.messages);
				return 1;
			}
		}
	}
	report("mqtt.set_to_setpoint", to_sp, rounds);
	report("mqtt.set_to_decision", to_dec, rounds);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	free(to_sp);
	free(to_dec);
	return 0;
}
