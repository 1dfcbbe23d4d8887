/* SPDX-License-Identifier: MIT */
/*
 * Clients as the per-client connection limit (gate.c) and the failed
 * login throttle (throttle.c) count them: pure functions of socket
 * addresses, no I/O.
 */
#ifndef THERMO_WEB_PEER_H
#define THERMO_WEB_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/*
 * One client: an IPv4 address, or the /64 prefix of an IPv6 one (a host
 * is given a whole /64 by SLAAC and RFC 7934, and picks addresses in it
 * at will).  An IPv4-mapped IPv6 address (::ffff:a.b.c.d, a dual-stack
 * socket) is its IPv4 address.
 */
struct peer_key {
	unsigned char family;	/* AF_INET or AF_INET6 */
	unsigned char bytes[8];	/* 4 of IPv4, 8 of IPv6 */
};

/* The client of the peer address @sa (@len bytes): true, or false when it
 * is not an Internet address (a Unix socket: not counted). */
bool peer_key_of(const struct sockaddr *sa, socklen_t len,
		 struct peer_key *k);
/* The client of address text @addr as CivetWeb writes a peer's address
 * ("192.0.2.1", "::1", "[::1]", "::ffff:192.0.2.1"): true, or false and
 * a key of family 0 (all such text one client) when it is not an
 * address. */
bool peer_key_parse(const char *addr, struct peer_key *k);
bool peer_key_equal(const struct peer_key *a, const struct peer_key *b);
/* "192.0.2.1" or "2001:db8:0:1::/64", for messages. */
const char *peer_key_text(const struct peer_key *k, char *buf, size_t len);

/* Whether @a and @b are the same address and port (one connection's
 * peer, as accept() and getpeername() give it). */
bool peer_same(const struct sockaddr *a, socklen_t alen,
	       const struct sockaddr *b, socklen_t blen);

#endif
