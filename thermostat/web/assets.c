/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <string.h>

#include "web/assets.h"

const struct asset *asset_find(const char *path)
{
	for (size_t i = 0; i < web_nassets; i++)
		if (strcmp(web_assets[i].path, path) == 0)
			return &web_assets[i];
	return NULL;
}
