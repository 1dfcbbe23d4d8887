/* SPDX-License-Identifier: MIT */
/*
 * The web server's life: CivetWeb started on the configured address with
 * one handler for every request (dispatch.c), and stopped without letting
 * a slow client hold the daemon's exit.  Notes on CivetWeb 1.15 behaviour
 * that shaped this file are marked "CivetWeb:".
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util/errmsg.h"
#include "util/timeutil.h"
#include "web/gate.h"
#include "web/server.h"
#include "web/web.h"

/* CivetWeb's own messages (bind failures...) go to our log. */
static int log_message(const struct mg_connection *c, const char *message)
{
	(void)c;
	log_warn("web: %s", message);
	return 1;
}

/* The requests served so far on the connection this worker serves.
 * CivetWeb: a worker serves one connection at a time and calls both
 * callbacks below from its own thread. */
static _Thread_local unsigned conn_requests;

static int init_connection(const struct mg_connection *c, void **data)
{
	(void)c;
	(void)data;
	conn_requests = 0;
	return 0;
}

/* CivetWeb 1.15 keeps a connection alive for any number of requests:
 * after keep_alive_max_requests, the answer says "Connection: close". */
static int begin_request(struct mg_connection *c)
{
	const struct web *w = mg_get_request_info(c)->user_data;

	if (++conn_requests >= (unsigned)w->cfg->keep_alive_max_requests)
		mg_disable_connection_keep_alive(c);
	return 0; /* CivetWeb goes on with the request */
}

static bool listen_is_loopback_only(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 ||
	       strncmp(listen, "localhost:", 10) == 0;
}

struct web *web_start(const struct thermo_settings *cfg, thermo_handle rec,
		      history_handle hist, double start, char *err, size_t len)
{
	char threads[16], timeout[16], keep_alive[16];
	struct mg_callbacks cb = { .log_message = log_message,
				   .init_connection = init_connection,
				   .begin_request = begin_request };
	struct mg_server_port ports[4];
	char etext[256] = "";
	struct mg_error_data edata = { NULL, etext, sizeof(etext) };
	const char *options[32];
	struct mg_init_data init;
	struct web *w;
	int n = 0, nports;

	w = calloc(1, sizeof(*w));
	if (!w) {
		errmsg(err, len, "out of memory");
		return NULL;
	}
	w->cfg = cfg;
	w->start = start;
	w->stats = webstats_new(NULL, SS_MUTEX);
	if (!webstats_valid(w->stats)) {
		errmsg(err, len, "cannot create the counters: %s",
		       ss_last_error());
		free(w);
		return NULL;
	}
	w->cache = statecache_new(NULL, SS_SEQLOCK);
	if (!statecache_valid(w->cache)) {
		errmsg(err, len, "cannot create the state cache: %s",
		       ss_last_error());
		webstats_unref(w->stats);
		free(w);
		return NULL;
	}
	w->auth = auth_new(cfg);
	if (!w->auth) {
		errmsg(err, len, "out of memory");
		statecache_unref(w->cache);
		webstats_unref(w->stats);
		free(w);
		return NULL;
	}
	w->rec = thermo_ref(rec);
	w->hist = history_ref(hist);

	snprintf(threads, sizeof(threads), "%d", cfg->num_threads);
	snprintf(timeout, sizeof(timeout), "%d", cfg->request_timeout_ms);
	snprintf(keep_alive, sizeof(keep_alive), "%d",
		 cfg->keep_alive_timeout_ms);
	options[n++] = "listening_ports";
	options[n++] = cfg->listen;
	/* CivetWeb gives each open connection a worker of its own, from
	 * the queue to the close, idle or not. */
	options[n++] = "num_threads";
	options[n++] = threads;
	/* CivetWeb: read_message() gives up when the whole header block of
	 * a connection's first request has not come request_timeout_ms
	 * after the worker began to read it, however it trickles; for the
	 * requests after, keep_alive_timeout_ms, the idle wait included.
	 * request_timeout_ms is also the longest wait of any one read or
	 * write (bodies: see read_body()). */
	options[n++] = "request_timeout_ms";
	options[n++] = timeout;
	options[n++] = "enable_keep_alive";
	options[n++] = cfg->keep_alive_timeout_ms > 0 ? "yes" : "no";
	options[n++] = "keep_alive_timeout_ms";
	options[n++] = keep_alive;
	/* Headers and body go out in separate writes: without this, Nagle
	 * and the client's delayed ACK hold each answer 40 ms. */
	options[n++] = "tcp_nodelay";
	options[n++] = "1";
	/* Seen and refused by dispatch() instead of silently truncated. */
	options[n++] = "decode_url";
	options[n++] = "no";
	/* CivetWeb answers CORS preflights itself, before handlers and
	 * authentication, unless this is empty. */
	options[n++] = "access_control_allow_origin";
	options[n++] = "";
	/* On CivetWeb's own answers (malformed requests, 401). */
	options[n++] = "additional_header";
	options[n++] = "X-Content-Type-Options: nosniff\r\n"
		       "X-Frame-Options: DENY\r\n"
		       "Referrer-Policy: no-referrer\r\n"
		       "Content-Security-Policy: default-src 'none'";
	options[n++] = "authentication_domain";
	options[n++] = cfg->auth_realm;
	if (cfg->access_control_list[0]) {
		options[n++] = "access_control_list";
		options[n++] = cfg->access_control_list;
	}
	options[n] = NULL;

	mg_init_library(0); /* CivetWeb: returns 0 for 0 features; fine */
	init.callbacks = &cb;
	init.user_data = w;
	init.configuration_options = options;
	w->ctx = mg_start2(&init, &edata);
	if (!w->ctx) {
		errmsg(err, len, "cannot listen on %s: %s", cfg->listen,
		       etext[0] ? etext : "unknown error");
		goto fail;
	}
	nports = mg_get_server_ports(w->ctx, 4, ports);
	w->port = nports > 0 ? ports[0].port : -1;
	if (cfg->max_connections_per_client > 0) {
		w->gate = gate_open(w->port,
				    (unsigned)cfg->max_connections_per_client);
		if (!w->gate) {
			errmsg(err, len, "out of memory");
			mg_stop(w->ctx);
			goto fail;
		}
	}
	mg_set_request_handler(w->ctx, "/", web_dispatch, w);

	if (!cfg->password_file[0])
		log_warn("web: no password_file: anyone who can reach %s can "
			 "change the setpoint and the mode", cfg->listen);
	if (!listen_is_loopback_only(cfg->listen) && !cfg->password_file[0])
		log_warn("web: listening beyond loopback (%s) without "
			 "authentication", cfg->listen);
	log_info("web: listening on %s (port %d)", cfg->listen, w->port);
	return w;
fail:
	thermo_unref(w->rec);
	history_unref(w->hist);
	webstats_unref(w->stats);
	statecache_unref(w->cache);
	auth_free(w->auth);
	mg_exit_library();
	free(w);
	return NULL;
}

int web_port(const struct web *w)
{
	return w ? w->port : -1;
}

/* CivetWeb's master thread polls its sockets in 2 s slices and looks at
 * the stop flag only between them; a connection wakes it.  The first
 * may come before mg_stop raised the flag, so poke a few times. */
static void *poke(void *arg)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)(uintptr_t)arg),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	for (int i = 0; i < 20; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			break; /* nobody listens any more: done */
		}
		close(fd);
		usleep(100 * 1000);
	}
	return NULL;
}

static void *stopper(void *ctx)
{
	mg_stop(ctx);
	return NULL;
}

bool web_stop(struct web *w, double wait_s)
{
	struct timespec deadline;
	pthread_t t;

	if (!w)
		return true;
	/* Event streams have ended (the record is closed); mg_stop joins
	 * the workers.  The poking thread ends by itself once the port is
	 * closed. */
	if (w->port > 0 && pthread_create(&t, NULL, poke,
					  (void *)(uintptr_t)w->port) == 0)
		pthread_detach(t);
	deadline = deadline_after(CLOCK_REALTIME, wait_s);
	if (pthread_create(&t, NULL, stopper, w->ctx) != 0) {
		mg_stop(w->ctx);
	} else if (pthread_timedjoin_np(t, NULL, &deadline) != 0) {
		/* CivetWeb: a worker reading a slow request body sees the
		 * stop flag only between 2 s poll slices, and no API reaches
		 * its socket.  The relay is off and the state saved by now:
		 * do not hold the exit for it. */
		log_warn("web: a request is still being read; exiting without "
			 "waiting for it");
		/* Its worker still uses w: leave it to the exit. */
		pthread_detach(t);
		return false;
	}
	gate_close(w->gate);
	mg_exit_library();
	thermo_unref(w->rec);
	history_unref(w->hist);
	webstats_unref(w->stats);
	statecache_unref(w->cache);
	auth_free(w->auth);
	free(w);
	return true;
}
