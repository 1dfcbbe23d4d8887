/* SPDX-License-Identifier: MIT */
/*
 * web_latency: how long the running daemon takes from an HTTP PUT of the
 * setpoint to (a) the event stream reporting the new setpoint and (b) the
 * control thread's decision showing in the stream (the relay switched).
 * Run against a daemon whose house does not move (sim gain, loss and noise
 * 0) and with no rest times, so that every setpoint across the
 * temperature flips the relay.  Prints "name value unit" lines.
 *   web_latency PORT ROUNDS TEMPERATURE
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("web_latency: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void send_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w <= 0) {
			perror("web_latency: write");
			exit(1);
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* The event stream, read into a buffer; events are returned one by one. */
struct stream {
	int fd;
	char buf[1 << 16];
	size_t len;
};

/* The data line of the next complete event, or exits on a closed stream. */
static const char *next_event(struct stream *s, char *out, size_t outlen)
{
	for (;;) {
		char *end = memmem(s->buf, s->len, "\n\n", 2);

		if (end) {
			size_t n = (size_t)(end - s->buf) + 2;
			char *data = memmem(s->buf, n, "data: ", 6);

			out[0] = '\0';
			if (data) {
				size_t dl = (size_t)(end - data - 6);

				if (dl >= outlen)
					dl = outlen - 1;
				memcpy(out, data + 6, dl);
				out[dl] = '\0';
			}
			memmove(s->buf, s->buf + n, s->len - n);
			s->len -= n;
			return out;
		}
		{
			ssize_t r = read(s->fd, s->buf + s->len,
					 sizeof(s->buf) - s->len);

			if (r <= 0) {
				fprintf(stderr, "web_latency: stream ended\n");
				exit(1);
			}
			s->len += (size_t)r;
		}
	}
}

/* PUTs setpoint @v on connection *@fd, and opens a new one on @port when
 * the server said it closes this one (keep_alive_max_requests). */
static void put_setpoint(int *fd, int port, double v)
{
	char body[64], req[256], resp[8192];
	size_t got = 0;
	int n = snprintf(body, sizeof(body), "{\"setpoint\": %.2f}", v);
	int m = snprintf(req, sizeof(req),
			 "PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Content-Type: application/json\r\n"
			 "Content-Length: %d\r\n\r\n%s", n, body);
	ssize_t r;

	send_all(*fd, req, (size_t)m);
	/* Read the whole response: headers, then Content-Length bytes. */
	for (;;) {
		char *end, *cl;

		r = read(*fd, resp + got, sizeof(resp) - 1 - got);
		if (r <= 0) {
			fprintf(stderr, "web_latency: PUT: connection closed\n");
			exit(1);
		}
		got += (size_t)r;
		resp[got] = '\0';
		end = strstr(resp, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(resp, "\r\nContent-Length:");
		if (got >= (size_t)(end + 4 - resp) +
				   (cl ? strtoul(cl + 17, NULL, 10) : 0))
			break;
	}
	if (strncmp(resp, "HTTP/1.1 200", 12) != 0) {
		fprintf(stderr, "web_latency: PUT failed: %s\n", resp);
		exit(1);
	}
	if (strcasestr(resp, "\r\nConnection: close\r\n")) {
		close(*fd);
		*fd = connect_to(port);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%s.p50 %.3f ms\n", name, v[n / 2] / 1000);
	printf("%s.p99 %.3f ms\n", name, v[n * 99 / 100] / 1000);
	printf("%s.max %.3f ms\n", name, v[n - 1] / 1000);
}

/* A round that takes this long is no latency but a bug: say so and fail,
 * instead of hanging the run. */
#define ROUND_DEADLINE_S 30

static void on_alarm(int sig)
{
	static const char msg[] = "web_latency: a round got no answer in "
				  "30 s (the setpoint or the decision never "
				  "showed in the event stream)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

int main(int argc, char **argv)
{
	static struct stream s;
	static const char get[] = "GET /api/v1/events HTTP/1.1\r\n"
				  "Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
	double *seen, *decided, temp;
	int port, rounds, put;
	char ev[8192];

	if (argc != 4) {
		fprintf(stderr, "usage: web_latency PORT ROUNDS TEMPERATURE\n");
		return 2;
	}
	port = atoi(argv[1]);
	rounds = atoi(argv[2]);
	temp = atof(argv[3]);
	if (port <= 0 || rounds < 10) {
		fprintf(stderr, "web_latency: bad arguments\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	seen = calloc((size_t)rounds, sizeof(*seen));
	decided = calloc((size_t)rounds, sizeof(*decided));
	s.fd = connect_to(port);
	send_all(s.fd, get, sizeof(get) - 1);
	next_event(&s, ev, sizeof(ev)); /* the state at connect */
	put = connect_to(port);

	for (int i = 0; i < rounds; i++) {
		/* Alternately well above and well below the temperature:
		 * each change flips the relay.  On the daemon's setpoint_step
		 * (0.5 C by default): the stream shows the setpoint as
		 * held. */
		bool heat = i % 2 == 0;
		double sp = heat ? temp + 3 + (i % 7) * 0.5 : temp - 3 - (i % 5) * 0.5;
		char want_sp[48];
		const char *want_heat = heat ? "\"heating\":true" : "\"heating\":false";
		double t0 = now_us();
		bool got_sp = false;

		snprintf(want_sp, sizeof(want_sp), "\"setpoint\":%.2f", sp);
		alarm(ROUND_DEADLINE_S);
		put_setpoint(&put, port, sp);
		for (;;) {
			char *p;

			next_event(&s, ev, sizeof(ev));
			/* JSON numbers print shortest: 23.5, not 23.50. */
			p = strstr(ev, "\"setpoint\":");
			if (!got_sp && p && atof(p + 11) == atof(want_sp + 11)) {
				seen[i] = now_us() - t0;
				got_sp = true;
			}
			if (got_sp && strstr(ev, want_heat)) {
				decided[i] = now_us() - t0;
				break;
			}
		}
	}
	alarm(0);
	report("web.put_to_event", seen, rounds);
	report("web.put_to_decision", decided, rounds);
	close(put);
	close(s.fd);
	free(seen);
	free(decided);
	return 0;
}
