/* SPDX-License-Identifier: MIT */
/*
 * The configuration's keys, private to conf/.  One list, CONFIG_KEYS,
 * drives everything: the defaults, the INI file, the long options,
 * --print-config, --help and config_key_names[] all walk the table
 * generated from it (keys.c), so a key added here is parsed, documented
 * on --help and printed everywhere.  The rest of conf/ is one job a file:
 *   keys.c      the table, lookup, defaults
 *   values.c    one value: parse a key's text, check it, print it back
 *   netcheck.c  the network values: listen address, access control list
 *   file.c      the file, through inih
 *   cli.c       the command line, --help, --print-config
 *   validate.c  rules between keys
 */
#ifndef THERMO_CONF_KEYS_H
#define THERMO_CONF_KEYS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "util/names.h"

/*
 * The longest line of a configuration file, line end excluded.  Debian's
 * inih reads lines into a 200-byte buffer (INI_MAX_LINE), which holds 198
 * characters besides the newline and the NUL; longer lines would be split
 * silently, so they are refused instead, and string values are limited so
 * that "key = value" always fits (config_print()'s output must parse).
 */
#define LINE_MAX_CHARS 198

enum key_type {
	T_STRING,	/* a char array: no control characters, no ';' */
	T_DOUBLE,	/* a decimal number */
	T_DURATION,	/* seconds: a decimal number, then s, m or h */
	T_INT,		/* an int */
	T_UINT,		/* an unsigned */
	T_BOOL,		/* yes/no, true/false, on/off, 1/0 */
	T_ENUM,		/* a name of .names, in an enum or a char */
};

enum key_flags {
	K_EMPTY_OK = 1,		/* a string that may be empty */
	K_PATH = 2,		/* a file name (PATH on --help) */
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset, size;		/* of the member */
	double min, max;		/* numbers */
	const char *def;		/* the default, in the file's syntax */
	const char *help;
	unsigned flags;
	const struct name_value *names;	/* T_ENUM; the first of a value is
					 * its canonical name */
	/* T_STRING: checks a value beyond the generic rules */
	int (*check)(const char *value, char *why, size_t len);
};

/* Names of values that only the configuration has (the sensor, relay
 * and log level kinds have theirs where they are defined). */
extern const struct name_value units_names[];
extern const struct name_value bool_names[];

/* The checks of single strings (values.c, netcheck.c): 0, or -1 and why. */
int check_listen(const char *value, char *why, size_t len);
int check_acl(const char *value, char *why, size_t len);
int check_server_names(const char *value, char *why, size_t len);
int check_realm(const char *value, char *why, size_t len);
int check_file_name(const char *value, char *why, size_t len);
int check_mqtt_host(const char *value, char *why, size_t len);
int check_mqtt_node_id(const char *value, char *why, size_t len);
int check_mqtt_prefix(const char *value, char *why, size_t len);

/*
 * Every key: X(key, member, type, min, max, default, help, more...).
 * @key is the file's name and, with dashes, the option (--min-on);
 * @member the field of struct thermo_settings; @min..@max the range of a
 * number (seconds for durations, degrees C for temperatures); @default in
 * the file's syntax; @help one line for --help; @more designated
 * initializers of struct key (flags, enum names, a check).
 * thermostat.conf and thermostat.conf(5) document every key: the tests
 * check that they list them all, with these defaults.
 */
/* A day's switch points, until a schedule is saved: "06:30 comfort,
 * 22:00 sleep"; empty: none that day. */
#define SCHEDULE_KEY(day, i)                                                 \
	X(schedule_##day, schedule[i], T_STRING, 0, 0, "",                   \
	  "switch points of " #day ": HH:MM PRESET|TEMP, ...",             \
	  .flags = K_EMPTY_OK)
#define CONFIG_KEYS(X)                                                       \
	/* the sensor */                                                     \
	X(sensor, sensor.kind, T_ENUM, 0, 0, "w1",                           \
	  "where temperatures come from: w1 (DS18B20), sysfs or sim",        \
	  .names = sensor_kind_names)                                        \
	X(sysfs_root, sensor.sysfs_root, T_STRING, 0, 0, "/sys",             \
	  "root of sysfs: w1 sensors are under ROOT/bus/w1/devices",         \
	  .flags = K_PATH)                                                   \
	X(w1_device, sensor.w1_device, T_STRING, 0, 0, "",                   \
	  "w1 sensor to read (28-...); empty: the only one there is",        \
	  .flags = K_EMPTY_OK, .check = check_file_name)                     \
	X(sensor_file, sensor.file, T_STRING, 0, 0, "",                      \
	  "sysfs sensor: a file holding millidegrees C",                     \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(sensor_interval, sensor.interval, T_DURATION, 0.1, 3600, "5",      \
	  "time between two sensor reads", .flags = 0)                       \
	/* the relay */                                                      \
	X(relay, relay.kind, T_ENUM, 0, 0, "gpiod",                          \
	  "how the furnace is switched: gpiod or sim",                       \
	  .names = relay_kind_names)                                         \
	X(gpio_chip, relay.gpio_chip, T_STRING, 0, 0, "gpiochip0",           \
	  "GPIO chip of the relay: gpiochip0 or /dev/gpiochip0",             \
	  .flags = 0)                                                        \
	X(gpio_line, relay.gpio_line, T_UINT, 0, 65535, "17",                \
	  "GPIO line of the relay (BCM 17 on a Raspberry Pi)", .flags = 0)   \
	X(active_low, relay.active_low, T_BOOL, 0, 0, "no",                  \
	  "the relay closes on a low level", .flags = 0)                     \
	X(relay_retry, relay.retry, T_DURATION, 0.1, 3600, "5",              \
	  "time between retries of a failed relay write", .flags = 0)        \
	/* control */                                                        \
	X(cold_tolerance, control.cold_tolerance, T_DOUBLE, 0, 5, "0.3",     \
	  "heat on at or below setpoint minus this (degrees C)", .flags = 0) \
	X(hot_tolerance, control.hot_tolerance, T_DOUBLE, 0, 5, "0.3",       \
	  "heat off at or above setpoint plus this (degrees C)", .flags = 0) \
	X(min_on, control.min_on, T_DURATION, 0, 3600, "120",                \
	  "shortest run of the furnace, except for safety", .flags = 0)      \
	X(min_off, control.min_off, T_DURATION, 0, 3600, "120",              \
	  "shortest rest of the furnace", .flags = 0)                        \
	X(max_on, control.max_on, T_DURATION, 0, 86400, "0",                 \
	  "longest run, then off until min_off has passed; 0: no limit",     \
	  .flags = 0)                                                        \
	X(runaway_time, control.runaway_time, T_DURATION, 0, 86400, "3600",  \
	  "heating this long without a rise: off, and an alarm; 0: never",   \
	  .flags = 0)                                                        \
	X(runaway_rise, control.runaway_rise, T_DOUBLE, 0.1, 5, "0.3",       \
	  "a rise that shows the heating works (degrees C)", .flags = 0)     \
	X(sensor_timeout, control.sensor_timeout, T_DURATION, 1, 86400, "60", \
	  "no valid reading for this long turns the heat off", .flags = 0)   \
	X(setpoint, setpoint, T_DOUBLE, -50, 100, "20",                      \
	  "target temperature until one is saved (degrees C)", .flags = 0)   \
	X(min_setpoint, limits.min, T_DOUBLE, -50, 100, "5",                 \
	  "lowest setpoint accepted (degrees C)", .flags = 0)                \
	X(max_setpoint, limits.max, T_DOUBLE, -50, 100, "30",                \
	  "highest setpoint accepted (degrees C)", .flags = 0)               \
	X(setpoint_step, setpoint_step, T_DOUBLE, 0.01, 5, "0.5",            \
	  "setpoints are rounded to a multiple of this (degrees C)",         \
	  .flags = 0)                                                        \
	/* the weekly program (core/schedule_text.h's syntax; the rules     \
	 * between them and the setpoint range: conf/program.c) */          \
	X(presets, presets, T_STRING, 0, 0,                                  \
	  "comfort 21, eco 18, sleep 17, away 12",                           \
	  "the presets: NAME TEMP, ... (degrees C; up to 8)", .flags = 0)    \
	SCHEDULE_KEY(monday, 0)                                              \
	SCHEDULE_KEY(tuesday, 1)                                             \
	SCHEDULE_KEY(wednesday, 2)                                           \
	SCHEDULE_KEY(thursday, 3)                                            \
	SCHEDULE_KEY(friday, 4)                                              \
	SCHEDULE_KEY(saturday, 5)                                            \
	SCHEDULE_KEY(sunday, 6)                                              \
	X(units, units, T_ENUM, 0, 0, "C",                                   \
	  "how temperatures are shown: C or F (the file is in C)",           \
	  .names = units_names)                                              \
	/* state and logging */                                              \
	X(state_file, state_file, T_STRING, 0, 0, THERMO_DEFAULT_STATE,      \
	  "where setpoint and mode are saved", .flags = K_PATH)              \
	X(log_level, log_level, T_ENUM, 0, 0, "info",                        \
	  "the least severe messages logged", .names = log_level_names)      \
	/* web */                                                            \
	X(listen, listen, T_STRING, 0, 0, "127.0.0.1:8080",                  \
	  "address of the web server: IPV4:PORT or [IPV6]:PORT",             \
	  .check = check_listen)                                             \
	X(server_names, server_names, T_STRING, 0, 0, "",                    \
	  "host names and addresses of the server besides loopback ones",    \
	  .flags = K_EMPTY_OK, .check = check_server_names)                  \
	X(num_threads, num_threads, T_INT, 1, 1024, "128",                   \
	  "web server threads: one for each open connection", .flags = 0)    \
	X(request_timeout_ms, request_timeout_ms, T_INT, 100, 3600000,       \
	  "5000", "time for a request's headers, in milliseconds",           \
	  .flags = 0)                                                        \
	X(body_timeout_ms, body_timeout_ms, T_INT, 100, 3600000, "5000",     \
	  "time for a request's body, in milliseconds", .flags = 0)          \
	X(keep_alive_timeout_ms, keep_alive_timeout_ms, T_INT, 0, 3600000,   \
	  "2000", "idle connection kept for the next request (ms); 0: none", \
	  .flags = 0)                                                        \
	X(keep_alive_max_requests, keep_alive_max_requests, T_INT, 1,        \
	  1000000, "100", "requests on one connection, then it is closed",   \
	  .flags = 0)                                                        \
	X(max_connections_per_client, max_connections_per_client, T_INT, 0,  \
	  1024, "12", "open connections from one address; 0: no limit",     \
	  .flags = 0)                                                        \
	X(access_control_list, access_control_list, T_STRING, 0, 0, "",      \
	  "clients allowed, e.g. -0.0.0.0/0,+192.168.1.0/24; empty: all",    \
	  .flags = K_EMPTY_OK, .check = check_acl)                           \
	X(password_file, password_file, T_STRING, 0, 0, "",                  \
	  "htdigest file: when set, changes need a login",                   \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(auth_realm, auth_realm, T_STRING, 0, 0, "thermostat",              \
	  "digest authentication realm, as in the htdigest file",            \
	  .check = check_realm)                                              \
	X(auth_nonce_lifetime, auth_nonce_lifetime, T_DURATION, 1, 3600,     \
	  "300", "how long a login challenge (digest nonce) may be used",    \
	  .flags = 0)                                                        \
	X(auth_max_failures, auth_max_failures, T_INT, 1, 1000000, "5",      \
	  "failed logins from one address that make it wait (429)",          \
	  .flags = 0)                                                        \
	X(auth_failure_window, auth_failure_window, T_DURATION, 1, 86400,    \
	  "60", "the time auth_max_failures are counted in, and the wait",   \
	  .flags = 0)                                                        \
	X(auth_reads, auth_reads, T_BOOL, 0, 0, "no",                        \
	  "reads need a login too (needs password_file)", .flags = 0)        \
	X(compat_routes, compat_routes, T_BOOL, 0, 0, "yes",                 \
	  "serve the original thermostat's routes for its clients",          \
	  .flags = 0)                                                        \
	X(history_minutes, history_minutes, T_INT, 1, 10080, "1440",         \
	  "minutes of temperature history kept", .flags = 0)                 \
	X(history_interval, history_interval, T_INT, 1, 3600, "60",          \
	  "seconds between two history points", .flags = 0)                  \
	/* MQTT and Home Assistant discovery (mqtt/mqtt.h)               \
	 * (mqtt_* keys: in every build, so one file serves all; mqtt = yes \
	 * needs a build with libmosquitto: validate.c) */                  \
	X(mqtt, mqtt.enabled, T_BOOL, 0, 0, "no",                            \
	  "connect to an MQTT broker (Home Assistant discovery)",            \
	  .flags = 0)                                                        \
	X(mqtt_host, mqtt.host, T_STRING, 0, 0, "localhost",                 \
	  "the broker's host name or address", .check = check_mqtt_host)   \
	X(mqtt_port, mqtt.port, T_INT, 1, 65535, "1883",                     \
	  "the broker's port (8883 is usual with TLS)", .flags = 0)          \
	X(mqtt_node_id, mqtt.node_id, T_STRING, 0, 0, "",                    \
	  "this thermostat on the broker: A-Z a-z 0-9 _ -; empty: host name", \
	  .flags = K_EMPTY_OK, .check = check_mqtt_node_id)                  \
	X(mqtt_topic_prefix, mqtt.topic_prefix, T_STRING, 0, 0,              \
	  "thermostat", "topics are PREFIX/NODE_ID/...",                    \
	  .check = check_mqtt_prefix)                                        \
	X(mqtt_discovery_prefix, mqtt.discovery_prefix, T_STRING, 0, 0,      \
	  "homeassistant", "Home Assistant's discovery prefix",              \
	  .check = check_mqtt_prefix)                                        \
	X(mqtt_username, mqtt.username, T_STRING, 0, 0, "",                  \
	  "user name on the broker; empty: anonymous", .flags = K_EMPTY_OK)  \
	X(mqtt_password_file, mqtt.password_file, T_STRING, 0, 0, "",        \
	  "file whose first line is the broker password (never logged)",    \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(mqtt_ca_file, mqtt.ca_file, T_STRING, 0, 0, "",                    \
	  "CA certificates (PEM): when set, TLS to the broker",              \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(mqtt_cert_file, mqtt.cert_file, T_STRING, 0, 0, "",                \
	  "client certificate (PEM) for TLS, with mqtt_key_file",            \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(mqtt_key_file, mqtt.key_file, T_STRING, 0, 0, "",                  \
	  "the client certificate's private key (PEM)",                      \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(mqtt_keepalive, mqtt.keepalive, T_INT, 5, 3600, "30",              \
	  "seconds between keep-alive pings to the broker", .flags = 0)     \
	X(mqtt_reconnect_max, mqtt.reconnect_max, T_DURATION, 1, 3600, "30",  \
	  "longest wait between connection attempts (from 1 s, doubling)",   \
	  .flags = 0)                                                        \
	/* the simulated house (sensor = sim): a demo that moves visibly     \
	 * within minutes */                                                 \
	X(sim_outside, sensor.sim.outside_c, T_DOUBLE, -50, 50, "5",         \
	  "sim: outside temperature (degrees C)", .flags = 0)                \
	X(sim_start, sensor.sim.start_c, T_DOUBLE, -50, 50, "17",            \
	  "sim: indoor temperature at the start (degrees C)", .flags = 0)    \
	X(sim_gain, sensor.sim.gain_c_per_s, T_DOUBLE, 0, 1, "0.02",         \
	  "sim: warming while heating (degrees C per second)", .flags = 0)   \
	X(sim_loss, sensor.sim.loss_per_s, T_DOUBLE, 0, 0.1, "0.0005",       \
	  "sim: share of the inside-outside difference lost per second",    \
	  .flags = 0)                                                        \
	X(sim_noise, sensor.sim.noise_c, T_DOUBLE, 0, 5, "0.02",             \
	  "sim: thermometer noise (plus or minus degrees C)", .flags = 0)    \
	X(sim_relay_fail_file, relay.sim_fail_file, T_STRING, 0, 0, "",      \
	  "sim relay: writes fail while this file exists (fault tests)",    \
	  .flags = K_EMPTY_OK | K_PATH)

/* KEY_min_on...: indexes into keys[]. */
enum {
#define X(key, ...) KEY_##key,
	CONFIG_KEYS(X)
#undef X
	NKEYS
};

extern const struct key keys[NKEYS];

/* The key named @name, or NULL. */
const struct key *find_key(const char *name);
/* Why @name (a file's key, or an option's name) is not a key: -1. */
int unknown_key(const char *name, bool option, char *why, size_t len);

/*
 * Sets key @k of @c from @text, or leaves @c alone and writes why not.
 * The file, the options and the defaults all come through here.
 */
int set_value(struct thermo_settings *c, const struct key *k,
	      const char *text, char *why, size_t len);
/* The value of key @k in @c, in the file's syntax. */
void format_value(const struct thermo_settings *c, const struct key *k,
		  char *buf, size_t len);
/* The canonical names joined, "a, b or c" or "a|b|c". */
const char *join_names(const struct name_value *names, const char *sep,
		       const char *last, char *buf, size_t len);

/* Text from the input, fit for a message: at most 32 characters, anything
 * but printable ASCII as '?'. */
const char *quote(const char *s, char *buf, size_t len);
/* --min-on for min_on. */
const char *option_name(const char *key, char *buf, size_t len);

/* Where each key got its value, for messages about pairs of keys: 0 the
 * default, a line of the file, or from an option (which wins). */
#define ORIGIN_OPTION INT_MAX

/* The file at @path into @c (on success only); -ENOENT (with @err) when
 * it does not exist, -1 on other errors.  @origin, if not NULL, gets the
 * line of each key set (NKEYS entries). */
int load_file(struct thermo_settings *c, const char *path, int *origin,
	      char *err, size_t len);

/* The presets and schedule of @c (conf_program()); on an error *@key is
 * the key at fault and @why says why. */
int program_of(const struct thermo_settings *c, struct sched_presets *ps,
	       struct schedule *s, int *key, char *why, size_t len);

/* Rules between keys; @origin (NULL: unknown) and @file say where each
 * key was set, so that the message names the one set last. */
int validate(const struct thermo_settings *c, const int *origin,
	     const char *file, char *err, size_t len);

#endif
