/* SPDX-License-Identifier: MIT */
#include <config.h>
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon_proc.h"
#include "http.h"

char *read_whole_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (len + 4096 + 1 > cap) {
			char *grown = realloc(buf, cap = cap * 2 + 8192);

			if (!grown) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, 4096, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (n)
		*n = len;
	return buf;
}

const char *daemon_path(void)
{
	static char path[512];
	const char *top = getenv("top_builddir");

	snprintf(path, sizeof(path), "%s/thermostat/thermostat",
		 top ? top : ".");
	return path;
}

/* In a cross build's make check (TEST_EMULATOR set), the daemon, a
 * program for another CPU, starts through tests/emulate.sh, which runs
 * it under the emulator; NULL otherwise. */
static const char *emulate_path(void)
{
	static char path[512];
	const char *emu = getenv("TEST_EMULATOR");
	const char *top = getenv("top_srcdir");

	if (!emu || !*emu)
		return NULL;
	snprintf(path, sizeof(path), "%s/tests/emulate.sh", top ? top : ".");
	return path;
}

pid_t daemon_spawn(const char *const *args, const char *log_file,
		   const char *out_file)
{
	const char *argv[32];
	int n = 0;
	pid_t pid;

	if (emulate_path())
		argv[n++] = emulate_path();
	argv[n++] = daemon_path();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int err = open(log_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int out = open(out_file ? out_file : "/dev/null",
			       O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (err < 0 || out < 0)
			_exit(126);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int daemon_wait_exit(pid_t pid, int ms)
{
	double deadline = now_ms() + ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		if (now_ms() >= deadline)
			return -1;
		usleep(10 * 1000);
	}
}

int daemon_start(const char *const *args, const char *log_file,
		 double scale, pid_t *pid, int *port)
{
	double deadline = now_ms() + 10000 * scale;

	/* Not the last daemon's words. */
	unlink(log_file);
	*pid = daemon_spawn(args, log_file, NULL);
	if (*pid < 0)
		return -1;
	while (now_ms() < deadline) {
		char *log = read_whole_file(log_file, NULL);
		const char *p = log ? strstr(log, "web: listening on ") : NULL;

		if (p && (p = strstr(p, "(port ")) &&
		    sscanf(p, "(port %d)", port) == 1) {
			free(log);
			return 0;
		}
		free(log);
		if (daemon_wait_exit(*pid, 20) >= 0) {
			fprintf(stderr, "the daemon exited at start\n");
			return -1;
		}
	}
	fprintf(stderr, "the daemon did not say its port\n");
	return -1;
}

int daemon_stop(pid_t pid, const char *log_path, double scale)
{
	int status;

	kill(pid, SIGTERM);
	status = daemon_wait_exit(pid, (int)(10000 * scale));
	if (status == 0) {
		printf("ok    SIGTERM: exit status 0\n");
		return 0;
	}
	{
		char *log = read_whole_file(log_path, NULL);

		printf("FAIL  after SIGTERM: %s %d\n",
		       status < 0 ? "still running" : "exit status", status);
		fprintf(stderr, "%s", log ? log : "");
		free(log);
	}
	if (status < 0)
		kill(pid, SIGKILL);
	return 1;
}
