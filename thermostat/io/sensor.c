/* SPDX-License-Identifier: MIT */
/*
 * The sensors' I/O: finding the w1 device, reading files, the simulated
 * house.  The parsing is in sensor_parse.c.  A sensor belongs to one
 * thread (the sensor thread): nothing here locks.
 */
#include <config.h>
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/house.h"
#include "io/sensor.h"
#include "io/sensor_parse.h"
#include "util/errmsg.h"
#include "util/readfile.h"
#include "util/timeutil.h"

/*
 * Every file a sensor reads is a sysfs attribute, at most a page; w1_slave
 * is two short lines.  A bigger file is not a sensor (or is a fixture gone
 * wrong, or /dev/zero): it is an error, and is read no further.
 */
#define SENSOR_MAX_FILE 4096

#define W1_DEVICES "/bus/w1/devices"
#define W1_FAMILY "28-" /* DS18B20 */

/* The noise of the simulated thermometer repeats from run to run. */
#define SIM_SEED 0x7468726d6f737461ULL

struct sensor {
	enum sensor_kind kind;
	char name[272];		/* in messages: "w1 28-...", the file, "sim" */
	char path[PATH_MAX];	/* w1, sysfs: the file, reopened each read */
	/* sim */
	struct house house;
	double last;		/* CLOCK_MONOTONIC time the house is at */
	sensor_heating_fn *heating;
	void *ctx;
	char buf[SENSOR_MAX_FILE + 1];
};

/*
 * Reads all of @path into @buf (@cap + 1 bytes: one more than allowed, to
 * tell a full file from a too large one).  A fresh open each time: sysfs
 * attributes show the value of the moment they are opened and read from
 * offset 0, and w1_slave starts a conversion then.  Returns 0 and *@got,
 * or a negative errno (-EFBIG: more than @cap bytes).
 */
static int read_capped(const char *path, char *buf, size_t cap, size_t *got)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read_upto(fd, buf, cap + 1);
	close(fd);
	if (n < 0)
		return (int)n;
	if ((size_t)n > cap)
		return -EFBIG;
	*got = (size_t)n;
	return 0;
}

static int is_ds18b20(const struct dirent *d)
{
	return strncmp(d->d_name, W1_FAMILY, strlen(W1_FAMILY)) == 0;
}

/* "28-a, 28-b" (or "none"), cut short with "..." when it does not fit. */
static void join_names(struct dirent **names, int count, char *out,
		       size_t len)
{
	size_t used = 0;

	snprintf(out, len, "none");
	for (int i = 0; i < count; i++) {
		int n = snprintf(out + used, len - used, "%s%s",
				 i ? ", " : "", names[i]->d_name);

		if (n < 0 || (size_t)n >= len - used) {
			if (len >= 4)
				strcpy(out + len - 4, "...");
			return;
		}
		used += (size_t)n;
	}
}

/*
 * Picks the w1 device: the named one, else the only DS18B20 on the bus.
 * Everything that can go wrong here is a configuration or wiring problem,
 * so the messages list what was found.
 */
static int w1_open(struct sensor *s, const struct sensor_settings *set,
		   char *err, size_t len)
{
	const char *want = set->w1_device;
	char dir[PATH_MAX], found[256];
	struct dirent **names = NULL;
	const char *id = NULL;
	int count, ret = -1;

	if ((size_t)snprintf(dir, sizeof(dir), "%s" W1_DEVICES,
			     set->sysfs_root) >= sizeof(dir)) {
		errmsg(err, len, "sysfs_root is too long");
		return -1;
	}
	if (want[0] && (strchr(want, '/') || strcmp(want, ".") == 0 ||
			strcmp(want, "..") == 0)) {
		errmsg(err, len, "w1_device \"%s\": not a device name", want);
		return -1;
	}
	count = scandir(dir, &names, is_ds18b20, alphasort);
	if (count < 0) {
		errmsg(err, len,
		       "w1: cannot list %s: %s (is the 1-wire bus set up?)",
		       dir, strerror(errno));
		return -1;
	}
	join_names(names, count, found, sizeof(found));
	if (want[0]) {
		struct stat st;

		/* Need not be a 28-: the DS18S20 (10-) and DS1822 (22-)
		 * write the same w1_slave, with the same range. */
		if (snprintf(s->path, sizeof(s->path), "%s/%s", dir, want) <
			    (int)sizeof(s->path) &&
		    stat(s->path, &st) == 0 && S_ISDIR(st.st_mode))
			id = want;
		else
			errmsg(err, len,
			       "w1 device %s not found in %s (found: %s)",
			       want, dir, found);
	} else if (count == 0) {
		errmsg(err, len, "no DS18B20 (" W1_FAMILY "*) in %s", dir);
	} else if (count > 1) {
		errmsg(err, len,
		       "several DS18B20 in %s (%s): set w1_device to one",
		       dir, found);
	} else {
		id = names[0]->d_name;
	}
	if (!id)
		goto out;
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s/w1_slave", dir,
			     id) >= sizeof(s->path)) {
		errmsg(err, len, "w1: path too long");
		goto out;
	}
	snprintf(s->name, sizeof(s->name), "w1 %s", id);
	ret = 0;
out:
	for (int i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int sysfs_open(struct sensor *s, const struct sensor_settings *set,
		      char *err, size_t len)
{
	struct stat st;
	int fd;

	if (!set->file[0]) {
		errmsg(err, len, "sensor = sysfs needs sensor_file");
		return -1;
	}
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s",
			     set->file) >= sizeof(s->path)) {
		errmsg(err, len, "sensor_file is too long");
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", set->file);
	/* Catch a wrong path at startup; whether it holds a temperature is
	 * up to each read. */
	fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		errmsg(err, len, "sensor_file %s: %s", s->path,
		       strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errmsg(err, len, "sensor_file %s: %s", s->path,
		       strerror(EISDIR));
		return -1;
	}
	close(fd);
	return 0;
}

struct sensor *sensor_open(const struct sensor_settings *set,
			   sensor_heating_fn *heating, void *ctx, char *err,
			   size_t len)
{
	struct sensor *s = calloc(1, sizeof(*s));
	int ret = -1;

	if (!s) {
		errmsg(err, len, "sensor: out of memory");
		return NULL;
	}
	s->kind = set->kind;
	switch (set->kind) {
	case SENSOR_W1:
		ret = w1_open(s, set, err, len);
		break;
	case SENSOR_SYSFS:
		ret = sysfs_open(s, set, err, len);
		break;
	case SENSOR_SIM:
		snprintf(s->name, sizeof(s->name), "sim");
		house_init(&s->house, &set->sim, SIM_SEED);
		s->last = mono_now();
		s->heating = heating;
		s->ctx = ctx;
		ret = 0;
		break;
	default:
		errmsg(err, len, "unknown sensor kind %d", (int)set->kind);
		break;
	}
	if (ret < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * The house moves on by the time since the last read, heated or not as
 * the furnace is now.  The relay may have switched inside that interval;
 * taking its state now is right when the control thread acts on readings,
 * since it switches just after one.
 */
static int sim_read(struct sensor *s, double *celsius)
{
	double now = mono_now();
	bool heating = s->heating ? s->heating(s->ctx) : false;

	house_step(&s->house, now - s->last, heating);
	s->last = now;
	*celsius = house_read(&s->house);
	return 0;
}

int sensor_read(struct sensor *s, double *celsius, char *err, size_t len)
{
	char why[128];
	size_t n = 0;
	int ret;

	if (s->kind == SENSOR_SIM)
		return sim_read(s, celsius);

	ret = read_capped(s->path, s->buf, SENSOR_MAX_FILE, &n);
	if (ret == -EFBIG) {
		errmsg(err, len, "%s: too large (over %d bytes)", s->name,
		       SENSOR_MAX_FILE);
		return -1;
	}
	/* Short messages ("file: why"): the record keeps 63 characters. */
	if (ret < 0) {
		errmsg(err, len, "%s: %s%s", s->name,
		       s->kind == SENSOR_W1 ? "w1_slave: " : "",
		       strerror(-ret));
		return -1;
	}
	if (s->kind == SENSOR_W1)
		ret = parse_w1_slave(s->buf, n, celsius, why, sizeof(why));
	else
		ret = parse_millidegrees(s->buf, n, celsius, why, sizeof(why));
	if (ret < 0) {
		errmsg(err, len, "%s: %s", s->name, why);
		return -1;
	}
	return 0;
}

void sensor_close(struct sensor *s)
{
	free(s);
}
