/* SPDX-License-Identifier: MIT */
/*
 * The configuration: defaults, every kind of value, the INI file and its
 * errors (each naming the file, the line and the key), rules between keys,
 * the command line, --print-config's round trip, and the documentation
 * (thermostat.conf and thermostat.conf(5) list every key).
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sharedstate.h>

#include "conf/conf.h"
#include "io/statefile.h"

#include "runner.h"

/* The runner (runner.c) makes a root directory and removes it, with
 * whatever a failed test (which skips its cleanup) left in it; tests work
 * in directories inside. */
static const char *tmpdir;

static void make_tmpdir(void)
{
	tmpdir = test_tmpdir_make();
}

static void remove_tmpdir(void)
{
	test_tmpdir_remove();
}

/* Writes @n bytes to <tmpdir>/@name; returns the path (static). */
static const char *write_file(const char *name, const void *data, size_t n)
{
	return test_write_file(tmpdir, name, data, n);
}

static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

static char *read_all(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&buf, &len);
	int ch;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	while ((ch = fgetc(f)) != EOF)
		fputc(ch, m);
	fclose(f);
	fclose(m);
	return buf;
}

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	ck_assert_msg(s != NULL, "top_srcdir is not set (run through make "
		      "check)");
	return s;
}

static const char *builddir(void)
{
	const char *s = getenv("top_builddir");

	ck_assert_msg(s != NULL, "top_builddir is not set (run through make "
		      "check)");
	return s;
}

static char *print_config(const struct thermo_settings *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	config_print(m, c);
	fclose(m);
	return buf;
}

static int count_keys(void)
{
	int n = 0;

	while (config_key_names[n])
		n++;
	return n;
}

/* The error of setting @key to @value; asserts there is one and that
 * nothing changed. */
static const char *set_error(const char *key, const char *value)
{
	static char err[512];
	struct thermo_settings c, before;

	config_defaults(&c);
	before = c;
	err[0] = '\0';
	ck_assert_msg(config_set_key(&c, key, value, err, sizeof(err)) == -1,
		      "%s = '%s' was accepted", key, value);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0,
		      "%s = '%s' changed the configuration", key, value);
	ck_assert_msg(err[0] != '\0', "%s = '%s': no message", key, value);
	return err;
}

static void set_ok(struct thermo_settings *c, const char *key,
		   const char *value)
{
	char err[512];

	ck_assert_msg(config_set_key(c, key, value, err, sizeof(err)) == 0,
		      "%s = '%s': %s", key, value, err);
}

/* The error of parsing @text as a file; asserts nothing changed. */
static const char *parse_error(const char *text)
{
	static char err[512];
	struct thermo_settings c, before;

	config_defaults(&c);
	c.setpoint = 22;	/* not a default: a reset would show */
	before = c;
	err[0] = '\0';
	ck_assert_msg(config_parse_string(&c, text, "t.conf", err,
					  sizeof(err)) == -1,
		      "accepted: %s", text);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0,
		      "a refused file changed the configuration: %s", text);
	return err;
}

#define assert_has(s, needle)                                                \
	ck_assert_msg(strstr((s), (needle)) != NULL, "\"%s\" lacks \"%s\"",  \
		      (s), (needle))

/* ---- defaults ------------------------------------------------------- */

START_TEST(defaults_are_the_documented_ones)
{
	struct thermo_settings c;

	config_defaults(&c);
	ck_assert_int_eq(c.sensor.kind, SENSOR_W1);
	ck_assert_str_eq(c.sensor.sysfs_root, "/sys");
	ck_assert_str_eq(c.sensor.w1_device, "");
	ck_assert_str_eq(c.sensor.file, "");
	ck_assert(c.sensor.interval == 5);
	ck_assert_int_eq(c.relay.kind, RELAY_GPIOD);
	ck_assert_str_eq(c.relay.gpio_chip, "gpiochip0");
	ck_assert_uint_eq(c.relay.gpio_line, 17);
	ck_assert(!c.relay.active_low);
	ck_assert(c.relay.retry == 5);
	ck_assert(c.control.cold_tolerance == 0.3);
	ck_assert(c.control.hot_tolerance == 0.3);
	ck_assert(c.control.min_on == 120);
	ck_assert(c.control.min_off == 120);
	ck_assert(c.control.max_on == 0);
	ck_assert(c.control.runaway_time == 3600);
	ck_assert(c.control.runaway_rise == 0.3);
	ck_assert(c.control.sensor_timeout == 60);
	ck_assert(c.setpoint == 20);
	ck_assert(c.limits.min == 5);
	ck_assert(c.limits.max == 30);
	ck_assert_int_eq(c.units, 'C');
	ck_assert_str_eq(c.state_file, THERMO_LOCALSTATEDIR "/lib/thermostat/state");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(c.listen, "127.0.0.1:8080");
	ck_assert_int_eq(c.num_threads, 128);
	ck_assert_int_eq(c.request_timeout_ms, 5000);
	ck_assert_int_eq(c.body_timeout_ms, 5000);
	ck_assert_int_eq(c.keep_alive_timeout_ms, 2000);
	ck_assert_int_eq(c.keep_alive_max_requests, 100);
	ck_assert_int_eq(c.max_connections_per_client, 12);
	ck_assert_str_eq(c.access_control_list, "");
	ck_assert_str_eq(c.password_file, "");
	ck_assert_str_eq(c.auth_realm, "thermostat");
	ck_assert(c.auth_nonce_lifetime == 300);
	ck_assert_int_eq(c.auth_max_failures, 5);
	ck_assert(c.auth_failure_window == 60);
	ck_assert(!c.auth_reads);
	ck_assert(c.compat_routes);
	ck_assert_int_eq(c.history_minutes, 1440);
	ck_assert_int_eq(c.history_interval, 60);
	/* The demo house: moves visibly within minutes. */
	ck_assert_double_eq(c.sensor.sim.outside_c, 5);
	ck_assert_double_eq(c.sensor.sim.start_c, 17);
	ck_assert_double_eq(c.sensor.sim.gain_c_per_s, 0.02);
	ck_assert_double_eq(c.sensor.sim.loss_per_s, 0.0005);
	ck_assert_double_eq(c.sensor.sim.noise_c, 0.02);
	ck_assert_str_eq(c.relay.sim_fail_file, "");
}
END_TEST

START_TEST(defaults_are_valid)
{
	struct thermo_settings c;
	char err[512] = "";

	config_defaults(&c);
	ck_assert_msg(config_validate(&c, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(key_names_are_the_printed_keys)
{
	struct thermo_settings c;
	char *out, *line, *save = NULL;
	int n = 0;

	config_defaults(&c);
	out = print_config(&c);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t klen = strcspn(line, " ");

		if (line[0] == '#')
			continue;
		ck_assert_ptr_nonnull(config_key_names[n]);
		ck_assert_msg(strlen(config_key_names[n]) == klen &&
			      strncmp(line, config_key_names[n], klen) == 0,
			      "line \"%s\", key %s", line,
			      config_key_names[n]);
		n++;
	}
	ck_assert_int_eq(n, count_keys());
	ck_assert_int_ge(n, 37);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			ck_assert_str_ne(config_key_names[i],
					 config_key_names[j]);
	free(out);
}
END_TEST

/* ---- values --------------------------------------------------------- */

START_TEST(numbers_and_durations)
{
	struct thermo_settings c;

	config_defaults(&c);
	set_ok(&c, "setpoint", "21.5");
	ck_assert(c.setpoint == 21.5);
	set_ok(&c, "setpoint", "+2e1");
	ck_assert(c.setpoint == 20);
	set_ok(&c, "min_setpoint", "-50");
	ck_assert(c.limits.min == -50);
	set_ok(&c, "min_on", "90s");
	ck_assert(c.control.min_on == 90);
	set_ok(&c, "min_on", "2m");
	ck_assert(c.control.min_on == 120);
	set_ok(&c, "max_on", "1.5h");
	ck_assert(c.control.max_on == 5400);
	set_ok(&c, "runaway_time", "0");
	ck_assert(c.control.runaway_time == 0);
	set_ok(&c, "runaway_time", "24h");
	ck_assert(c.control.runaway_time == 86400);
	set_ok(&c, "runaway_rise", "0.1");
	ck_assert(c.control.runaway_rise == 0.1);
	set_ok(&c, "sensor_interval", "0.1");
	ck_assert(c.sensor.interval == 0.1);
	set_ok(&c, "gpio_line", "0");
	ck_assert_uint_eq(c.relay.gpio_line, 0);
	set_ok(&c, "gpio_line", "65535");
	ck_assert_uint_eq(c.relay.gpio_line, 65535);
	set_ok(&c, "num_threads", "+1");
	ck_assert_int_eq(c.num_threads, 1);
	set_ok(&c, "sim_loss", "1e-5");
	ck_assert(c.sensor.sim.loss_per_s == 1e-5);
	set_ok(&c, "cold_tolerance", "-0");
	ck_assert(c.control.cold_tolerance == 0 &&
		  !signbit(c.control.cold_tolerance));
}
END_TEST

START_TEST(bad_numbers_change_nothing)
{
	static const char *const bad[] = {
		"", "abc", "1x", "nan", "NaN", "inf", "-inf", "infinity",
		"1e999", "-1e999", "0x10", " 1", "1 ", "1.", ".5", "1e",
		"1e+", "1,5", "--1", "+-1", "1..2", "1e5", "-51",
		"20 # comment", "2d", "5mm", "5 m",
		"99999999999999999999999999999999999999999999999999999999",
	};
	static const char *const keys[] = { "setpoint", "min_on",
					    "num_threads", "gpio_line" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			set_error(keys[k], bad[i]);
	assert_has(set_error("setpoint", "101"),
		   "setpoint: 101 is out of range (-50..100)");
	assert_has(set_error("setpoint", "nan"),
		   "setpoint: 'nan' is not a decimal number");
	assert_has(set_error("min_on", "1.01h"),
		   "out of range (0..3600 seconds)");
	assert_has(set_error("min_on", "2d"), "not a duration");
	assert_has(set_error("num_threads", "1.5"), "not a whole number");
	assert_has(set_error("num_threads", "0"), "out of range (1..1024)");
	assert_has(set_error("body_timeout_ms", "99"), "out of range");
	assert_has(set_error("keep_alive_timeout_ms", "-1"), "out of range");
	assert_has(set_error("keep_alive_max_requests", "0"),
		   "out of range (1..1000000)");
	assert_has(set_error("max_connections_per_client", "-1"),
		   "out of range (0..1024)");
	assert_has(set_error("max_connections_per_client", "1025"),
		   "out of range (0..1024)");
	assert_has(set_error("gpio_line", "-1"), "out of range (0..65535)");
	assert_has(set_error("gpio_line", "4294967313"), "out of range");
	assert_has(set_error("cold_tolerance", "5.01"), "out of range (0..5)");
	assert_has(set_error("min_off", "3601"), "out of range");
	assert_has(set_error("runaway_time", "24.1h"), "out of range");
	/* No rise at all would count a stuck sensor as progress. */
	assert_has(set_error("runaway_rise", "0"), "out of range (0.1..5)");
	assert_has(set_error("runaway_rise", "5.5"), "out of range");
	assert_has(set_error("setpoint", ""), "setpoint: empty value");
}
END_TEST

START_TEST(booleans_and_names)
{
	static const struct { const char *text; bool value; } bools[] = {
		{ "yes", true }, { "no", false }, { "true", true },
		{ "false", false }, { "on", true }, { "off", false },
		{ "1", true }, { "0", false }, { "YES", true },
		{ "False", false },
	};
	struct thermo_settings c;

	config_defaults(&c);
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		c.relay.active_low = !bools[i].value;
		set_ok(&c, "active_low", bools[i].text);
		ck_assert_msg(c.relay.active_low == bools[i].value, "%s",
			      bools[i].text);
	}
	assert_has(set_error("active_low", "y"), "'y' is not yes or no");
	set_error("active_low", "2");
	set_error("active_low", "yess");
	set_error("active_low", "");

	set_ok(&c, "sensor", "sysfs");
	ck_assert_int_eq(c.sensor.kind, SENSOR_SYSFS);
	set_ok(&c, "sensor", "SIM");
	ck_assert_int_eq(c.sensor.kind, SENSOR_SIM);
	set_ok(&c, "relay", "sim");
	ck_assert_int_eq(c.relay.kind, RELAY_SIM);
	assert_has(set_error("sensor", "ds18b20"),
		   "'ds18b20' is not w1, sysfs or sim");
	set_ok(&c, "units", "f");
	ck_assert_int_eq(c.units, 'F');
	set_error("units", "K");
	set_error("units", "celsius");
	for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++) {
		set_ok(&c, "log_level", log_level_name((enum log_level)l));
		ck_assert_int_eq(c.log_level, l);
	}
	set_ok(&c, "log_level", "warn");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_WARNING);
	assert_has(set_error("log_level", "verbose"),
		   "not error, warning, info or debug");
}
END_TEST

START_TEST(strings)
{
	struct thermo_settings c;
	char long_value[300];
	size_t max = 198 - strlen("state_file = ");

	config_defaults(&c);
	memset(long_value, 'a', sizeof(long_value));
	long_value[0] = '/';
	long_value[max] = '\0';
	set_ok(&c, "state_file", long_value);
	ck_assert_uint_eq(strlen(c.state_file), max);
	long_value[max] = 'a';
	long_value[max + 1] = '\0';
	assert_has(set_error("state_file", long_value), "too long");
	memset(long_value + 1, 'a', sizeof(long_value) - 2);
	long_value[sizeof(long_value) - 1] = '\0';	/* beyond the buffer */
	set_error("state_file", long_value);
	assert_has(set_error("state_file", ""), "empty value");
	assert_has(set_error("gpio_chip", ""), "empty value");
	assert_has(set_error("sysfs_root", "/sys\n"), "control character");
	set_error("sysfs_root", "/s\tys");
	set_error("sysfs_root", "/s\x1bys");
	assert_has(set_error("sysfs_root", " /sys"), "blanks");
	set_error("sysfs_root", "/sys ");
	assert_has(set_error("gpio_chip", "a;b"), "';'");
	/* Empty means "none" for these. */
	set_ok(&c, "w1_device", "28-000001");
	set_ok(&c, "w1_device", "");
	ck_assert_str_eq(c.sensor.w1_device, "");
	set_ok(&c, "password_file", "");
	set_ok(&c, "sensor_file", "/sys/class/thermal/thermal_zone0/temp");
	assert_has(set_error("w1_device", "../28-1"), "not a path");
	set_error("w1_device", "..");
	set_ok(&c, "auth_realm", "living room");
	assert_has(set_error("auth_realm", "a:b"), "realm");
	set_error("auth_realm", "a\"b");
	set_error("auth_realm", "");
	/* Bytes beyond ASCII are a file name's business. */
	set_ok(&c, "state_file", "/var/lib/thermostat/\xc3\xa9t\xc3\xa9");
}
END_TEST

START_TEST(listen_addresses)
{
	static const char *const good[] = {
		"127.0.0.1:0", "0.0.0.0:65535", "192.168.1.2:80", "[::1]:8080",
		"[::]:80", "[fe80::1]:443",
	};
	static const char *const bad[] = {
		"localhost:8080", "127.0.0.1", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:", ":8080", "[::1:8080",
		"[::1]", "::1:8080", "1.2.3:80", "127.0.0.1:80x",
		"127.0.0.1:8080 ", "8080", "256.0.0.1:80", "[]:80",
		"127.0.0.1:0000080",
	};
	struct thermo_settings c;

	config_defaults(&c);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		set_ok(&c, "listen", good[i]);
		ck_assert_str_eq(c.listen, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		set_error("listen", bad[i]);
	assert_has(set_error("listen", "0.0.0.0:443s"), "TLS reverse proxy");
	assert_has(set_error("listen", "localhost:80"), "not an IPv4 address");
}
END_TEST

START_TEST(server_names)
{
	static const char *const good[] = {
		"", "thermostat.lan", "thermostat.lan, pi.local",
		"a.b.c 192.168.1.20", "fe80::1,2001:db8::7", "PI.LOCAL.",
		"x-1.example", "spaced ,  out",
	};
	static const char *const bad[] = {
		"evil_.example", "-x.example", "x-.example", "a..b",
		"[::1]", "pi.local:8080", "http://pi.local", "a/b",
		"thermostat.lan;", ".",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x",
	};
	struct thermo_settings c;

	config_defaults(&c);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		set_ok(&c, "server_names", good[i]);
		ck_assert_str_eq(c.server_names, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		set_error("server_names", bad[i]);
	assert_has(set_error("server_names", "pi.local:8080"),
		   "not a host name or an address");
}
END_TEST

START_TEST(access_control_lists)
{
	static const char *const good[] = {
		"", "-0.0.0.0/0,+192.168.1.0/24", "+10.0.0.1", "-1.2.3.4/32",
		"+127.0.0.1,-10.0.0.0/8,+10.1.2.3",
	};
	static const char *const bad[] = {
		"0.0.0.0/0", "+1.2.3.4/33", "+1.2.3", "+1.2.3.4,",
		"+1.2.3.4,,-1.2.3.4", "+::1", "+1.2.3.4/", "+1.2.3.4/a",
		"+1.2.3.4/008", "+192.168/16", "+1.2.3.4, -5.6.7.8", "+",
	};
	struct thermo_settings c;

	config_defaults(&c);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		set_ok(&c, "access_control_list", good[i]);
		ck_assert_str_eq(c.access_control_list, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		set_error("access_control_list", bad[i]);
}
END_TEST

START_TEST(mqtt_values)
{
	static const char *const bad_ids[] = {
		"zone 1", "zone/1", "zone+", "zone#", "a.b", "z\xc3\xa9",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad_prefixes[] = {
		"", "/thermostat", "thermostat/", "a//b", "home/+", "home/#",
		"my home", "h\xc3\xa9",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad_hosts[] = {
		"", "broker lan", "[::1]", "broker:1883", "mqtt://broker",
	};
	struct thermo_settings c;

	config_defaults(&c);
	ck_assert(!c.mqtt.enabled);
	ck_assert_str_eq(c.mqtt.discovery_prefix, "homeassistant");
	ck_assert_str_eq(c.mqtt.topic_prefix, "thermostat");
	ck_assert_int_eq(c.mqtt.port, 1883);
	set_ok(&c, "mqtt_node_id", "Living_room-2");
	set_ok(&c, "mqtt_node_id", "");
	set_ok(&c, "mqtt_topic_prefix", "home/heating/zones");
	set_ok(&c, "mqtt_host", "192.168.1.5");
	set_ok(&c, "mqtt_host", "::1");
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
		set_error("mqtt_node_id", bad_ids[i]);
	for (size_t i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]);
	     i++) {
		set_error("mqtt_topic_prefix", bad_prefixes[i]);
		set_error("mqtt_discovery_prefix", bad_prefixes[i]);
	}
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++)
		set_error("mqtt_host", bad_hosts[i]);
	set_error("mqtt_port", "0");
	set_error("mqtt_port", "65536");
	set_error("mqtt_keepalive", "4");
	set_error("mqtt_reconnect_max", "0.5");
	assert_has(set_error("mqtt_node_id", "a.b"), "Home Assistant");
	assert_has(set_error("mqtt_topic_prefix", "a/#"), "'#'");
}
END_TEST

START_TEST(tls_keys_are_refused_with_advice)
{
	static const char *const tls[] = {
		"ssl_certificate", "ssl_certificate_chain",
		"ssl_protocol_version", "ssl_cipher_list", "ssl_verify_peer",
		"ssl_ca_file", "tls", "tls_certificate", "https_port",
		"certificate",
	};

	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		const char *err = set_error(tls[i], "/etc/ssl/x.pem");

		assert_has(err, tls[i]);
		assert_has(err, "TLS is not supported");
		assert_has(err, "reverse proxy");
	}
	assert_has(parse_error("ssl_certificate = /etc/x.pem\n"),
		   "t.conf:1: ssl_certificate: TLS is not supported");
	assert_has(set_error("bogus", "1"), "bogus: unknown key");
	assert_has(set_error("min-on", "1"), "did you mean min_on?");
}
END_TEST

/* ---- the file ------------------------------------------------------- */

START_TEST(fixture_loads)
{
	char path[512], err[512] = "";
	struct thermo_settings c;

	snprintf(path, sizeof(path), "%s/tests/thermostat/config-fixtures/"
		 "pi.conf", srcdir());
	config_defaults(&c);
	ck_assert_msg(config_load_file(&c, path, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_msg(config_validate(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(c.sensor.kind, SENSOR_W1);
	ck_assert_str_eq(c.sensor.w1_device, "28-00000a1b2c3d");
	ck_assert(c.sensor.interval == 10);
	ck_assert_str_eq(c.relay.gpio_chip, "/dev/gpiochip0");
	ck_assert(c.relay.active_low);
	ck_assert(c.control.cold_tolerance == 0.5);
	ck_assert(c.control.hot_tolerance == 0.25);
	ck_assert(c.control.min_on == 180);
	ck_assert(c.control.min_off == 300);
	ck_assert(c.control.max_on == 7200);
	ck_assert(c.control.sensor_timeout == 90);
	ck_assert(c.setpoint == 19.5);
	ck_assert_int_eq(c.units, 'F');
	ck_assert_int_eq(c.log_level, LOG_LEVEL_WARNING);
	ck_assert_str_eq(c.listen, "0.0.0.0:8080");
	ck_assert_str_eq(c.access_control_list,
			 "-0.0.0.0/0,+192.168.1.0/24,+127.0.0.1");
	ck_assert_str_eq(c.auth_realm, "living room");
	ck_assert(c.auth_reads);
	ck_assert(!c.compat_routes);
	ck_assert_int_eq(c.history_minutes, 720);
	ck_assert_int_eq(c.history_interval, 30);
}
END_TEST

START_TEST(syntax_accepted)
{
	static const char *const texts[] = {
		"",
		"\n\n\n",
		"# comment\n; comment\n",
		"min_on = 60",				/* no final newline */
		"min_on=60\n",
		"min_on = 60 ; inline comment\n",
		"   min_on = 60\n",			/* indented */
		"\tmin_on = 60\t\n",
		"min_on = 60\r\nmin_off = 60\r\n",	/* CRLF */
		"\xef\xbb\xbfmin_on = 60\n",		/* BOM */
		"max_on = 0\n  min_on = 60\n",	/* not a continuation */
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct thermo_settings c;
		char err[512] = "";

		config_defaults(&c);
		ck_assert_msg(config_parse_string(&c, texts[i], "t.conf", err,
						  sizeof(err)) == 0,
			      "%zu: %s", i, err);
		ck_assert_msg(strstr(texts[i], "min_on") == NULL ||
			      c.control.min_on == 60, "%zu", i);
		ck_assert(c.control.max_on == 0);
	}
}
END_TEST

START_TEST(syntax_refused)
{
	static const struct { const char *text, *needle; } cases[] = {
		{ "bogus = 1\n", "t.conf:1: bogus: unknown key" },
		{ "min_on = 1\nmin_on = 2\n",
		  "t.conf:2: min_on: duplicate key (first on line 1)" },
		{ "min_on = 1\n\n# c\nmin_on = 1\n",
		  "t.conf:4: min_on: duplicate key (first on line 1)" },
		{ "[thermostat]\nmin_on = 1\n",
		  "t.conf:1: sections are not supported" },
		{ "min_on = 1\n  [web]\n", "t.conf:2: sections" },
		{ "[x\n", "t.conf:1: sections" },
		{ "min_on: 5\n", "t.conf:1: expected KEY = VALUE" },
		{ "min_on\n", "t.conf:1: expected KEY = VALUE" },
		{ "= 5\n", "t.conf:1: expected KEY = VALUE" },
		{ "min_on ; c = 5\n", "t.conf:1: expected KEY = VALUE" },
		{ "min_on =\n", "t.conf:1: min_on: empty value" },
		{ "min_on = ; comment\n", "t.conf:1: min_on: empty value" },
		{ "\n\nmin_on = abc\n", "t.conf:3: min_on: 'abc' is not" },
		{ "setpoint = nan\n", "t.conf:1: setpoint: 'nan' is not" },
		{ "setpoint = inf\n", "t.conf:1: setpoint:" },
		{ "setpoint = 1e400\n",
		  "t.conf:1: setpoint: 1e400 is too large" },
		{ "setpoint = 20 junk\n", "t.conf:1: setpoint: '20 junk'" },
		{ "setpoint = 20 # c\n", "t.conf:1: setpoint:" },
		{ "setpoint = 200\n",
		  "t.conf:1: setpoint: 200 is out of range" },
		{ "min-on = 5\n", "t.conf:1: min-on: unknown key (did you mean "
				  "min_on?)" },
		{ "MIN_ON = 5\n", "t.conf:1: MIN_ON: unknown key" },
		{ "\x01\x02\xff\n", "t.conf:1: expected KEY = VALUE" },
		{ "\x1b[31m = 1\n", "t.conf:1: ?[31m: unknown key" },
		{ "gpio_chip = a;b\n", "t.conf:1: gpio_chip: ';'" },
		{ "min_on = 1\nmin_off = 2\nbogus = 3\n", "t.conf:3: bogus" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_has(parse_error(cases[i].text), cases[i].needle);
}
END_TEST

START_TEST(long_lines_are_refused_not_split)
{
	char text[400];
	int n;

	/* 198 characters: fits. */
	n = snprintf(text, sizeof(text), "# %0196d\nmin_on = 1\n", 0);
	ck_assert_int_eq(strchr(text, '\n') - text, 198);
	{
		struct thermo_settings c;
		char err[512] = "";

		config_defaults(&c);
		ck_assert_msg(config_parse_string(&c, text, "t.conf", err,
						  sizeof(err)) == 0, "%s", err);
	}
	n = snprintf(text, sizeof(text), "# %0197d\nmin_on = 1\n", 0);
	ck_assert_int_gt(n, 0);
	assert_has(parse_error(text),
		   "t.conf:1: line too long (at most 198 characters)");
	/* A long value: refused, not truncated to what fits. */
	snprintf(text, sizeof(text), "min_on = 1\nstate_file = /%0250d\n", 0);
	assert_has(parse_error(text), "t.conf:2: line too long");
}
END_TEST

START_TEST(refused_file_changes_nothing)
{
	/* Good lines before the bad one are not applied. */
	assert_has(parse_error("setpoint = 25\nmin_on = 10\nmax_on = x\n"),
		   "t.conf:3: max_on");
}
END_TEST

START_TEST(nul_bytes_and_huge_files)
{
	static const char nul[] = "min_on = 1\nmin_off\0 = 2\nmax_on = 3\n";
	struct thermo_settings c, before;
	char err[512] = "", *big;
	const char *path;

	make_tmpdir();
	config_defaults(&c);
	before = c;
	path = write_file("nul.conf", nul, sizeof(nul) - 1);
	ck_assert_int_eq(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_has(err, "nul.conf:2: NUL byte");
	ck_assert(memcmp(&c, &before, sizeof(c)) == 0);

	/* A file of comments larger than any configuration. */
	big = malloc(70000);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', 70000);
	for (int i = 100; i < 70000; i += 100)
		big[i] = '\n';
	path = write_file("big.conf", big, 70000);
	ck_assert_int_eq(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_has(err, "big.conf: too large");
	free(big);

	ck_assert_int_eq(config_load_file(&c, tmpdir, err, sizeof(err)), -1);
	assert_has(err, "Is a directory");
	snprintf(err, sizeof(err), "x");
	path = write_file("empty.conf", "", 0);
	ck_assert_int_eq(config_load_file(&c, path, err, sizeof(err)), 0);
	ck_assert(memcmp(&c, &before, sizeof(c)) == 0);
	remove_tmpdir();
}
END_TEST

/* A configuration with every key away from its default. */
static void unusual_config(struct thermo_settings *c)
{
	static const char *const kv[][2] = {
		{ "sensor", "sysfs" }, { "sysfs_root", "/tmp/sys" },
		{ "w1_device", "28-0000075d7d91" },
		{ "sensor_file", "/sys/class/hwmon/hwmon0/temp1_input" },
		{ "sensor_interval", "0.7" }, { "relay", "sim" },
		{ "gpio_chip", "gpiochip4" }, { "gpio_line", "4" },
		{ "active_low", "on" }, { "relay_retry", "2.5" },
		{ "cold_tolerance", "0.1" }, { "hot_tolerance", "0.35" },
		{ "min_on", "1m" }, { "min_off", "0" }, { "max_on", "3600" },
		{ "runaway_time", "45m" }, { "runaway_rise", "0.5" },
		{ "sensor_timeout", "33.3" }, { "setpoint", "21.1" },
		{ "min_setpoint", "-12.5" }, { "max_setpoint", "99.99999" },
		{ "units", "F" }, { "state_file", "/tmp/x y/state" },
		{ "log_level", "debug" }, { "listen", "[::1]:0" },
		{ "num_threads", "3" }, { "request_timeout_ms", "2500" },
		{ "server_names", "thermostat.lan, pi.local 192.0.2.7" },
		{ "body_timeout_ms", "700" }, { "keep_alive_timeout_ms", "0" },
		{ "keep_alive_max_requests", "1" },
		{ "max_connections_per_client", "0" },
		{ "access_control_list", "-0.0.0.0/0,+127.0.0.1" },
		{ "password_file", "/etc/thermostat/users.htdigest" },
		{ "auth_realm", "my home" }, { "auth_nonce_lifetime", "1.5m" },
		{ "auth_max_failures", "12" }, { "auth_failure_window", "1h" },
		{ "auth_reads", "true" },
		{ "compat_routes", "0" }, { "history_minutes", "10080" },
		{ "history_interval", "7" }, { "sim_outside", "-10.25" },
		{ "sim_start", "0.1" }, { "sim_gain", "0.3333333333333333" },
		{ "sim_loss", "0.00012345678901234" }, { "sim_noise", "0" },
		{ "sim_relay_fail_file", "/run/thermostat/relay.fail" },
		{ "setpoint_step", "0.25" },
		{ "presets", "home 20.5, night 16, out 10.25" },
		{ "schedule_monday", "06:30 home, 22:00 night" },
		{ "schedule_tuesday", "00:00 17.75" },
		{ "schedule_wednesday", "07:00 home, 08:15 out, 17:00 home, "
					"23:59 night" },
		{ "schedule_thursday", "12:00 home" },
		{ "schedule_friday", "06:30 home, 23:00 night" },
		{ "schedule_saturday", "08:00 home, 23:30 night" },
		{ "schedule_sunday", "08:00 home, 22:00 night" },
#ifdef THERMO_HAVE_MQTT
		{ "mqtt", "yes" },
#else
		{ "mqtt", "no" }, /* mqtt = yes needs libmosquitto */
#endif
		{ "mqtt_host", "broker.lan" }, { "mqtt_port", "8883" },
		{ "mqtt_node_id", "Living_room-2" },
		{ "mqtt_topic_prefix", "home/heating" },
		{ "mqtt_discovery_prefix", "ha" }, { "mqtt_username", "pi" },
		{ "mqtt_password_file", "/etc/thermostat/mqtt password" },
		{ "mqtt_ca_file", "/etc/ssl/certs/ca-certificates.crt" },
		{ "mqtt_cert_file", "/etc/thermostat/client.crt" },
		{ "mqtt_key_file", "/etc/thermostat/client.key" },
		{ "mqtt_keepalive", "5" }, { "mqtt_reconnect_max", "2m" },
	};

	config_defaults(c);
	ck_assert_int_eq(sizeof(kv) / sizeof(kv[0]), count_keys());
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		set_ok(c, kv[i][0], kv[i][1]);
}

/* print -> parse -> print gives the same text and the same values. */
static void assert_round_trip(const struct thermo_settings *c)
{
	struct thermo_settings back;
	char *text = print_config(c), *again, err[512] = "";

	config_defaults(&back);
	ck_assert_msg(config_parse_string(&back, text, "printed", err,
					  sizeof(err)) == 0, "%s\n%s", err,
		      text);
	again = print_config(&back);
	ck_assert_str_eq(again, text);
	ck_assert(back.setpoint == c->setpoint);
	ck_assert(back.sensor.sim.gain_c_per_s == c->sensor.sim.gain_c_per_s);
	ck_assert(back.sensor.sim.loss_per_s == c->sensor.sim.loss_per_s);
	ck_assert(back.control.sensor_timeout == c->control.sensor_timeout);
	ck_assert_str_eq(back.state_file, c->state_file);
	free(text);
	free(again);
}

START_TEST(print_config_round_trips)
{
	struct thermo_settings c;
	char err[512] = "";
	uint64_t x = 88172645463325252ULL;

	config_defaults(&c);
	assert_round_trip(&c);
	unusual_config(&c);
	ck_assert_msg(config_validate(&c, err, sizeof(err)) == 0, "%s", err);
	assert_round_trip(&c);
	/* Doubles anywhere in their ranges come back bit for bit. */
	for (int i = 0; i < 2000; i++) {
		char text[64];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		snprintf(text, sizeof(text), "%.17g",
			 -50 + 150 * (double)(x >> 11) / 9007199254740992.0);
		set_ok(&c, "setpoint", text);
		snprintf(text, sizeof(text), "%.17g",
			 0.1 * (double)(x >> 11) / 9007199254740992.0);
		set_ok(&c, "sim_loss", text);
		assert_round_trip(&c);
	}
	/* The longest string there is still fits on a line. */
	memset(c.state_file, 'a', 185);
	c.state_file[0] = '/';
	c.state_file[185] = '\0';
	assert_round_trip(&c);
}
END_TEST

/* ---- rules between keys --------------------------------------------- */

START_TEST(rules_between_keys)
{
	static const struct {
		const char *a, *va, *b, *vb, *needle;
	} cases[] = {
		{ "min_setpoint", "20", "max_setpoint", "20",
		  "min_setpoint (20) must be below max_setpoint (20)" },
		{ "max_setpoint", "4", "setpoint", "4",
		  "must be below max_setpoint" },
		{ "setpoint", "4", NULL, NULL, "below min_setpoint (5)" },
		{ "setpoint", "31", NULL, NULL, "above max_setpoint (30)" },
		{ "max_on", "60", NULL, NULL,
		  "max_on (60 s) must be 0 (no limit) or at least min_on" },
		{ "sensor_timeout", "5", NULL, NULL,
		  "sensor_timeout (5 s) must be longer than sensor_interval" },
		{ "sensor_interval", "60", NULL, NULL,
		  "must be longer than sensor_interval (60 s)" },
		{ "sensor", "sysfs", NULL, NULL,
		  "sensor = sysfs needs sensor_file" },
		{ "auth_reads", "yes", NULL, NULL,
		  "auth_reads needs password_file" },
		{ "history_interval", "3600", "history_minutes", "59",
		  "history_interval (3600 s) is longer than history_minutes" },
		{ "history_interval", "1", "history_minutes", "10080",
		  "more than 100000 points" },
		{ "mqtt_password_file", "/etc/thermostat/mqtt", NULL, NULL,
		  "mqtt_password_file needs mqtt_username" },
		{ "mqtt_cert_file", "/c.pem", "mqtt_ca_file", "/ca.pem",
		  "mqtt_cert_file and mqtt_key_file go together" },
		{ "mqtt_key_file", "/k.pem", "mqtt_ca_file", "/ca.pem",
		  "mqtt_cert_file and mqtt_key_file go together" },
		{ "mqtt_cert_file", "/c.pem", "mqtt_key_file", "/k.pem",
		  "a client certificate needs TLS: set mqtt_ca_file" },
#ifndef THERMO_HAVE_MQTT
		{ "mqtt", "yes", NULL, NULL, "built without MQTT" },
#endif
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct thermo_settings c;
		char err[512] = "";

		config_defaults(&c);
		set_ok(&c, cases[i].a, cases[i].va);
		if (cases[i].b)
			set_ok(&c, cases[i].b, cases[i].vb);
		ck_assert_msg(config_validate(&c, err, sizeof(err)) == -1,
			      "%zu accepted", i);
		assert_has(err, cases[i].needle);
	}
}
END_TEST

/* ---- the command line ----------------------------------------------- */

struct run {
	int ret;
	char err[512];
	char *out;		/* stdout */
	struct thermo_settings c;
	struct cli cli;
};

/* config_load() with the arguments after @first (NULL-terminated),
 * stdout captured. */
static void load(struct run *r, const char *first, ...)
{
	char *argv[32];
	int argc = 0, saved, fd;
	char path[160];
	va_list ap;

	argv[argc++] = (char *)"thermostat";
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, 31);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;

	snprintf(path, sizeof(path), "%s/stdout", tmpdir);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	config_defaults(&r->c);
	r->err[0] = '\0';
	r->ret = config_load(&r->c, &r->cli, argc, argv, r->err,
			     sizeof(r->err));
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	r->out = read_all(path);
}

START_TEST(options_override_the_file)
{
	struct run r;
	const char *path;

	make_tmpdir();
	path = write_text("t.conf", "min_on = 60\nsetpoint = 21\n"
			  "units = F\n");
	load(&r, "--config", path, "--min-on=90", "--units", "C",
	     "--state-file", "/tmp/s", "--log-level=debug",
	     "--listen=127.0.0.1:0", "--active-low", "--compat-routes=no",
	     NULL);
	ck_assert_msg(r.ret == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "");
	ck_assert(r.c.control.min_on == 90);
	ck_assert(r.c.setpoint == 21);
	ck_assert_int_eq(r.c.units, 'C');
	ck_assert_str_eq(r.c.state_file, "/tmp/s");
	ck_assert_int_eq(r.c.log_level, LOG_LEVEL_DEBUG);
	ck_assert_str_eq(r.c.listen, "127.0.0.1:0");
	ck_assert(r.c.relay.active_low);
	ck_assert(!r.c.compat_routes);
	ck_assert_str_eq(r.cli.config_path, path);
	ck_assert(r.cli.config_given);
	ck_assert(!r.cli.print_config && !r.cli.help && !r.cli.version);
	free(r.out);

	/* -c FILE, -cFILE; the last of a repeated option wins. */
	load(&r, "-c", path, "--min-on=1", "--min-on=2", NULL);
	ck_assert_msg(r.ret == 0, "%s", r.err);
	ck_assert(r.c.control.min_on == 2);
	free(r.out);
	{
		char opt[160];

		snprintf(opt, sizeof(opt), "-c%s", path);
		load(&r, opt, "--simulate", NULL);
	}
	ck_assert_msg(r.ret == 0, "%s", r.err);
	ck_assert_int_eq(r.c.sensor.kind, SENSOR_SIM);
	ck_assert_int_eq(r.c.relay.kind, RELAY_SIM);
	ck_assert(r.c.setpoint == 21);
	free(r.out);
	remove_tmpdir();
}
END_TEST

START_TEST(missing_files)
{
	struct run r;
	char missing[192];

	make_tmpdir();
	snprintf(missing, sizeof(missing), "%s/none.conf", tmpdir);
	load(&r, "--config", missing, NULL);
	ck_assert_int_eq(r.ret, -1);
	assert_has(r.err, missing);
	assert_has(r.err, "No such file or directory");
	free(r.out);

	/* The default file may be missing (unless this machine has one). */
	if (access(THERMO_DEFAULT_CONFIG, F_OK) < 0 && errno == ENOENT) {
		struct thermo_settings def;

		load(&r, "--simulate", NULL);
		ck_assert_msg(r.ret == 0, "%s", r.err);
		ck_assert_str_eq(r.cli.config_path, THERMO_DEFAULT_CONFIG);
		ck_assert(!r.cli.config_given);
		config_defaults(&def);
		def.sensor.kind = SENSOR_SIM;
		def.relay.kind = RELAY_SIM;
		ck_assert(memcmp(&r.c, &def, sizeof(def)) == 0);
		free(r.out);
	}
	remove_tmpdir();
}
END_TEST

START_TEST(errors_name_file_line_and_key)
{
	struct run r;
	const char *path;

	make_tmpdir();
	/* The rule is broken by line 3: it is named. */
	path = write_text("t.conf", "setpoint = 21\nmin_on = 10\nmax_on = 5\n");
	load(&r, "--config", path, NULL);
	ck_assert_int_eq(r.ret, -1);
	assert_has(r.err, "t.conf:3: max_on: max_on (5 s) must be 0");
	free(r.out);
	path = write_text("t.conf", "max_on = 5\nmin_on = 10\n");
	load(&r, "--config", path, NULL);
	assert_has(r.err, "t.conf:2: min_on: max_on (5 s)");
	free(r.out);
	/* An option breaking it is named as such. */
	load(&r, "--config", path, "--max-on=6", NULL);
	assert_has(r.err, "--max-on: max_on (6 s)");
	free(r.out);
	load(&r, "--config", path, "--max-on=0", NULL);
	ck_assert_msg(r.ret == 0, "%s", r.err);
	free(r.out);
	/* min > max, one from the file, the other a default. */
	path = write_text("t.conf", "\nmin_setpoint = 30\n");
	load(&r, "--config", path, NULL);
	assert_has(r.err, "t.conf:2: min_setpoint: min_setpoint (30) must "
		   "be below max_setpoint (30)");
	free(r.out);
	path = write_text("t.conf", "sensor = sysfs\n");
	load(&r, "--config", path, NULL);
	assert_has(r.err, "t.conf:1: sensor: sensor = sysfs needs sensor_file");
	free(r.out);
	path = write_text("t.conf", "# x\nbogus = 1\n");
	load(&r, "--config", path, NULL);
	assert_has(r.err, "t.conf:2: bogus: unknown key");
	free(r.out);
	remove_tmpdir();
}
END_TEST

static void load_fails(const char *needle, const char *first, ...)
{
	char *argv[8];
	int argc = 0;
	struct thermo_settings c;
	struct cli cli;
	char err[512] = "";
	va_list ap;

	argv[argc++] = (char *)"thermostat";
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	ck_assert_int_eq(config_load(&c, &cli, argc, argv, err, sizeof(err)),
			 -1);
	assert_has(err, needle);
}

START_TEST(bad_command_lines)
{
	make_tmpdir();
	load_fails("--bogus: unknown option", "--simulate", "--bogus", NULL);
	load_fails("--min_on: unknown option (did you mean --min-on?)",
		   "--min_on=5", NULL);
	load_fails("--min-on: needs a value", "--simulate", "--min-on", NULL);
	load_fails("--config: needs a value", "--config", NULL);
	load_fails("--simulate: takes no value", "--simulate=yes", NULL);
	load_fails("--help: takes no value", "--help=1", NULL);
	load_fails("'extra': unexpected argument", "--simulate", "extra",
		   NULL);
	load_fails("'x': unexpected argument", "--simulate", "--", "x", NULL);
	load_fails("-x: unknown option", "-x", NULL);
	load_fails("-hV: unknown option", "-hV", NULL);
	load_fails("--ssl-certificate: TLS is not supported",
		   "--ssl-certificate=/etc/x.pem", NULL);
	load_fails("--min-on: 'abc' is not a duration", "--simulate",
		   "--min-on=abc", NULL);
	load_fails("--setpoint: setpoint (31) is above max_setpoint (30)",
		   "--simulate", "--setpoint", "31", NULL);
	load_fails("--listen: port 443s asks for TLS", "--simulate",
		   "--listen=0.0.0.0:443s", NULL);
	load_fails("--state-file: empty value", "--simulate",
		   "--state-file=", NULL);
	load_fails("--config-file: unknown option", "--config-file=x", NULL);
	remove_tmpdir();
}
END_TEST

START_TEST(help_version_and_print_config)
{
	struct run r;
	char *line, *save = NULL, opt[64];

	make_tmpdir();
	load(&r, "--help", "--bogus-later=1", NULL);
	ck_assert_int_eq(r.ret, -1);	/* the syntax is checked first */
	free(r.out);
	load(&r, "--simulate", "-h", NULL);
	ck_assert_int_eq(r.ret, 1);
	ck_assert(r.cli.help);
	for (int i = 0; config_key_names[i]; i++) {
		size_t j;

		snprintf(opt, sizeof(opt), "--%s", config_key_names[i]);
		for (j = 0; opt[j]; j++)
			opt[j] = opt[j] == '_' ? '-' : opt[j];
		assert_has(r.out, opt);
	}
	assert_has(r.out, "--config=FILE");
	/* The default follows configure (tests/install.sh checks it
	 * against make's sysconfdir). */
	assert_has(r.out, " " THERMO_SYSCONFDIR "/thermostat/thermostat.conf\n");
	assert_has(r.out, "--print-config");
	assert_has(r.out, "--simulate");
	assert_has(r.out, "--version");
	assert_has(r.out, "2 bad");
	/* Every line fits 80 columns but those that show a default path,
	 * which are as long as the prefix makes them (make distcheck's is
	 * long). */
	for (line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strlen(line) <= 80 ||
				      strstr(line, THERMO_DEFAULT_CONFIG) ||
				      strstr(line, THERMO_DEFAULT_STATE),
			      "wider than 80: %s", line);
	free(r.out);

	load(&r, "--version", NULL);
	ck_assert_int_eq(r.ret, 1);
	ck_assert(r.cli.version);
	assert_has(r.out, SS_VERSION_STRING);
	free(r.out);

	/* --print-config prints a file that gives the same configuration. */
	load(&r, "--simulate", "--min-on=2m", "--setpoint=21.7",
	     "--print-config", "--listen", "[::1]:0", "--auth-realm=a b",
	     NULL);
	ck_assert_int_eq(r.ret, 1);
	ck_assert(r.cli.print_config);
	{
		struct thermo_settings back;
		char err[512] = "";
		char *again;

		config_defaults(&back);
		ck_assert_msg(config_parse_string(&back, r.out, "printed", err,
						  sizeof(err)) == 0, "%s", err);
		ck_assert_msg(config_validate(&back, err, sizeof(err)) == 0,
			      "%s", err);
		ck_assert(back.control.min_on == 120);
		ck_assert(back.setpoint == 21.7);
		ck_assert_int_eq(back.sensor.kind, SENSOR_SIM);
		ck_assert_str_eq(back.listen, "[::1]:0");
		again = print_config(&back);
		ck_assert_str_eq(again, r.out);
		ck_assert(memcmp(&back, &r.c, sizeof(back)) == 0);
		free(again);
		/* And through a file and --config. */
		write_file("printed.conf", r.out, strlen(r.out));
		free(r.out);
		snprintf(err, sizeof(err), "%s/printed.conf", tmpdir);
		load(&r, "--config", err, NULL);
		ck_assert_msg(r.ret == 0, "%s", r.err);
		ck_assert(memcmp(&back, &r.c, sizeof(back)) == 0);
		free(r.out);
	}
	remove_tmpdir();
}
END_TEST

/* ---- documentation -------------------------------------------------- */

START_TEST(example_file_lists_every_key_with_its_default)
{
	struct thermo_settings def, all;
	char path[512], *conf, *printed, *line, *save = NULL;
	char *uncommented, err[512] = "";
	size_t n = 0;

	/* The example make install installs: thermostat.conf.in with
	 * configure's paths filled in. */
	snprintf(path, sizeof(path), "%s/thermostat/thermostat.conf",
		 builddir());
	conf = read_all(path);
	config_defaults(&def);
	printed = print_config(&def);
	for (line = strtok_r(printed, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char want[400];

		if (line[0] == '#')
			continue;
		snprintf(want, sizeof(want), "\n#%s\n", line);
		ck_assert_msg(strstr(conf, want) != NULL,
			      "thermostat.conf lacks the line #%s", line);
	}
	/* Uncommented, its key lines are the defaults, and a valid file. */
	uncommented = malloc(strlen(conf) + 1);
	ck_assert_ptr_nonnull(uncommented);
	for (const char *p = conf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (p[0] == '#' && p[1] >= 'a' && p[1] <= 'z' &&
		    memchr(p, '=', len)) {
			memcpy(uncommented + n, p + 1, len - 1);
			n += len - 1;
		}
		p += len;
	}
	uncommented[n] = '\0';
	config_defaults(&all);
	all.setpoint = 25;
	ck_assert_msg(config_parse_string(&all, uncommented, "conf", err,
					  sizeof(err)) == 0, "%s", err);
	ck_assert(memcmp(&all, &def, sizeof(def)) == 0);
	free(uncommented);
	free(printed);
	free(conf);
}
END_TEST

START_TEST(manual_documents_every_key)
{
	char path[512], *man, want[128];

	snprintf(path, sizeof(path), "%s/man/man5/thermostat.conf.5.in",
		 srcdir());
	man = read_all(path);
	for (int i = 0; config_key_names[i]; i++) {
		snprintf(want, sizeof(want), "\n.It Cm %s ",
			 config_key_names[i]);
		ck_assert_msg(strstr(man, want) != NULL,
			      "thermostat.conf(5) lacks \".It Cm %s\"",
			      config_key_names[i]);
	}
	assert_has(man, "\n.Sh EXIT STATUS\n");
	free(man);
}
END_TEST

static Suite *suite_config(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_test(tc, defaults_are_the_documented_ones);
	tcase_add_test(tc, defaults_are_valid);
	tcase_add_test(tc, key_names_are_the_printed_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, numbers_and_durations);
	tcase_add_test(tc, bad_numbers_change_nothing);
	tcase_add_test(tc, booleans_and_names);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, listen_addresses);
	tcase_add_test(tc, access_control_lists);
	tcase_add_test(tc, mqtt_values);
	tcase_add_test(tc, server_names);
	tcase_add_test(tc, tls_keys_are_refused_with_advice);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_test(tc, fixture_loads);
	tcase_add_test(tc, syntax_accepted);
	tcase_add_test(tc, syntax_refused);
	tcase_add_test(tc, long_lines_are_refused_not_split);
	tcase_add_test(tc, refused_file_changes_nothing);
	tcase_add_test(tc, nul_bytes_and_huge_files);
	tcase_add_test(tc, print_config_round_trips);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, rules_between_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("command line");
	tcase_add_test(tc, options_override_the_file);
	tcase_add_test(tc, missing_files);
	tcase_add_test(tc, errors_name_file_line_and_key);
	tcase_add_test(tc, bad_command_lines);
	tcase_add_test(tc, help_version_and_print_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("documentation");
	tcase_add_test(tc, example_file_lists_every_key_with_its_default);
	tcase_add_test(tc, manual_documents_every_key);
	suite_add_tcase(s, tc);
	return s;
}

/* Run by runner.c's main(). */
const suite_fn test_suites[] = { suite_config, NULL };
