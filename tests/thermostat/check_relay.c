/* SPDX-License-Identifier: MIT */
/*
 * The relay, without hardware: the gpiod backend runs against the fake
 * libgpiod in fake_gpiod.c (linked with -Wl,--wrap, see
 * thermostat/io/local.mk) and each test checks the exact calls it made, for the API configure
 * chose; the sim backend is checked through its log lines.
 */
#include <config.h> /* configure's: THERMO_GPIOD_API */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpiod.h>

#include "fake_gpiod.h"
#include "io/relay.h"
#include "log.h"
#include "runner.h"

static struct relay_settings cfg;
static char err[256];

static void setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = RELAY_GPIOD;
	snprintf(cfg.gpio_chip, sizeof(cfg.gpio_chip), "gpiochip0");
	cfg.gpio_line = 17;
	memset(err, 0, sizeof(err));
	fake_gpiod_reset();
	log_set_level(LOG_LEVEL_DEBUG);
}

static void teardown(void)
{
	ck_assert_int_eq(fake_gpiod_live_objects(), 0);
}

/* stderr, where the log goes, captured into a temporary file. */
static int saved_stderr = -1;
static FILE *captured;

static void capture_start(void)
{
	fflush(stderr);
	captured = tmpfile();
	ck_assert_ptr_nonnull(captured);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(fileno(captured), STDERR_FILENO), STDERR_FILENO);
}

static const char *capture_end(void)
{
	static char text[4096];
	size_t n;

	fflush(stderr);
	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	rewind(captured);
	n = fread(text, 1, sizeof(text) - 1, captured);
	text[n] = '\0';
	fclose(captured);
	return text;
}

/*
 * What each API's calls look like in the fake's log.  OPEN is everything
 * relay_open does on success, SET_ON/SET_OFF one relay_set, CLOSE what
 * relay_close does (drive OFF, release).  The v2 strings name calls that
 * exist only in libgpiod 2.x: a v2 build that passes these tests ran the
 * v2 code.
 */
#if THERMO_GPIOD_API == 2
#define OPEN_CHIP(path) "chip_open(" path ")\n"
#define OPEN_REST(flag)                                                    \
	"line_settings_new()\n"                                            \
	"line_config_new()\n"                                              \
	"request_config_new()\n"                                           \
	"line_settings_set_direction(OUTPUT)\n"                            \
	"line_settings_set_output_value(INACTIVE)\n"                       \
	"line_settings_set_active_low(" flag ")\n"                         \
	"line_config_add_line_settings(17)\n"                              \
	"request_config_set_consumer(thermostat)\n"
#define REQUEST(path, al)                                                  \
	"chip_request_lines(" path ", consumer thermostat, line 17: "     \
	"OUTPUT INACTIVE" al ")\n"
#define FREE_CONFIGS                                                       \
	"request_config_free()\n"                                          \
	"line_config_free()\n"                                             \
	"line_settings_free()\n"
#define OPEN                                                               \
	OPEN_CHIP("/dev/gpiochip0") OPEN_REST("false")                     \
	REQUEST("/dev/gpiochip0", "") FREE_CONFIGS
#define OPEN_ACTIVE_LOW                                                    \
	OPEN_CHIP("/dev/gpiochip0") OPEN_REST("true")                      \
	REQUEST("/dev/gpiochip0", " active-low") FREE_CONFIGS
#define SET_ON "line_request_set_value(17, ACTIVE)\n"
#define SET_OFF "line_request_set_value(17, INACTIVE)\n"
#define CLOSE SET_OFF "line_request_release()\nchip_close(/dev/gpiochip0)\n"
#define FAIL_OPEN "chip_open"
#define FAIL_REQUEST "chip_request_lines"
#define FAIL_SET "line_request_set_value"
#else
#define OPEN_CHIP(descr) "chip_open_lookup(" descr ")\n"
#define OPEN                                                               \
	OPEN_CHIP("gpiochip0")                                             \
	"chip_get_line(17)\n"                                              \
	"line_request_output_flags(thermostat, 0, 0)\n"
#define OPEN_ACTIVE_LOW                                                    \
	OPEN_CHIP("gpiochip0")                                             \
	"chip_get_line(17)\n"                                              \
	"line_request_output_flags(thermostat, ACTIVE_LOW, 0)\n"
#define SET_ON "line_set_value(1)\n"
#define SET_OFF "line_set_value(0)\n"
#define CLOSE SET_OFF "line_release(17)\nchip_close(gpiochip0)\n"
#define FAIL_OPEN "chip_open_lookup"
#define FAIL_REQUEST "line_request_output_flags"
#define FAIL_SET "line_set_value"
#endif

START_TEST(api_matches_header)
{
	/* Only the 1.x header defines GPIOD_LINE_BULK_MAX_LINES. */
#ifdef GPIOD_LINE_BULK_MAX_LINES
	ck_assert_int_eq(THERMO_GPIOD_API, 1);
#else
	ck_assert_int_eq(THERMO_GPIOD_API, 2);
#endif
}
END_TEST

START_TEST(on_off_sequence)
{
	struct relay *r = relay_open(&cfg, err, sizeof(err));

	ck_assert_msg(r != NULL, "relay_open: %s", err);
	ck_assert_str_eq(fake_gpiod_calls(), OPEN);
	/* Requested as an output whose initial value is OFF. */
	ck_assert(fake_gpiod_requested());
	ck_assert_int_eq(fake_gpiod_value(), 0);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	ck_assert_int_eq(fake_gpiod_value(), 1);
	ck_assert_int_eq(relay_set(r, false, err, sizeof(err)), 0);
	ck_assert_int_eq(fake_gpiod_value(), 0);
	relay_close(r);
	ck_assert_str_eq(fake_gpiod_calls(), OPEN SET_ON SET_OFF CLOSE);
	ck_assert(!fake_gpiod_requested());
}
END_TEST

START_TEST(close_drives_off)
{
	struct relay *r = relay_open(&cfg, err, sizeof(err));

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	relay_close(r);
	ck_assert_str_eq(fake_gpiod_calls(), OPEN SET_ON CLOSE);
	ck_assert_int_eq(fake_gpiod_value(), 0);
	relay_close(NULL);
}
END_TEST

/* Values are logical: active-low is the library's business, and the
 * initial value is still OFF. */
START_TEST(active_low)
{
	struct relay *r;

	cfg.active_low = true;
	r = relay_open(&cfg, err, sizeof(err));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(fake_gpiod_value(), 0);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	relay_close(r);
	ck_assert_str_eq(fake_gpiod_calls(), OPEN_ACTIVE_LOW SET_ON CLOSE);
}
END_TEST

START_TEST(writes_even_when_unchanged)
{
	struct relay *r = relay_open(&cfg, err, sizeof(err));

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	relay_close(r);
	ck_assert_str_eq(fake_gpiod_calls(), OPEN SET_ON SET_ON CLOSE);
}
END_TEST

START_TEST(chip_names)
{
	static const struct {
		const char *configured, *opened;
	} cases[] = {
#if THERMO_GPIOD_API == 2
		/* 2.x opens paths only: names and numbers get /dev/. */
		{ "gpiochip2", "/dev/gpiochip2" },
		{ "3", "/dev/gpiochip3" },
		{ "/dev/gpiochip4", "/dev/gpiochip4" },
		{ "/dev/my-relay-chip", "/dev/my-relay-chip" },
#else
		/* 1.x's lookup takes all of these itself. */
		{ "gpiochip2", "gpiochip2" },
		{ "3", "3" },
		{ "/dev/gpiochip4", "/dev/gpiochip4" },
		{ "pinctrl-bcm2835", "pinctrl-bcm2835" },
#endif
	};
	char want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct relay *r;

		fake_gpiod_reset();
		snprintf(cfg.gpio_chip, sizeof(cfg.gpio_chip), "%s",
			 cases[i].configured);
		r = relay_open(&cfg, err, sizeof(err));
		ck_assert_msg(r != NULL, "%s: %s", cases[i].configured, err);
		relay_close(r);
		snprintf(want, sizeof(want), "%s(%s)\n", FAIL_OPEN,
			 cases[i].opened);
		ck_assert_msg(strncmp(fake_gpiod_calls(), want,
				      strlen(want)) == 0,
			      "%s: opened as %s", cases[i].configured,
			      fake_gpiod_calls());
	}
}
END_TEST

START_TEST(open_fails_without_chip)
{
	fake_gpiod_fail(FAIL_OPEN, ENOENT, 1);
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
#if THERMO_GPIOD_API == 2
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot open "
			      "/dev/gpiochip0: No such file or directory");
	ck_assert_str_eq(fake_gpiod_calls(), OPEN_CHIP("/dev/gpiochip0"));
#else
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot open the "
			      "chip: No such file or directory");
	ck_assert_str_eq(fake_gpiod_calls(), OPEN_CHIP("gpiochip0"));
#endif
}
END_TEST

START_TEST(open_fails_when_busy)
{
	fake_gpiod_fail(FAIL_REQUEST, EBUSY, 1);
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot request the "
			      "line as an output: Device or resource busy "
			      "(used by another program or a kernel driver)");
	ck_assert(!fake_gpiod_requested());
	/* Whatever was opened is closed again (teardown checks the fake's
	 * objects are all gone). */
#if THERMO_GPIOD_API == 2
	ck_assert_str_eq(fake_gpiod_calls(),
			 OPEN_CHIP("/dev/gpiochip0") OPEN_REST("false")
			 REQUEST("/dev/gpiochip0", "") FREE_CONFIGS
			 "chip_close(/dev/gpiochip0)\n");
#else
	ck_assert_str_eq(fake_gpiod_calls(), OPEN "chip_close(gpiochip0)\n");
#endif
}
END_TEST

START_TEST(open_fails_without_permission)
{
	fake_gpiod_fail(FAIL_OPEN, EACCES, 1);
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "Permission denied (may this user open") !=
			      NULL, "%s", err);
}
END_TEST

#if THERMO_GPIOD_API == 2
START_TEST(open_fails_out_of_memory)
{
	fake_gpiod_fail("line_config_new", ENOMEM, 1);
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot set up the "
			      "request: Cannot allocate memory");
	ck_assert_str_eq(fake_gpiod_calls(),
			 OPEN_CHIP("/dev/gpiochip0")
			 "line_settings_new()\n"
			 "line_config_new()\n"
			 "request_config_new()\n"
			 "request_config_free()\n"
			 "line_config_free(NULL)\n"
			 "line_settings_free()\n"
			 "chip_close(/dev/gpiochip0)\n");
}
END_TEST

/* 2.x has no line lookup: a bad offset fails the request itself. */
START_TEST(open_fails_without_line)
{
	fake_gpiod_fail(FAIL_REQUEST, EINVAL, 1);
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot request the "
			      "line as an output (no such line on the "
			      "chip?): Invalid argument");
}
END_TEST
#else
START_TEST(open_fails_without_line)
{
	cfg.gpio_line = 99;
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "relay gpiochip0 line 99: no such line on the "
			      "chip: Invalid argument");
	ck_assert_str_eq(fake_gpiod_calls(),
			 "chip_open_lookup(gpiochip0)\n"
			 "chip_get_line(99)\n"
			 "chip_close(gpiochip0)\n");
}
END_TEST
#endif

START_TEST(open_needs_a_chip)
{
	cfg.gpio_chip[0] = '\0';
	ck_assert_ptr_null(relay_open(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "relay: gpio_chip is not set");
	ck_assert_str_eq(fake_gpiod_calls(), "");
}
END_TEST

/* A failed write is reported, and the next one (the control thread's
 * retry) goes through. */
START_TEST(failed_set_is_reported)
{
	struct relay *r = relay_open(&cfg, err, sizeof(err));

	ck_assert_ptr_nonnull(r);
	fake_gpiod_fail(FAIL_SET, EIO, 1);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot switch on: "
			      "Input/output error");
	ck_assert_int_eq(fake_gpiod_value(), 0);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	ck_assert_int_eq(fake_gpiod_value(), 1);
	fake_gpiod_fail(FAIL_SET, EIO, 1);
	ck_assert_int_eq(relay_set(r, false, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "relay gpiochip0 line 17: cannot switch off: "
			      "Input/output error");
	relay_close(r);
	ck_assert_str_eq(fake_gpiod_calls(),
			 OPEN SET_ON SET_ON SET_OFF CLOSE);
}
END_TEST

/* The line is released even when it cannot be driven OFF, and that
 * failure is logged as an error. */
START_TEST(close_logs_failure_to_drive_off)
{
	struct relay *r = relay_open(&cfg, err, sizeof(err));
	const char *log;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	fake_gpiod_fail(FAIL_SET, EIO, 1);
	capture_start();
	relay_close(r);
	log = capture_end();
	ck_assert_str_eq(fake_gpiod_calls(), OPEN SET_ON CLOSE);
	ck_assert_msg(strstr(log, "error: relay gpiochip0 line 17: cannot "
				  "switch off: Input/output error") != NULL,
		      "log: %s", log);
}
END_TEST

START_TEST(sim_logs_each_switch)
{
	struct relay *r;
	const char *log;

	cfg.kind = RELAY_SIM;
	capture_start();
	r = relay_open(&cfg, err, sizeof(err));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	ck_assert_int_eq(relay_set(r, false, err, sizeof(err)), 0);
	ck_assert_int_eq(relay_set(r, false, err, sizeof(err)), 0);
	ck_assert_int_eq(relay_set(r, true, err, sizeof(err)), 0);
	relay_close(r); /* leaves it off */
	log = capture_end();
	ck_assert_str_eq(log, "thermostat: info: relay: off (simulated)\n"
			      "thermostat: debug: relay: on (simulated)\n"
			      "thermostat: debug: relay: off (simulated)\n"
			      "thermostat: debug: relay: on (simulated)\n"
			      "thermostat: info: relay: off\n");
	ck_assert_str_eq(fake_gpiod_calls(), "");
}
END_TEST

static Suite *suite_relay(void)
{
	Suite *s = suite_create("relay");
	TCase *g = tcase_create("gpiod");
	TCase *sim = tcase_create("sim");

	tcase_add_checked_fixture(g, setup, teardown);
	tcase_add_test(g, api_matches_header);
	tcase_add_test(g, on_off_sequence);
	tcase_add_test(g, close_drives_off);
	tcase_add_test(g, active_low);
	tcase_add_test(g, writes_even_when_unchanged);
	tcase_add_test(g, chip_names);
	tcase_add_test(g, open_fails_without_chip);
	tcase_add_test(g, open_fails_when_busy);
	tcase_add_test(g, open_fails_without_permission);
#if THERMO_GPIOD_API == 2
	tcase_add_test(g, open_fails_out_of_memory);
#endif
	tcase_add_test(g, open_fails_without_line);
	tcase_add_test(g, open_needs_a_chip);
	tcase_add_test(g, failed_set_is_reported);
	tcase_add_test(g, close_logs_failure_to_drive_off);
	suite_add_tcase(s, g);

	tcase_add_checked_fixture(sim, setup, teardown);
	tcase_add_test(sim, sim_logs_each_switch);
	suite_add_tcase(s, sim);
	return s;
}

/* Run by runner.c's main(). */
const suite_fn test_suites[] = { suite_relay, NULL };

int test_setup(void)
{
	/* The log's format must not depend on how the tests are run. */
	unsetenv("JOURNAL_STREAM");
	printf("relay tests: libgpiod API v%d (fake)\n", THERMO_GPIOD_API);
	return 0;
}
