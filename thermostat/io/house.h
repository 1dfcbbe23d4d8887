/* SPDX-License-Identifier: MIT */
/*
 * A house for simulations: it gains heat while the furnace runs and loses
 * it toward the outside temperature (Newton's law of cooling), and its
 * thermometer reads with a little noise.  Used by the sim sensor (the demo
 * behaves like a house) and by the control tests (simulated days).
 */
#ifndef THERMO_HOUSE_H
#define THERMO_HOUSE_H

#include <stdbool.h>
#include <stdint.h>

struct house_params {
	double outside_c;	/* the temperature the house drifts toward */
	double start_c;		/* the indoor temperature at the start */
	double gain_c_per_s;	/* warming while heating, before losses */
	double loss_per_s;	/* fraction of (inside - outside) lost per s */
	double noise_c;		/* reading noise, uniform in +-noise_c */
};

struct house {
	struct house_params p;
	double temp_c;		/* the true indoor temperature */
	uint64_t rng;		/* xorshift state for the noise */
};

void house_init(struct house *h, const struct house_params *p, uint64_t seed);
/* Advances the house by @dt_s seconds with the furnace on or off (exact
 * solution of the linear model, so any step size is stable). */
void house_step(struct house *h, double dt_s, bool heating);
/* A thermometer reading: the true temperature plus noise. */
double house_read(struct house *h);

#endif
