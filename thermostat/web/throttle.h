/* SPDX-License-Identifier: MIT */
/*
 * Failed logins, counted per client: after @max of them within @window
 * seconds of the first, the client waits until that window has passed.
 * A client is an IPv4 address, or an IPv6 /64 (one host's share of a
 * network: its owner has all of it).  A bounded table: when it is full,
 * a client whose window has passed makes room, else the oldest window.
 * Pure: times are given (the caller's CLOCK_MONOTONIC seconds), and the
 * caller holds the lock.
 */
#ifndef THERMO_WEB_THROTTLE_H
#define THERMO_WEB_THROTTLE_H

#include <stdbool.h>

/* Clients remembered: more than a home ever has. */
#define THROTTLE_SLOTS 256

/* A client: 4 (IPv4) or 6 (IPv6) and the address's bytes, the host part
 * of an IPv6 one zeroed; 0 and the text's bytes for anything else. */
struct throttle_client {
	unsigned char b[17];
};

struct throttle_slot {
	struct throttle_client client;
	int count;		/* failures since @first; 0: a free slot */
	double first;		/* the first failure of the window */
};

struct throttle {
	struct throttle_slot slot[THROTTLE_SLOTS];
};

/* The client of address @addr, as CivetWeb writes it ("127.0.0.1",
 * "::1", "::ffff:192.0.2.1" counts as 192.0.2.1). */
struct throttle_client throttle_client_of(const char *addr);

/* How long (seconds) @c must still wait at @now: 0 when it may try. */
double throttle_wait(const struct throttle *t, const struct throttle_client *c,
		     double now, int max, double window);

/* Counts a failed login of @c at @now; true when it is the one that
 * makes @c wait. */
bool throttle_fail(struct throttle *t, const struct throttle_client *c,
		   double now, int max, double window);

#endif
