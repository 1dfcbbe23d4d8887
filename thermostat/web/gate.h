/* SPDX-License-Identifier: MIT */
/*
 * The web server's door (gate.c): at most max_connections_per_client
 * open connections from one client; the next one is answered 503 and
 * closed as it is accepted, before CivetWeb gives it a worker.
 */
#ifndef THERMO_WEB_GATE_H
#define THERMO_WEB_GATE_H

struct gate;

/*
 * Starts limiting the connections accepted on @port (the web server's
 * listening port) to @max open from one client (web/peer.h).  A new
 * gate, to close with gate_close() once the server has stopped; NULL
 * when out of memory.
 */
struct gate *gate_open(int port, unsigned max)
	__attribute__((warn_unused_result));
/* Stops limiting; NULL is ok. */
void gate_close(struct gate *g);

#endif
