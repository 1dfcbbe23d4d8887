/* SPDX-License-Identifier: MIT */
/* The runner of the thermostat's Check programs and their temporary
 * directories (runner.h).  libc and Check only. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"

static double scale = 1;
static char root[PATH_MAX];
static char tmpdir[PATH_MAX];	/* the running test's, or "" */

double test_scale(void)
{
	return scale;
}

const char *test_root(void)
{
	return root;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes @dir and everything in it, depth first, following no link. */
static void remove_tree(const char *dir)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir,
			strerror(errno));
}

const char *test_tmpdir_make(void)
{
	int n = snprintf(tmpdir, sizeof(tmpdir), "%s/test.XXXXXX", root);

	ck_assert_msg(root[0] != '\0', "no root directory (not run by "
		      "runner.c's main)");
	ck_assert_int_lt(n, (int)sizeof(tmpdir));
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp %s: %s", tmpdir,
		      strerror(errno));
	return tmpdir;
}

void test_tmpdir_remove(void)
{
	if (tmpdir[0])
		remove_tree(tmpdir);
	tmpdir[0] = '\0';
}

const char *test_write_file(const char *dir, const char *name,
			    const void *data, size_t n)
{
	static char path[PATH_MAX];
	size_t dlen = strlen(dir);
	FILE *f;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
			 (int)sizeof(path));
	for (char *p = path + dlen + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* The program's name as it was run, without libtool's "lt-". */
static const char *program_name(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	const char *name = slash ? slash + 1 : argv0 ? argv0 : "";

	if (strncmp(name, "lt-", 3) == 0)
		name += 3;
	return *name ? name : "test";
}

static int make_root(const char *prog)
{
	const char *dir = getenv("TMPDIR");
	int n;

	if (!dir || !dir[0])
		dir = "/tmp";
	/* check-config.XXXXXX for check-config, check-soak.XXXXXX for soak */
	n = snprintf(root, sizeof(root), "%s/%s%s.XXXXXX", dir,
		     strncmp(prog, "check-", 6) == 0 ? "" : "check-", prog);
	if (n < 0 || (size_t)n >= sizeof(root)) {
		fprintf(stderr, "%s: TMPDIR is too long\n", prog);
		return -1;
	}
	if (!mkdtemp(root)) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", prog, root,
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *prog = program_name(argc > 0 ? argv[0] : NULL);
	const char *sc = getenv("TEST_SCALE");
	SRunner *sr;
	int failed;

	if (sc && atof(sc) >= 1)
		scale = atof(sc);
	if (!test_suites[0]) {
		fprintf(stderr, "%s: no suites\n", prog);
		return EXIT_FAILURE;
	}
	if (make_root(prog) < 0)
		return EXIT_FAILURE;
	if (test_setup && test_setup() != 0) {
		remove_tree(root);
		return EXIT_FAILURE;
	}
	sr = srunner_create(test_suites[0]());
	for (size_t i = 1; test_suites[i]; i++)
		srunner_add_suite(sr, test_suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (test_cleanup)
		test_cleanup();
	remove_tree(root);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
