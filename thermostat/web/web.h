/* SPDX-License-Identifier: MIT */
/*
 * The web server: CivetWeb's worker threads serve the JSON API, the live
 * events stream, metrics, health, the page, and the original daemon's
 * routes.  Handlers touch the thermostat only through the record's
 * generated accessors (one snapshot per state request), and keep their
 * counters in a record of their own.
 */
#ifndef THERMO_WEB_H
#define THERMO_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/settings.h"
#include "core/history.h"
#include "core/record.h"

struct web;

/* Starts listening on cfg->listen.  Takes its own references to @rec and
 * @hist.  NULL with @err on failure (port in use, bad ACL, TLS asked
 * for...). */
struct web *web_start(const struct thermo_settings *cfg, thermo_handle rec,
		      history_handle hist, double start, char *err,
		      size_t len);
/* The port actually bound (for "listen = 127.0.0.1:0"). */
int web_port(const struct web *w);
/* Stops serving.  Call after closing the record: event streams end when
 * their wait returns -ECANCELED.  NULL is ok.  Returns false when a
 * worker was still reading a request after @wait_s seconds: it was left
 * running, and the process should _exit() once the rest is tidy. */
bool web_stop(struct web *w, double wait_s);

#endif
