/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "util/names.h"

const char *names_name(const struct name_value *names, int value)
{
	for (; names->name; names++)
		if (names->value == value)
			return names->name;
	return NULL;
}

const struct name_value *names_find(const struct name_value *names,
				    const char *name, bool fold)
{
	for (; names->name; names++)
		if ((fold ? strcasecmp(names->name, name)
			  : strcmp(names->name, name)) == 0)
			return names;
	return NULL;
}

bool names_is_canonical(const struct name_value *names,
			const struct name_value *nv)
{
	return names_name(names, nv->value) == nv->name;
}
