/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "web/peer.h"

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
					     0, 0, 0xff, 0xff };

bool peer_key_of(const struct sockaddr *sa, socklen_t len,
		 struct peer_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		k->family = AF_INET;
		memcpy(k->bytes, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		const unsigned char *a = in6->sin6_addr.s6_addr;

		if (memcmp(a, v4_mapped, sizeof(v4_mapped)) == 0) {
			k->family = AF_INET;
			memcpy(k->bytes, a + 12, 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->bytes, a, 8);
		}
		return true;
	}
	return false;
}

bool peer_key_parse(const char *addr, struct peer_key *k)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	char text[INET6_ADDRSTRLEN];
	size_t n = strlen(addr);

	/* "[::1]" as well as "::1". */
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']')
		snprintf(text, sizeof(text), "%.*s", (int)(n - 2), addr + 1);
	else
		snprintf(text, sizeof(text), "%s", addr);
	if (inet_pton(AF_INET, text, &in.sin_addr) == 1)
		return peer_key_of((const struct sockaddr *)(const void *)&in,
				   sizeof(in), k);
	if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
		return peer_key_of((const struct sockaddr *)(const void *)&in6,
				   sizeof(in6), k);
	memset(k, 0, sizeof(*k));
	return false;
}

bool peer_key_equal(const struct peer_key *a, const struct peer_key *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

const char *peer_key_text(const struct peer_key *k, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN] = "?";
	unsigned char a6[16] = { 0 };

	if (k->family == AF_INET) {
		inet_ntop(AF_INET, k->bytes, text, sizeof(text));
		snprintf(buf, len, "%s", text);
	} else {
		memcpy(a6, k->bytes, 8);
		inet_ntop(AF_INET6, a6, text, sizeof(text));
		snprintf(buf, len, "%s/64", text);
	}
	return buf;
}

bool peer_same(const struct sockaddr *a, socklen_t alen,
	       const struct sockaddr *b, socklen_t blen)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET && alen >= sizeof(struct sockaddr_in) &&
	    blen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6 && alen >= sizeof(struct sockaddr_in6) &&
	    blen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof(x->sin6_addr)) == 0;
	}
	return false;
}
