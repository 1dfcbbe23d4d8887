/* SPDX-License-Identifier: MIT */
/*
 * The daemon's configuration: an INI file (inih; no sections), every key
 * also a long option (--min-on for min_on), options overriding the file.
 * Parsing and validation are pure: errors name the file, the line and the
 * key, and nothing is half-applied.  See thermostat.conf(5).
 */
#ifndef THERMO_CONFIG_H
#define THERMO_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "io/house.h"
#include "log.h"

#define THERMO_DEFAULT_CONFIG "/etc/thermostat/thermostat.conf"

enum sensor_kind { SENSOR_W1 = 0, SENSOR_SYSFS, SENSOR_SIM };
enum relay_kind { RELAY_GPIOD = 0, RELAY_SIM };

/* What the control function needs; seconds and degrees C. */
struct control_config {
	double cold_tolerance;	/* heat on at or below setpoint - this */
	double hot_tolerance;	/* heat off at or above setpoint + this */
	double min_on;		/* shortest run, except for safety */
	double min_off;		/* shortest rest */
	double max_on;		/* longest run; 0: no limit */
	double sensor_timeout;	/* no valid reading for this long: off */
};

struct thermo_config {
	/* sensor */
	enum sensor_kind sensor;
	char sysfs_root[256];	/* w1: <root>/bus/w1/devices/28-* */
	char w1_device[64];	/* w1: "28-..." or "" for the only one */
	char sensor_file[256];	/* sysfs: a file holding millidegrees */
	double sensor_interval;	/* seconds between reads */
	/* relay */
	enum relay_kind relay;
	char gpio_chip[64];	/* "gpiochip0" or "/dev/gpiochip0" */
	unsigned gpio_line;	/* line offset (BCM 17 on a Pi) */
	bool active_low;	/* the relay closes on a low level */
	double relay_retry;	/* seconds between retries of a failed set */
	/* control */
	struct control_config control;
	double setpoint;	/* the default, until a saved one is loaded */
	double min_setpoint, max_setpoint;
	char units;		/* 'C' or 'F': how people see temperatures */
	/* state and logging */
	char state_file[256];
	enum log_level log_level;
	/* web */
	char listen[64];	/* "127.0.0.1:8080" */
	int num_threads;
	int request_timeout_ms;
	char access_control_list[256];
	char password_file[256];	/* htdigest file; "" for none */
	char auth_realm[64];
	bool auth_reads;		/* authenticate reads too */
	bool compat_routes;		/* the original daemon's routes */
	int history_minutes;		/* how much history to keep */
	int history_interval;		/* seconds between history points */
	/* simulation (sensor = sim, relay = sim) */
	struct house_params sim;
	char sim_relay_fail_file[256];	/* sim relay fails while it exists */
};

/* What the command line asked for besides configuration. */
struct cli {
	const char *config_path;	/* --config, or THERMO_DEFAULT_CONFIG */
	bool config_given;		/* --config was on the command line */
	bool print_config;		/* --print-config */
	bool help, version;
};

/*
 * config_load() - everything main needs: defaults, the file (--config, or
 * the default path, which may be missing), then the options over it, then
 * validation.  Returns 0; 1 when --help, --version or --print-config was
 * handled (printed to stdout); -1 with @err ("FILE:LINE: KEY: why" or
 * "--option: why") on bad configuration (the daemon exits with status 2).
 */
int config_load(struct thermo_config *c, struct cli *cli, int argc,
		char **argv, char *err, size_t len);

/* The pieces, for tests and fuzzing. */
void config_defaults(struct thermo_config *c);
/* Parses INI text (@name is the file name used in messages). */
int config_parse_string(struct thermo_config *c, const char *text,
			const char *name, char *err, size_t len);
int config_load_file(struct thermo_config *c, const char *path, char *err,
		     size_t len);
/* Sets one key from its text form, as the file and the options do. */
int config_set_key(struct thermo_config *c, const char *key,
		   const char *value, char *err, size_t len);
int config_validate(const struct thermo_config *c, char *err, size_t len);
/* The effective configuration, in the file's own format. */
void config_print(FILE *out, const struct thermo_config *c);
void config_usage(FILE *out);
/* Every key, NULL-terminated (for the documentation test). */
extern const char *const config_key_names[];

#endif
