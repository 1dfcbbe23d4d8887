/* SPDX-License-Identifier: MIT */
/*
 * The table of keys, generated from CONFIG_KEYS (keys.h): lookup, the
 * defaults, and the message for a name that is not a key.
 */
#include <config.h>
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/keys.h"
#include "util/errmsg.h"

const struct name_value units_names[] = {
	{ "C", 'C' }, { "F", 'F' }, { NULL, 0 },
};
const struct name_value bool_names[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 }, { NULL, 0 },
};

#define MEMBER(m) (((struct thermo_settings *)0)->m)

/* Each key's member has the C type its parser writes. */
#define TYPE_OK_T_STRING(m)                                                  \
	(_Generic(MEMBER(m)[0], char: 1, default: 0) && sizeof(MEMBER(m)) > 1)
#define TYPE_OK_T_DOUBLE(m) _Generic(MEMBER(m), double: 1, default: 0)
#define TYPE_OK_T_DURATION(m) TYPE_OK_T_DOUBLE(m)
#define TYPE_OK_T_INT(m) _Generic(MEMBER(m), int: 1, default: 0)
#define TYPE_OK_T_UINT(m) _Generic(MEMBER(m), unsigned: 1, default: 0)
#define TYPE_OK_T_BOOL(m) _Generic(MEMBER(m), bool: 1, default: 0)
#define TYPE_OK_T_ENUM(m)                                                    \
	(sizeof(MEMBER(m)) == sizeof(int) || sizeof(MEMBER(m)) == 1)
#define X(key, member, type, ...)                                            \
	_Static_assert(TYPE_OK_##type(member),                               \
		       #key ": the member's type does not match " #type);
CONFIG_KEYS(X)
#undef X

const struct key keys[NKEYS] = {
#define X(key, member, type_, lo, hi, def_, help_, ...)                      \
	{ .name = #key, .type = type_,                                       \
	  .offset = offsetof(struct thermo_settings, member),                \
	  .size = sizeof(MEMBER(member)), .min = lo, .max = hi,              \
	  .def = def_, .help = help_, __VA_ARGS__ },
	CONFIG_KEYS(X)
#undef X
};

const char *const config_key_names[] = {
#define X(key, ...) #key,
	CONFIG_KEYS(X)
#undef X
	NULL
};

const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool is_tls_name(const char *name)
{
	return strncasecmp(name, "ssl", 3) == 0 ||
	       strncasecmp(name, "tls", 3) == 0 ||
	       strncasecmp(name, "https", 5) == 0 ||
	       strstr(name, "certificate") != NULL;
}

int unknown_key(const char *name, bool option, char *why, size_t len)
{
	char key[64], opt[64];
	size_t i;

	if (is_tls_name(name))
		return errmsg(why, len,
			      "TLS is not supported by the web server "
			      "(Debian's CivetWeb lacks it): put a TLS "
			      "reverse proxy in front of the daemon (see "
			      "README); TLS to an MQTT broker: mqtt_ca_file");
	/* min-on in the file, or --min_on: a hint. */
	for (i = 0; name[i] && i + 1 < sizeof(key); i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
	if (!name[i] && find_key(key))
		return option ?
		       errmsg(why, len, "unknown option (did you mean --%s?)",
			      option_name(key, opt, sizeof(opt))) :
		       errmsg(why, len, "unknown key (did you mean %s?)", key);
	return errmsg(why, len, option ? "unknown option (see --help)" :
			      "unknown key (see thermostat.conf(5))");
}

void config_defaults(struct thermo_settings *c)
{
	char why[256];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++) {
		if (set_value(c, &keys[i], keys[i].def, why, sizeof(why)) < 0) {
			/* A bad default in CONFIG_KEYS: the tests catch it. */
			fprintf(stderr, "thermostat: default of %s: %s\n",
				keys[i].name, why);
			abort();
		}
	}
}

int config_set_key(struct thermo_settings *c, const char *key,
		   const char *value, char *err, size_t len)
{
	const struct key *k = find_key(key);
	char why[256], q[40];

	if (!k) {
		unknown_key(key, false, why, sizeof(why));
		return errmsg(err, len, "%s: %s", quote(key, q, sizeof(q)),
			      why);
	}
	if (set_value(c, k, value, why, sizeof(why)) < 0)
		return errmsg(err, len, "%s: %s", k->name, why);
	return 0;
}
