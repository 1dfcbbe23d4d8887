/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <math.h>

#include "io/house.h"

void house_init(struct house *h, const struct house_params *p, uint64_t seed)
{
	h->p = *p;
	h->temp_c = p->start_c;
	h->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

void house_step(struct house *h, double dt_s, bool heating)
{
	/* dT/dt = g - k (T - Tout): T approaches Tout + g/k exponentially. */
	double g = heating ? h->p.gain_c_per_s : 0.0;
	double k = h->p.loss_per_s;

	/* "!(dt > 0)": a NaN step (a clock gone wrong) must not turn the
	 * house into NaN for good. */
	if (!(dt_s > 0))
		return;
	if (k > 0) {
		double target = h->p.outside_c + g / k;

		h->temp_c = target + (h->temp_c - target) * exp(-k * dt_s);
	} else {
		h->temp_c += g * dt_s;
	}
}

static double uniform(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0; /* [0, 1) */
}

double house_read(struct house *h)
{
	return h->temp_c + h->p.noise_c * (2.0 * uniform(&h->rng) - 1.0);
}
