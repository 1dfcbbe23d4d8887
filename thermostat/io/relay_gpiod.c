/* SPDX-License-Identifier: MIT */
/*
 * The furnace relay on one GPIO line, through libgpiod.  Debian 12 ships
 * the 1.6 API, Debian 13 the 2.x API, which differ in every call; configure
 * picks one from pkg-config's version (THERMO_GPIOD_API).  Both request
 * the line as an output whose initial value is OFF, so the furnace never
 * runs between the request and the first decision.  Values are logical:
 * with active_low the library inverts the electrical level.
 */
#include <config.h> /* configure's: THERMO_GPIOD_API */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#include "io/relay_gpiod.h"
#include "log.h"
#include "util/errmsg.h"

#ifndef THERMO_GPIOD_API
#error "THERMO_GPIOD_API is undefined: config.h is not configure's header"
#endif
/* Only the 1.x header defines GPIOD_LINE_BULK_MAX_LINES: catch a build
 * that mixes one version's configure result with the other's header. */
#if THERMO_GPIOD_API == 2 && defined(GPIOD_LINE_BULK_MAX_LINES)
#error "configured for libgpiod 2.x, but <gpiod.h> is the 1.x header"
#elif THERMO_GPIOD_API == 1 && !defined(GPIOD_LINE_BULK_MAX_LINES)
#error "configured for libgpiod 1.x, but <gpiod.h> is not the 1.x header"
#endif

#define CONSUMER "thermostat"

struct relay_gpiod {
	char chip[64];		/* as configured, for messages */
	unsigned line;
	struct gpiod_chip *c;
#if THERMO_GPIOD_API == 2
	struct gpiod_line_request *req;
#else
	struct gpiod_line *l;
#endif
};

/* "relay gpiochip0 line 17: cannot ...: <strerror>", with a hint for the
 * errors people meet when setting up a board. */
static void seterr(const struct relay_gpiod *g, char *err, size_t len,
		   const char *what, int e)
{
	const char *hint = "";

	if (e == EACCES || e == EPERM)
		hint = " (may this user open the chip? group gpio?)";
	else if (e == EBUSY)
		hint = " (used by another program or a kernel driver)";
	errmsg(err, len, "relay %s line %u: %s: %s%s", g->chip, g->line, what,
	       strerror(e), hint);
}

#if THERMO_GPIOD_API == 2

/* 2.x opens chips by path only: "gpiochip0" and "0" (what 1.x's
 * gpiod_chip_open_lookup also took) mean /dev/gpiochip0. */
static int chip_path(const char *chip, char *out, size_t len)
{
	size_t digits = strspn(chip, "0123456789");
	int n;

	if (strchr(chip, '/'))
		n = snprintf(out, len, "%s", chip);
	else if (digits > 0 && chip[digits] == '\0')
		n = snprintf(out, len, "/dev/gpiochip%s", chip);
	else
		n = snprintf(out, len, "/dev/%s", chip);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int gpiod_request(struct relay_gpiod *g, bool active_low, char *err,
			 size_t len)
{
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;
	const char *what = NULL;
	char path[128], msg[160];
	int e = 0;

	if (chip_path(g->chip, path, sizeof(path)) < 0) {
		seterr(g, err, len, "chip name too long", ENAMETOOLONG);
		return -1;
	}
	g->c = gpiod_chip_open(path);
	if (!g->c) {
		snprintf(msg, sizeof(msg), "cannot open %s", path);
		seterr(g, err, len, msg, errno);
		return -1;
	}
	ls = gpiod_line_settings_new();
	lc = gpiod_line_config_new();
	rc = gpiod_request_config_new();
	if (!ls || !lc || !rc) {
		e = ENOMEM;
		what = "cannot set up the request";
		goto out;
	}
	/* Direction and value are settings of the request itself: the line
	 * is never an output at another level, not even for an instant. */
	if (gpiod_line_settings_set_direction(ls,
			GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
	    gpiod_line_settings_set_output_value(ls,
			GPIOD_LINE_VALUE_INACTIVE) < 0) {
		e = errno;
		what = "cannot set up the line as an output";
		goto out;
	}
	gpiod_line_settings_set_active_low(ls, active_low);
	if (gpiod_line_config_add_line_settings(lc, &g->line, 1, ls) < 0) {
		e = errno;
		what = "cannot set up the line";
		goto out;
	}
	gpiod_request_config_set_consumer(rc, CONSUMER);
	g->req = gpiod_chip_request_lines(g->c, rc, lc);
	if (!g->req) {
		e = errno;
		/* 2.x has no per-line lookup: a bad offset shows here. */
		what = e == EINVAL ? "cannot request the line as an output "
				     "(no such line on the chip?)"
				   : "cannot request the line as an output";
	}
out:
	/* The request keeps what it needs: the configs can go at once. */
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	if (!g->req) {
		gpiod_chip_close(g->c);
		g->c = NULL;
		seterr(g, err, len, what, e);
		return -1;
	}
	return 0;
}

static int gpiod_write(struct relay_gpiod *g, bool on)
{
	return gpiod_line_request_set_value(g->req, g->line,
					    on ? GPIOD_LINE_VALUE_ACTIVE
					       : GPIOD_LINE_VALUE_INACTIVE);
}

static void gpiod_release(struct relay_gpiod *g)
{
	gpiod_line_request_release(g->req);
	gpiod_chip_close(g->c);
}

#else /* THERMO_GPIOD_API == 1 */

static int gpiod_request(struct relay_gpiod *g, bool active_low, char *err,
			 size_t len)
{
	int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	const char *what;
	int e;

	/* A path, a name (gpiochip0), a number or a label. */
	g->c = gpiod_chip_open_lookup(g->chip);
	if (!g->c) {
		seterr(g, err, len, "cannot open the chip", errno);
		return -1;
	}
	g->l = gpiod_chip_get_line(g->c, g->line);
	if (!g->l) {
		e = errno;
		what = e == EINVAL ? "no such line on the chip"
				   : "cannot get the line";
		goto fail;
	}
	/* The initial value (logical OFF) is part of the request. */
	if (gpiod_line_request_output_flags(g->l, CONSUMER, flags, 0) < 0) {
		e = errno;
		what = "cannot request the line as an output";
		goto fail;
	}
	return 0;
fail:
	/* Also frees the line object; 1.x crashes on a NULL chip. */
	gpiod_chip_close(g->c);
	g->c = NULL;
	seterr(g, err, len, what, e);
	return -1;
}

static int gpiod_write(struct relay_gpiod *g, bool on)
{
	return gpiod_line_set_value(g->l, on ? 1 : 0);
}

static void gpiod_release(struct relay_gpiod *g)
{
	gpiod_line_release(g->l);
	gpiod_chip_close(g->c);
}

#endif

struct relay_gpiod *relay_gpiod_open(const char *chip, unsigned line,
				     bool active_low, char *err, size_t len)
{
	struct relay_gpiod *g = calloc(1, sizeof(*g));

	if (!g) {
		errmsg(err, len, "relay: out of memory");
		return NULL;
	}
	snprintf(g->chip, sizeof(g->chip), "%s", chip);
	g->line = line;
	if (!chip[0]) {
		errmsg(err, len, "relay: gpio_chip is not set");
		goto fail;
	}
	if (gpiod_request(g, active_low, err, len) < 0)
		goto fail;
	return g;
fail:
	free(g);
	return NULL;
}

int relay_gpiod_set(struct relay_gpiod *g, bool on, char *err, size_t len)
{
	if (gpiod_write(g, on) < 0) {
		seterr(g, err, len,
		       on ? "cannot switch on" : "cannot switch off", errno);
		return -1;
	}
	return 0;
}

void relay_gpiod_close(struct relay_gpiod *g)
{
	char err[256];

	if (!g)
		return;
	/* Once released, the level is up to the chip's driver (most keep
	 * it): turn the furnace off first, and say so loudly if that fails. */
	if (relay_gpiod_set(g, false, err, sizeof(err)) < 0)
		log_err("%s; releasing it anyway", err);
	gpiod_release(g);
	free(g);
}
