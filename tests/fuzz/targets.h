/* SPDX-License-Identifier: MIT */
/*
 * Fuzz targets: one function per parser, taking the fuzzer's bytes.
 * Each one checks properties of what the parser accepts (round trips,
 * bounds, "nothing changed on failure"), not only that it does not crash,
 * and calls fuzz_fail() (which aborts) when one does not hold.
 *
 * The same functions run in two harnesses:
 *   - libFuzzer (tests/fuzz/entry.c, built by tests/fuzz/build.sh with
 *     clang -fsanitize=fuzzer,address,undefined), one binary per target;
 *   - tests/fuzz/replay.c, built by make check with the project's own
 *     compiler and flags, which replays every file of tests/fuzz/corpus
 *     (seeds and regressions) so that make check keeps them fixed in the
 *     plain, ASan+UBSan and TSan builds.
 * Inputs are exact-size buffers: a parser that reads past @size, or that
 * relies on a NUL after it, is caught by the sanitizers.
 */
#ifndef TESTS_FUZZ_TARGETS_H
#define TESTS_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

typedef int fuzz_fn(const uint8_t *data, size_t size);

struct fuzz_target {
	const char *name;	/* also the corpus directory's name */
	fuzz_fn *fn;
};

/* The library: ss_parse_field / ss_format_field, both directions. */
int fuzz_field(const uint8_t *data, size_t size);

#ifdef FUZZ_THERMOSTAT
/* thermostat/web/api.h: the request parsers. */
int fuzz_setpoint(const uint8_t *data, size_t size);
int fuzz_mode(const uint8_t *data, size_t size);
int fuzz_alarm(const uint8_t *data, size_t size);
int fuzz_compat_form(const uint8_t *data, size_t size);
int fuzz_history_query(const uint8_t *data, size_t size);
/* thermostat/web/api_program.h: the weekly program's parsers. */
int fuzz_program(const uint8_t *data, size_t size);
/* thermostat/conf/conf.h: config_parse_string. */
int fuzz_config(const uint8_t *data, size_t size);
/* thermostat/io/sensor_parse.h: parse_w1_slave, parse_millidegrees. */
int fuzz_w1_slave(const uint8_t *data, size_t size);
int fuzz_millidegrees(const uint8_t *data, size_t size);
/* thermostat/io/statefile.h: state_parse. */
int fuzz_statefile(const uint8_t *data, size_t size);
/* thermostat/mqtt/commands.h: a message from the broker. */
int fuzz_mqtt(const uint8_t *data, size_t size);
#endif

/* Every target this build has, NULL-terminated. */
extern const struct fuzz_target fuzz_targets[];

/* Reports a broken property, with the input, and aborts (libFuzzer then
 * saves the input as a crash artifact). */
__attribute__((noreturn, format(printf, 3, 4)))
void fuzz_fail(const uint8_t *data, size_t size, const char *fmt, ...);

/* A NUL-terminated heap copy of @data (up to its first NUL). */
char *fuzz_strdup(const uint8_t *data, size_t size);

#endif
