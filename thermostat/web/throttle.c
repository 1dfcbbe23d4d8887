/* SPDX-License-Identifier: MIT */
/* Failed logins per client (throttle.h). */
#include <config.h>
#include <string.h>

#include "web/throttle.h"

/* The slot of @c, or -1. */
static int find(const struct throttle *t, const struct peer_key *c)
{
	for (int i = 0; i < THROTTLE_SLOTS; i++)
		if (t->slot[i].count && peer_key_equal(&t->slot[i].client, c))
			return i;
	return -1;
}

double throttle_wait(const struct throttle *t, const struct peer_key *c,
		     double now, int max, double window)
{
	int i = find(t, c);
	const struct throttle_slot *s = i < 0 ? NULL : &t->slot[i];

	if (!s || s->count < max || !(now - s->first < window))
		return 0;
	return s->first + window - now;
}

bool throttle_fail(struct throttle *t, const struct peer_key *c,
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
