/* SPDX-License-Identifier: MIT */
/* The page at /, its files (assets.h), and the version: answers that
 * never change while the daemon runs. */
#include <config.h>
#include <sharedstate.h>

#include "web/assets.h"
#include "web/server.h"

void route_page(struct req *q)
{
	const struct asset *a = asset_find("/index.html");

	if (!a) {
		respond_error(q, 404, "no page");
		return;
	}
	respond(q, 200, a->type, (const char *)a->data, a->len, NULL);
}

void route_asset(struct req *q)
{
	const struct asset *a = asset_find(q->ri->local_uri);

	if (!a) {
		q->route = ROUTE_OTHER;
		respond_error(q, 404, "not found");
		return;
	}
	respond(q, 200, a->type, (const char *)a->data, a->len, NULL);
}

/* A constant answer: also the baseline the benchmark sets the state
 * route beside (same server, same dispatch, no record). */
void route_version(struct req *q)
{
	static const char body[] = "{\"version\":\"" SS_VERSION_STRING "\"}";

	respond(q, 200, "application/json", body, sizeof(body) - 1, NULL);
}
