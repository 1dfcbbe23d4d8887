/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <errno.h>
#include <unistd.h>

#include "util/readfile.h"

ssize_t read_upto(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}
