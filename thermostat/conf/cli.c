/* SPDX-License-Identifier: MIT */
/*
 * The command line: --config and the other options that are not keys,
 * every key as a long option (--min-on for min_on) over the file, and
 * what the daemon prints instead of running (--help, --version,
 * --print-config).
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sharedstate.h>	/* SS_VERSION_STRING: the package version */

#include "conf/keys.h"
#include "util/errmsg.h"

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
	  "configuration file, by default" },
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
		      struct thermo_settings *c, int *origin, char *err,
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
				return errmsg(err, len, "'%s': unexpected "
					      "argument", quote(argv[i + 1], q,
							        sizeof(q)));
			break;
		}
		if (arg[0] == '-' && arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');

			n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			if (n >= sizeof(name))
				return errmsg(err, len, "%s: unknown option",
					      quote(arg, q, sizeof(q)));
			memcpy(name, arg + 2, n);
			name[n] = '\0';
			value = eq ? eq + 1 : NULL;
		} else if (arg[0] == '-' && arg[1]) {
			for (size_t j = 0; j < NOPTS && !o; j++)
				if (opts[j].short_name == arg[1])
					o = &opts[j];
			if (!o || (arg[2] && !o->arg))
				return errmsg(err, len,
					      "%s: unknown option (see --help)",
					      quote(arg, q, sizeof(q)));
			snprintf(name, sizeof(name), "%s", o->name);
			value = arg[2] ? arg + 2 : NULL;
		} else {
			return errmsg(err, len, "'%s': unexpected argument "
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
				return errmsg(err, len, "--%s: %s",
					      quote(name, q, sizeof(q)), why);
			}
		}
		if (o ? o->arg != NULL : k->type != T_BOOL) {
			if (!value && i + 1 >= argc)
				return errmsg(err, len, "--%s: needs a value",
					      name);
			if (!value)
				value = argv[++i];
		} else if (o && value) {
			return errmsg(err, len, "--%s: takes no value", name);
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
				c->sensor.kind = SENSOR_SIM;
				c->relay.kind = RELAY_SIM;
				origin[KEY_sensor] = ORIGIN_OPTION;
				origin[KEY_relay] = ORIGIN_OPTION;
			}
			continue;
		}
		if (!c)
			continue;
		if (set_value(c, k, value, why, sizeof(why)) < 0)
			return errmsg(err, len, "--%s: %s", name, why);
		origin[k - keys] = ORIGIN_OPTION;
	}
	return 0;
}

int config_load(struct thermo_settings *c, struct cli *cli, int argc,
		char **argv, char *err, size_t len)
{
	int origin[NKEYS] = { 0 };
	struct thermo_settings tmp;
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
	if (validate(&tmp, origin, cli->config_path, err, len) < 0)
		return -1;
	*c = tmp;
	if (!cli->print_config)
		return 0;
	config_print(stdout, c);
printed:
	if (fflush(stdout) == EOF || ferror(stdout))
		return errmsg(err, len, "standard output: %s", strerror(errno));
	return 1;
}

/* ---- output --------------------------------------------------------- */

void config_print(FILE *out, const struct thermo_settings *c)
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
	struct thermo_settings def;
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
		/* On a line of its own: a prefix makes it long. */
		if (opts[i].id == OPT_CONFIG)
			fprintf(out, "%-26s%s\n", "", THERMO_DEFAULT_CONFIG);
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
