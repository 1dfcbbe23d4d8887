/* SPDX-License-Identifier: MIT */
/*
 * The state file: its text (round trip, every corrupt form refused), its
 * loading, and its saving: atomic (a new file renamed over the old one,
 * fsynced, then the directory fsynced), failures that leave the old file
 * intact, and a daemon SIGKILLed at random moments while saving.
 *
 * The test program is linked with --wrap=fsync --wrap=rename (thermostat/conf/local.mk)
 * so that it sees the order of those calls.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/command.h"
#include "io/statefile.h"
#include "threads.h"
#include "util/timeutil.h"
#include "runner.h"

/* ---- the order of fsync and rename ---------------------------------- */

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);

/* F: fsync of a file, D: of a directory, R: rename. */
static char calls[64];

static void note(char c)
{
	size_t n = strlen(calls);

	if (n + 1 < sizeof(calls)) {
		calls[n] = c;
		calls[n + 1] = '\0';
	}
}

int __wrap_fsync(int fd)
{
	struct stat sb;

	note(fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) ? 'D' : 'F');
	return __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
	note('R');
	return __real_rename(from, to);
}

/* ---- helpers -------------------------------------------------------- */

/* The runner (runner.c) makes a root directory and removes it, with
 * whatever a failed test (which skips its teardown) left in it; each test
 * has a directory inside. */
static const char *dir;
static char path[PATH_MAX];
static struct thermo_settings cfg;

static void setup(void)
{
	dir = test_tmpdir_make();
	snprintf(path, sizeof(path), "%s/state", dir);
	config_defaults(&cfg);
	calls[0] = '\0';
}

static void teardown(void)
{
	test_tmpdir_remove();
}

static void write_raw(const char *p, const void *data, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static size_t read_raw(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, len - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return (size_t)n;
}

/* Entries of the test directory besides "state", "." and "..". */
static int others(char *names, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	if (names)
		names[0] = '\0';
	/* errno tells the end of the directory from an error. */
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "state"))
			continue;
		n++;
		if (names) {
			strncat(names, de->d_name, len - strlen(names) - 2);
			strcat(names, " ");
		}
	}
	ck_assert_msg(errno == 0, "readdir %s: %s", dir, strerror(errno));
	closedir(d);
	return n;
}

static const char *parse_error(const char *text, size_t n)
{
	static char err[256];
	struct saved_state st = { .has_setpoint = true, .setpoint = 12.5, .mode = MODE_OFF };

	err[0] = '\0';
	ck_assert_msg(state_parse(text, n, &cfg.limits, &st, err, sizeof(err)) == -1,
		      "accepted: %.*s", (int)n, text);
	/* Field by field: memcmp would compare the struct's padding, which
	 * an initializer leaves undefined (memcheck says so). */
	ck_assert(st.setpoint == 12.5 && st.mode == MODE_OFF);
	ck_assert(err[0] != '\0');
	return err;
}

#define assert_has(s, needle)                                                \
	ck_assert_msg(strstr((s), (needle)) != NULL, "\"%s\" lacks \"%s\"",  \
		      (s), (needle))

/* ---- the text ------------------------------------------------------- */

/* A state file with a program: Monday's points, the hold, the boost. */
#define PROGRAM_LINES(monday, hold, boost)                                   \
	"setpoint=21\nmode=heat\npresets=comfort 21, eco 18\nmonday="       \
	monday "\ntuesday=\nwednesday=\nthursday=\nfriday=\nsaturday=\n"  \
	"sunday=\nhold=" hold "\nboost=" boost "\n"

START_TEST(program_and_runtime_round_trip)
{
	static const char text[] =
		"# thermostat state\n"
		PROGRAM_LINES("06:30 comfort, 22:00 17.5", "until eco 1796986800",
			      "23 until 1796540400")
		"runtime=total 7300 5 days 2 20261207:100:1 20261206:7200:4\n";
	struct saved_state st, back;
	char err[256] = "", buf[4096];

	ck_assert_msg(state_parse(text, sizeof(text) - 1, &cfg.limits, &st,
				  err, sizeof(err)) == 0, "%s", err);
	ck_assert(st.has_program);
	ck_assert_uint_eq(st.presets.n, 2);
	ck_assert_uint_eq(st.schedule.day[0].n, 2);
	ck_assert_int_eq(st.hold.kind, HOLD_UNTIL);
	ck_assert_int_eq(st.hold.preset, 1);
	ck_assert(st.boost.temp == 23);
	ck_assert_uint_eq(st.runtime.total_seconds, 7300);
	ck_assert_int_eq(st.runtime.day[1].date, 20261206);
	ck_assert_int_lt(state_format(&st, buf, sizeof(buf)), (int)sizeof(buf));
	ck_assert_str_eq(buf, text);
	ck_assert_int_eq(state_parse(buf, strlen(buf), &cfg.limits, &back, err,
				     sizeof(err)), 0);
	ck_assert(memcmp(&st, &back, sizeof(st)) == 0);
	/* Only the runtime (no client set a setpoint or mode): the
	 * configuration's setpoint and mode. */
	ck_assert_int_eq(state_parse("runtime=total 5 1 days 1 20261207:5:1\n",
				     38, &cfg.limits, &st, err, sizeof(err)),
			 0);
	ck_assert(!st.has_setpoint && !st.has_program);
	ck_assert_uint_eq(st.runtime.total_seconds, 5);
	state_format(&st, buf, sizeof(buf));
	ck_assert_str_eq(buf, "# thermostat state\n"
			      "runtime=total 5 1 days 1 20261207:5:1\n");
	/* A file from before the program: none, and no runtime. */
	ck_assert_int_eq(state_parse("setpoint=21\nmode=off\n", 21,
				     &cfg.limits, &st, err, sizeof(err)), 0);
	ck_assert(!st.has_program);
	ck_assert_uint_eq(st.runtime.total_seconds, 0);
}
END_TEST

START_TEST(format_and_parse_round_trip)
{
	static const double setpoints[] = {
		20, 21.5, 5, 30, 0.1 + 0.2 + 10, 29.999999999999996, 17.3,
		-3.25,
	};
	struct thermo_settings wide;

	config_defaults(&wide);
	wide.limits.min = -50;
	for (size_t i = 0; i < sizeof(setpoints) / sizeof(setpoints[0]); i++)
		for (int m = MODE_OFF; m <= MODE_HEAT; m++) {
			struct saved_state st = { .has_setpoint = true,
						  .setpoint = setpoints[i],
						  .mode = m }, back;
			char text[128], err[256] = "";
			int n = state_format(&st, text, sizeof(text));

			ck_assert_int_gt(n, 0);
			ck_assert_int_eq(strlen(text), n);
			ck_assert_msg(state_parse(text, (size_t)n, &wide.limits, &back,
						  err, sizeof(err)) == 0,
				      "%s: %s", text, err);
			ck_assert(back.setpoint == st.setpoint);
			ck_assert_int_eq(back.mode, st.mode);
		}
}
END_TEST

START_TEST(the_format)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = 21.5, .mode = MODE_HEAT };
	char text[128], small[8];

	state_format(&st, text, sizeof(text));
	ck_assert_str_eq(text,
			 "# thermostat state\nsetpoint=21.5\nmode=heat\n");
	st.mode = MODE_OFF;
	st.setpoint = 19;
	state_format(&st, text, sizeof(text));
	ck_assert_str_eq(text, "# thermostat state\nsetpoint=19\nmode=off\n");
	/* snprintf-style: the length it needs. */
	ck_assert_int_eq(state_format(&st, small, sizeof(small)),
			 (int)strlen(text));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

START_TEST(lenient_where_harmless)
{
	static const char *const texts[] = {
		"setpoint=21\nmode=heat\n",
		"mode=heat\nsetpoint=21\n",
		"# x\n\n  setpoint = 21  \n\tmode\t=\theat\n# y\n",
		"setpoint=2.1e1\nmode=heat\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct saved_state st;
		char err[256] = "";

		ck_assert_msg(state_parse(texts[i], strlen(texts[i]), &cfg.limits, &st,
					  err, sizeof(err)) == 0, "%zu: %s", i,
			      err);
		ck_assert(st.setpoint == 21);
		ck_assert_int_eq(st.mode, MODE_HEAT);
	}
}
END_TEST

START_TEST(corrupt_forms_are_refused)
{
	static const struct { const char *text, *needle; } cases[] = {
		{ "", "empty" },
		{ "garbage", "truncated" },
		{ "garbage\n", "line 1: expected KEY=VALUE" },
		{ "\x7f" "ELF\x02\x01\x01\n", "line 1: expected KEY=VALUE" },
		{ "setpoint=21\n", "no mode" },
		{ "mode=heat\n", "no setpoint" },
		{ "# thermostat state\n", "no setpoint" },
		{ "setpoint=21\nmode=heat", "truncated" },
		{ "setpoint=21\nmode=heat\nextra=1\n", "line 3: unknown key" },
		{ "setpoint=21\nmode=heat\nsetpoint=22\n",
		  "line 3: setpoint again (first on line 1)" },
		{ "setpoint=21\nmode=heat\nmode=off\n", "line 3: mode again" },
		{ "setpoint=31\nmode=heat\n",
		  "outside min_setpoint..max_setpoint" },
		{ "setpoint=4.99\nmode=heat\n", "outside" },
		{ "setpoint=-1e308\nmode=heat\n", "outside" },
		{ "setpoint=nan\nmode=heat\n", "setpoint is not a number" },
		{ "setpoint=NAN\nmode=heat\n", "not a number" },
		{ "setpoint=inf\nmode=heat\n", "not a number" },
		{ "setpoint=1e999\nmode=heat\n", "too large" },
		{ "setpoint=0x15\nmode=heat\n", "not a number" },
		{ "setpoint=21,5\nmode=heat\n", "not a number" },
		{ "setpoint=21.5.5\nmode=heat\n", "not a number" },
		{ "setpoint=\nmode=heat\n", "not a number" },
		{ "setpoint=21 C\nmode=heat\n", "not a number" },
		{ "setpoint=21\nmode=cool\n", "mode is not heat or off" },
		{ "setpoint=21\nmode=HEAT\n", "mode is not heat or off" },
		{ "setpoint=21\nmode=\n", "mode is not" },
		{ "setpoint=21\r\nmode=heat\r\n", "not a number" },
		{ "Setpoint=21\nmode=heat\n", "line 1: unknown key" },
		{ "=21\nmode=heat\n", "line 1: unknown key" },
		{ "setpoint=00000000000000000000000000000000000000000000000"
		  "000000000000000000000000021\nmode=heat\n",
		  "value too long" },
		/* The program: all of it, every line valid, in bounds. */
		{ "setpoint=21\nmode=heat\npresets=comfort 21\n",
		  "no monday" },
		{ "mode=heat\nruntime=total 5 1 days 1 20261207:5:1\n",
		  "no setpoint" },
		{ PROGRAM_LINES("25:00 comfort", "none", "none"),
		  "line 4: monday: \"25:00\" is not a time of day" },
		{ PROGRAM_LINES("08:00 nosuch", "none", "none"),
		  "no preset named \"nosuch\"" },
		{ PROGRAM_LINES("08:00 45", "none", "none"), "outside" },
		{ PROGRAM_LINES("08:00 comfort", "next eco", "none"),
		  "line 11: hold" },
		{ PROGRAM_LINES("08:00 comfort", "forever 99", "none"),
		  "outside" },
		{ PROGRAM_LINES("08:00 comfort", "none", "23 until"),
		  "line 12: boost" },
		{ PROGRAM_LINES("08:00 comfort", "none", "none")
		  "runtime=total 5 1 days 1 20261207:9:1\n",
		  "runtime: " },
		{ PROGRAM_LINES("08:00 comfort", "none", "none")
		  "runtime=total 5\n", "runtime: " },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_has(parse_error(cases[i].text, strlen(cases[i].text)),
			   cases[i].needle);
}
END_TEST

START_TEST(every_truncation_is_refused)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = 21.5, .mode = MODE_HEAT };
	char text[128];
	int n = state_format(&st, text, sizeof(text));

	for (int i = 0; i < n; i++)
		parse_error(text, (size_t)i);
	st.mode = MODE_OFF;
	n = state_format(&st, text, sizeof(text));
	for (int i = 0; i < n; i++)
		parse_error(text, (size_t)i);
}
END_TEST

START_TEST(nul_bytes_and_huge_files)
{
	static const char nul[] = "setpoint=21\0\nmode=heat\n";
	char *big = malloc(5000);

	assert_has(parse_error(nul, sizeof(nul) - 1), "NUL");
	ck_assert_ptr_nonnull(big);
	memset(big, '#', 5000);
	memcpy(big, "setpoint=21\nmode=heat\n", 22);
	big[4999] = '\n';
	assert_has(parse_error(big, 5000), "too large");
	free(big);
}
END_TEST

START_TEST(bounds_come_from_the_config)
{
	static const char text[] = "setpoint=35\nmode=off\n";
	struct saved_state st;
	char err[256];

	parse_error(text, sizeof(text) - 1);
	cfg.limits.max = 40;
	ck_assert_int_eq(state_parse(text, sizeof(text) - 1, &cfg.limits, &st, err,
				     sizeof(err)), 0);
	ck_assert(st.setpoint == 35);
	/* No configuration: no bounds, but still a finite number. */
	ck_assert_int_eq(state_parse("setpoint=-99\nmode=off\n", 22, NULL,
				     &st, err, sizeof(err)), 0);
	ck_assert(st.setpoint == -99);
}
END_TEST

/* ---- loading and saving --------------------------------------------- */

START_TEST(save_then_load)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = 22.25, .mode = MODE_OFF }, back;
	char err[256] = "", text[128];
	struct stat sb;

	ck_assert_msg(state_save(path, &st, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(state_load(path, &cfg.limits, &back, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert(back.setpoint == 22.25);
	ck_assert_int_eq(back.mode, MODE_OFF);
	read_raw(path, text, sizeof(text));
	ck_assert_str_eq(text,
			 "# thermostat state\nsetpoint=22.25\nmode=off\n");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0644);
	ck_assert_int_eq(others(NULL, 0), 0);
	/* Relative paths work too (the directory is "."). */
	ck_assert_int_eq(chdir(dir), 0);
	st.mode = MODE_HEAT;
	ck_assert_msg(state_save("state", &st, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_int_eq(state_load(path, &cfg.limits, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(back.mode, MODE_HEAT);
	ck_assert_int_eq(chdir("/"), 0);
}
END_TEST

START_TEST(save_is_write_fsync_rename_fsync_dir)
{
	struct saved_state a = { .has_setpoint = true, .setpoint = 20, .mode = MODE_HEAT };
	struct saved_state b = { .has_setpoint = true, .setpoint = 21, .mode = MODE_OFF };
	char err[256] = "";
	struct stat before, after;

	ck_assert_int_eq(state_save(path, &a, err, sizeof(err)), 0);
	ck_assert_str_eq(calls, "FRD");
	ck_assert_int_eq(stat(path, &before), 0);
	calls[0] = '\0';
	ck_assert_int_eq(state_save(path, &b, err, sizeof(err)), 0);
	ck_assert_str_eq(calls, "FRD");
	/* A new file replaced the old one: never rewritten in place. */
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert(before.st_ino != after.st_ino);
}
END_TEST

START_TEST(load_missing_corrupt_and_odd_files)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = 12.5, .mode = MODE_OFF };
	char err[256] = "";

	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)),
			 -ENOENT);
	ck_assert(st.setpoint == 12.5);
	write_raw(path, "setpoint=21\nmode=he", 19);
	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)), -1);
	assert_has(err, path);
	assert_has(err, "truncated");
	ck_assert(st.setpoint == 12.5);
	write_raw(path, "", 0);
	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)), -1);
	assert_has(err, "empty");
	/* Only the first bytes are read: a huge file is refused quickly. */
	{
		char *big = calloc(1, 1 << 20);

		ck_assert_ptr_nonnull(big);
		write_raw(path, big, 1 << 20);
		free(big);
	}
	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)), -1);
	assert_has(err, "too large");
	ck_assert_int_eq(state_load(dir, &cfg.limits, &st, err, sizeof(err)), -1);
	assert_has(err, "not a regular file");
	ck_assert_int_eq(state_load("/dev/null", &cfg.limits, &st, err, sizeof(err)),
			 -1);
	/* A FIFO would block a plain open(). */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)), -1);
	ck_assert(st.setpoint == 12.5);
}
END_TEST

/* Saves @st where it must fail; checks the old file and the message. */
static void assert_save_fails(const char *where, const char *needle)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = 23, .mode = MODE_HEAT };
	char err[256] = "";

	ck_assert_int_eq(state_save(where, &st, err, sizeof(err)), -1);
	assert_has(err, where);
	assert_has(err, needle);
}

START_TEST(failed_saves_keep_the_old_file)
{
	struct saved_state old = { .has_setpoint = true, .setpoint = 19.5, .mode = MODE_OFF }, st;
	char err[256] = "", p[192];

	ck_assert_int_eq(state_save(path, &old, err, sizeof(err)), 0);

	/* The directory does not exist, or is a file. */
	snprintf(p, sizeof(p), "%s/none/state", dir);
	assert_save_fails(p, "No such file or directory");
	snprintf(p, sizeof(p), "%s/state/state", dir);
	assert_save_fails(p, "Not a directory");
	/* The file is a directory: rename fails, the directory stays. */
	snprintf(p, sizeof(p), "%s/adir", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	assert_save_fails(p, "renaming");
	assert_save_fails(p, "Is a directory");
	assert_save_fails("/proc/state", "/proc/state");
	snprintf(p, sizeof(p), "%s/", dir);
	assert_save_fails(p, "not a file name");

	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)), 0);
	ck_assert(st.setpoint == 19.5);
	ck_assert_int_eq(st.mode, MODE_OFF);
	/* No temporary file left behind; only the directory made above. */
	ck_assert_int_eq(others(p, sizeof(p)), 1);
	ck_assert_str_eq(p, "adir ");
}
END_TEST

START_TEST(short_write_keeps_the_old_file)
{
	struct saved_state old = { .has_setpoint = true, .setpoint = 19.5, .mode = MODE_OFF }, st;
	char err[256] = "";
	int fds[2], status;
	pid_t pid;

	ck_assert_int_eq(state_save(path, &old, err, sizeof(err)), 0);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* A file size limit below the state's size (root ignores
		 * permissions, not this): the write comes up short. */
		struct rlimit rl = { 10, 10 };
		struct saved_state st2 = { .has_setpoint = true, .setpoint = 25, .mode = MODE_HEAT };
		int ret;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(3);
		ret = state_save(path, &st2, err, sizeof(err));
		if (write(fds[1], err, strlen(err) + 1) < 0)
			_exit(4);
		_exit(ret == -1 ? 0 : 1);
	}
	close(fds[1]);
	ck_assert_int_gt(read(fds[0], err, sizeof(err) - 1), 0);
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "status %#x: %s", status, err);
	assert_has(err, path);
	assert_has(err, "File too large");
	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)), 0);
	ck_assert(st.setpoint == 19.5);
	ck_assert_int_eq(others(NULL, 0), 0);
}
END_TEST

START_TEST(invalid_states_are_not_saved)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = NAN, .mode = MODE_HEAT };
	char err[256] = "";

	ck_assert_int_eq(state_save(path, &st, err, sizeof(err)), -1);
	assert_has(err, "invalid state");
	st.setpoint = INFINITY;
	ck_assert_int_eq(state_save(path, &st, err, sizeof(err)), -1);
	st.setpoint = 20;
	st.mode = (enum thermo_mode)7;
	ck_assert_int_eq(state_save(path, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(others(NULL, 0), 0);
}
END_TEST

START_TEST(leftovers_of_a_crash_are_removed)
{
	struct saved_state st = { .has_setpoint = true, .setpoint = 20, .mode = MODE_HEAT };
	char err[256] = "", p[192], names[256];
	static const char *const leftovers[] = { ".state.abcDEF",
						 ".state.x1Y2z3" };
	static const char *const kept[] = { ".state.toolong7", ".state.ab-def",
					    ".other.abcdef", "state.abcdef" };

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, leftovers[i]);
		write_raw(p, "x", 1);
	}
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, kept[i]);
		write_raw(p, "x", 1);
	}
	ck_assert_int_eq(state_save(path, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(others(names, sizeof(names)), 4);
	for (size_t i = 0; i < 2; i++)
		ck_assert_msg(strstr(names, leftovers[i]) == NULL, "%s", names);
}
END_TEST

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static unsigned next_random(unsigned below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 33) % below;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

START_TEST(sigkill_while_saving_never_tears)
{
	const struct saved_state a = { .has_setpoint = true, .setpoint = 21.5, .mode = MODE_HEAT };
	const struct saved_state b = { .has_setpoint = true, .setpoint = 17.25, .mode = MODE_OFF };
	int seen_a = 0, seen_b = 0, kills = 60;
	char err[256] = "";
	unsigned max_us;
	double t;

	/* Kills land anywhere in the first few saves: as long as a save
	 * takes here (fsync costs from microseconds on tmpfs to
	 * milliseconds on a disk).  Saves that get slower than that (a
	 * busy disk or CPU) would leave every kill inside the first save:
	 * then the window widens until both states have been seen. */
	t = now_us();
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(state_save(path, i % 2 ? &a : &b, err,
					    sizeof(err)), 0);
	max_us = (unsigned)((now_us() - t) / 4 * 3) + 50;
	for (int i = 0; i < kills || !(seen_a && seen_b); i++) {
		struct saved_state st;
		char names[256], byte;
		int status, ready[2];
		pid_t pid;

		ck_assert_int_eq(pipe(ready), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char e[256];

			close(ready[0]);
			for (;;) {
				if (state_save(path, &b, e, sizeof(e)) < 0 ||
				    state_save(path, &a, e, sizeof(e)) < 0)
					_exit(1);
				if (ready[1] >= 0) {
					if (write(ready[1], "", 1) != 1)
						_exit(1);
					close(ready[1]);
					ready[1] = -1;
				}
			}
		}
		/* The saver has started (a sanitizer makes that slow):
		 * from now on, it is always saving. */
		close(ready[1]);
		ck_assert_int_eq(read(ready[0], &byte, 1), 1);
		close(ready[0]);
		usleep(next_random(max_us));
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status) &&
			      WTERMSIG(status) == SIGKILL,
			      "kill %d: the saver stopped by itself (%#x)", i,
			      status);
		ck_assert_msg(state_load(path, &cfg.limits, &st, err,
					 sizeof(err)) == 0,
			      "kill %d: %s", i, err);
		if (st.setpoint == a.setpoint && st.mode == a.mode)
			seen_a++;
		else if (st.setpoint == b.setpoint && st.mode == b.mode)
			seen_b++;
		else
			ck_abort_msg("kill %d: a state never saved: %g %d", i,
				     st.setpoint, st.mode);
		/* At most the killed save's temporary file. */
		ck_assert_msg(others(names, sizeof(names)) <= 1,
			      "kill %d: %s", i, names);
		if (i >= kills / 2 && !(seen_a && seen_b) && max_us < 1000000)
			max_us *= 2;
		ck_assert_msg(i < 10 * kills, "a %d, b %d after %d kills (max "
			      "%u us)", seen_a, seen_b, i + 1, max_us);
	}
	/* The saver got somewhere: both states were seen. */
	ck_assert_msg(seen_a > 0 && seen_b > 0, "a %d, b %d (max %u us)",
		      seen_a, seen_b, max_us);
}
END_TEST


/* The web server starts before the state thread: a write that lands
 * between the two is in the record when the thread first reads it, and
 * must be saved all the same (it was lost: the thread took the record's
 * state for the file's). */
START_TEST(a_write_before_the_state_thread_starts_is_saved)
{
	struct thermo init = thermo_defaults;
	struct command cmd = { .kind = COMMAND_SETPOINT, .setpoint = 23.5 };
	struct daemon d = { .cfg = &cfg };
	struct thread_arg ta;
	struct saved_state st;
	char err[256];
	double give_up;
	pthread_t t;
	uint64_t seq;

	ck_assert_uint_lt(strlen(path), sizeof(cfg.state_file));
	memcpy(cfg.state_file, path, strlen(path) + 1);
	memset(&st, 0, sizeof(st));
	st.has_setpoint = true;
	st.setpoint = 20;
	st.mode = MODE_HEAT;
	ck_assert_int_eq(state_save(path, &st, err, sizeof(err)), 0);
	init.setpoint = 20;
	d.rec = thermo_new(&init, SS_MUTEX);
	ck_assert(thermo_valid(d.rec));
	ck_assert_int_eq(command_apply(d.rec, &cmd, &seq), 1);
	ta.d = &d;
	ta.h = thermo_ref(d.rec);
	ck_assert_int_eq(pthread_create(&t, NULL, state_thread, &ta), 0);
	/* Within Check's 4 s timeout (both scaled): a save takes
	 * milliseconds. */
	give_up = mono_now() + 3 * test_scale();
	while (thermo_get_persist_tried(d.rec) < seq && mono_now() < give_up)
		usleep(2000);
	thermo_close(d.rec);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(state_load(path, &cfg.limits, &st, err, sizeof(err)),
			 0);
	ck_assert_msg(st.setpoint == 23.5, "the file says %.2f", st.setpoint);
	ck_assert_uint_ge(thermo_get_persist_tried(d.rec), seq);
	ck_assert(thermo_get_state_ok(d.rec));
	thermo_unref(d.rec);
}
END_TEST

static Suite *suite_statefile(void)
{
	Suite *s = suite_create("statefile");
	TCase *tc;

	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, format_and_parse_round_trip);
	tcase_add_test(tc, the_format);
	tcase_add_test(tc, lenient_where_harmless);
	tcase_add_test(tc, corrupt_forms_are_refused);
	tcase_add_test(tc, program_and_runtime_round_trip);
	tcase_add_test(tc, every_truncation_is_refused);
	tcase_add_test(tc, nul_bytes_and_huge_files);
	tcase_add_test(tc, bounds_come_from_the_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, save_then_load);
	tcase_add_test(tc, save_is_write_fsync_rename_fsync_dir);
	tcase_add_test(tc, load_missing_corrupt_and_odd_files);
	tcase_add_test(tc, failed_saves_keep_the_old_file);
	tcase_add_test(tc, short_write_keeps_the_old_file);
	tcase_add_test(tc, invalid_states_are_not_saved);
	tcase_add_test(tc, leftovers_of_a_crash_are_removed);
	tcase_add_test(tc, a_write_before_the_state_thread_starts_is_saved);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sigkill_while_saving_never_tears);
	suite_add_tcase(s, tc);
	return s;
}

/* Run by runner.c's main(). */
const suite_fn test_suites[] = { suite_statefile, NULL };
