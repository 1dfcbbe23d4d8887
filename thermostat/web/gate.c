/* SPDX-License-Identifier: MIT */
/*
 * The web server's door: a client (web/peer.h) that has @max connections
 * open is turned away, with a 503, the moment its next connection is
 * accepted, before CivetWeb gives that connection a worker.
 *
 * CivetWeb: 1.15 has no hook there.  Its master thread accept()s, checks
 * access_control_list and queues the socket; a worker takes it and calls
 * init_connection, where mg_get_request_info() is still NULL (the
 * connection's type is set only after the callback returns), so the
 * client's address cannot be had; then the worker reads the headers.
 * begin_request, the first callback that knows the address, comes once
 * they are complete, which a client dribbling them never lets happen.
 * So the daemon defines accept() itself: libcivetweb.so's call, an
 * undefined symbol there, binds to the executable's definition (which
 * the link exports because a shared library refers to it), and that
 * accepts with accept4(), then hands the socket on or answers and
 * closes it.  Nothing else in the daemon accepts; sockets on other ports
 * pass through untouched.
 *
 * The connections of each client are kept as (socket, peer address); one
 * is still open while getpeername() on its socket gives that same peer
 * (CivetWeb closes sockets without a word to us).  A client's are checked
 * so when it reaches the limit, and the whole table whenever it has
 * doubled since it was last swept.
 *
 * No _GNU_SOURCE here: with it, <sys/socket.h> declares accept()'s
 * address as a transparent union that a definition cannot match.
 */
#include <config.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util/timeutil.h"
#include "web/gate.h"
#include "web/peer.h"

/* Declared by <sys/socket.h> only under _GNU_SOURCE (see above). */
int accept4(int fd, struct sockaddr *restrict addr, socklen_t *restrict len,
	    int flags);

/* Refusals are logged at most this often, with their count since. */
#define GATE_LOG_EVERY_S 10.0

struct conn {
	int fd;
	socklen_t len;
	struct sockaddr_storage peer;
	struct peer_key key;
};

struct gate {
	struct gate *next;
	int port;
	unsigned max;
	struct conn *c;		/* the connections let in, maybe closed since */
	size_t n, cap;
	size_t swept;		/* n after the last sweep */
	unsigned refused;	/* since the last message */
	double said_at;		/* the last message, mono_now() */
};

/* The gates, and everything in them. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate *gates;

struct gate *gate_open(int port, unsigned max)
{
	struct gate *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->port = port;
	g->max = max;
	g->said_at = -GATE_LOG_EVERY_S;
	pthread_mutex_lock(&lock);
	g->next = gates;
	gates = g;
	pthread_mutex_unlock(&lock);
	return g;
}

void gate_close(struct gate *g)
{
	struct gate **p;

	if (!g)
		return;
	pthread_mutex_lock(&lock);
	for (p = &gates; *p; p = &(*p)->next) {
		if (*p == g) {
			*p = g->next;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	free(g->c);
	free(g);
}

static int port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)ss)
				     ->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)
				     ->sin6_port);
	return -1;
}

static bool still_open(const struct conn *c)
{
	struct sockaddr_storage p;
	socklen_t len = sizeof(p);

	return getpeername(c->fd, (struct sockaddr *)&p, &len) == 0 &&
	       peer_same((struct sockaddr *)&p, len,
			 (const struct sockaddr *)&c->peer, c->len);
}

/* Forgets the closed connections of client @key, or of all when NULL. */
static void sweep(struct gate *g, const struct peer_key *key)
{
	for (size_t i = 0; i < g->n;) {
		if ((key && !peer_key_equal(key, &g->c[i].key)) ||
		    still_open(&g->c[i]))
			i++;
		else
			g->c[i] = g->c[--g->n];
	}
}

static unsigned open_from(const struct gate *g, const struct peer_key *key)
{
	unsigned n = 0;

	for (size_t i = 0; i < g->n; i++)
		n += peer_key_equal(key, &g->c[i].key);
	return n;
}

/* Whether connection @fd from @peer may go in; kept if so. */
static bool admit(struct gate *g, int fd, const struct sockaddr_storage *peer,
		  socklen_t len, const struct peer_key *key)
{
	if (g->n >= 2 * g->swept + 64) {
		sweep(g, NULL);
		g->swept = g->n;
	}
	if (open_from(g, key) >= g->max) {
		sweep(g, key);
		if (open_from(g, key) >= g->max)
			return false;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		struct conn *c = realloc(g->c, cap * sizeof(*c));

		if (!c)
			return true; /* let in, uncounted */
		g->c = c;
		g->cap = cap;
	}
	g->c[g->n].fd = fd;
	g->c[g->n].len = len;
	g->c[g->n].peer = *peer;
	g->c[g->n].key = *key;
	g->n++;
	return true;
}

/* A 503 and a close, without waiting for the client: the socket is
 * fresh, the answer fits its buffer.  What the client has sent already is
 * read first, so that the close is a FIN and not a reset, which could
 * destroy the answer before the client reads it. */
static void turn_away(int fd, unsigned max)
{
	char body[96], answer[640], sink[4096];
	int b, n;

	b = snprintf(body, sizeof(body),
		     "{\"error\":\"too many connections from this address "
		     "(%u open)\"}", max);
	n = snprintf(answer, sizeof(answer),
		     "HTTP/1.1 503 Service Unavailable\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %d\r\n"
		     "Cache-Control: no-store\r\n"
		     "Retry-After: 5\r\n"
		     /* as on CivetWeb's own answers (server.c) */
		     "X-Content-Type-Options: nosniff\r\n"
		     "X-Frame-Options: DENY\r\n"
		     "Referrer-Policy: no-referrer\r\n"
		     "Content-Security-Policy: default-src 'none'\r\n"
		     "Connection: close\r\n\r\n%s", b, body);
	if (n > 0 && (size_t)n < sizeof(answer))
		send(fd, answer, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 4; i++)
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			break;
	close(fd);
}

/* Whether connection @fd, accepted on @listener from @peer, goes on to
 * CivetWeb; if not, it has been answered and closed. */
static bool pass(int listener, int fd, const struct sockaddr_storage *peer,
		 socklen_t len)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	struct peer_key key;
	struct gate *g;
	char who[64];
	unsigned max = 0, refused = 0;
	bool ok = true;
	double now;

	if (!peer_key_of((const struct sockaddr *)peer, len, &key) ||
	    getsockname(listener, (struct sockaddr *)&local, &llen) != 0)
		return true;
	pthread_mutex_lock(&lock);
	for (g = gates; g && g->port != port_of(&local); g = g->next)
		;
	if (g && !admit(g, fd, peer, len, &key)) {
		ok = false;
		max = g->max;
		g->refused++;
		now = mono_now();
		if (now - g->said_at >= GATE_LOG_EVERY_S) {
			refused = g->refused;
			g->refused = 0;
			g->said_at = now;
		}
	}
	pthread_mutex_unlock(&lock);
	if (ok)
		return true;
	turn_away(fd, max);
	if (refused)
		log_warn("web: %s has %u connections open "
			 "(max_connections_per_client): %u more refused",
			 peer_key_text(&key, who, sizeof(who)), max, refused);
	return false;
}

/* CivetWeb's accept(), see above.  A connection turned away reads as no
 * connection (EAGAIN), which CivetWeb's accept loop passes over. */
__attribute__((visibility("default")))
int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int c = accept4(fd, (struct sockaddr *)&peer, &plen, 0);

	if (c < 0)
		return -1;
	if (!pass(fd, c, &peer, plen)) {
		errno = EAGAIN;
		return -1;
	}
	if (addr && len) {
		memcpy(addr, &peer, *len < plen ? *len : plen);
		*len = plen;
	}
	return c;
}
