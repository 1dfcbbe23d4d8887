/* SPDX-License-Identifier: MIT */
/*
 * Failed logins, counted per client: after @max of them within @window
 * seconds of the first, the client waits until that window has passed.
 * A client is a peer_key (peer.h): an IPv4 address, or an IPv6 /64.  A bounded table: when it is full,
 * a client whose window has passed makes room, else the oldest window.
 * Pure: times are given (the caller's CLOCK_MONOTONIC seconds), and the
 * caller holds the lock.
 */
#ifndef THERMO_WEB_THROTTLE_H
#define THERMO_WEB_THROTTLE_H

#include <stdbool.h>

#include "web/peer.h"

/* Clients remembered: more than a home ever has. */
#define THROTTLE_SLOTS 256

struct throttle_slot {
	struct peer_key client;
	int count;		/* failures since @first; 0: a free slot */
	double first;		/* the first failure of the window */
};

struct throttle {
	struct throttle_slot slot[THROTTLE_SLOTS];
};

/* How long (seconds) @c must still wait at @now: 0 when it may try. */
double throttle_wait(const struct throttle *t, const struct peer_key *c,
		     double now, int max, double window);

/* Counts a failed login of @c at @now; true when it is the one that
 * makes @c wait. */
bool throttle_fail(struct throttle *t, const struct peer_key *c,
		   double now, int max, double window);

#endif
