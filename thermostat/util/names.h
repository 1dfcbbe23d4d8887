/* SPDX-License-Identifier: MIT */
/*
 * Tables of names for the values of an enum: the sensor and relay kinds,
 * log levels, modes.  One table per enum, read both ways, so that the
 * configuration, the log and the API spell a value the same way.  A table
 * ends with { NULL, 0 }; a value may have several names (aliases), the
 * first of them is its canonical name.
 */
#ifndef THERMO_NAMES_H
#define THERMO_NAMES_H

#include <stdbool.h>

struct name_value {
	const char *name;
	int value;
};

/* The canonical name of @value, or NULL when the table has none. */
const char *names_name(const struct name_value *names, int value);
/* The entry named @name (ASCII case ignored when @fold), or NULL. */
const struct name_value *names_find(const struct name_value *names,
				    const char *name, bool fold);
/* Whether entry @nv is the canonical name of its value. */
bool names_is_canonical(const struct name_value *names,
			const struct name_value *nv);

#endif
