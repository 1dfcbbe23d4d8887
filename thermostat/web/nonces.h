/* SPDX-License-Identifier: MIT */
/*
 * The nonces the daemon has handed out in its login challenges, and how
 * far each has been used: a bounded table, the oldest forgotten first.
 * A nonce is good for a lifetime from its issue, and each use must bring
 * a request count (nc) above the last one accepted, so that a request
 * seen on the network cannot be sent again.  Pure: times are given (the
 * caller's CLOCK_MONOTONIC seconds), and the caller holds the lock.
 */
#ifndef THERMO_WEB_NONCES_H
#define THERMO_WEB_NONCES_H

#include <stdint.h>

/* 128 bits in hex, and the NUL. */
#define NONCE_HEX 33
/* Challenges remembered.  An honest client answers its challenge within
 * a round trip; a nonce pushed out sooner by a flood of challenges is
 * answered stale, and its client logs in again. */
#define NONCE_SLOTS 256

struct nonce_slot {
	char hex[NONCE_HEX];	/* "" when free */
	double issued;
	uint32_t nc;		/* the highest request count accepted */
};

struct nonce_table {
	struct nonce_slot slot[NONCE_SLOTS];
	unsigned next;		/* the slot the next nonce takes */
};

/* Remembers nonce @hex, issued at @now, in place of the oldest. */
void nonce_add(struct nonce_table *t, const char *hex, double now);

enum nonce_verdict {
	NONCE_OK,		/* good: @nc is recorded as used */
	NONCE_UNKNOWN,		/* never ours, or forgotten */
	NONCE_EXPIRED,		/* @lifetime has passed: now forgotten */
	NONCE_REPLAYED,		/* @nc is not above the last accepted */
};

/* Whether nonce @hex may be used with request count @nc at @now. */
enum nonce_verdict nonce_use(struct nonce_table *t, const char *hex,
			     uint32_t nc, double now, double lifetime);

#endif
