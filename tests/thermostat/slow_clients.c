/* SPDX-License-Identifier: MIT */
/*
 * Slow clients cannot starve the web server (issue 12), against the real
 * daemon (thermostat --simulate on an ephemeral loopback port) with its
 * default web settings:
 *
 *   1. Pressure: 50 connections dribble headers (a request line, then one
 *      header line a second, never the blank line; reopened at once when
 *      the server closes them) and 20 keep-alive connections (one GET
 *      answered, then silent, or one GET every 4 s; reopened likewise),
 *      7 per source address over 127.0.0.2..127.0.0.11, so that the
 *      per-address cap (max_connections_per_client, read from
 *      --print-config) is not what saves the day.  Meanwhile 100 probes
 *      in a row from 127.0.0.1, each on a fresh connection, alternating
 *      GET /healthz and GET /api/v1/state: each must be answered 200
 *      within the bound.
 *   2. One address (127.0.0.200) opens cap + 5 silent connections: the
 *      5 beyond the cap get 503 and a close at once, the cap others are
 *      served afterwards; a probe from 127.0.0.1 is answered meanwhile.
 *      Then that address holds cap dribbling connections and keeps
 *      opening more, each refused, while 20 probes are answered.
 *
 * The bound is 1 s, the requirement, times TEST_SCALE (3 under ASan, 5
 * under TSan: tests/local.mk); 1 s in a plain build.  The pressure runs
 * in one poll-driven thread, the probes in the main one, so that the
 * pressure cannot starve the probes of CPU.  Prints "name value unit"
 * lines.  Exit 77 (skip) where 127.0.0.2 cannot be a source address.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_proc.h"
#include "http.h"

#define PROBES 100
#define DRIBBLERS 50
#define KEEPALIVES 20
#define PER_ADDRESS 7
#define OVER_CAP 5
#define FLOODERS 4
#define FLOOD_PROBES 20

static char dir[64], state_path[128], log_path[128];
static pid_t daemon_pid;
static int port;
static double scale = 1, bound_ms = 1000;

/* ---- the pressure: one thread, poll-driven -------------------------- */

enum kind {
	DRIBBLE,	/* request line, then a header line a second */
	KEEPALIVE,	/* one GET answered, then silent */
	KEEPALIVE_BUSY,	/* a GET every 4 s */
	FLOOD,		/* connects, says nothing, reconnects when closed */
};

struct client {
	enum kind kind;
	char src[16];
	int fd;		/* -1: closed; reopened at next_at */
	bool connecting;
	bool awaiting;	/* a GET sent, its answer not all read */
	double next_at;	/* the next line, GET or reopen */
	double opened_at;
	int lines;
	char in[4096];	/* the answer being read */
	size_t in_len;
};

struct pressure {
	struct client *c;
	int n;
	pthread_t thread;
	atomic_bool stop;
	/* counters, read by the main thread */
	atomic_int open[4];	/* connected, by kind */
	atomic_int reopened;	/* closed by the server, opened again */
	atomic_int answers;	/* keep-alive GETs answered 200 */
	atomic_int refused;	/* FLOOD: 503 and closed */
	atomic_int not_refused;	/* FLOOD: closed without a 503 */
	atomic_int errors;	/* could not connect */
};

static void send_text(struct client *c, const char *text)
{
	if (send(c->fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN)
		shutdown(c->fd, SHUT_RDWR); /* seen as closed by the poll */
}

static void send_get(struct client *c)
{
	char req[128];

	snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\n"
		 "Host: 127.0.0.1:%d\r\n\r\n", port);
	send_text(c, req);
	c->awaiting = true;
	c->in_len = 0;
}

/* The connection is up: its first words. */
static void opened(struct pressure *p, struct client *c, double now)
{
	char line[96];

	c->connecting = false;
	atomic_fetch_add(&p->open[c->kind], 1);
	switch (c->kind) {
	case DRIBBLE:
		snprintf(line, sizeof(line), "GET /api/v1/state HTTP/1.1\r\n"
			 "Host: 127.0.0.1:%d\r\n", port);
		send_text(c, line);
		c->next_at = now + 1000;
		break;
	case KEEPALIVE:
	case KEEPALIVE_BUSY:
		send_get(c);
		c->next_at = now + 4000;
		break;
	case FLOOD:
		c->in_len = 0;
		break;
	}
}

static void closed(struct pressure *p, struct client *c, double now)
{
	if (!c->connecting)
		atomic_fetch_sub(&p->open[c->kind], 1);
	if (c->kind == FLOOD) {
		if (c->in_len && strncmp(c->in, "HTTP/1.1 503", 12) == 0)
			atomic_fetch_add(&p->refused, 1);
		else
			atomic_fetch_add(&p->not_refused, 1);
	} else {
		atomic_fetch_add(&p->reopened, 1);
	}
	close(c->fd);
	c->fd = -1;
	c->awaiting = false;
	c->in_len = 0;
	/* At once, as an attacker would; a connection closed as soon as
	 * it opened waits a little, not to spin.  Flooders pace
	 * themselves: 50 connections a second each. */
	c->next_at = c->kind == FLOOD ? now + 20
		     : now - c->opened_at < 100 ? now + 100 : now;
}

/* A whole answer in c->in (header block and Content-Length bytes)? */
static bool answer_complete(const struct client *c)
{
	const char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	const char *cl;
	long n = 0;

	if (!end)
		return false;
	cl = strcasestr(c->in, "\r\nContent-Length:");
	if (cl && cl < end)
		n = strtol(cl + 17, NULL, 10);
	return (size_t)(end + 4 - c->in) + (size_t)n <= c->in_len;
}

static void readable(struct pressure *p, struct client *c, double now)
{
	for (;;) {
		size_t room = sizeof(c->in) - 1 - c->in_len;
		char sink[512];
		ssize_t n = room ? recv(c->fd, c->in + c->in_len, room,
					MSG_DONTWAIT)
				 : recv(c->fd, sink, sizeof(sink),
					MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			closed(p, c, now);
			return;
		}
		if (room)
			c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
	}
	if (c->awaiting && answer_complete(c)) {
		if (strncmp(c->in, "HTTP/1.1 200", 12) == 0)
			atomic_fetch_add(&p->answers, 1);
		c->awaiting = false;
		c->in_len = 0;
	}
}

static void due(struct pressure *p, struct client *c, double now)
{
	char line[64];

	if (c->fd < 0) {
		c->fd = raw_connect_from(c->src, port, true);
		c->opened_at = now;
		if (c->fd < 0) {
			atomic_fetch_add(&p->errors, 1);
			c->next_at = now + 100;
			return;
		}
		c->connecting = true;
		c->next_at = now + 1e9;
		return;
	}
	if (c->connecting)
		return;
	switch (c->kind) {
	case DRIBBLE:
		snprintf(line, sizeof(line), "X-Drip-%d: %d\r\n", c->lines,
			 c->lines);
		c->lines++;
		send_text(c, line);
		c->next_at = now + 1000;
		break;
	case KEEPALIVE_BUSY:
		if (!c->awaiting)
			send_get(c);
		c->next_at = now + 4000;
		break;
	default:
		c->next_at = now + 1e9;
		break;
	}
}

static void *pressure_run(void *arg)
{
	struct pressure *p = arg;
	struct pollfd *pfd = calloc((size_t)p->n, sizeof(*pfd));

	if (!pfd)
		return NULL;
	while (!atomic_load(&p->stop)) {
		double now = now_ms(), next = now + 100;
		int k = 0;

		for (int i = 0; i < p->n; i++) {
			struct client *c = &p->c[i];

			if (c->fd >= 0) {
				pfd[k].fd = c->fd;
				pfd[k].events = c->connecting ? POLLOUT : POLLIN;
				pfd[k].revents = 0;
				k++;
			}
			if (c->next_at < next)
				next = c->next_at;
		}
		if (poll(pfd, (nfds_t)k, next > now ? (int)(next - now) + 1
						    : 0) < 0 && errno != EINTR)
			break;
		now = now_ms();
		k = 0;
		for (int i = 0; i < p->n; i++) {
			struct client *c = &p->c[i];
			short ev;

			if (c->fd < 0) {
				if (now >= c->next_at)
					due(p, c, now);
				continue;
			}
			ev = pfd[k++].revents;
			if (c->connecting && ev) {
				int err = 0;
				socklen_t len = sizeof(err);

				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err,
					   &len);
				if (err) {
					closed(p, c, now);
					continue;
				}
				opened(p, c, now);
			} else if (ev) {
				readable(p, c, now);
				if (c->fd < 0)
					continue;
			}
			if (now >= c->next_at)
				due(p, c, now);
		}
	}
	free(pfd);
	return NULL;
}

/* Client @i of @n: its kind's first connection at @start + 15 ms * i,
 * so that they do not all time out at once. */
static void add_client(struct pressure *p, enum kind kind, const char *src,
		       double start)
{
	struct client *c = &p->c[p->n];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	snprintf(c->src, sizeof(c->src), "%s", src);
	c->fd = -1;
	c->next_at = start + 15.0 * p->n;
	p->n++;
}

static int pressure_start(struct pressure *p)
{
	atomic_store(&p->stop, false);
	return pthread_create(&p->thread, NULL, pressure_run, p);
}

static void pressure_stop(struct pressure *p)
{
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	for (int i = 0; i < p->n; i++)
		if (p->c[i].fd >= 0)
			close(p->c[i].fd);
	p->n = 0;
}

/* ---- probes ---------------------------------------------------------- */

/* GET @path from 127.0.0.1 on a fresh connection: its latency in ms
 * (connect to the close that ends the answer), or -1 when it was not
 * answered 200 within the bound. */
static double probe(const char *path)
{
	char req[160];
	struct raw_result r;
	double t = now_ms(), left;
	int fd = raw_connect_from("127.0.0.1", port, false);
	bool ok;

	if (fd < 0)
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		 "Connection: close\r\n\r\n", path, port);
	left = bound_ms - (now_ms() - t);
	if (left < 1 || raw_send(fd, req, strlen(req)) != 0) {
		close(fd);
		return -1;
	}
	raw_read(fd, (int)(bound_ms - (now_ms() - t)) + 1, &r);
	t = now_ms() - t;
	close(fd);
	ok = r.status == 200 && r.closed && t <= bound_ms;
	raw_free(&r);
	return ok ? t : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* @n probes, one every 100 ms, alternating /healthz and /api/v1/state;
 * prints the figures under @name; the number not answered in time.
 * @p, if not NULL: the dribblers' fewest open connections at a probe. */
static int probes(const char *name, int n, struct pressure *p,
		  int *fewest_dribbling)
{
	double lat[PROBES], worst = 0;
	int failed = 0;

	if (fewest_dribbling)
		*fewest_dribbling = DRIBBLERS;
	for (int i = 0; i < n; i++) {
		double start = now_ms(), l;

		if (p && fewest_dribbling) {
			int d = atomic_load(&p->open[DRIBBLE]);

			if (d < *fewest_dribbling)
				*fewest_dribbling = d;
		}
		l = probe(i % 2 ? "/api/v1/state" : "/healthz");
		if (l < 0) {
			failed++;
			l = bound_ms; /* at least */
			printf("# probe %d (%s): not answered 200 within "
			       "%.0f ms\n", i, i % 2 ? "/api/v1/state"
						    : "/healthz", bound_ms);
		}
		lat[i] = l;
		if (l > worst)
			worst = l;
		l = 100 - (now_ms() - start);
		if (l > 0)
			usleep((useconds_t)(l * 1000));
	}
	qsort(lat, (size_t)n, sizeof(lat[0]), cmp_double);
	printf("%s_probes_answered %d probes\n", name, n - failed);
	printf("%s_probe_latency_median %.1f ms\n", name,
	       n % 2 ? lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2);
	printf("%s_probe_latency_worst %.1f ms\n", name, worst);
	return failed;
}

/* ---- the cases ------------------------------------------------------- */

/* The daemon's default max_connections_per_client, from --print-config;
 * -1 when it has none. */
static int default_cap(void)
{
	static const char *const args[] = { "--config", "/dev/null",
					    "--print-config", NULL };
	char out[160], err[160], *text, *p;
	pid_t pid;
	int cap = -1;

	snprintf(out, sizeof(out), "%s/print-config", dir);
	snprintf(err, sizeof(err), "%s/print-config.err", dir);
	pid = daemon_spawn(args, err, out);
	if (pid < 0 || daemon_wait_exit(pid, (int)(10000 * scale)) != 0)
		return -1;
	text = read_whole_file(out, NULL);
	p = text ? strstr(text, "\nmax_connections_per_client = ") : NULL;
	if (p)
		cap = atoi(strchr(p, '=') + 1);
	free(text);
	return cap;
}

static int under_pressure(int cap)
{
	static struct client clients[DRIBBLERS + KEEPALIVES];
	struct pressure p = { .c = clients };
	double start = now_ms(), deadline = start + 5000 * scale;
	int failed, fewest, total = DRIBBLERS + KEEPALIVES;

	if (cap >= 0 && cap <= PER_ADDRESS) {
		printf("FAIL  the test spreads %d connections per address; "
		       "the cap (%d) must be above\n", PER_ADDRESS, cap);
		return 1;
	}
	/* 7 per address over 127.0.0.2..: dribblers and keep-alives mixed,
	 * half the keep-alives silent, half busy. */
	for (int i = 0; i < total; i++) {
		char src[16];
		enum kind k = i % 7 < 5 ? DRIBBLE
			      : i % 14 == 5 || i % 14 == 6 ? KEEPALIVE
							   : KEEPALIVE_BUSY;

		snprintf(src, sizeof(src), "127.0.0.%d", 2 + i / PER_ADDRESS);
		add_client(&p, k, src, start);
	}
	if (pressure_start(&p) != 0) {
		printf("FAIL  cannot start the pressure thread\n");
		return 1;
	}
	/* Until every connection is up and has had its first say (the
	 * dribblers a second line), at most 5 s. */
	while (now_ms() < deadline &&
	       (atomic_load(&p.open[DRIBBLE]) +
			atomic_load(&p.open[KEEPALIVE]) +
			atomic_load(&p.open[KEEPALIVE_BUSY]) < total ||
		now_ms() < start + 15.0 * total + 1500))
		usleep(50 * 1000);
	printf("pressure_open %d connections\n",
	       atomic_load(&p.open[DRIBBLE]) + atomic_load(&p.open[KEEPALIVE]) +
		       atomic_load(&p.open[KEEPALIVE_BUSY]));

	failed = probes("pressure", PROBES, &p, &fewest);

	printf("pressure_dribblers_open_fewest %d connections\n", fewest);
	printf("pressure_reopened %d connections\n",
	       atomic_load(&p.reopened));
	printf("pressure_keepalive_answers %d requests\n",
	       atomic_load(&p.answers));
	if (atomic_load(&p.errors))
		printf("# %d connections of the pressure could not be "
		       "opened\n", atomic_load(&p.errors));
	pressure_stop(&p);
	if (fewest < DRIBBLERS * 8 / 10) {
		printf("FAIL  the pressure was not on: %d dribblers open at "
		       "a probe\n", fewest);
		failed++;
	}
	printf("%s  %d probes under %d dribbling and %d keep-alive "
	       "connections, each answered 200 within %.0f ms\n",
	       failed ? "FAIL" : "ok  ", PROBES, DRIBBLERS, KEEPALIVES,
	       bound_ms);
	return failed != 0;
}

/* cap + OVER_CAP silent connections from one address: exactly OVER_CAP
 * refused (503, closed) at once; a probe answered meanwhile; then the
 * cap others are served. */
static int over_the_cap(int cap)
{
	int n = cap + OVER_CAP, fd[1100], refused = 0, with_503 = 0,
	    served = 0, failed = 0;
	bool gone[1100] = { false };
	double start = now_ms(), l;

	if (cap <= 0 || n > 1100) {
		printf("FAIL  no usable max_connections_per_client in "
		       "--print-config (%d)\n", cap);
		return 1;
	}
	/* In order: the kernel hands them to the server in this order. */
	for (int i = 0; i < n; i++) {
		fd[i] = raw_connect_from("127.0.0.200", port, false);
		if (fd[i] < 0) {
			printf("FAIL  connection %d from 127.0.0.200: %s\n", i,
			       strerror(errno));
			while (i--)
				close(fd[i]);
			return 1;
		}
	}
	/* The refusals come as soon as the server accepts; nothing comes
	 * on the others (silent, well within the request timeout). */
	while (refused < OVER_CAP && now_ms() < start + bound_ms) {
		struct pollfd pfd[1100];
		int k = 0;

		for (int i = 0; i < n; i++)
			if (!gone[i])
				pfd[k++] = (struct pollfd){ fd[i], POLLIN, 0 };
		if (poll(pfd, (nfds_t)k, (int)(start + bound_ms - now_ms()) +
					     1) <= 0)
			continue;
		for (int i = 0, j = 0; i < n; i++) {
			struct raw_result r;

			if (gone[i] || !pfd[j++].revents)
				continue;
			raw_read(fd[i], (int)bound_ms, &r);
			gone[i] = true;
			refused++;
			with_503 += r.status == 503;
			raw_free(&r);
		}
	}
	printf("cap_refused %d connections\n", refused);
	printf("cap_refusal_time %.1f ms\n", now_ms() - start);
	if (refused != OVER_CAP || with_503 != OVER_CAP) {
		printf("FAIL  %d connections from one address (cap %d): %d "
		       "refused (%d with 503) within %.0f ms, want %d\n", n,
		       cap, refused, with_503, bound_ms, OVER_CAP);
		failed++;
	}
	/* Another address meanwhile. */
	l = probe("/healthz");
	printf("cap_probe_latency %.1f ms\n", l < 0 ? bound_ms : l);
	if (l < 0) {
		printf("FAIL  a probe from 127.0.0.1 while 127.0.0.200 is at "
		       "its cap: not answered 200 within %.0f ms\n",
		       bound_ms);
		failed++;
	}
	/* Those within the cap were accepted: they are served. */
	for (int i = 0; i < n; i++) {
		char req[128];
		struct raw_result r;

		if (!gone[i]) {
			snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\n"
				 "Host: 127.0.0.1:%d\r\nConnection: close"
				 "\r\n\r\n", port);
			raw_send(fd[i], req, strlen(req));
			raw_read(fd[i], (int)(5000 * scale), &r);
			served += r.status == 200;
			raw_free(&r);
		}
		close(fd[i]);
	}
	if (served != n - refused) {
		printf("FAIL  of the %d connections within the cap, %d were "
		       "served\n", n - refused, served);
		failed++;
	}
	printf("%s  %d connections from one address: %d refused at once "
	       "(503), %d served, a probe from another answered\n",
	       failed ? "FAIL" : "ok  ", n, refused, served);
	return failed;
}

/* The address at its cap with dribblers keeps opening more: each is
 * refused without holding a worker, and probes are answered. */
static int flood_over_the_cap(int cap)
{
	static struct client clients[1100];
	struct pressure p = { .c = clients };
	double start = now_ms();
	int failed, refused, others, reopened;

	if (cap <= 0 || cap + FLOODERS > 1100)
		return 1;
	for (int i = 0; i < cap; i++)
		add_client(&p, DRIBBLE, "127.0.0.200", start);
	for (int i = 0; i < FLOODERS; i++)
		add_client(&p, FLOOD, "127.0.0.200", start + 200);
	if (pressure_start(&p) != 0)
		return 1;
	while (now_ms() < start + 15.0 * p.n + 300)
		usleep(20 * 1000);
	failed = probes("flood", FLOOD_PROBES, &p, NULL);
	refused = atomic_load(&p.refused);
	others = atomic_load(&p.not_refused);
	reopened = atomic_load(&p.reopened);
	pressure_stop(&p);
	printf("flood_refused %d connections\n", refused);
	/* A dribbler the server let go (request timeout) frees a place
	 * that a flooder may take: at most one each. */
	if (refused < FLOOD_PROBES || others > reopened) {
		printf("FAIL  the flood from 127.0.0.200: %d refused, %d "
		       "closed without a 503\n", refused, others);
		failed++;
	}
	printf("%s  %d connections over the cap refused while %d probes "
	       "were answered within %.0f ms\n", failed ? "FAIL" : "ok  ",
	       refused, FLOOD_PROBES, bound_ms);
	return failed != 0;
}

int main(void)
{
	static const char *const args_tmpl[] = {
		"--config", "/dev/null", "--simulate",
		"--listen", "127.0.0.1:0",
		"--state-file", NULL,
		NULL
	};
	const char *args[sizeof(args_tmpl) / sizeof(args_tmpl[0])];
	const char *sc = getenv("TEST_SCALE");
	char cmd[128];
	int failed = 0, cap, fd;
	double t0 = now_ms();

	if (sc && atof(sc) >= 1)
		scale = atof(sc);
	bound_ms = 1000 * scale;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (access(daemon_path(), X_OK) != 0) {
		fprintf(stderr, "%s: %s (set top_builddir)\n", daemon_path(),
			strerror(errno));
		return EXIT_FAILURE;
	}
	snprintf(dir, sizeof(dir), "/tmp/slow-clients.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(state_path, sizeof(state_path), "%s/state", dir);
	snprintf(log_path, sizeof(log_path), "%s/stderr", dir);
	memcpy(args, args_tmpl, sizeof(args));
	args[6] = state_path;

	cap = default_cap();
	printf("max_connections_per_client %d connections\n", cap);
	printf("probe_bound %.0f ms\n", bound_ms);
	if (daemon_start(args, log_path, scale, &daemon_pid, &port) != 0) {
		char *log = read_whole_file(log_path, NULL);

		fprintf(stderr, "%s", log ? log : "");
		free(log);
		return EXIT_FAILURE;
	}
	fd = raw_connect_from("127.0.0.2", port, false);
	if (fd < 0) {
		printf("SKIP  127.0.0.2 cannot be a source address here: %s\n",
		       strerror(errno));
		kill(daemon_pid, SIGKILL);
		daemon_wait_exit(daemon_pid, 5000);
		return 77;
	}
	close(fd);

	failed += under_pressure(cap);
	failed += over_the_cap(cap);
	failed += flood_over_the_cap(cap);

	failed += daemon_stop(daemon_pid, log_path, scale);
	printf("%d failures, %.1f s\n", failed, (now_ms() - t0) / 1000);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
