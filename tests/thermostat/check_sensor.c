/* SPDX-License-Identifier: MIT */
/*
 * Sensors: the parsers on exact-size buffers (so the sanitizer builds
 * catch a read past the end, or a reliance on NUL termination), then
 * sensor_open/sensor_read on the fixture trees of tests/thermostat/fixtures
 * and on files made at test time (the huge one, files that change or
 * vanish), then the simulated house.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "io/sensor.h"
#include "io/sensor_parse.h"
#include "runner.h"
#include "util/timeutil.h"

#define DEV "28-0316a279f3ff"
#define DEV2 "28-041752b1c0ff"
#define GOOD_W1                                                            \
	"72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n"                        \
	"72 01 4b 46 7f ff 0c 10 c6 t=23125\n"
/* w1_slave with line 2's number replaced. */
#define W1_T(t)                                                            \
	"72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n"                        \
	"72 01 4b 46 7f ff 0c 10 c6 t=" t "\n"

static char err[256];

/* ---- the parsers --------------------------------------------------- */

/* Parses a heap copy of exactly @n bytes: no NUL after them. */
static int w1(const char *text, size_t n, double *c)
{
	char *copy = malloc(n ? n : 1);
	int ret;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n);
	err[0] = '\0';
	ret = parse_w1_slave(copy, n, c, err, sizeof(err));
	free(copy);
	if (ret < 0)
		ck_assert_msg(err[0] != '\0', "an error without a message");
	return ret;
}

static int milli(const char *text, size_t n, double *c)
{
	char *copy = malloc(n ? n : 1);
	int ret;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n);
	err[0] = '\0';
	ret = parse_millidegrees(copy, n, c, err, sizeof(err));
	free(copy);
	if (ret < 0)
		ck_assert_msg(err[0] != '\0', "an error without a message");
	return ret;
}

#define W1_OK(lit, want)                                                   \
	do {                                                               \
		double c_ = NAN;                                           \
		ck_assert_msg(w1(lit, sizeof(lit) - 1, &c_) == 0,          \
			      "%s: %s", #lit, err);                        \
		ck_assert_double_eq_tol(c_, want, 1e-9);                   \
	} while (0)
#define W1_ERR(lit, msg)                                                   \
	do {                                                               \
		double c_ = 99.0;                                          \
		ck_assert_msg(w1(lit, sizeof(lit) - 1, &c_) == -1,         \
			      "accepted %s", #lit);                        \
		ck_assert_str_eq(err, msg);                                \
		ck_assert_double_eq(c_, 99.0); /* untouched */             \
	} while (0)
#define MILLI_OK(lit, want)                                                \
	do {                                                               \
		double c_ = NAN;                                           \
		ck_assert_msg(milli(lit, sizeof(lit) - 1, &c_) == 0,       \
			      "%s: %s", #lit, err);                        \
		ck_assert_double_eq_tol(c_, want, 1e-9);                   \
	} while (0)
#define MILLI_ERR(lit, msg)                                                \
	do {                                                               \
		double c_ = 99.0;                                          \
		ck_assert_msg(milli(lit, sizeof(lit) - 1, &c_) == -1,      \
			      "accepted %s", #lit);                        \
		ck_assert_str_eq(err, msg);                                \
		ck_assert_double_eq(c_, 99.0);                             \
	} while (0)

START_TEST(w1_good)
{
	W1_OK(GOOD_W1, 23.125);
	W1_OK(W1_T("-10125"), -10.125);
	W1_OK(W1_T("0"), 0.0);
	/* The datasheet's range, both ends included. */
	W1_OK(W1_T("-55000"), -55.0);
	W1_OK(W1_T("125000"), 125.0);
	W1_OK(W1_T("84999"), 84.999);
	W1_OK(W1_T("85001"), 85.001);
}
END_TEST

START_TEST(w1_rejects_sensor_faults)
{
	W1_ERR("72 01 4b 66 7f ff 0c 10 c6 : crc=3e NO\n"
	       "72 01 4b 46 7f ff 0c 10 c6 t=23125\n",
	       "CRC check failed (line 1 ends in NO)");
	W1_ERR(W1_T("85000"), "85.000 C: the power-on value, not a reading");
	W1_ERR(W1_T("127937"), "127.94 C is the sensor's fault value");
	W1_ERR(W1_T("127940"), "127.94 C is the sensor's fault value");
	W1_ERR(W1_T("-55001"), "-55.001 C is outside -55..125 C");
	W1_ERR(W1_T("125001"), "125.001 C is outside -55..125 C");
	W1_ERR(W1_T("-60000"), "-60.000 C is outside -55..125 C");
	W1_ERR("00 00 00 00 00 00 00 00 00 : crc=00 YES\n"
	       "00 00 00 00 00 00 00 00 00 t=0\n",
	       "scratchpad all zeros (1-wire bus fault)");
}
END_TEST

START_TEST(w1_rejects_bad_input)
{
	W1_ERR("", "empty file");
	W1_ERR("\n", "line 1 does not end in YES");
	W1_ERR("\n\n", "line 1 does not end in YES");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES",
	       "truncated (line 1 has no newline)");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n",
	       "truncated (no line 2)");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n72 01",
	       "truncated (line 2 has no t=)");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n72 01 t=",
	       "truncated (nothing after t=)");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n72 01 t=231",
	       "truncated (line 2 has no newline)");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\n72 01 4b\n",
	       "line 2 has no t=");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES\r\n"
	       "72 01 4b 46 7f ff 0c 10 c6 t=23125\r\n",
	       "line 1 ends in a carriage return, not YES");
	W1_ERR(W1_T("23125\r"),
	       "unexpected carriage return (CRLF?) after the t= number");
	W1_ERR(W1_T("23125 "), "unexpected space after the t= number");
	W1_ERR(W1_T(" 23125"), "t= is not followed by a number");
	W1_ERR(W1_T("+23125"), "t= is not followed by a number");
	W1_ERR(W1_T("-"), "t= is not followed by a number");
	W1_ERR(W1_T(""), "t= is not followed by a number");
	W1_ERR(W1_T("23.125"), "unexpected '.' after the t= number");
	W1_ERR(W1_T("0x5a"), "unexpected 'x' after the t= number");
	W1_ERR(W1_T("99999999999999999999999999"), "t= is out of range");
	W1_ERR(W1_T("-99999999999999999999999999"), "t= is out of range");
	W1_ERR(W1_T("2147483648"), "t= is out of range");
	W1_ERR(GOOD_W1 "\n", "unexpected data after line 2");
	W1_ERR(GOOD_W1 GOOD_W1, "unexpected data after line 2");
	W1_ERR("72 01 4b 46 7f ff 0c 10 c6 : crc=c6 YES \n"
	       "72 01 4b 46 7f ff 0c 10 c6 t=23125\n",
	       "line 1 does not end in YES");
	W1_ERR("Lorem ipsum dolor sit amet\nconsectetur t=adipiscing\n",
	       "line 1 does not end in YES");
}
END_TEST

/* NUL bytes are bytes like any other: the parser must neither stop at
 * one nor skip it. */
START_TEST(w1_nul_bytes)
{
	static const char good[] = GOOD_W1;
	size_t n = sizeof(good) - 1, t = strstr(good, "t=") - good;
	char buf[sizeof(good)];
	double c;

	memcpy(buf, good, n);
	buf[t + 4] = '\0'; /* inside the number */
	ck_assert_int_eq(w1(buf, n, &c), -1);
	ck_assert_str_eq(err, "unexpected byte 0x00 after the t= number");
	memcpy(buf, good, n);
	buf[strstr(good, "YES") - good + 1] = '\0';
	ck_assert_int_eq(w1(buf, n, &c), -1);
	ck_assert_str_eq(err, "line 1 does not end in YES");
	memcpy(buf, good, n);
	buf[n - 1] = '\0'; /* instead of the final newline */
	ck_assert_int_eq(w1(buf, n, &c), -1);
	ck_assert_str_eq(err, "unexpected byte 0x00 after the t= number");
	ck_assert_int_eq(w1("\0\0\0\0", 4, &c), -1);
	ck_assert_str_eq(err, "truncated (line 1 has no newline)");
}
END_TEST

/* A file cut anywhere is an error, never a different temperature. */
START_TEST(w1_every_truncation_fails)
{
	static const char good[] = GOOD_W1;
	double c;

	for (size_t n = 0; n < sizeof(good) - 1; n++)
		ck_assert_msg(w1(good, n, &c) == -1,
			      "accepted the first %zu bytes: %.3f", n, c);
	ck_assert_int_eq(w1(good, sizeof(good) - 1, &c), 0);
}
END_TEST

START_TEST(w1_huge_input)
{
	size_t n = 8 << 20;
	char *big = malloc(n);
	double c;

	ck_assert_ptr_nonnull(big);
	/* A megabyte-long line 1, then a megabyte of digits in line 2. */
	memset(big, 'a', n);
	ck_assert_int_eq(parse_w1_slave(big, n, &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "truncated (line 1 has no newline)");
	memcpy(big, GOOD_W1, strlen(GOOD_W1));
	memset(big + strlen(GOOD_W1) - 6, '9', n - strlen(GOOD_W1) + 5);
	big[n - 1] = '\n';
	ck_assert_int_eq(parse_w1_slave(big, n, &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t= is out of range");
	free(big);
}
END_TEST

/* Any bytes at all: no crash, no read past the end (the sanitizers
 * watch), a message on error, and only in-range readings. */
static void random_bytes(char *buf, size_t n, uint64_t *s)
{
	static const char alphabet[] = "0123456789-t= YESNO\n\r\0abcf:rc";

	for (size_t i = 0; i < n; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		if ((*s >> 40) % 4 == 0)
			buf[i] = (char)(*s >> 16);
		else
			buf[i] = alphabet[(*s >> 24) % (sizeof(alphabet) - 1)];
	}
}

START_TEST(parsers_survive_random_input)
{
	uint64_t s = 0x2545F4914F6CDD1DULL;
	char buf[200], msg[8];
	double c;

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(s % sizeof(buf));

		random_bytes(buf, n, &s);
		if (w1(buf, n, &c) == 0)
			ck_assert(c >= -55.0 && c <= 125.0);
		if (milli(buf, n, &c) == 0)
			ck_assert(c >= -273.15 && c <= 1000.0);
		/* Tiny or absent message buffers are fine too. */
		msg[0] = '\0';
		parse_w1_slave(buf, n, &c, msg, sizeof(msg));
		ck_assert_uint_lt(strnlen(msg, sizeof(msg)), sizeof(msg));
		parse_w1_slave(buf, n, &c, NULL, 0);
		parse_millidegrees(buf, n, &c, NULL, 0);
	}
}
END_TEST

/* Every single-byte change of a good file: rejected, or a reading in the
 * sensor's range (changes inside the hex bytes are not checked: the
 * kernel already did, that is the YES). */
START_TEST(w1_single_byte_mutations)
{
	static const char good[] = GOOD_W1;
	static const char subst[] = { '\0', '\n', '\r', ' ', '-', '0', '9',
				      'N', 'Y', 't', '=', (char)0xff };
	size_t n = sizeof(good) - 1;
	char buf[sizeof(good)];
	double c;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof(subst); k++) {
			memcpy(buf, good, n);
			buf[i] = subst[k];
			if (w1(buf, n, &c) == 0)
				ck_assert_msg(c >= -55.0 && c <= 125.0,
					      "byte %zu = %#x: %.3f", i,
					      (unsigned char)subst[k], c);
		}
}
END_TEST

START_TEST(millidegrees_good)
{
	MILLI_OK("21500\n", 21.5);
	MILLI_OK("21500", 21.5); /* hand-made files lack the newline */
	MILLI_OK("-5250\n", -5.25);
	MILLI_OK("0\n", 0.0);
	MILLI_OK("007\n", 0.007);
	MILLI_OK("-273150\n", -273.15);
	MILLI_OK("1000000\n", 1000.0);
	MILLI_OK("127937\n", 127.937); /* no DS18B20 rules here */
}
END_TEST

START_TEST(millidegrees_bad_input)
{
	MILLI_ERR("", "empty file");
	MILLI_ERR("\n", "not a number (starts with newline)");
	MILLI_ERR(" 21500\n", "not a number (starts with space)");
	MILLI_ERR("\t21500\n", "not a number (starts with tab)");
	MILLI_ERR("+21500\n", "not a number (starts with '+')");
	MILLI_ERR("-\n", "not a number ('-' without digits)");
	MILLI_ERR("--5\n", "not a number ('-' without digits)");
	MILLI_ERR("temp=21.5\n", "not a number (starts with 't')");
	MILLI_ERR("\xff\xfe", "not a number (starts with byte 0xff)");
	MILLI_ERR("21500 \n", "unexpected space after the number");
	MILLI_ERR("21500\r\n",
		  "unexpected carriage return (CRLF?) after the number");
	MILLI_ERR("21.5\n", "unexpected '.' after the number");
	MILLI_ERR("21500\n\n", "unexpected data after the first line");
	MILLI_ERR("21500\n21500\n", "unexpected data after the first line");
	MILLI_ERR("21\0" "500\n", "unexpected byte 0x00 after the number");
	MILLI_ERR("\0", "not a number (starts with byte 0x00)");
	MILLI_ERR("99999999999999999999999999\n", "number out of range");
	MILLI_ERR("-9223372036854775809\n", "number out of range");
	MILLI_ERR("-273151\n", "-273.151 C is outside -273.15..1000 C");
	MILLI_ERR("1000001\n", "1000.001 C is outside -273.15..1000 C");
}
END_TEST

START_TEST(millidegrees_huge_input)
{
	size_t n = 8 << 20;
	char *big = malloc(n);
	double c;

	ck_assert_ptr_nonnull(big);
	memset(big, '7', n);
	ck_assert_int_eq(parse_millidegrees(big, n, &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "number out of range");
	free(big);
}
END_TEST

/* ---- sensors on files ---------------------------------------------- */

static struct sensor_settings cfg;
static const char *tmp;	/* the test's own, in the runner's root */

static const char *fixture(const char *rel)
{
	static char path[1024];
	const char *top = getenv("top_srcdir");

	ck_assert_msg(top != NULL, "top_srcdir is not set (run by make check)");
	snprintf(path, sizeof(path), "%s/tests/thermostat/fixtures/%s", top,
		 rel);
	return path;
}

static void use_w1_tree(const char *name)
{
	char rel[128];

	cfg.kind = SENSOR_W1;
	snprintf(rel, sizeof(rel), "w1/%s", name);
	snprintf(cfg.sysfs_root, sizeof(cfg.sysfs_root), "%s", fixture(rel));
}

static void setup(void)
{
	struct thermo_settings def;

	/* The demo house of the defaults; everything else zero. */
	config_defaults(&def);
	memset(&cfg, 0, sizeof(cfg));
	cfg.sim = def.sensor.sim;
	tmp = test_tmpdir_make();
	err[0] = '\0';
}

static void teardown(void)
{
	test_tmpdir_remove();
}

/* Writes @n bytes to @rel under the temporary directory, making the
 * directories on the way; returns the file's path. */
static const char *tmp_file(const char *rel, const char *data, size_t n)
{
	return test_write_file(tmp, rel, data, n);
}

/* Opens the configured sensor, reads once; returns what read returned. */
static int read_once(double *c)
{
	struct sensor *s = sensor_open(&cfg, NULL, NULL, err, sizeof(err));
	int ret;

	ck_assert_msg(s != NULL, "sensor_open: %s", err);
	ret = sensor_read(s, c, err, sizeof(err));
	sensor_close(s);
	return ret;
}

START_TEST(w1_reads_the_only_device)
{
	double c = NAN;

	use_w1_tree("good");
	ck_assert_msg(read_once(&c) == 0, "%s", err);
	ck_assert_double_eq_tol(c, 23.125, 1e-9);
	use_w1_tree("negative");
	ck_assert_msg(read_once(&c) == 0, "%s", err);
	ck_assert_double_eq_tol(c, -10.125, 1e-9);
}
END_TEST

START_TEST(w1_fixture_errors)
{
	static const struct {
		const char *tree, *err;
	} cases[] = {
		{ "crc-no",
		  "w1 " DEV ": CRC check failed (line 1 ends in NO)" },
		{ "truncated",
		  "w1 " DEV ": truncated (line 2 has no newline)" },
		{ "garbage", "w1 " DEV ": line 1 does not end in YES" },
		{ "empty", "w1 " DEV ": empty file" },
		{ "power-on", "w1 " DEV ": 85.000 C: the power-on value, "
			      "not a reading" },
		{ "fault", "w1 " DEV ": 127.94 C is the sensor's fault value" },
		{ "out-of-range",
		  "w1 " DEV ": -60.000 C is outside -55..125 C" },
		{ "no-slave",
		  "w1 " DEV ": w1_slave: No such file or directory" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double c = 99.0;

		use_w1_tree(cases[i].tree);
		ck_assert_msg(read_once(&c) == -1, "%s: read %.3f",
			      cases[i].tree, c);
		ck_assert_str_eq(err, cases[i].err);
		ck_assert_double_eq(c, 99.0);
		/* Whole in the record's sensor_error (an ss_str64). */
		ck_assert_uint_lt(strlen(err), 64);
	}
}
END_TEST

START_TEST(w1_named_device)
{
	double c = NAN;

	use_w1_tree("two");
	snprintf(cfg.w1_device, sizeof(cfg.w1_device), DEV2);
	ck_assert_msg(read_once(&c) == 0, "%s", err);
	ck_assert_double_eq_tol(c, 21.5, 1e-9);
	snprintf(cfg.w1_device, sizeof(cfg.w1_device), DEV);
	ck_assert_msg(read_once(&c) == 0, "%s", err);
	ck_assert_double_eq_tol(c, 23.125, 1e-9);
}
END_TEST

/* Startup errors say what was found. */
START_TEST(w1_discovery_errors)
{
	char want[512];
	const char *dir;

	use_w1_tree("two");
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	dir = fixture("w1/two/bus/w1/devices");
	snprintf(want, sizeof(want), "several DS18B20 in %s (" DEV ", " DEV2
		 "): set w1_device to one", dir);
	ck_assert_str_eq(err, want);

	snprintf(cfg.w1_device, sizeof(cfg.w1_device), "28-000000000000");
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	snprintf(want, sizeof(want), "w1 device 28-000000000000 not found in "
		 "%s (found: " DEV ", " DEV2 ")", dir);
	ck_assert_str_eq(err, want);

	use_w1_tree("none");
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	snprintf(want, sizeof(want), "w1 device 28-000000000000 not found in "
		 "%s (found: none)", fixture("w1/none/bus/w1/devices"));
	ck_assert_str_eq(err, want);
	cfg.w1_device[0] = '\0';
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	snprintf(want, sizeof(want), "no DS18B20 (28-*) in %s",
		 fixture("w1/none/bus/w1/devices"));
	ck_assert_str_eq(err, want);

	snprintf(cfg.w1_device, sizeof(cfg.w1_device), "../two");
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "w1_device \"../two\": not a device name");

	use_w1_tree("no-such-tree");
	cfg.w1_device[0] = '\0';
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "No such file or directory") != NULL, "%s",
		      err);
	ck_assert_msg(strstr(err, "no-such-tree/bus/w1/devices") != NULL,
		      "%s", err);
}
END_TEST

/* Made at test time rather than committed: a megabyte w1_slave, and a
 * file exactly at the limit. */
START_TEST(w1_huge_file)
{
	size_t n = 1 << 20;
	char *big = malloc(n);
	double c = 99.0;

	ck_assert_ptr_nonnull(big);
	memset(big, '9', n);
	memcpy(big, GOOD_W1, strlen(GOOD_W1));
	tmp_file("bus/w1/devices/" DEV "/w1_slave", big, n);
	free(big);
	cfg.kind = SENSOR_W1;
	snprintf(cfg.sysfs_root, sizeof(cfg.sysfs_root), "%s", tmp);
	ck_assert_int_eq(read_once(&c), -1);
	ck_assert_str_eq(err, "w1 " DEV ": too large (over 4096 bytes)");
	ck_assert_double_eq(c, 99.0);
}
END_TEST

START_TEST(sysfs_reads_millidegrees)
{
	static const struct {
		const char *file;
		double c;
	} cases[] = {
		{ "milli/hwmon-temp1_input", 45.0 },
		{ "milli/thermal-zone-temp", -5.25 },
		{ "milli/no-newline", 21.5 },
	};

	cfg.kind = SENSOR_SYSFS;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double c = NAN;

		snprintf(cfg.file, sizeof(cfg.file), "%s",
			 fixture(cases[i].file));
		ck_assert_msg(read_once(&c) == 0, "%s", err);
		ck_assert_double_eq_tol(c, cases[i].c, 1e-9);
	}
}
END_TEST

START_TEST(sysfs_fixture_errors)
{
	static const struct {
		const char *file, *err;
	} cases[] = {
		{ "milli/crlf",
		  "unexpected carriage return (CRLF?) after the number" },
		{ "milli/spaces", "not a number (starts with space)" },
		{ "milli/garbage", "not a number (starts with 't')" },
		{ "milli/empty", "empty file" },
		{ "milli/overflow", "number out of range" },
	};
	char want[1024];

	cfg.kind = SENSOR_SYSFS;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double c = 99.0;

		snprintf(cfg.file, sizeof(cfg.file), "%s",
			 fixture(cases[i].file));
		ck_assert_int_eq(read_once(&c), -1);
		snprintf(want, sizeof(want), "%s: %s", cfg.file,
			 cases[i].err);
		ck_assert_str_eq(err, want);
		ck_assert_double_eq(c, 99.0);
	}
}
END_TEST

/* Each read opens the file afresh: a new value shows, a vanished file is
 * an error, and a file that comes back reads again. */
START_TEST(sysfs_rereads_each_time)
{
	const char *path = tmp_file("temp", "20000\n", 6);
	struct sensor *s;
	char want[1024];
	double c;

	cfg.kind = SENSOR_SYSFS;
	snprintf(cfg.file, sizeof(cfg.file), "%s", path);
	s = sensor_open(&cfg, NULL, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(sensor_read(s, &c, err, sizeof(err)), 0);
	ck_assert_double_eq_tol(c, 20.0, 1e-9);
	tmp_file("temp", "21000\n", 6);
	ck_assert_int_eq(sensor_read(s, &c, err, sizeof(err)), 0);
	ck_assert_double_eq_tol(c, 21.0, 1e-9);
	ck_assert_int_eq(unlink(cfg.file), 0);
	ck_assert_int_eq(sensor_read(s, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory",
		 cfg.file);
	ck_assert_str_eq(err, want);
	tmp_file("temp", "-1500", 5);
	ck_assert_int_eq(sensor_read(s, &c, err, sizeof(err)), 0);
	ck_assert_double_eq_tol(c, -1.5, 1e-9);
	sensor_close(s);
}
END_TEST

START_TEST(sysfs_size_limit)
{
	char buf[4097];
	double c = 99.0;

	cfg.kind = SENSOR_SYSFS;
	/* 4096 bytes is allowed (and is not a number); one more is not. */
	memset(buf, ' ', sizeof(buf));
	snprintf(cfg.file, sizeof(cfg.file), "%s",
		 tmp_file("page", buf, 4096));
	ck_assert_int_eq(read_once(&c), -1);
	ck_assert_msg(strstr(err, "not a number") != NULL, "%s", err);
	tmp_file("page", buf, 4097);
	ck_assert_int_eq(read_once(&c), -1);
	ck_assert_msg(strstr(err, ": too large (over 4096 bytes)") != NULL,
		      "%s", err);
	/* An endless file is read no further than the limit. */
	snprintf(cfg.file, sizeof(cfg.file), "/dev/zero");
	ck_assert_int_eq(read_once(&c), -1);
	ck_assert_str_eq(err, "/dev/zero: too large (over 4096 bytes)");
	ck_assert_double_eq(c, 99.0);
}
END_TEST

START_TEST(sysfs_open_errors)
{
	char want[1024];

	cfg.kind = SENSOR_SYSFS;
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor = sysfs needs sensor_file");
	snprintf(cfg.file, sizeof(cfg.file), "%s/missing", tmp);
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	snprintf(want, sizeof(want), "sensor_file %s: No such file or "
		 "directory", cfg.file);
	ck_assert_str_eq(err, want);
	snprintf(cfg.file, sizeof(cfg.file), "%s", tmp);
	ck_assert_ptr_null(sensor_open(&cfg, NULL, NULL, err, sizeof(err)));
	snprintf(want, sizeof(want), "sensor_file %s: Is a directory", tmp);
	ck_assert_str_eq(err, want);
}
END_TEST

/* ---- the simulated house ------------------------------------------- */

struct furnace {
	bool on;
	int asked;
};

static bool furnace_on(void *ctx)
{
	struct furnace *f = ctx;

	f->asked++;
	return f->on;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* The house warms while the record says heating, cools toward the
 * outside otherwise, by the time that passed between reads. */
/* The house of sim_follows_the_furnace @dt seconds after @from, heated
 * (toward 0 + 50 / 0.5 = 100 C) or not (toward 0 C). */
static double house_after(double from, double dt, bool heating)
{
	double target = heating ? 100.0 : 0.0;

	return target + (from - target) * exp(-0.5 * dt);
}

/* Each reading against the house model, over the time that really
 * passed, so that a slow machine changes the numbers, not the verdict. */
START_TEST(sim_follows_the_furnace)
{
	struct furnace f = { true, 0 };
	struct sensor *s;
	double c0, c1, c2, t0;

	cfg.kind = SENSOR_SIM;
	cfg.sim.noise_c = 0;
	cfg.sim.start_c = 18.0;
	cfg.sim.outside_c = 0.0;
	cfg.sim.gain_c_per_s = 50.0;	/* fast, so milliseconds show */
	cfg.sim.loss_per_s = 0.5;
	t0 = mono_now();
	s = sensor_open(&cfg, furnace_on, &f, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(sensor_read(s, &c0, err, sizeof(err)), 0);
	/* Heated for at most the time since before the open. */
	ck_assert_msg(c0 >= 18.0 &&
			      c0 <= house_after(18.0, mono_now() - t0, true) + 1e-9,
		      "first reading %.3f", c0);
	sleep_ms(50);
	ck_assert_int_eq(sensor_read(s, &c1, err, sizeof(err)), 0);
	/* Heated for at least the 50 ms slept. */
	ck_assert_msg(c1 >= house_after(c0, 0.050, true) - 1e-9,
		      "heating: %.3f -> %.3f", c0, c1);
	f.on = false;
	sleep_ms(50);
	ck_assert_int_eq(sensor_read(s, &c2, err, sizeof(err)), 0);
	/* The furnace off since the last reading: cooled 50 ms at least. */
	ck_assert_msg(c2 <= house_after(c1, 0.050, false) + 1e-9,
		      "idle: %.3f -> %.3f", c1, c2);
	ck_assert_int_eq(f.asked, 3);
	sensor_close(s);
}
END_TEST

START_TEST(sim_noise_and_no_callback)
{
	struct sensor *s;
	double c, lo = INFINITY, hi = -INFINITY;

	cfg.kind = SENSOR_SIM;
	cfg.sim.noise_c = 0.5;
	cfg.sim.start_c = 20.0;
	cfg.sim.outside_c = 20.0; /* no drift */
	s = sensor_open(&cfg, NULL, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(sensor_read(s, &c, err, sizeof(err)), 0);
		lo = fmin(lo, c);
		hi = fmax(hi, c);
	}
	ck_assert(lo >= 19.5 && hi <= 20.5);
	ck_assert_msg(hi - lo > 0.1, "no noise: %.3f..%.3f", lo, hi);
	sensor_close(s);
	sensor_close(NULL);
}
END_TEST

static Suite *suite_sensor(void)
{
	Suite *s = suite_create("sensor");
	TCase *p = tcase_create("parsers");
	TCase *f = tcase_create("files");
	TCase *sim = tcase_create("sim");

	tcase_add_test(p, w1_good);
	tcase_add_test(p, w1_rejects_sensor_faults);
	tcase_add_test(p, w1_rejects_bad_input);
	tcase_add_test(p, w1_nul_bytes);
	tcase_add_test(p, w1_every_truncation_fails);
	tcase_add_test(p, w1_huge_input);
	tcase_add_test(p, w1_single_byte_mutations);
	tcase_add_test(p, parsers_survive_random_input);
	tcase_add_test(p, millidegrees_good);
	tcase_add_test(p, millidegrees_bad_input);
	tcase_add_test(p, millidegrees_huge_input);
	tcase_set_timeout(p, 30);
	suite_add_tcase(s, p);

	tcase_add_checked_fixture(f, setup, teardown);
	tcase_add_test(f, w1_reads_the_only_device);
	tcase_add_test(f, w1_fixture_errors);
	tcase_add_test(f, w1_named_device);
	tcase_add_test(f, w1_discovery_errors);
	tcase_add_test(f, w1_huge_file);
	tcase_add_test(f, sysfs_reads_millidegrees);
	tcase_add_test(f, sysfs_fixture_errors);
	tcase_add_test(f, sysfs_rereads_each_time);
	tcase_add_test(f, sysfs_size_limit);
	tcase_add_test(f, sysfs_open_errors);
	suite_add_tcase(s, f);

	tcase_add_checked_fixture(sim, setup, teardown);
	tcase_add_test(sim, sim_follows_the_furnace);
	tcase_add_test(sim, sim_noise_and_no_callback);
	suite_add_tcase(s, sim);
	return s;
}

/* Run by runner.c's main(). */
const suite_fn test_suites[] = { suite_sensor, NULL };
