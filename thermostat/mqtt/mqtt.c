/* SPDX-License-Identifier: MIT */
/* The node id and the base topic (mqtt.h). */
#include <config.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mqtt/mqtt.h"

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool mqtt_node_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!id_char(s[i]))
			return false;
	return true;
}

void mqtt_node_id(const char *configured, char *out, size_t len)
{
	char host[256] = "";
	size_t i;

	if (len == 0)
		return;
	if (configured[0]) {
		snprintf(out, len, "%s", configured);
		return;
	}
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	/* At most 63, as mqtt_node_id_ok() takes. */
	for (i = 0; host[i] && i + 1 < len && i < 63; i++)
		out[i] = id_char(host[i]) ? host[i] : '_';
	out[i] = '\0';
	if (i == 0)
		snprintf(out, len, "thermostat");
}

int mqtt_base_topic(const struct mqtt_settings *m, const char *node,
		    char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", m->topic_prefix, node);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
