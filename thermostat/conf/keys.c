/* SPDX-License-Identifier: MIT */
/*
 * The daemon's configuration.  One list of keys, CONFIG_KEYS below, drives
 * everything: the defaults, the INI file, the long options, --print-config,
 * --help and config_key_names[] all walk the table generated from it, so a
 * key added there is parsed, documented on --help and printed everywhere.
 *
 * Parsing is pure (the text in, a struct or a message out) and strict:
 * unknown keys, duplicates, sections, bad or out-of-range numbers, empty
 * values and overlong lines are refused with "FILE:LINE: KEY: why", and
 * nothing is half-applied.  Every value that is accepted is printed back
 * by config_print() in a form that parses to the same value.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>
#include <sharedstate.h>	/* SS_VERSION_STRING: the package version */

#include "conf/settings.h"

/*
 * The longest line of a configuration file, line end excluded.  Debian's
 * inih reads lines into a 200-byte buffer (INI_MAX_LINE), which holds 198
 * characters besides the newline and the NUL; longer lines would be split
 * silently, so they are refused instead, and string values are limited so
 * that "key = value" always fits (config_print()'s output must parse).
 */
#define LINE_MAX_CHARS 198
/* A configuration file larger than this is not one. */
#define FILE_MAX_BYTES (64 * 1024)

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

struct name_value {
	const char *name;
	int value;
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset, size;		/* of the member */
	double min, max;		/* numbers */
	const char *def;		/* NULL: set by config_defaults() */
	const char *help;
	unsigned flags;
	const struct name_value *names;	/* T_ENUM; the first of a value is
					 * its canonical name */
	/* T_STRING: checks a value beyond the generic rules */
	int (*check)(const char *value, char *why, size_t len);
};

/* Names of values; several names of a value: the first is printed. */
static const struct name_value sensor_names[] = {
	{ "w1", SENSOR_W1 }, { "sysfs", SENSOR_SYSFS }, { "sim", SENSOR_SIM },
	{ NULL, 0 },
};
static const struct name_value relay_names[] = {
	{ "gpiod", RELAY_GPIOD }, { "sim", RELAY_SIM }, { NULL, 0 },
};
/* The same names as log_level_name(), and "warn" (a common spelling). */
static const struct name_value log_level_names[] = {
	{ "error", LOG_ERR_ }, { "warning", LOG_WARN_ }, { "info", LOG_INFO_ },
	{ "debug", LOG_DEBUG_ }, { "warn", LOG_WARN_ }, { NULL, 0 },
};
static const struct name_value units_names[] = {
	{ "C", 'C' }, { "F", 'F' }, { NULL, 0 },
};
static const struct name_value bool_names[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 }, { NULL, 0 },
};

static int check_listen(const char *value, char *why, size_t len);
static int check_acl(const char *value, char *why, size_t len);
static int check_realm(const char *value, char *why, size_t len);
static int check_file_name(const char *value, char *why, size_t len);

/*
 * Every key: X(key, member, type, min, max, default, help, more...).
 * @key is the file's name and, with dashes, the option (--min-on);
 * @member the field of struct thermo_config; @min..@max the range of a
 * number (seconds for durations, degrees C for temperatures); @default in
 * the file's syntax (NULL: config_defaults() sets it); @help one line for
 * --help; @more designated initializers of struct key (flags, enum names,
 * a check).  thermostat.conf and thermostat.conf(5) document every key:
 * the tests check that they list them all, with these defaults.
 */
#define CONFIG_KEYS(X)                                                       \
	/* the sensor */                                                     \
	X(sensor, sensor, T_ENUM, 0, 0, "w1",                                \
	  "where temperatures come from: w1 (DS18B20), sysfs or sim",        \
	  .names = sensor_names)                                             \
	X(sysfs_root, sysfs_root, T_STRING, 0, 0, "/sys",                    \
	  "root of sysfs: w1 sensors are under ROOT/bus/w1/devices",         \
	  .flags = K_PATH)                                                   \
	X(w1_device, w1_device, T_STRING, 0, 0, "",                          \
	  "w1 sensor to read (28-...); empty: the only one there is",        \
	  .flags = K_EMPTY_OK, .check = check_file_name)                     \
	X(sensor_file, sensor_file, T_STRING, 0, 0, "",                      \
	  "sysfs sensor: a file holding millidegrees C",                     \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(sensor_interval, sensor_interval, T_DURATION, 0.1, 3600, "5",      \
	  "time between two sensor reads", .flags = 0)                       \
	/* the relay */                                                      \
	X(relay, relay, T_ENUM, 0, 0, "gpiod",                               \
	  "how the furnace is switched: gpiod or sim",                       \
	  .names = relay_names)                                              \
	X(gpio_chip, gpio_chip, T_STRING, 0, 0, "gpiochip0",                 \
	  "GPIO chip of the relay: gpiochip0 or /dev/gpiochip0",             \
	  .flags = 0)                                                        \
	X(gpio_line, gpio_line, T_UINT, 0, 65535, "17",                      \
	  "GPIO line of the relay (BCM 17 on a Raspberry Pi)", .flags = 0)   \
	X(active_low, active_low, T_BOOL, 0, 0, "no",                        \
	  "the relay closes on a low level", .flags = 0)                     \
	X(relay_retry, relay_retry, T_DURATION, 0.1, 3600, "5",              \
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
	X(sensor_timeout, control.sensor_timeout, T_DURATION, 1, 86400, "60", \
	  "no valid reading for this long turns the heat off", .flags = 0)   \
	X(setpoint, setpoint, T_DOUBLE, -50, 100, "20",                      \
	  "target temperature until one is saved (degrees C)", .flags = 0)   \
	X(min_setpoint, min_setpoint, T_DOUBLE, -50, 100, "5",               \
	  "lowest setpoint accepted (degrees C)", .flags = 0)                \
	X(max_setpoint, max_setpoint, T_DOUBLE, -50, 100, "30",              \
	  "highest setpoint accepted (degrees C)", .flags = 0)               \
	X(units, units, T_ENUM, 0, 0, "C",                                   \
	  "how temperatures are shown: C or F (the file is in C)",           \
	  .names = units_names)                                              \
	/* state and logging */                                              \
	X(state_file, state_file, T_STRING, 0, 0, "/var/lib/thermostat/state", \
	  "where setpoint and mode are saved", .flags = K_PATH)              \
	X(log_level, log_level, T_ENUM, 0, 0, "info",                        \
	  "the least severe messages logged", .names = log_level_names)      \
	/* web */                                                            \
	X(listen, listen, T_STRING, 0, 0, "127.0.0.1:8080",                  \
	  "address of the web server: IPV4:PORT or [IPV6]:PORT",             \
	  .check = check_listen)                                             \
	X(num_threads, num_threads, T_INT, 1, 1024, "8",                     \
	  "web server threads (each event stream holds one)", .flags = 0)    \
	X(request_timeout_ms, request_timeout_ms, T_INT, 100, 3600000,       \
	  "10000", "web request timeout in milliseconds", .flags = 0)        \
	X(access_control_list, access_control_list, T_STRING, 0, 0, "",      \
	  "clients allowed, e.g. -0.0.0.0/0,+192.168.1.0/24; empty: all",    \
	  .flags = K_EMPTY_OK, .check = check_acl)                           \
	X(password_file, password_file, T_STRING, 0, 0, "",                  \
	  "htdigest file: when set, changes need a login",                   \
	  .flags = K_EMPTY_OK | K_PATH)                                      \
	X(auth_realm, auth_realm, T_STRING, 0, 0, "thermostat",              \
	  "digest authentication realm, as in the htdigest file",            \
	  .check = check_realm)                                              \
	X(auth_reads, auth_reads, T_BOOL, 0, 0, "no",                        \
	  "reads need a login too (needs password_file)", .flags = 0)        \
	X(compat_routes, compat_routes, T_BOOL, 0, 0, "yes",                 \
	  "serve the original thermostat's routes for its clients",          \
	  .flags = 0)                                                        \
	X(history_minutes, history_minutes, T_INT, 1, 10080, "1440",         \
	  "minutes of temperature history kept", .flags = 0)                 \
	X(history_interval, history_interval, T_INT, 1, 3600, "60",          \
	  "seconds between two history points", .flags = 0)                  \
	/* the simulated house (sensor = sim): house_default_params() */     \
	X(sim_outside, sim.outside_c, T_DOUBLE, -50, 50, NULL,               \
	  "sim: outside temperature (degrees C)", .flags = 0)                \
	X(sim_start, sim.start_c, T_DOUBLE, -50, 50, NULL,                   \
	  "sim: indoor temperature at the start (degrees C)", .flags = 0)    \
	X(sim_gain, sim.gain_c_per_s, T_DOUBLE, 0, 1, NULL,                  \
	  "sim: warming while heating (degrees C per second)", .flags = 0)   \
	X(sim_loss, sim.loss_per_s, T_DOUBLE, 0, 0.1, NULL,                  \
	  "sim: share of the inside-outside difference lost per second",    \
	  .flags = 0)                                                        \
	X(sim_noise, sim.noise_c, T_DOUBLE, 0, 5, NULL,                      \
	  "sim: thermometer noise (plus or minus degrees C)", .flags = 0)    \
	X(sim_relay_fail_file, sim_relay_fail_file, T_STRING, 0, 0, "",      \
	  "sim relay: writes fail while this file exists (fault tests)",    \
	  .flags = K_EMPTY_OK | K_PATH)

#define MEMBER(m) (((struct thermo_config *)0)->m)

/* Each key's member has the C type its parser writes. */
#define TYPE_OK_T_STRING(m)                                                  \
	(_Generic(MEMBER(m)[0], char: 1, default: 0) && sizeof(MEMBER(m)) > 1)
#define TYPE_OK_T_DOUBLE(m) _Generic(MEMBER(m), double: 1, default: 0)
#define TYPE_OK_T_DURATION(m) TYPE_OK_T_DOUBLE(m)
#define TYPE_OK_T_INT(m) _Generic(MEMBER(m), int: 1, default: 0)
#define TYPE_OK_T_UINT(m) _Generic(MEMBER(m), unsigned: 1, default: 0)
#define TYPE_OK_T_BOOL(m) _Generic(MEMBER(m), bool: 1, default: 0)
#define TYPE_OK_T_ENUM(m)                                                    \
	(sizeof(MEMBER(m)) == sizeof(int) || sizeof(MEMBER(m)) == 1)
#define X(key, member, type, ...)                                            \
	_Static_assert(TYPE_OK_##type(member),                               \
		       #key ": the member's type does not match " #type);
CONFIG_KEYS(X)
#undef X

/* KEY_min_on...: indexes into keys[]. */
enum {
#define X(key, ...) KEY_##key,
	CONFIG_KEYS(X)
#undef X
	NKEYS
};

static const struct key keys[NKEYS] = {
#define X(key, member, type_, lo, hi, def_, help_, ...)                      \
	{ .name = #key, .type = type_,                                       \
	  .offset = offsetof(struct thermo_config, member),                  \
	  .size = sizeof(MEMBER(member)), .min = lo, .max = hi,              \
	  .def = def_, .help = help_, __VA_ARGS__ },
	CONFIG_KEYS(X)
#undef X
};

const char *const config_key_names[] = {
#define X(key, ...) #key,
	CONFIG_KEYS(X)
#undef X
	NULL
};

/* ---- messages ------------------------------------------------------- */

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes a message to @err; returns -1, for "return fail(...)". */
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Text from the input, fit for a message: at most 32 characters, anything
 * but printable ASCII as '?', so that a hostile file cannot send escape
 * sequences to the terminal or flood the log.
 */
static const char *quote(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 32; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] && i >= 3)
		buf[i - 1] = buf[i - 2] = buf[i - 3] = '.';
	buf[i] = '\0';
	return buf;
}

/* --min-on for min_on. */
static const char *option_name(const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		buf[i] = key[i] == '_' ? '-' : key[i];
	buf[i] = '\0';
	return buf;
}

/* ---- values --------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The length of the decimal number at the start of @s, 0 if there is none:
 * [+-]digits[.digits][(e|E)[+-]digits].  Stricter than strtod(), which
 * also takes blanks, hex, "inf", "nan" and "1." and follows the locale.
 */
static size_t decimal_len(const char *s)
{
	const char *p = s;

	if (*p == '+' || *p == '-')
		p++;
	if (!is_digit(*p))
		return 0;
	while (is_digit(*p))
		p++;
	if (*p == '.') {
		if (!is_digit(p[1]))
			return 0;
		for (p++; is_digit(*p); p++)
			;
	}
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;

		if (*q == '+' || *q == '-')
			q++;
		if (is_digit(*q)) {
			while (is_digit(*q))
				q++;
			p = q;
		}
	}
	return (size_t)(p - s);
}

static int parse_double(const struct key *k, const char *text, double *out,
			char *why, size_t len)
{
	size_t n = decimal_len(text), end_at = n;
	double scale = 1, d;
	char q[40], *end;

	if (n && k->type == T_DURATION && text[n] && !text[n + 1]) {
		/* A unit: "90s", "2m", "1.5h". */
		scale = text[n] == 's' ? 1 : text[n] == 'm' ? 60 :
			text[n] == 'h' ? 3600 : 0;
		end_at = scale ? n + 1 : 0;
	}
	if (!n || !end_at || text[end_at])
		return fail(why, len, "'%s' is not %s",
			    quote(text, q, sizeof(q)),
			    k->type == T_DURATION ?
			    "a duration (seconds, or a number and s, m or h)" :
			    "a decimal number");
	/* The grammar above is C's: a locale that strtod() followed (the
	 * daemon sets none) would stop it early, which is caught here. */
	d = strtod(text, &end);
	if (end != text + n)
		return fail(why, len, "'%s' is not a number in the C locale",
			    text);
	d *= scale;
	if (!isfinite(d))
		return fail(why, len, "%s is too large", text);
	if (d < k->min || d > k->max)
		return fail(why, len, "%s is out of range (%g..%g%s)", text,
			    k->min, k->max,
			    k->type == T_DURATION ? " seconds" : "");
	*out = d == 0 ? 0 : d;	/* no -0 */
	return 0;
}

static int parse_integer(const struct key *k, const char *text, long long *out,
			 char *why, size_t len)
{
	const char *p = text + (*text == '-' || *text == '+');
	char q[40], *end;
	long long v;

	if (!is_digit(*p))
		goto bad;
	while (is_digit(*p))
		p++;
	if (*p)
		goto bad;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno == ERANGE || (double)v < k->min || (double)v > k->max)
		return fail(why, len, "%s is out of range (%.0f..%.0f)",
			    quote(text, q, sizeof(q)), k->min, k->max);
	*out = v;
	return 0;
bad:
	return fail(why, len, "'%s' is not a whole number",
		    quote(text, q, sizeof(q)));
}

static const struct name_value *find_name(const struct name_value *names,
					  const char *text)
{
	for (; names->name; names++)
		if (strcasecmp(names->name, text) == 0)
			return names;
	return NULL;
}

static const char *canonical_name(const struct name_value *names, int value)
{
	for (; names->name; names++)
		if (names->value == value)
			return names->name;
	return "?";
}

/* The canonical names joined, "a, b or c" or "a|b|c". */
static const char *join_names(const struct name_value *names, const char *sep,
			      const char *last, char *buf, size_t len)
{
	size_t n = 0, count = 0, done = 0, i;

	for (i = 0; names[i].name; i++)
		count += canonical_name(names, names[i].value) == names[i].name;
	buf[0] = '\0';
	for (i = 0; names[i].name && n < len; i++) {
		if (canonical_name(names, names[i].value) != names[i].name)
			continue;
		done++;
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      done == 1 ? "" :
				      done == count ? last : sep,
				      names[i].name);
	}
	return buf;
}

/* The longest value of a string key: its buffer, and the file's line. */
static size_t string_max(const struct key *k)
{
	size_t line = LINE_MAX_CHARS - strlen(k->name) - 3;

	return k->size - 1 < line ? k->size - 1 : line;
}

/* Rules of every string: those that keep "key = value" parsing back. */
static int check_string(const struct key *k, const char *text, char *why,
			size_t len)
{
	size_t n = strlen(text);
	const char *p;

	if (n > string_max(k))
		return fail(why, len, "too long (at most %zu characters)",
			    string_max(k));
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(why, len,
				    "control character (code %d) in the value",
				    *p);
	if (n && (text[0] == ' ' || text[n - 1] == ' '))
		return fail(why, len, "blanks around the value");
	/* inih ends a value at " ;" (an inline comment). */
	if (strchr(text, ';'))
		return fail(why, len, "';' in the value (it starts a comment)");
	return 0;
}

/*
 * Sets key @k of @c from @text, or leaves @c alone and writes why not.
 * The file, the options and the defaults all come through here.
 */
static int set_value(struct thermo_config *c, const struct key *k,
		     const char *text, char *why, size_t len)
{
	char *p = (char *)c + k->offset, list[80];
	const struct name_value *nv;
	long long i = 0;
	double d = 0;

	if (!text[0] && !(k->type == T_STRING && (k->flags & K_EMPTY_OK)))
		return fail(why, len, "empty value");
	switch (k->type) {
	case T_STRING:
		if (check_string(k, text, why, len) < 0 ||
		    (k->check && k->check(text, why, len) < 0))
			return -1;
		/* Zeroed to the end: equal configurations compare equal. */
		memset(p, 0, k->size);
		memcpy(p, text, strlen(text));
		return 0;
	case T_DOUBLE:
	case T_DURATION:
		if (parse_double(k, text, &d, why, len) < 0)
			return -1;
		*(double *)(void *)p = d;
		return 0;
	case T_INT:
	case T_UINT:
		if (parse_integer(k, text, &i, why, len) < 0)
			return -1;
		if (k->type == T_INT)
			*(int *)(void *)p = (int)i;
		else
			*(unsigned *)(void *)p = (unsigned)i;
		return 0;
	case T_BOOL:
		nv = find_name(bool_names, text);
		if (!nv)
			return fail(why, len, "'%s' is not yes or no",
				    quote(text, list, sizeof(list)));
		*(bool *)(void *)p = nv->value;
		return 0;
	case T_ENUM:
		nv = find_name(k->names, text);
		if (!nv) {
			char q[40];

			return fail(why, len, "'%s' is not %s",
				    quote(text, q, sizeof(q)),
				    join_names(k->names, ", ", " or ", list,
					       sizeof(list)));
		}
		if (k->size == 1)
			*p = (char)nv->value;
		else
			*(int *)(void *)p = nv->value;
		return 0;
	}
	return fail(why, len, "unknown type");
}

/* Shortest text that strtod() reads back as @v (no "3.6e+03" for 3600). */
static void format_double(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* The value of key @k in @c, in the file's syntax. */
static void format_value(const struct thermo_config *c, const struct key *k,
			 char *buf, size_t len)
{
	const char *p = (const char *)c + k->offset;

	switch (k->type) {
	case T_STRING:
		snprintf(buf, len, "%.*s", (int)k->size, p);
		return;
	case T_DOUBLE:
	case T_DURATION:
		format_double(buf, len, *(const double *)(const void *)p);
		return;
	case T_INT:
		snprintf(buf, len, "%d", *(const int *)(const void *)p);
		return;
	case T_UINT:
		snprintf(buf, len, "%u", *(const unsigned *)(const void *)p);
		return;
	case T_BOOL:
		snprintf(buf, len, "%s",
			 *(const bool *)(const void *)p ? "yes" : "no");
		return;
	case T_ENUM:
		snprintf(buf, len, "%s",
			 canonical_name(k->names,
					k->size == 1 ?
					*p : *(const int *)(const void *)p));
		return;
	}
	buf[0] = '\0';
}

/* ---- checks of single strings --------------------------------------- */

static int parse_port(const char *s, char *why, size_t len)
{
	const char *p;
	long port;

	if (!s[0])
		return fail(why, len, "no port after ':'");
	for (p = s; is_digit(*p); p++)
		;
	if (*p == 's' && !p[1] && p > s)
		return fail(why, len,
			    "port %s asks for TLS, which the daemon does not "
			    "serve: put a TLS reverse proxy in front of it "
			    "(see README)", s);
	if (*p || p - s > 5)
		return fail(why, len, "the port is not a number (0..65535)");
	port = strtol(s, NULL, 10);
	if (port > 65535)
		return fail(why, len, "port %ld is out of range (0..65535)",
			    port);
	return 0;
}

/*
 * HOST:PORT, HOST an IPv4 address or an IPv6 one in brackets (CivetWeb
 * binds addresses, not names), PORT 0..65535 (0: any free port).
 */
static int check_listen(const char *value, char *why, size_t len)
{
	const char *colon = strrchr(value, ':');
	char host[64];
	unsigned char addr[16];
	size_t n;

	if (!colon)
		return fail(why, len,
			    "expected HOST:PORT, e.g. 127.0.0.1:8080");
	n = (size_t)(colon - value);
	if (n >= sizeof(host))
		return fail(why, len, "the host is too long");
	memcpy(host, value, n);
	host[n] = '\0';
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return fail(why, len, "expected [IPV6]:PORT");
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) != 1)
			return fail(why, len, "'%s' is not an IPv6 address",
				    host + 1);
	} else if (inet_pton(AF_INET, host, addr) != 1) {
		return fail(why, len,
			    "'%s' is not an IPv4 address (IPv6: in brackets; "
			    "names are not resolved)", host);
	}
	return parse_port(colon + 1, why, len);
}

/* CivetWeb's access control list: [+-]A.B.C.D[/BITS], comma-separated. */
static int check_acl(const char *value, char *why, size_t len)
{
	const char *p = value;

	while (*p) {
		const char *end = strchr(p, ','), *slash;
		char net[40];
		unsigned char addr[4];
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (*p != '+' && *p != '-')
			return fail(why, len, "each entry starts with + "
				    "(allow) or - (deny)");
		if (n - 1 >= sizeof(net))
			return fail(why, len, "an entry is too long");
		memcpy(net, p + 1, n - 1);
		net[n - 1] = '\0';
		slash = strchr(net, '/');
		if (slash) {
			const char *b = slash + 1;

			if (!is_digit(b[0]) || (b[1] && !is_digit(b[1])) ||
			    (b[1] && b[2]) || atoi(b) > 32)
				return fail(why, len, "'%s': the prefix "
					    "length is not 0..32", net);
			net[slash - net] = '\0';
		}
		if (inet_pton(AF_INET, net, addr) != 1)
			return fail(why, len, "'%s' is not an IPv4 address",
				    net);
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return fail(why, len, "a comma ends the list");
	}
	return 0;
}

/* The realm is quoted in digest headers and a field of htdigest lines. */
static int check_realm(const char *value, char *why, size_t len)
{
	if (strpbrk(value, "\":\\"))
		return fail(why, len, "no '\"', ':' or '\\' in a realm");
	return 0;
}

/* A name inside a directory, never a path out of it. */
static int check_file_name(const char *value, char *why, size_t len)
{
	if (strchr(value, '/') || strcmp(value, ".") == 0 ||
	    strcmp(value, "..") == 0)
		return fail(why, len, "a device name, not a path");
	return 0;
}

/* ---- keys ----------------------------------------------------------- */

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool is_tls_name(const char *name)
{
	return strncasecmp(name, "ssl", 3) == 0 ||
	       strncasecmp(name, "tls", 3) == 0 ||
	       strncasecmp(name, "https", 5) == 0 ||
	       strstr(name, "certificate") != NULL;
}

/* Why @name (a file's key, or an option's name) is not a key. */
static int unknown_key(const char *name, bool option, char *why, size_t len)
{
	char key[64], opt[64];
	size_t i;

	if (is_tls_name(name))
		return fail(why, len,
			    "TLS is not supported (Debian's CivetWeb lacks "
			    "it): put a TLS reverse proxy in front of the "
			    "daemon (see README)");
	/* min-on in the file, or --min_on: a hint. */
	for (i = 0; name[i] && i + 1 < sizeof(key); i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
	if (!name[i] && find_key(key))
		return option ?
		       fail(why, len, "unknown option (did you mean --%s?)",
			    option_name(key, opt, sizeof(opt))) :
		       fail(why, len, "unknown key (did you mean %s?)", key);
	return fail(why, len, option ? "unknown option (see --help)" :
			      "unknown key (see thermostat.conf(5))");
}

void config_defaults(struct thermo_config *c)
{
	char why[256];

	memset(c, 0, sizeof(*c));
	house_default_params(&c->sim);
	for (size_t i = 0; i < NKEYS; i++) {
		if (!keys[i].def)
			continue;
		if (set_value(c, &keys[i], keys[i].def, why, sizeof(why)) < 0) {
			/* A bad default in CONFIG_KEYS: the tests catch it. */
			fprintf(stderr, "thermostat: default of %s: %s\n",
				keys[i].name, why);
			abort();
		}
	}
}

int config_set_key(struct thermo_config *c, const char *key,
		   const char *value, char *err, size_t len)
{
	const struct key *k = find_key(key);
	char why[256], q[40];

	if (!k) {
		unknown_key(key, false, why, sizeof(why));
		return fail(err, len, "%s: %s", quote(key, q, sizeof(q)), why);
	}
	if (set_value(c, k, value, why, sizeof(why)) < 0)
		return fail(err, len, "%s: %s", k->name, why);
	return 0;
}

/* ---- the file ------------------------------------------------------- */

/* Where each key got its value, for messages about pairs of keys: 0 the
 * default, a line of the file, or from an option (which wins). */
#define ORIGIN_OPTION INT_MAX

struct parse {
	struct thermo_config *c;	/* a copy, committed at the end */
	const char *name;		/* the file, for messages */
	const char *p, *end;		/* the text not read yet */
	int line;			/* of the line inih has */
	int origin[NKEYS];		/* the line a key was set on */
	bool failed;
	char *err;
	size_t len;
};

static int parse_fail(struct parse *ps, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_fail(struct parse *ps, const char *key, const char *fmt, ...)
{
	char why[256], q[40];
	va_list ap;

	if (ps->failed)
		return 0;
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (key)
		fail(ps->err, ps->len, "%s:%d: %s: %s", ps->name, ps->line,
		     quote(key, q, sizeof(q)), why);
	else
		fail(ps->err, ps->len, "%s:%d: %s", ps->name, ps->line, why);
	return 0;
}

/*
 * inih's reader: hands it one line at a time, so that the line number
 * here is the one of the pair inih reports, and checks what inih would
 * take differently from what this format means: no sections, no
 * continuation lines (leading blanks are dropped instead), no "key: value"
 * (a concession of inih to Python), no line longer than its buffer.
 */
static char *read_line(char *buf, int num, void *stream)
{
	struct parse *ps = stream;
	const char *s = ps->p, *nl, *sep;
	size_t n, max = LINE_MAX_CHARS;

	if (ps->failed || s >= ps->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(ps->end - s));
	n = (size_t)((nl ? nl : ps->end) - s);
	ps->p = nl ? nl + 1 : ps->end;
	ps->line++;
	if (ps->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;		/* a UTF-8 byte order mark */
		n -= 3;
	}
	if (n && s[n - 1] == '\r')
		n--;		/* CRLF */
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if ((size_t)num < max + 2)
		max = num > 2 ? (size_t)num - 2 : 0;
	if (n > max) {
		parse_fail(ps, NULL, "line too long (at most %zu characters)",
			   max);
		return NULL;
	}
	if (n && *s != '#' && *s != ';') {
		if (*s == '[') {
			parse_fail(ps, NULL, "sections are not supported: "
				   "every key is at the top level");
			return NULL;
		}
		for (sep = s; sep < s + n && *sep != '=' && *sep != ':'; sep++)
			;
		if (sep == s + n || *sep == ':') {
			parse_fail(ps, NULL, "expected KEY = VALUE");
			return NULL;
		}
	}
	memcpy(buf, s, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return buf;
}

static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse *ps = user;
	const struct key *k;
	char why[256];
	size_t i;

	(void)section;	/* always "": read_line() refuses sections */
	if (ps->failed)
		return 0;
	if (!name[0] || !value)
		return parse_fail(ps, NULL, "expected KEY = VALUE");
	k = find_key(name);
	if (!k) {
		unknown_key(name, false, why, sizeof(why));
		return parse_fail(ps, name, "%s", why);
	}
	i = (size_t)(k - keys);
	if (ps->origin[i])
		return parse_fail(ps, name, "duplicate key (first on line %d)",
				  ps->origin[i]);
	if (set_value(ps->c, k, value, why, sizeof(why)) < 0)
		return parse_fail(ps, name, "%s", why);
	ps->origin[i] = ps->line;
	return 1;
}

/* Parses @n bytes of @text into @c (on success only); @origin, if not
 * NULL, gets the line of each key set. */
static int parse_text(struct thermo_config *c, const char *text, size_t n,
		      const char *name, int *origin, char *err, size_t len)
{
	struct thermo_config copy = *c;
	struct parse ps = {
		.c = &copy, .name = name, .p = text, .end = text + n,
		.err = err, .len = len,
	};
	const char *nul;
	int ret, nul_line = 1;

	if (n > FILE_MAX_BYTES)
		return fail(err, len, "%s: too large (more than %d bytes)",
			    name, FILE_MAX_BYTES);
	nul = memchr(text, '\0', n);
	if (nul) {
		/* Parse the lines before its own, then report it. */
		const char *p = text;

		for (ps.end = text; p < nul; p++)
			if (*p == '\n') {
				nul_line++;
				ps.end = p + 1;
			}
	}
	ret = ini_parse_stream(read_line, &ps, on_pair, &ps);
	if (ps.failed)
		return -1;
	if (nul) {
		ps.line = nul_line;
		parse_fail(&ps, NULL, "NUL byte in the line");
		return -1;
	}
	if (ret == -2)
		return fail(err, len, "%s: out of memory", name);
	if (ret != 0) {
		/* inih's own objection, e.g. "key ; comment = value". */
		ps.line = ret;
		parse_fail(&ps, NULL, "expected KEY = VALUE");
		return -1;
	}
	*c = copy;
	if (origin)
		memcpy(origin, ps.origin, sizeof(ps.origin));
	return 0;
}

int config_parse_string(struct thermo_config *c, const char *text,
			const char *name, char *err, size_t len)
{
	return parse_text(c, text, strlen(text), name ? name : "(string)",
			  NULL, err, len);
}

/* -ENOENT (with @err) when the file does not exist, -1 on other errors. */
static int load_file(struct thermo_config *c, const char *path, int *origin,
		     char *err, size_t len)
{
	size_t cap = FILE_MAX_BYTES + 1, n = 0;
	char *text;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? -ENOENT : -1;
		fail(err, len, "%s: %s", path, strerror(errno));
		return ret;
	}
	text = malloc(cap);
	if (!text) {
		close(fd);
		return fail(err, len, "%s: out of memory", path);
	}
	while (n < cap) {
		ssize_t got = read(fd, text + n, cap - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fail(err, len, "%s: %s", path, strerror(errno));
			goto out_fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	ret = parse_text(c, text, n, path, origin, err, len);
	free(text);
	return ret;
out_fail:
	close(fd);
	free(text);
	return -1;
}

int config_load_file(struct thermo_config *c, const char *path, char *err,
		     size_t len)
{
	return load_file(c, path, NULL, err, len) < 0 ? -1 : 0;
}

/* ---- validation ------------------------------------------------------- */

struct blame {
	const int *origin;	/* NULL: no origins known */
	const char *file;
};

static int invalid(const struct blame *b, int ka, int kb, char *err,
		   size_t len, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * A rule between keys @ka and @kb (-1: none) is broken: the message names
 * the one set last (an option over the file, a later line over an earlier
 * one, anything over a default), where the user will look.
 */
static int invalid(const struct blame *b, int ka, int kb, char *err,
		   size_t len, const char *fmt, ...)
{
	char why[256], opt[64];
	int k = ka, origin = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (b && b->origin) {
		if (kb >= 0 && b->origin[kb] > b->origin[ka])
			k = kb;
		origin = b->origin[k];
	}
	if (origin == ORIGIN_OPTION)
		return fail(err, len, "--%s: %s",
			    option_name(keys[k].name, opt, sizeof(opt)), why);
	if (origin > 0)
		return fail(err, len, "%s:%d: %s: %s", b->file, origin,
			    keys[k].name, why);
	return fail(err, len, "%s: %s", keys[k].name, why);
}

static int validate(const struct thermo_config *c, const struct blame *b,
		    char *err, size_t len)
{
	const struct control_config *cc = &c->control;

	if (c->min_setpoint >= c->max_setpoint)
		return invalid(b, KEY_min_setpoint, KEY_max_setpoint, err, len,
			       "min_setpoint (%g) must be below max_setpoint "
			       "(%g)", c->min_setpoint, c->max_setpoint);
	if (c->setpoint < c->min_setpoint)
		return invalid(b, KEY_setpoint, KEY_min_setpoint, err, len,
			       "setpoint (%g) is below min_setpoint (%g)",
			       c->setpoint, c->min_setpoint);
	if (c->setpoint > c->max_setpoint)
		return invalid(b, KEY_setpoint, KEY_max_setpoint, err, len,
			       "setpoint (%g) is above max_setpoint (%g)",
			       c->setpoint, c->max_setpoint);
	if (cc->max_on != 0 && cc->max_on < cc->min_on)
		return invalid(b, KEY_max_on, KEY_min_on, err, len,
			       "max_on (%g s) must be 0 (no limit) or at least "
			       "min_on (%g s)", cc->max_on, cc->min_on);
	if (cc->sensor_timeout <= c->sensor_interval)
		return invalid(b, KEY_sensor_timeout, KEY_sensor_interval, err,
			       len, "sensor_timeout (%g s) must be longer than "
			       "sensor_interval (%g s)", cc->sensor_timeout,
			       c->sensor_interval);
	if (c->sensor == SENSOR_SYSFS && !c->sensor_file[0])
		return invalid(b, KEY_sensor, KEY_sensor_file, err, len,
			       "sensor = sysfs needs sensor_file");
	if (c->auth_reads && !c->password_file[0])
		return invalid(b, KEY_auth_reads, KEY_password_file, err, len,
			       "auth_reads needs password_file");
	if (c->history_interval > c->history_minutes * 60)
		return invalid(b, KEY_history_interval, KEY_history_minutes,
			       err, len, "history_interval (%d s) is longer "
			       "than history_minutes (%d min)",
			       c->history_interval, c->history_minutes);
	if (c->history_minutes * 60 / c->history_interval > 100000)
		return invalid(b, KEY_history_minutes, KEY_history_interval,
			       err, len, "%d minutes of history every %d s is "
			       "more than 100000 points", c->history_minutes,
			       c->history_interval);
	return 0;
}

int config_validate(const struct thermo_config *c, char *err, size_t len)
{
	return validate(c, NULL, err, len);
}

/* ---- the command line ----------------------------------------------- */

enum opt_id { OPT_CONFIG, OPT_SIMULATE, OPT_PRINT, OPT_HELP, OPT_VERSION };

/* The options that are not keys (those are CONFIG_KEYS). */
static const struct opt {
	const char *name;
	char short_name;
	enum opt_id id;
	const char *arg;	/* NULL: takes no value */
	const char *help;
} opts[] = {
	{ "config", 'c', OPT_CONFIG, "FILE",
	  "configuration file (" THERMO_DEFAULT_CONFIG ")" },
	{ "simulate", 0, OPT_SIMULATE, NULL,
	  "simulated sensor and relay (sensor = sim, relay = sim)" },
	{ "print-config", 0, OPT_PRINT, NULL,
	  "print the effective configuration and exit" },
	{ "help", 'h', OPT_HELP, NULL, "print this help and exit" },
	{ "version", 'V', OPT_VERSION, NULL, "print the version and exit" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/*
 * One pass over the command line.  The first (@c NULL) checks the syntax
 * and fills @cli; the second applies the keys over the file, in order,
 * the last of a repeated option winning.  --key=VALUE or --key VALUE;
 * a yes/no key alone means yes (--auth-reads), and takes its value only
 * after '=' (--compat-routes=no).
 */
static int parse_args(int argc, char **argv, struct cli *cli,
		      struct thermo_config *c, int *origin, char *err,
		      size_t len)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		const struct opt *o = NULL;
		const struct key *k = NULL;
		char name[64], q[40], why[256];
		size_t n;

		if (strcmp(arg, "--") == 0) {
			if (i + 1 < argc)
				return fail(err, len, "'%s': unexpected "
					    "argument", quote(argv[i + 1], q,
							      sizeof(q)));
			break;
		}
		if (arg[0] == '-' && arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');

			n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			if (n >= sizeof(name))
				return fail(err, len, "%s: unknown option",
					    quote(arg, q, sizeof(q)));
			memcpy(name, arg + 2, n);
			name[n] = '\0';
			value = eq ? eq + 1 : NULL;
		} else if (arg[0] == '-' && arg[1]) {
			for (size_t j = 0; j < NOPTS && !o; j++)
				if (opts[j].short_name == arg[1])
					o = &opts[j];
			if (!o || (arg[2] && !o->arg))
				return fail(err, len,
					    "%s: unknown option (see --help)",
					    quote(arg, q, sizeof(q)));
			snprintf(name, sizeof(name), "%s", o->name);
			value = arg[2] ? arg + 2 : NULL;
		} else {
			return fail(err, len, "'%s': unexpected argument "
				    "(options start with --)",
				    quote(arg, q, sizeof(q)));
		}
		for (size_t j = 0; j < NOPTS && !o; j++)
			if (strcmp(opts[j].name, name) == 0)
				o = &opts[j];
		if (!o) {
			char key[64];

			/* --min-on for min_on; not --min_on. */
			for (n = 0; name[n]; n++)
				key[n] = name[n] == '-' ? '_' :
					 name[n] == '_' ? '-' : name[n];
			key[n] = '\0';
			k = find_key(key);
			if (!k) {
				unknown_key(name, true, why, sizeof(why));
				return fail(err, len, "--%s: %s",
					    quote(name, q, sizeof(q)), why);
			}
		}
		if (o ? o->arg != NULL : k->type != T_BOOL) {
			if (!value && i + 1 >= argc)
				return fail(err, len, "--%s: needs a value",
					    name);
			if (!value)
				value = argv[++i];
		} else if (o && value) {
			return fail(err, len, "--%s: takes no value", name);
		} else if (!value) {
			value = "yes";
		}
		if (o) {
			if (!c) {
				cli->config_path = o->id == OPT_CONFIG ?
						   value : cli->config_path;
				cli->config_given |= o->id == OPT_CONFIG;
				cli->print_config |= o->id == OPT_PRINT;
				cli->help |= o->id == OPT_HELP;
				cli->version |= o->id == OPT_VERSION;
			} else if (o->id == OPT_SIMULATE) {
				c->sensor = SENSOR_SIM;
				c->relay = RELAY_SIM;
				origin[KEY_sensor] = ORIGIN_OPTION;
				origin[KEY_relay] = ORIGIN_OPTION;
			}
			continue;
		}
		if (!c)
			continue;
		if (set_value(c, k, value, why, sizeof(why)) < 0)
			return fail(err, len, "--%s: %s", name, why);
		origin[k - keys] = ORIGIN_OPTION;
	}
	return 0;
}

int config_load(struct thermo_config *c, struct cli *cli, int argc,
		char **argv, char *err, size_t len)
{
	int origin[NKEYS] = { 0 };
	struct thermo_config tmp;
	struct blame b;
	int ret;

	memset(cli, 0, sizeof(*cli));
	cli->config_path = THERMO_DEFAULT_CONFIG;
	if (parse_args(argc, argv, cli, NULL, NULL, err, len) < 0)
		return -1;
	if (cli->help || cli->version) {
		if (cli->help)
			config_usage(stdout);
		else
			printf("thermostat (libsharedstate) %s\n",
			       SS_VERSION_STRING);
		goto printed;
	}
	config_defaults(&tmp);
	/* The default file may be missing: the defaults are complete. */
	ret = load_file(&tmp, cli->config_path, origin, err, len);
	if (ret < 0 && !(ret == -ENOENT && !cli->config_given))
		return -1;
	if (parse_args(argc, argv, cli, &tmp, origin, err, len) < 0)
		return -1;
	b.origin = origin;
	b.file = cli->config_path;
	if (validate(&tmp, &b, err, len) < 0)
		return -1;
	*c = tmp;
	if (!cli->print_config)
		return 0;
	config_print(stdout, c);
printed:
	if (fflush(stdout) == EOF || ferror(stdout))
		return fail(err, len, "standard output: %s", strerror(errno));
	return 1;
}

/* ---- output --------------------------------------------------------- */

void config_print(FILE *out, const struct thermo_config *c)
{
	char value[320];

	fprintf(out, "# thermostat %s: the effective configuration "
		"(thermostat.conf(5))\n", SS_VERSION_STRING);
	for (size_t i = 0; i < NKEYS; i++) {
		format_value(c, &keys[i], value, sizeof(value));
		fprintf(out, "%s =%s%s\n", keys[i].name, value[0] ? " " : "",
			value);
	}
}

static const char *metavar(const struct key *k, char *buf, size_t len)
{
	switch (k->type) {
	case T_STRING:
		return k->flags & K_PATH ? "PATH" : "TEXT";
	case T_DOUBLE:
		return "NUMBER";
	case T_DURATION:
		return "SECONDS";
	case T_INT:
	case T_UINT:
		return "N";
	case T_BOOL:
		return "yes|no";
	case T_ENUM:
		return join_names(k->names, "|", "|", buf, len);
	}
	return "VALUE";
}

void config_usage(FILE *out)
{
	struct thermo_config def;
	char opt[64], arg[80], value[320], line[160];

	config_defaults(&def);
	fprintf(out,
		"Usage: thermostat [OPTION]...\n"
		"A heating thermostat: reads a sensor, drives a furnace relay, "
		"serves a web page.\n"
		"Options override the configuration file; every key of the "
		"file is also an\n"
		"option, with dashes: --min-on=120 sets min_on.\n\n");
	for (size_t i = 0; i < NOPTS; i++) {
		if (opts[i].short_name)
			snprintf(line, sizeof(line), "  -%c, --%s%s%s",
				 opts[i].short_name, opts[i].name,
				 opts[i].arg ? "=" : "",
				 opts[i].arg ? opts[i].arg : "");
		else
			snprintf(line, sizeof(line), "      --%s%s%s",
				 opts[i].name, opts[i].arg ? "=" : "",
				 opts[i].arg ? opts[i].arg : "");
		fprintf(out, "%-24s%s\n", line, opts[i].help);
	}
	fprintf(out, "\nConfiguration keys (thermostat.conf(5)), with their "
		"defaults:\n");
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		format_value(&def, k, value, sizeof(value));
		snprintf(line, sizeof(line), "  --%s%s%s%s",
			 option_name(k->name, opt, sizeof(opt)),
			 k->type == T_BOOL ? "[=" : "=",
			 metavar(k, arg, sizeof(arg)),
			 k->type == T_BOOL ? "]" : "");
		fprintf(out, "%-39s (%s%s%s)\n        %s\n", line,
			value[0] ? "" : "empty", value,
			k->type == T_DURATION ? " s" : "", k->help);
	}
	fprintf(out,
		"\nDurations are seconds, or a number and s, m or h (2m). "
		"Temperatures are\n"
		"degrees C.  Exit status: 0 stopped by a signal, 1 failed to "
		"start, 2 bad\n"
		"configuration or command line.\n");
}
