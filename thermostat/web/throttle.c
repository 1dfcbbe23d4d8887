/* SPDX-License-Identifier: MIT */
/* Failed logins per client (throttle.h). */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "web/throttle.h"

struct throttle_client throttle_client_of(const char *addr)
{
	struct throttle_client c = { { 0 } };
	unsigned char a[16];
	char text[64];
	size_t n = strlen(addr);

	/* "[::1]" as well as "::1". */
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']')
		snprintf(text, sizeof(text), "%.*s", (int)(n - 2), addr + 1);
	else
		snprintf(text, sizeof(text), "%s", addr);
	if (inet_pton(AF_INET, text, a) == 1) {
		c.b[0] = 4;
		memcpy(c.b + 1, a, 4);
	} else if (inet_pton(AF_INET6, text, a) == 1) {
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a)) {
			c.b[0] = 4;
			memcpy(c.b + 1, a + 12, 4);
		} else {
			c.b[0] = 6;
			memcpy(c.b + 1, a, 8);
		}
	} else {
		memcpy(c.b + 1, text, strnlen(text, sizeof(c.b) - 1));
	}
	return c;
}

static bool same(const struct throttle_client *a,
		 const struct throttle_client *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* The slot of @c, or -1. */
static int find(const struct throttle *t, const struct throttle_client *c)
{
	for (int i = 0; i < THROTTLE_SLOTS; i++)
		if (t->slot[i].count && same(&t->slot[i].client, c))
			return i;
	return -1;
}

double throttle_wait(const struct throttle *t, const struct throttle_client *c,
		     double now, int max, double window)
{
	int i = find(t, c);
	const struct throttle_slot *s = i < 0 ? NULL : &t->slot[i];

	if (!s || s->count < max || !(now - s->first < window))
		return 0;
	return s->first + window - now;
}

bool throttle_fail(struct throttle *t, const struct throttle_client *c,
		   double now, int max, double window)
{
	int i = find(t, c);
	struct throttle_slot *s = i < 0 ? NULL : &t->slot[i];

	if (!s) {
		/* A free slot, or one whose window has passed, or else the
		 * oldest window. */
		s = &t->slot[0];
		for (int k = 0; k < THROTTLE_SLOTS; k++) {
			struct throttle_slot *o = &t->slot[k];

			if (!o->count || !(now - o->first < window)) {
				s = o;
				break;
			}
			if (o->first < s->first)
				s = o;
		}
		s->client = *c;
		s->count = 0;
	}
	if (!(now - s->first < window) || !s->count) {
		s->first = now;
		s->count = 0;
	}
	return ++s->count == max;
}
