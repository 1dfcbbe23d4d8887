/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <errno.h>
#include <stdlib.h>

#include "core/history.h"

static void history_free(struct history *h)
{
	free(h->ring);
}

SS_RECORD_DEFINE_DESTROY(history, HISTORY_FIELDS, history_free);

history_handle history_create(uint32_t capacity)
{
	struct history init = { .capacity = capacity };
	history_handle h = { NULL };

	if (capacity == 0)
		return h;
	init.ring = calloc(capacity, sizeof(*init.ring));
	if (!init.ring)
		return h;
	/* The record owns the ring from here: its destroy frees it. */
	h = history_new(&init, SS_RWLOCK);
	if (!history_valid(h))
		free(init.ring);
	return h;
}

static int append(struct history *h, void *ctx)
{
	h->ring[h->head] = *(const struct hist_point *)ctx;
	h->head = (h->head + 1) % h->capacity;
	if (h->count < h->capacity)
		h->count++;
	return 0;
}

int history_append(history_handle h, const struct hist_point *p)
{
	return history_update(h, append, (void *)p);
}

struct each {
	double since;
	history_each_fn *fn;
	void *ctx;
};

static int walk(const struct history *h, void *ctx)
{
	const struct each *e = ctx;
	uint32_t first = (h->head + h->capacity - h->count) % h->capacity;

	for (uint32_t i = 0; i < h->count; i++) {
		const struct hist_point *p =
			&h->ring[(first + i) % h->capacity];
		int ret;

		if (p->t <= e->since)
			continue;
		ret = e->fn(p, e->ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int history_each_since(history_handle h, double since, history_each_fn *fn,
		       void *ctx)
{
	struct each e = { since, fn, ctx };

	return history_view(h, walk, &e);
}
