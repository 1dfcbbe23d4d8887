/* SPDX-License-Identifier: MIT */
/*
 * Reading the settings: an INI file (inih; no sections), every key also a
 * long option (--min-on for min_on), options overriding the file.  Parsing
 * and validation are pure: errors name the file, the line and the key,
 * and nothing is half-applied.  See thermostat.conf(5).
 */
#ifndef THERMO_CONF_H
#define THERMO_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf/settings.h"

/* What the command line asked for besides settings. */
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
int config_load(struct thermo_settings *c, struct cli *cli, int argc,
		char **argv, char *err, size_t len);

/* The pieces, for tests and fuzzing. */
void config_defaults(struct thermo_settings *c);
/* Parses INI text (@name is the file name used in messages). */
int config_parse_string(struct thermo_settings *c, const char *text,
			const char *name, char *err, size_t len);
int config_load_file(struct thermo_settings *c, const char *path, char *err,
		     size_t len);
/* Sets one key from its text form, as the file and the options do. */
int config_set_key(struct thermo_settings *c, const char *key,
		   const char *value, char *err, size_t len);
int config_validate(const struct thermo_settings *c, char *err, size_t len);
/* The effective configuration, in the file's own format. */
void config_print(FILE *out, const struct thermo_settings *c);
void config_usage(FILE *out);
/* Every key, NULL-terminated (for the documentation test). */
extern const char *const config_key_names[];

#endif
