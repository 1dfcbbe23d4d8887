/* SPDX-License-Identifier: MIT */
/*
 * The MQTT wing: the daemon on a broker, for Home Assistant and other
 * consumers.  The client is one thread (thread_mqtt.c, built with
 * libmosquitto) that meets the others only through the record; what it
 * says and what it takes are pure functions here and in messages.h and
 * commands.h, tested without a broker.
 *
 * Topics (BASE is mqtt_topic_prefix/node id, "thermostat/livingroom"):
 *   BASE/availability        online | offline (retained; the last will)
 *   BASE/temperature ...     retained state, one topic a value, and
 *   BASE/state               all of it as JSON (messages.h)
 *   BASE/setpoint/set        commands: setpoint, mode, preset
 *   BASE/mode/set            (commands.h)
 *   BASE/preset/set
 *   DISCOVERY/climate/NODE/thermostat/config and the sensors' configs:
 *                            Home Assistant's MQTT discovery (retained)
 */
#ifndef THERMO_MQTT_H
#define THERMO_MQTT_H

#include <stdbool.h>
#include <stddef.h>

/* The keys of thermostat.conf(5) that configure it (conf/keys.h). */
struct mqtt_settings {
	bool enabled;
	char host[128];
	int port;
	char node_id[64];	/* "": the host name (mqtt_node_id()) */
	char topic_prefix[64];
	char discovery_prefix[64];
	char username[64];
	char password_file[256];
	char ca_file[256];	/* "": no TLS */
	char cert_file[256];
	char key_file[256];
	int keepalive;		/* seconds */
	double reconnect_max;	/* seconds */
};

/* The longest topic the daemon publishes or takes. */
#define MQTT_TOPIC_MAX 256
/* The largest command payload taken (a number, a mode, a preset name). */
#define MQTT_COMMAND_MAX 64
/* The largest packet the client accepts: the broker is told so (MQTT 5
 * Maximum Packet Size) and drops larger ones meant for it. */
#define MQTT_PACKET_MAX 4096

/*
 * The node id: @configured when not empty, else the host name with every
 * character but letters, digits, '_' and '-' made '_' ("thermostat" when
 * there is none).  Home Assistant takes node ids of exactly those
 * characters.
 */
void mqtt_node_id(const char *configured, char *out, size_t len);

/* Whether @s is a node id (1 to 63 of [A-Za-z0-9_-]). */
bool mqtt_node_id_ok(const char *s);

/* @prefix/@node: the daemon's base topic.  0, or -1 when too long. */
int mqtt_base_topic(const struct mqtt_settings *m, const char *node,
		    char *out, size_t len);

#endif
