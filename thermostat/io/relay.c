/* SPDX-License-Identifier: MIT */
/*
 * The relay: dispatch to libgpiod (relay_gpiod.c) or the simulation.  A
 * relay belongs to the control thread (main opens and closes it around
 * that thread's life): nothing here locks.
 */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/relay.h"
#include "io/relay_gpiod.h"
#include "log.h"
#include "util/errmsg.h"

struct relay {
	enum relay_kind kind;
	bool on;			/* as last driven */
	struct relay_gpiod *gpiod;	/* RELAY_GPIOD */
	const char *fail_file;		/* RELAY_SIM: fails while it exists */
};

struct relay *relay_open(const struct relay_settings *set, char *err,
			 size_t len)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (!r) {
		errmsg(err, len, "relay: out of memory");
		return NULL;
	}
	r->kind = set->kind;
	switch (set->kind) {
	case RELAY_GPIOD:
		r->gpiod = relay_gpiod_open(set->gpio_chip, set->gpio_line,
					    set->active_low, err, len);
		if (!r->gpiod)
			goto fail;
		log_debug("relay: %s line %u%s, off", set->gpio_chip,
			  set->gpio_line,
			  set->active_low ? " (active low)" : "");
		return r;
	case RELAY_SIM:
		/* The control thread records the state; the log shows it to
		 * whoever runs the demo. */
		log_info("relay: off (simulated)");
		r->fail_file = set->sim_fail_file[0] ? set->sim_fail_file
						     : NULL;
		return r;
	}
	errmsg(err, len, "relay: unknown kind %d", (int)set->kind);
fail:
	free(r);
	return NULL;
}

int relay_set(struct relay *r, bool on, char *err, size_t len)
{
	if (r->kind == RELAY_GPIOD) {
		/* Written even when unchanged: a retry must reach the line. */
		if (relay_gpiod_set(r->gpiod, on, err, len) < 0)
			return -1;
	} else if (r->fail_file && access(r->fail_file, F_OK) == 0) {
		/* Fault injection for the tests of the retry path. */
		return errmsg(err, len, "simulated relay: %s (%s exists)",
			      strerror(EIO), r->fail_file);
	} else if (on != r->on) {
		/* The control thread logs each switch with its reason. */
		log_debug("relay: %s (simulated)", on ? "on" : "off");
	}
	r->on = on;
	return 0;
}

void relay_close(struct relay *r)
{
	if (!r)
		return;
	if (r->kind == RELAY_GPIOD)
		relay_gpiod_close(r->gpiod);
	else if (r->on)
		log_info("relay: off");
	free(r);
}
