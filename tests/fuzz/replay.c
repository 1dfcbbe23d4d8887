/* SPDX-License-Identifier: MIT */
/*
 * Replays fuzz inputs through the fuzz targets, without libFuzzer, so that
 * make check keeps every seed and every regression input of
 * tests/fuzz/corpus passing in the plain, ASan+UBSan and TSan builds (and
 * the targets compiling with the project's compiler and warnings).
 *   replay                      every target on each file of
 *                               $top_srcdir/tests/fuzz/corpus/TARGET
 *   replay TARGET FILE|DIR...   one target on the given inputs (a crash file
 *                               that libFuzzer saved, say)
 *   replay --list               the targets this build has
 * A broken property aborts (the target says which and shows the input);
 * a missing corpus directory is an error, an empty one too.
 */
#include <config.h>
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "targets.h"

static int replay_file(const struct fuzz_target *t, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL, *exact;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *more = realloc(data, cap = cap ? 2 * cap : 4096);

			if (!more) {
				fprintf(stderr, "replay: out of memory\n");
				free(data);
				fclose(f);
				return -1;
			}
			data = more;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* Named first: a crash (a signal, a sanitizer report) ends the
	 * program before it could say which input it was. */
	printf("%s %s\n", t->name, path);
	fflush(stdout);
	/* An exact-size copy: a read past the input is a sanitizer error. */
	exact = malloc(n ? n : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	memcpy(exact, data, n);
	free(data);
	t->fn(exact, n);
	free(exact);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of @dir, in name order; the count, or -1. */
static int replay_dir(const struct fuzz_target *t, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int done = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	/* readdir returns NULL at the end and on an error alike: only errno
	 * tells them apart.  (EOVERFLOW, an inode number that does not fit,
	 * is what a 32-bit build without large-file support gets.) */
	for (;;) {
		char **more;

		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (de->d_name[0] == '.')
			continue;
		more = realloc(names, (n + 1) * sizeof(*names));
		if (!more || !(more[n] = strdup(de->d_name))) {
			fprintf(stderr, "replay: out of memory\n");
			exit(1);
		}
		names = more;
		n++;
	}
	if (errno) {
		fprintf(stderr, "replay: %s: readdir: %s\n", dir,
			strerror(errno));
		done = -1;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) != 0) {
			fprintf(stderr, "replay: %s: %s\n", path,
				strerror(errno));
			done = -1;
		} else if (S_ISREG(sb.st_mode)) {
			if (replay_file(t, path) < 0)
				done = -1;
			else if (done >= 0)
				done++;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

static const struct fuzz_target *find_target(const char *name)
{
	for (const struct fuzz_target *t = fuzz_targets; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	const struct fuzz_target *t;
	char dir[4096];
	int total = 0, failed = 0;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (t = fuzz_targets; t->name; t++)
			puts(t->name);
		return 0;
	}
	if (argc >= 3) {
		t = find_target(argv[1]);
		if (!t) {
			fprintf(stderr, "replay: no target %s (--list)\n",
				argv[1]);
			return 2;
		}
		for (int i = 2; i < argc; i++) {
			struct stat sb;
			int n;

			if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
				n = replay_dir(t, argv[i]);
			else
				n = replay_file(t, argv[i]) < 0 ? -1 : 1;
			if (n < 0)
				failed = 1;
			else
				total += n;
		}
		printf("replay %s: %d inputs\n", t->name, total);
		return failed;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: replay [--list | TARGET FILE|DIR...]\n");
		return 2;
	}
	for (t = fuzz_targets; t->name; t++) {
		int n;

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
			 top ? top : ".", t->name);
		n = replay_dir(t, dir);
		if (n <= 0) {
			fprintf(stderr, "replay: %s: %s\n", dir,
				n == 0 ? "no inputs" : "failed");
			failed = 1;
			continue;
		}
		printf("replay %s: %d inputs\n", t->name, n);
		total += n;
	}
	if (!failed)
		printf("replay: %d inputs, all properties hold\n", total);
	return failed;
}
