/* SPDX-License-Identifier: MIT */
/* The nonces handed out (nonces.h). */
#include <config.h>
#include <stdio.h>
#include <string.h>

#include "web/nonces.h"

void nonce_add(struct nonce_table *t, const char *hex, double now)
{
	struct nonce_slot *s = &t->slot[t->next];

	t->next = (t->next + 1) % NONCE_SLOTS;
	snprintf(s->hex, sizeof(s->hex), "%s", hex);
	s->issued = now;
	s->nc = 0;
}

enum nonce_verdict nonce_use(struct nonce_table *t, const char *hex,
			     uint32_t nc, double now, double lifetime)
{
	for (unsigned i = 0; i < NONCE_SLOTS; i++) {
		struct nonce_slot *s = &t->slot[i];

		if (!s->hex[0] || strcmp(s->hex, hex) != 0)
			continue;
		if (!(now - s->issued < lifetime)) {
			s->hex[0] = '\0';
			return NONCE_EXPIRED;
		}
		if (nc <= s->nc)
			return NONCE_REPLAYED;
		s->nc = nc;
		return NONCE_OK;
	}
	return NONCE_UNKNOWN;
}
