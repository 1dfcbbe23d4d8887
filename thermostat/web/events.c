/* SPDX-License-Identifier: MIT */
/*
 * GET /api/v1/events: Server-Sent Events, driven by the record.  The
 * stream waits on the record (no timer, no polling): one event per
 * change of the fields below, a comment when idle, and the end of the
 * stream when the daemon closes the record.
 */
#include <config.h>
#include <errno.h>
#include <stdlib.h>

#include "util/timeutil.h"
#include "web/server.h"

/* Seconds between heartbeat comments on an idle event stream: a client
 * that went away is noticed at the next write. */
#define SSE_HEARTBEAT_MS 15000
/* Workers kept free for ordinary requests when streams are open. */
#define SSE_RESERVED_WORKERS 2

/* The fields an event stream reports: everything but the liveness
 * stamps, which change at every decision and reading. */
#define SSE_MASK                                                             \
	(SS_MASK_ALL & ~(SS_MASK(thermo, control_at) |                       \
			 SS_MASK(thermo, sensor_at)))

static bool sse_send_state(struct req *q, uint64_t *seen)
{
	struct thermo r;
	char *text;
	json_t *json;
	bool ok;

	thermo_read(q->w->rec, &r, seen);
	json = api_state_json(&r, q->w->cfg, mono_now());
	text = json ? api_dump(json) : NULL;
	json_decref(json);
	if (!text)
		return false;
	ok = mg_printf(q->c, "id: %llu\nevent: state\ndata: %s\n\n",
		       (unsigned long long)*seen, text) > 0;
	free(text);
	return ok;
}

void route_events(struct req *q)
{
	unsigned max = (unsigned)(q->w->cfg->num_threads > SSE_RESERVED_WORKERS
					  ? q->w->cfg->num_threads -
						    SSE_RESERVED_WORKERS
					  : 1);
	uint64_t seen = 0;

	/* Each stream holds a CivetWeb worker for its whole life: keep some
	 * for everything else. */
	if (!web_stream_open(q->w, max)) {
		respond_error(q, 503, "too many event streams (%u)", max);
		return;
	}
	mg_disable_connection_keep_alive(q->c);
	respond_start(q, 200, "text/event-stream");
	mg_response_header_add(q->c, "X-Accel-Buffering", "no", -1);
	mg_response_header_send(q->c);
	if (q->head)
		goto out;

	/* Driven by the record: one event per change, a comment when idle,
	 * and the end of the stream when the daemon closes the record. */
	if (!sse_send_state(q, &seen))
		goto out;
	for (;;) {
		int ret = thermo_wait(q->w->rec, &seen, SSE_MASK,
				      SSE_HEARTBEAT_MS);

		if (ret == -ECANCELED)
			break;
		if (ret == -ETIMEDOUT) {
			/* CivetWeb: a client that left is seen only by a
			 * failing write. */
			if (mg_printf(q->c, ": keepalive\n\n") <= 0)
				break;
			continue;
		}
		if (ret < 0 || !sse_send_state(q, &seen))
			break;
	}
out:
	web_stream_close(q->w);
}
