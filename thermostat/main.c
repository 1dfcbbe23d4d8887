/* SPDX-License-Identifier: MIT */
/* thermostat(8): a heating thermostat daemon.  See thermostat --help. */
#include <config.h>
#include <stdio.h>

#include "conf/conf.h"
#include "daemon.h"
#include "log.h"

int main(int argc, char **argv)
{
	struct thermo_settings cfg;
	struct cli cli;
	char err[512];
	int ret = config_load(&cfg, &cli, argc, argv, err, sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "thermostat: %s\n", err);
		return EXIT_CONFIG;
	}
	if (ret > 0)
		return EXIT_OK; /* --help, --version, --print-config */
	log_set_level(cfg.log_level);
	return daemon_run(&cfg);
}
