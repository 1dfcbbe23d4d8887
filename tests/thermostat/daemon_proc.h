/* SPDX-License-Identifier: MIT */
/*
 * The daemon as a child process, for the tests that talk to the real
 * binary over sockets (abuse.c, slow_clients.c): thermostat/thermostat,
 * found through $top_builddir (set by make check), started through
 * tests/emulate.sh in a cross build's make check (TEST_EMULATOR set).
 */
#ifndef THERMO_TEST_DAEMON_PROC_H
#define THERMO_TEST_DAEMON_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* $top_builddir/thermostat/thermostat (a static buffer). */
const char *daemon_path(void);

/* Runs the daemon with @args (NULL-terminated, after the program name),
 * stderr to @log_file, stdout to @out_file or /dev/null; its pid, or -1. */
pid_t daemon_spawn(const char *const *args, const char *log_file,
		   const char *out_file);

/* Starts the daemon with @args and waits (at most 10 s times @scale) for
 * it to log "web: listening on ... (port N)": 0 with *@pid and *@port, or
 * -1 (it exited, or never said; a message on stderr; *@pid may be a
 * running daemon the caller must kill). */
int daemon_start(const char *const *args, const char *log_file,
		 double scale, pid_t *pid, int *port);

/* The exit status of @pid (128 + signal when killed), waiting at most
 * @ms; -1 if it is still running. */
int daemon_wait_exit(pid_t pid, int ms);

/* SIGTERM to @pid, then its exit within 10 s times @scale: prints
 * "ok    SIGTERM: exit status 0" and returns 0, or prints a FAIL line
 * (with the daemon's log @log_path on stderr), kills it if it still runs
 * and returns 1. */
int daemon_stop(pid_t pid, const char *log_path, double scale);

/* The whole file, NUL-terminated (length in *@n if not NULL), to free;
 * NULL when it cannot be read. */
char *read_whole_file(const char *path, size_t *n);

#endif
