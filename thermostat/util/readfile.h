/* SPDX-License-Identifier: MIT */
/* Reading a small file whole: a sensor's sysfs attribute, the state
 * file, the configuration. */
#ifndef THERMO_READFILE_H
#define THERMO_READFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads from @fd into @buf until end of file or @cap bytes, whichever
 * comes first, retrying interrupted reads: the count of bytes read, or a
 * negative errno.  To tell a file of exactly the limit from a larger one,
 * ask for one byte more than the limit and compare.
 */
ssize_t read_upto(int fd, char *buf, size_t cap);

#endif
