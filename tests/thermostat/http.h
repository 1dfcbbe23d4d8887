/* SPDX-License-Identifier: MIT */
/*
 * HTTP clients for the web tests, all on 127.0.0.1:PORT:
 *   http_do    one request through libcurl (a fresh connection each time);
 *   http_client_*  a libcurl client that keeps its connection and its
 *              digest login between requests, as a browser does;
 *   raw_*      bytes on a socket, for what libcurl will not send (no
 *              Content-Length, NUL bytes, half-closed connections...);
 *   sse_*      an event stream read event by event, with deadlines.
 * Nothing here knows the thermostat: check_web_*.c and abuse.c share it.
 * Call curl_global_init() once in main(), before any thread starts.
 */
#ifndef THERMO_TEST_HTTP_H
#define THERMO_TEST_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct http_req {
	const char *method;	/* NULL: GET; "HEAD" reads no body */
	const char *path;	/* "/api/v1/history?minutes=5" */
	/* NULL-terminated "Name: value" lines, or NULL.  "Name:" removes a
	 * header libcurl would add (Content-Type, Accept...). */
	const char *const *headers;
	const void *body;	/* NULL: no body */
	size_t body_len;	/* (size_t)-1: strlen(body) */
	const char *user;	/* digest credentials, or NULL */
	const char *password;
	bool basic;		/* send @user as Basic instead of Digest */
	int timeout_ms;		/* 0: http_default_timeout_ms() */
	const char *source;	/* the address to connect from (a loopback
				 * one, "127.0.0.2"), or NULL */
};

struct http_resp {
	long status;		/* 0 when there was no response */
	char *headers;		/* the last response's header block */
	char *body;		/* NUL-terminated; body_len bytes */
	size_t body_len;
	char error[256];	/* libcurl's message when it failed */
	/* Every header block of the exchange, in order: those libcurl sent
	 * ("PUT ... HTTP/1.1\r\n...") and those it received (a 401 before
	 * the answer, say), as they went over the wire. */
	char *sent;
	char *received;
	long connects;		/* connections it opened (0: reused) */
};

/* 30 s, times TEST_SCALE: a sanity bound, not a speed. */
int http_default_timeout_ms(void);

/* Sends @rq; 0, or -1 with rs->error (no response, or a broken one).
 * @rs is always filled in (free it with http_free). */
int http_do(int port, const struct http_req *rq, struct http_resp *rs);
void http_free(struct http_resp *rs);

/* A client that keeps its connection and what it learnt of the digest
 * login (nonce, request count) from one request to the next: one libcurl
 * handle.  NULL when out of memory. */
struct http_client;
struct http_client *http_client_new(void);
void http_client_free(struct http_client *cl);
/* As http_do, on @cl's connection when it is still open. */
int http_client_do(struct http_client *cl, int port, const struct http_req *rq,
		   struct http_resp *rs);

/* The value of the first header @name (case-insensitive) of @headers
 * (a block as above), copied into @buf; false when there is none. */
bool http_header_in(const char *headers, const char *name, char *buf,
		    size_t len);
bool http_header(const struct http_resp *rs, const char *name, char *buf,
		 size_t len);

/* ---- raw sockets ---------------------------------------------------- */

/* A connected TCP socket to @addr ("127.0.0.1"):@port, or -1 (errno). */
int raw_connect_to(const char *addr, int port);
int raw_connect(int port);
/* The same to 127.0.0.1:@port from the source address @src ("127.0.0.5":
 * Linux routes all of 127/8 to lo; elsewhere bind fails, EADDRNOTAVAIL).
 * @nonblocking: a non-blocking socket whose connection may still be in
 * progress (poll it for POLLOUT, then read SO_ERROR). */
int raw_connect_from(const char *src, int port, bool nonblocking);
/* Sends all of @buf unless the peer closed first; 0 or -1. */
int raw_send(int fd, const void *buf, size_t len);

struct raw_result {
	char *data;		/* what came back, NUL-terminated */
	size_t len;
	bool closed;		/* the server closed (EOF or reset) */
	int status;		/* of the first status line; 0 if none */
	size_t body_at;		/* offset after the first header block, or 0 */
};

/* Reads until the server closes or @timeout_ms passes. */
void raw_read(int fd, int timeout_ms, struct raw_result *out);
/* Connects, sends @len bytes of @req, reads until close or @timeout_ms.
 * -1 when it could not connect. */
int raw_exchange(int port, const void *req, size_t len, int timeout_ms,
		 struct raw_result *out);
void raw_free(struct raw_result *r);

/* ---- event streams -------------------------------------------------- */

struct sse {
	int fd;
	int status;
	char head[4096];	/* the response's header block */
	char *buf;		/* bytes not yet returned */
	size_t len, cap;
};

/* GET @path (with extra header lines @extra, "" for none) and reads the
 * response head; 0 (s->status set) or -1. */
int sse_open(int port, const char *path, const char *extra, struct sse *s);
/* The next event (without the blank line) into @ev; a comment line alone
 * (": keepalive") is skipped, as a client does.  1, 0 when the server
 * closed the stream, -1 on timeout. */
int sse_next(struct sse *s, int timeout_ms, char *ev, size_t len);
void sse_close(struct sse *s);

/* CLOCK_MONOTONIC milliseconds. */
double now_ms(void);

#endif
