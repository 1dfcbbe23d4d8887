/* SPDX-License-Identifier: MIT */
/*
 * GET /api/v1/state, also the answer to every write.  Rendered once per
 * record version and tenth of a second and shared by the workers:
 * rendering costs ~10 us (jansson), as much as the rest of a request.
 * The ages and the staleness it contains move with time, hence the
 * tenth-of-a-second buckets.  Plain data read far more than written:
 * SS_SEQLOCK, so a hit takes no lock.
 */
#include <config.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"
#include "web/api.h"
#include "web/server.h"

#define STATE_BUCKET_S 0.1

SS_RECORD_DEFINE(statecache, STATECACHE_FIELDS);

static int store_state_text(struct statecache *cache, void *ctx)
{
	const struct statecache *c = ctx;

	/* Never replace a newer rendering with an older one. */
	if (c->version < cache->version && cache->version != UINT64_MAX)
		return 0;
	*cache = *c;
	return 0;
}

static void respond_write_state(struct req *q, double now)
{
	struct thermo r;
	json_t *json;

	thermo_read(q->w->rec, &r, NULL);
	r.state_ok = q->saved;
	json = api_state_json(&r, q->w->cfg, now);
	respond_json(q, 200, json);
}

void respond_state(struct req *q)
{
	struct statecache c;
	struct thermo r;
	double now = mono_now();
	int64_t bucket = (int64_t)(now / STATE_BUCKET_S);
	char *text;
	json_t *json;
	size_t n;

	/* A write's answer says whether that write was saved: its own. */
	if (q->saved >= 0) {
		respond_write_state(q, now);
		return;
	}
	statecache_read(q->w->cache, &c, NULL);
	if (c.version == thermo_version(q->w->rec) && c.bucket == bucket) {
		respond(q, 200, "application/json", c.text.s, c.len, NULL);
		return;
	}
	/* Rendered as of the bucket's start, so every hit says the same. */
	thermo_read(q->w->rec, &r, &c.version);
	json = api_state_json(&r, q->w->cfg, (double)bucket * STATE_BUCKET_S);
	text = json ? api_dump(json) : NULL;
	json_decref(json);
	if (!text) {
		respond_error(q, 500, "out of memory");
		return;
	}
	n = strlen(text);
	if (n < sizeof(c.text.s)) {
		c.bucket = bucket;
		c.len = (uint32_t)n;
		memset(&c.text, 0, sizeof(c.text));
		memcpy(c.text.s, text, n);
		statecache_update(q->w->cache, store_state_text, &c);
	}
	respond(q, 200, "application/json", text, n, NULL);
	free(text);
}

void route_state(struct req *q)
{
	respond_state(q);
}
