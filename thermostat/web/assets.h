/* SPDX-License-Identifier: MIT */
/* The web page's files, embedded into the daemon at build time (see
 * embed.c), so the daemon is one file. */
#ifndef THERMO_ASSETS_H
#define THERMO_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;	/* "/index.html" */
	const char *type;	/* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct asset web_assets[];
extern const size_t web_nassets;

/* The asset served at @path, or NULL. */
const struct asset *asset_find(const char *path);

#endif
