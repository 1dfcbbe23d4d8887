/* SPDX-License-Identifier: MIT */
/*
 * The MQTT thread (threads.h, mqtt/mqtt.h): the daemon on a broker.  It
 * owns its libmosquitto client alone (no libmosquitto thread) and sleeps
 * in one poll(2) on the record's watch descriptor and the client's
 * socket:
 *   - a change of a field in MQTT_WATCH_MASK: the changed state topics
 *     are published (retained) MQTT_COALESCE_S later, so a burst of
 *     changes is one message a topic;
 *   - a command on BASE/+/set: parsed by mqtt/commands.c and applied
 *     with command_apply(), the web's one write path;
 *   - the broker gone: the link is "down" in the record (/healthz,
 *     /metrics), the next attempt 1 s later, doubling to
 *     mqtt_reconnect_max; once connected again, availability, discovery
 *     and state are published again.
 * Heating never waits for this thread: it only reads the record, and
 * writes commands and its own link fields.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "threads.h"

#ifdef THERMO_HAVE_MQTT
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "mqtt/commands.h"
#include "mqtt/messages.h"
#include "util/timeutil.h"

/* A change is published this long after it (what follows it at once,
 * the control thread's decision after a new setpoint, goes in the same
 * publish), and this long after the last publish at the earliest: a
 * burst of changes is a message a topic each MQTT_COALESCE_S. */
#define MQTT_GATHER_S 0.01
#define MQTT_COALESCE_S 0.1
/* Refused messages logged a minute at most; the rest are counted. */
#define REFUSED_LOG_MAX 10
#define REFUSED_LOG_WINDOW_S 60.0

struct client {
	thermo_handle h;
	const struct thermo_settings *cfg;
	const struct mqtt_settings *m;
	struct mosquitto *mosq;
	char node[64];
	char base[MQTT_TOPIC_MAX];
	char avail[MQTT_TOPIC_MAX + 16];
	enum mqtt_link link;
	double connect_at;	/* when the socket was connected */
	double retry_at;	/* the next attempt, while down */
	double backoff;		/* the wait after the next failure */
	bool pending;		/* a change to publish at publish_at */
	double publish_at;
	double published_at;	/* the last publish */
	/* What was published last on each topic (NULL: not yet, since the
	 * last connection). */
	char *state[MQTT_STATE_MSGS];
	char *discovery[MQTT_DISCOVERY_MSGS];
	/* Counters not yet added to the record (one write a wake). */
	unsigned commands, refused;
	double refused_window;	/* start of the logging window */
	unsigned refused_logged, refused_quiet;
	struct command *cmd;	/* one, on the heap: it holds a week */
	/* libmosquitto's last error message (OpenSSL's, for TLS), for the
	 * next "why" */
	char lib_error[160];
	/* The next local midnight: runtime_today starts again. */
	time_t midnight;
};

static time_t next_midnight(time_t now)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

struct link_update {
	enum mqtt_link link;
	const char *why;
	bool connected;		/* count a connection */
	unsigned commands, refused;
};

static int apply_link(struct thermo *r, void *ctx)
{
	const struct link_update *u = ctx;

	r->mqtt_link = u->link;
	if (u->why)
		SS_STR_SET(r->mqtt_error, u->why);
	if (u->connected)
		r->mqtt_connects++;
	r->mqtt_commands += u->commands;
	r->mqtt_rejected += u->refused;
	return 0;
}

static void set_link(struct client *c, enum mqtt_link link, const char *why)
{
	struct link_update u = { .link = link, .why = why,
				 .connected = link == MQTT_UP &&
					      c->link != MQTT_UP };

	c->link = link;
	thermo_update(c->h, apply_link, &u);
}

/* The counters of this wake, in one write. */
static void flush_counters(struct client *c)
{
	struct link_update u = { .link = c->link, .commands = c->commands,
				 .refused = c->refused };

	if (!c->commands && !c->refused)
		return;
	c->commands = c->refused = 0;
	thermo_update(c->h, apply_link, &u);
}

static void forget_published(struct client *c)
{
	for (size_t i = 0; i < MQTT_STATE_MSGS; i++) {
		free(c->state[i]);
		c->state[i] = NULL;
	}
	for (size_t i = 0; i < MQTT_DISCOVERY_MSGS; i++) {
		free(c->discovery[i]);
		c->discovery[i] = NULL;
	}
}

/* Publishes each of @msgs whose payload differs from @last's, retained;
 * @last keeps what was sent (it moves the payloads). */
static void publish_changed(struct client *c, struct mqtt_msg *msgs,
			    size_t n, char **last)
{
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (last[i] && strcmp(last[i], msgs[i].payload) == 0)
			continue;
		rc = mosquitto_publish(c->mosq, NULL, msgs[i].topic,
				       (int)strlen(msgs[i].payload),
				       msgs[i].payload, 1, true);
		if (rc != MOSQ_ERR_SUCCESS) {
			/* The link is going: published again on the next
			 * connection. */
			log_warn("mqtt: cannot publish %s: %s", msgs[i].topic,
				 mosquitto_strerror(rc));
			return;
		}
		free(last[i]);
		last[i] = msgs[i].payload;
		msgs[i].payload = NULL;
	}
}

static void publish_state(struct client *c)
{
	struct mqtt_msg disc[MQTT_DISCOVERY_MSGS], state[MQTT_STATE_MSGS];
	struct thermo r;

	c->pending = false;
	c->published_at = mono_now();
	thermo_read(c->h, &r, NULL);
	/* Discovery first: Home Assistant subscribes to the state topics
	 * when it sees the configuration. */
	if (mqtt_discovery_msgs(&r, c->cfg, c->node, c->base, disc) == 0) {
		publish_changed(c, disc, MQTT_DISCOVERY_MSGS, c->discovery);
		mqtt_msgs_free(disc, MQTT_DISCOVERY_MSGS);
	}
	if (mqtt_state_msgs(&r, c->cfg, c->base, time(NULL), state) == 0) {
		publish_changed(c, state, MQTT_STATE_MSGS, c->state);
		mqtt_msgs_free(state, MQTT_STATE_MSGS);
	} else {
		log_err("mqtt: out of memory for the state messages");
	}
}

/* Lost, refused or not reached: the link is down, the next attempt
 * after the backoff. */
static void link_down(struct client *c, const char *why)
{
	double now = mono_now();

	/* Why, as libmosquitto said it: "certificate verify failed". */
	log_warn("mqtt: %s:%d: %s%s%s; trying again in %.0f s", c->m->host,
		 c->m->port, why, c->lib_error[0] ? ": " : "", c->lib_error,
		 c->backoff);
	c->lib_error[0] = '\0';
	if (mosquitto_socket(c->mosq) >= 0)
		mosquitto_disconnect(c->mosq);
	c->retry_at = now + c->backoff;
	c->backoff = fmin(c->backoff * 2, c->m->reconnect_max);
	set_link(c, MQTT_DOWN, why);
}

/* At the end of a logging window: how many refusals were not logged. */
static void refused_window(struct client *c, double now)
{
	if (now - c->refused_window < REFUSED_LOG_WINDOW_S)
		return;
	if (c->refused_quiet)
		log_warn("mqtt: %u more messages refused in the last minute "
			 "(not logged one by one)", c->refused_quiet);
	c->refused_window = now;
	c->refused_logged = c->refused_quiet = 0;
}

static void refused(struct client *c, const char *topic, const char *why)
{
	char t[80];

	c->refused++;
	refused_window(c, mono_now());
	if (c->refused_logged >= REFUSED_LOG_MAX) {
		c->refused_quiet++;
		return;
	}
	c->refused_logged++;
	/* The topic as the broker gave it, cut, control characters out. */
	snprintf(t, sizeof(t), "%s", topic);
	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_warn("mqtt: refused on %s: %s", t, why);
}

static void describe(const struct command *cmd, const struct thermo *r,
		     char *buf, size_t len)
{
	switch (cmd->kind) {
	case COMMAND_SETPOINT:
		snprintf(buf, len, "setpoint %.2f C", cmd->setpoint);
		break;
	case COMMAND_MODE:
		snprintf(buf, len, "mode %s", mode_name(cmd->mode));
		break;
	case COMMAND_PRESET:
		snprintf(buf, len, "preset %s", r->presets.p[cmd->preset].name);
		break;
	case COMMAND_CLEAR_HOLD:
		snprintf(buf, len, "hold cleared, back to the schedule");
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static void on_message(struct mosquitto *mosq, void *obj,
		       const struct mosquitto_message *msg)
{
	struct client *c = obj;
	struct command *cmd = c->cmd;
	char why[200], what[96];
	struct thermo r;
	int rc = -EAGAIN;

	(void)mosq;
	if (msg->retain) {
		/* Taken, it would be applied again at every connection. */
		refused(c, msg->topic, "a retained command (publish commands "
			"without the retain flag)");
		return;
	}
	/* Twice at most: the presets may change between the read and the
	 * write (-EAGAIN), and a preset's name must be looked up again. */
	for (int tries = 0; tries < 2 && rc == -EAGAIN; tries++) {
		thermo_read(c->h, &r, NULL);
		memset(cmd, 0, sizeof(*cmd));
		if (mqtt_command_parse(c->base, msg->topic, msg->payload,
				       msg->payloadlen < 0 ? 0 :
							     (size_t)msg->payloadlen,
				       &r, c->cfg, cmd, why, sizeof(why)) < 0) {
			refused(c, msg->topic, why);
			return;
		}
		memcpy(&cmd->seen, &r.presets, sizeof(cmd->seen));
		cmd->now = (time_t)floor(wall_now());
		rc = command_apply(c->h, cmd, NULL);
	}
	if (rc < 0) {
		if (rc != -ESHUTDOWN)
			log_err("mqtt: cannot apply the command on %s: %s",
				msg->topic, strerror(-rc));
		return;
	}
	c->commands++;
	if (rc > 0) {
		describe(cmd, &r, what, sizeof(what));
		log_info("mqtt: %s (from %s)", what, msg->topic);
	}
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	struct client *c = obj;
	char sub[MQTT_TOPIC_MAX + 8], why[96];

	(void)flags;
	(void)props;
	if (rc != 0) {
		snprintf(why, sizeof(why), "refused by the broker: %s",
			 mosquitto_reason_string(rc));
		link_down(c, why);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/+/set", c->base);
	rc = mosquitto_subscribe(mosq, NULL, sub, 0);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_publish(mosq, NULL, c->avail, 6, "online", 1,
				       true);
	if (rc != MOSQ_ERR_SUCCESS) {
		link_down(c, mosquitto_strerror(rc));
		return;
	}
	c->backoff = 1;
	log_info("mqtt: connected to %s:%d%s (node %s, topics %s/...)",
		 c->m->host, c->m->port, c->m->ca_file[0] ? " with TLS" : "",
		 c->node, c->base);
	set_link(c, MQTT_UP, "");
	/* Everything again: a restarted broker has lost what was
	 * retained. */
	forget_published(c);
	publish_state(c);
}

static void on_log(struct mosquitto *mosq, void *obj, int level,
		   const char *text)
{
	struct client *c = obj;

	(void)mosq;
	if (level == MOSQ_LOG_ERR)
		snprintf(c->lib_error, sizeof(c->lib_error), "%s", text);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc,
			  const mosquitto_property *props)
{
	struct client *c = obj;
	char why[96];

	(void)mosq;
	(void)props;
	if (c->link == MQTT_DOWN || c->link == MQTT_OFF)
		return;
	snprintf(why, sizeof(why), "connection lost (%s)",
		 rc == MOSQ_ERR_CONN_LOST ? "the broker went away" :
		 rc > 0 && rc < 128 ? mosquitto_strerror(rc) :
				      mosquitto_reason_string(rc));
	link_down(c, why);
}

/* One connection attempt: the TCP (and TLS) connection now, CONNACK
 * later through the loop. */
static void attempt(struct client *c)
{
	mosquitto_property *props = NULL;
	char why[96];
	int rc;

	/* Packets larger than this are not sent to the client: a broker
	 * never makes it hold an oversized message. */
	mosquitto_property_add_int32(&props, MQTT_PROP_MAXIMUM_PACKET_SIZE,
				     MQTT_PACKET_MAX);
	set_link(c, MQTT_CONNECTING, "");
	rc = mosquitto_connect_bind_v5(c->mosq, c->m->host, c->m->port,
				       c->m->keepalive, NULL, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(why, sizeof(why), "cannot connect: %s",
			 rc == MOSQ_ERR_ERRNO ? strerror(errno) :
						mosquitto_strerror(rc));
		link_down(c, why);
		return;
	}
	c->connect_at = mono_now();
}

static struct mosquitto *client_new(struct client *c, const char *password)
{
	char id[96];
	struct mosquitto *mosq;
	int rc;

	snprintf(id, sizeof(id), "thermostat-%s", c->node);
	mosq = mosquitto_new(id, true, c);
	if (!mosq) {
		log_err("mqtt: cannot create the client: %s", strerror(errno));
		return NULL;
	}
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	/* A state change is a few small packets: none waits for Nagle. */
	mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
	rc = mosquitto_will_set(mosq, c->avail, 7, "offline", 1, true);
	if (rc == MOSQ_ERR_SUCCESS && c->m->username[0])
		rc = mosquitto_username_pw_set(mosq, c->m->username,
					       password[0] ? password : NULL);
	if (rc == MOSQ_ERR_SUCCESS && c->m->ca_file[0])
		rc = mosquitto_tls_set(mosq, c->m->ca_file, NULL,
				       c->m->cert_file[0] ? c->m->cert_file :
							    NULL,
				       c->m->key_file[0] ? c->m->key_file : NULL,
				       NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_err("mqtt: cannot set up the client: %s",
			rc == MOSQ_ERR_ERRNO ? strerror(errno) :
					       mosquitto_strerror(rc));
		mosquitto_destroy(mosq);
		return NULL;
	}
	mosquitto_connect_v5_callback_set(mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(mosq, on_disconnect);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_log_callback_set(mosq, on_log);
	return mosq;
}

/* At shutdown: "offline" (a clean disconnect sends no last will), then
 * the disconnect, written out within a short time. */
static void say_goodbye(struct client *c)
{
	double end = mono_now() + 0.3;
	int sock;

	if (c->link != MQTT_UP)
		return;
	c->link = MQTT_OFF; /* on_disconnect: nothing was lost */
	mosquitto_publish(c->mosq, NULL, c->avail, 7, "offline", 1, true);
	mosquitto_disconnect(c->mosq);
	while ((sock = mosquitto_socket(c->mosq)) >= 0 &&
	       mosquitto_want_write(c->mosq) && mono_now() < end) {
		struct pollfd p = { .fd = sock, .events = POLLOUT };

		if (poll(&p, 1, 50) > 0 &&
		    mosquitto_loop_write(c->mosq, 1) != MOSQ_ERR_SUCCESS)
			break;
	}
}

/* The poll timeout: the next publish, attempt or keep-alive check. */
static int next_timeout(const struct client *c, double now)
{
	double t = now + 1.0; /* mosquitto_loop_misc: keep-alive */

	if (c->link == MQTT_DOWN && c->retry_at < t)
		t = c->retry_at;
	if (c->link == MQTT_UP && c->pending && c->publish_at < t)
		t = c->publish_at;
	return ms_until(t, now);
}

static void run(struct client *c, int wfd)
{
	while (!ss_is_closed(thermo_state(c->h))) {
		double now = mono_now();
		struct pollfd pfd[2] = { { .fd = wfd, .events = POLLIN },
					 { .fd = -1 } };
		int sock, rc;
		uint64_t n;

		if (c->link != MQTT_DOWN && mosquitto_socket(c->mosq) < 0)
			link_down(c, "connection closed");
		if (c->link == MQTT_DOWN && now >= c->retry_at)
			attempt(c);
		else if (c->link == MQTT_CONNECTING &&
			 now - c->connect_at > c->m->keepalive)
			link_down(c, "no answer from the broker");
		sock = mosquitto_socket(c->mosq);
		if (sock >= 0) {
			pfd[1].fd = sock;
			pfd[1].events = POLLIN |
					(mosquitto_want_write(c->mosq) ? POLLOUT :
									 0);
		}
		if (poll(pfd, 2, next_timeout(c, mono_now())) < 0) {
			if (errno == EINTR)
				continue;
			log_err("mqtt: poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents) {
			if (read(wfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				break;
			if (!c->pending) {
				c->pending = true;
				c->publish_at =
					fmax(mono_now() + MQTT_GATHER_S,
					     c->published_at + MQTT_COALESCE_S);
			}
		}
		if (sock >= 0) {
			rc = MOSQ_ERR_SUCCESS;
			if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
				rc = mosquitto_loop_read(c->mosq, 1);
			if (rc == MOSQ_ERR_SUCCESS &&
			    (pfd[1].revents & POLLOUT))
				rc = mosquitto_loop_write(c->mosq, 1);
			if (rc == MOSQ_ERR_SUCCESS &&
			    mosquitto_socket(c->mosq) >= 0)
				rc = mosquitto_loop_misc(c->mosq);
			if (rc != MOSQ_ERR_SUCCESS && c->link != MQTT_DOWN) {
				char why[96];

				snprintf(why, sizeof(why), "connection lost "
					 "(%s)", rc == MOSQ_ERR_ERRNO ?
					 strerror(errno) :
					 mosquitto_strerror(rc));
				link_down(c, why);
			}
		}
		/* A new day: runtime_today is 0 without a change of the
		 * record (poll wakes every second at most, for the
		 * keep-alive). */
		if (time(NULL) >= c->midnight) {
			c->midnight = next_midnight(time(NULL));
			if (!c->pending) {
				c->pending = true;
				c->publish_at = mono_now();
			}
		}
		if (c->link == MQTT_UP && c->pending &&
		    mono_now() >= c->publish_at)
			publish_state(c);
		flush_counters(c);
		if (c->refused_quiet)
			refused_window(c, mono_now());
	}
}

void *mqtt_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const struct thermo_settings *cfg = ta->d->cfg;
	struct client c = { .h = ta->h, .cfg = cfg, .m = &cfg->mqtt,
			    .backoff = 1, .link = MQTT_DOWN };
	int wfd = thermo_watch_fd(ta->h, MQTT_WATCH_MASK);

	mqtt_node_id(cfg->mqtt.node_id, c.node, sizeof(c.node));
	c.cmd = calloc(1, sizeof(*c.cmd));
	if (wfd < 0 || !c.cmd ||
	    mqtt_base_topic(&cfg->mqtt, c.node, c.base, sizeof(c.base)) < 0) {
		log_err("mqtt: cannot start: %s", wfd < 0 ? strerror(-wfd) :
				  c.cmd ? "topic too long" : "out of memory");
		set_link(&c, MQTT_DOWN, "the MQTT thread could not start");
		goto out;
	}
	snprintf(c.avail, sizeof(c.avail), "%s/availability", c.base);
	c.mosq = client_new(&c, ta->d->mqtt_password);
	if (!c.mosq) {
		set_link(&c, MQTT_DOWN, "the MQTT client could not be set up");
		goto out;
	}
	c.retry_at = mono_now(); /* the first attempt at once */
	c.midnight = next_midnight(time(NULL));
	run(&c, wfd);
	say_goodbye(&c);
	mosquitto_destroy(c.mosq);
out:
	forget_published(&c);
	free(c.cmd);
	if (wfd >= 0)
		thermo_unwatch_fd(ta->h, wfd);
	thermo_unref(ta->h);
	return NULL;
}

#else /* !THERMO_HAVE_MQTT: configuration refuses mqtt = yes */

void *mqtt_thread(void *arg)
{
	struct thread_arg *ta = arg;

	log_err("mqtt: this thermostat was built without MQTT");
	thermo_unref(ta->h);
	return NULL;
}

#endif
