/* SPDX-License-Identifier: MIT */
/*
 * The configuration file's parser (config_parse_string).  Properties:
 * a refused file leaves the configuration exactly as it was ("nothing is
 * half-applied") and the message names the file; an accepted one prints
 * (config_print) as text that parses again to a configuration that
 * prints the same, and parsing is deterministic.
 */
#include <config.h>
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "targets.h"

#define NAME "fuzz.conf"

/* config_print's text of @c (caller frees). */
static char *printed(const struct thermo_settings *c)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (!f)
		abort();
	config_print(f, c);
	if (fclose(f) != 0)
		abort();
	return text;
}

int fuzz_config(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *out, *out2;
	struct thermo_settings c, before, again;
	char err[512] = "", err2[512] = "";
	int r;

	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	r = config_parse_string(&c, text, NAME, err, sizeof(err));
	config_defaults(&again);
	if (config_parse_string(&again, text, NAME, err2, sizeof(err2)) != r ||
	    strcmp(err, err2) != 0)
		fuzz_fail(data, size, "a second parse differs");
	if (r != 0) {
		if (r != -1)
			fuzz_fail(data, size, "returned %d", r);
		if (memcmp(&c, &before, sizeof(c)) != 0)
			fuzz_fail(data, size, "refused (%s) but the "
				  "configuration changed", err);
		if (strncmp(err, NAME ":", strlen(NAME ":")) != 0)
			fuzz_fail(data, size, "the message does not name the "
				  "file: %s", err);
		free(text);
		return 0;
	}
	/* The cross-key rules must not crash on whatever was accepted. */
	(void)config_validate(&c, err, sizeof(err));

	out = printed(&c);
	out2 = printed(&again);
	if (strcmp(out, out2) != 0)
		fuzz_fail(data, size, "a second parse gives another "
			  "configuration:\n%s---\n%s", out, out2);
	free(out2);
	config_defaults(&again);
	if (config_parse_string(&again, out, "printed", err, sizeof(err)) != 0)
		fuzz_fail(data, size, "config_print's text is refused: %s\n%s",
			  err, out);
	out2 = printed(&again);
	if (strcmp(out, out2) != 0)
		fuzz_fail(data, size, "printed, parsed and printed again, the "
			  "configuration differs:\n%s---\n%s", out, out2);
	free(out);
	free(out2);
	free(text);
	return 0;
}
