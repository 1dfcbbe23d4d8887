/* SPDX-License-Identifier: MIT */
/*
 * The temperature history: a ring of points (temperature, setpoint,
 * heating) held in a second shared record that owns the ring's memory.
 * The history thread appends a point every history_interval; the web
 * threads read it through a view callback under the read lock (SS_RWLOCK:
 * many readers, one writer a minute), without copying the ring.
 */
#ifndef THERMO_HISTORY_H
#define THERMO_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include <sharedstate.h>

struct hist_point {
	double t;		/* wall-clock seconds since the epoch */
	float temperature;	/* degrees C; NAN when unknown */
	float setpoint;		/* degrees C */
	bool heating;
};

#define HISTORY_FIELDS(X)                                                    \
	/* owned: capacity points, freed by the destroy callback */          \
	X(struct hist_point *, ring, NULL)                                   \
	X(uint32_t, capacity, 0)                                             \
	/* the slot the next point goes to, and how many are kept */         \
	X(uint32_t, head, 0)                                                 \
	X(uint32_t, count, 0)
SS_RECORD_DECLARE(history, HISTORY_FIELDS);

/* A history of @capacity points (SS_RWLOCK); invalid on ENOMEM. */
history_handle history_create(uint32_t capacity);
/* Appends @p, dropping the oldest point when full. */
int history_append(history_handle h, const struct hist_point *p);

/* Calls @fn on each point newer than @since (wall seconds), oldest first,
 * under the read lock; stops early when @fn returns non-zero. */
typedef int history_each_fn(const struct hist_point *p, void *ctx);
int history_each_since(history_handle h, double since, history_each_fn *fn,
		       void *ctx);

#endif
