/* SPDX-License-Identifier: MIT */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

/* The timeout of a request that gives none: only a sanity bound (a
 * passing request returns long before), stretched like every deadline of
 * the tests by TEST_SCALE. */
int http_default_timeout_ms(void)
{
	const char *sc = getenv("TEST_SCALE");
	double scale = sc && atof(sc) >= 1 ? atof(sc) : 1;

	return (int)(30000 * scale);
}

double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- growing buffers ------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
		char *p = realloc(b->p, cap);

		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static char *buf_take(struct buf *b)
{
	if (!b->p)
		return strdup("");
	return b->p;
}

/* ---- libcurl -------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	return buf_add(ctx, data, size * n) == 0 ? size * n : 0;
}

/* Keeps the last response's header block only: a digest exchange or a
 * 100 Continue brings more than one. */
static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	if (size * n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		b->len = 0;
	return buf_add(b, data, size * n) == 0 ? size * n : 0;
}

/* What libcurl says it sent and received, header blocks only. */
struct trace {
	struct buf sent, received;
};

static int on_debug(CURL *c, curl_infotype type, char *data, size_t n,
		    void *ctx)
{
	struct trace *t = ctx;

	(void)c;
	if (!t)
		return 0;
	if (type == CURLINFO_HEADER_OUT)
		buf_add(&t->sent, data, n);
	else if (type == CURLINFO_HEADER_IN)
		buf_add(&t->received, data, n);
	return 0;
}

struct http_client {
	CURL *c;
};

struct http_client *http_client_new(void)
{
	struct http_client *cl = calloc(1, sizeof(*cl));

	if (cl && !(cl->c = curl_easy_init())) {
		free(cl);
		cl = NULL;
	}
	return cl;
}

void http_client_free(struct http_client *cl)
{
	if (!cl)
		return;
	curl_easy_cleanup(cl->c);
	free(cl);
}

int http_client_do(struct http_client *cl, int port, const struct http_req *rq,
		   struct http_resp *rs)
{
	struct buf head = { 0 }, body = { 0 };
	struct trace tr = { { 0 }, { 0 } };
	struct curl_slist *hdrs = NULL;
	const char *method = rq->method ? rq->method : "GET";
	char url[2048], iface[64], errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = cl->c;
	CURLcode rc;

	memset(rs, 0, sizeof(*rs));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, rq->path);
	/* Every option, each time: the handle keeps what the last request
	 * set. */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never an http_proxy */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 (long)(rq->timeout_ms ? rq->timeout_ms
					       : http_default_timeout_ms()));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* to on_debug only */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &tr);
	if (rq->source)
		snprintf(iface, sizeof(iface), "host!%s", rq->source);
	curl_easy_setopt(c, CURLOPT_INTERFACE, rq->source ? iface : NULL);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || rq->body)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (rq->body) {
		size_t n = rq->body_len == (size_t)-1 ? strlen(rq->body)
						      : rq->body_len;

		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)n);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
	}
	/* CivetWeb does not answer 100-continue: never ask for it. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	for (const char *const *h = rq->headers; h && *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH,
			 rq->user ? (rq->basic ? CURLAUTH_BASIC
					       : CURLAUTH_DIGEST)
				  : CURLAUTH_NONE);
	curl_easy_setopt(c, CURLOPT_USERNAME, rq->user);
	curl_easy_setopt(c, CURLOPT_PASSWORD,
			 rq->user ? (rq->password ? rq->password : "") : NULL);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &rs->connects);
	if (rc != CURLE_OK)
		snprintf(rs->error, sizeof(rs->error), "%s: %s",
			 curl_easy_strerror(rc), errbuf);
	/* Nothing of this request's may outlive it in the handle. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, NULL);
	curl_slist_free_all(hdrs);
	rs->headers = buf_take(&head);
	rs->body_len = body.len;
	rs->body = buf_take(&body);
	rs->sent = buf_take(&tr.sent);
	rs->received = buf_take(&tr.received);
	return rc == CURLE_OK ? 0 : -1;
}

int http_do(int port, const struct http_req *rq, struct http_resp *rs)
{
	struct http_client *cl = http_client_new();
	int ret;

	if (!cl) {
		memset(rs, 0, sizeof(*rs));
		snprintf(rs->error, sizeof(rs->error), "curl_easy_init failed");
		rs->headers = strdup("");
		rs->body = strdup("");
		rs->sent = strdup("");
		rs->received = strdup("");
		return -1;
	}
	ret = http_client_do(cl, port, rq, rs);
	http_client_free(cl);
	return ret;
}

void http_free(struct http_resp *rs)
{
	free(rs->headers);
	free(rs->body);
	free(rs->sent);
	free(rs->received);
	rs->headers = rs->body = rs->sent = rs->received = NULL;
}

bool http_header_in(const char *headers, const char *name, char *buf,
		    size_t len)
{
	size_t n = strlen(name);

	for (const char *p = headers; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t linelen = eol ? (size_t)(eol - p) : strlen(p);

		if (linelen > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			const char *v = p + n + 1;
			size_t vlen = linelen - n - 1;

			while (vlen && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen && (v[vlen - 1] == '\r' ||
					v[vlen - 1] == ' '))
				vlen--;
			if (buf && len) {
				if (vlen >= len)
					vlen = len - 1;
				memcpy(buf, v, vlen);
				buf[vlen] = '\0';
			}
			return true;
		}
		p += linelen + (eol ? 1 : 0);
	}
	return false;
}

bool http_header(const struct http_resp *rs, const char *name, char *buf,
		 size_t len)
{
	return http_header_in(rs->headers, name, buf, len);
}

/* ---- raw sockets ---------------------------------------------------- */

/* A TCP socket connected (or, @nonblocking, connecting) to @dst:@port,
 * from @src if not NULL. */
static int connect_tcp(const char *src, const char *dst, int port,
		       bool nonblocking)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	/* A server that stops reading never blocks a test for long. */
	struct timeval tv = { .tv_sec = 5 };
	int fd, one = 1, e;

	if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1 ||
	    (src && inet_pton(AF_INET, src, &from.sin_addr) != 1)) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
			     (nonblocking ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (src && bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    !(nonblocking && errno == EINPROGRESS))
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int raw_connect_to(const char *addr, int port)
{
	return connect_tcp(NULL, addr, port, false);
}

int raw_connect_from(const char *src, int port, bool nonblocking)
{
	return connect_tcp(src, "127.0.0.1", port, nonblocking);
}

int raw_connect(int port)
{
	return raw_connect_to("127.0.0.1", port);
}

int raw_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void raw_parse(struct raw_result *r)
{
	const char *end;
	int major, minor, status;

	r->status = 0;
	r->body_at = 0;
	if (!r->data)
		return;
	if (sscanf(r->data, "HTTP/%d.%d %3d", &major, &minor, &status) == 3)
		r->status = status;
	end = strstr(r->data, "\r\n\r\n");
	if (end)
		r->body_at = (size_t)(end - r->data) + 4;
}

static void raw_read_until(int fd, int timeout_ms, struct raw_result *out,
			   bool head_only)
{
	struct buf b = { 0 };
	double deadline = now_ms() + timeout_ms;
	char chunk[8192];

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_ms();
		ssize_t n;
		int ret;

		if (head_only && b.p && strstr(b.p, "\r\n\r\n"))
			break;
		if (left <= 0)
			break;
		ret = poll(&p, 1, (int)left + 1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			out->closed = true;
			break;
		}
		if (n == 0) {
			out->closed = true;
			break;
		}
		if (buf_add(&b, chunk, (size_t)n) != 0)
			break;
	}
	out->data = buf_take(&b);
	out->len = b.len;
	raw_parse(out);
}

void raw_read(int fd, int timeout_ms, struct raw_result *out)
{
	raw_read_until(fd, timeout_ms, out, false);
}

/* Reads until a whole header block has come (or close, or timeout). */
static void raw_read_head(int fd, int timeout_ms,
			  struct raw_result *out)
{
	raw_read_until(fd, timeout_ms, out, true);
}

int raw_exchange(int port, const void *req, size_t len, int timeout_ms,
		 struct raw_result *out)
{
	int fd = raw_connect(port);

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		out->data = strdup("");
		return -1;
	}
	/* A server may answer and close before all is sent (413): what it
	 * said is read all the same. */
	raw_send(fd, req, len);
	raw_read(fd, timeout_ms, out);
	close(fd);
	return 0;
}

void raw_free(struct raw_result *r)
{
	free(r->data);
	r->data = NULL;
}

/* ---- event streams -------------------------------------------------- */

int sse_open(int port, const char *path, const char *extra, struct sse *s)
{
	char req[1024];
	struct raw_result r;
	int n;

	memset(s, 0, sizeof(*s));
	s->fd = raw_connect(port);
	if (s->fd < 0)
		return -1;
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Accept: text/event-stream\r\n%s\r\n", path, extra);
	if (raw_send(s->fd, req, (size_t)n) != 0)
		goto fail;
	raw_read_head(s->fd, http_default_timeout_ms(), &r);
	if (!r.status || !r.body_at) {
		/* An answer without a head, or none: keep what came. */
		snprintf(s->head, sizeof(s->head), "%s", r.data);
		s->status = r.status;
		raw_free(&r);
		if (s->status)
			return 0;
		goto fail;
	}
	s->status = r.status;
	snprintf(s->head, sizeof(s->head), "%.*s", (int)r.body_at, r.data);
	s->cap = 65536 + r.len;
	s->buf = malloc(s->cap);
	if (!s->buf) {
		raw_free(&r);
		goto fail;
	}
	s->len = r.len - r.body_at;
	memcpy(s->buf, r.data + r.body_at, s->len);
	raw_free(&r);
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return -1;
}

int sse_next(struct sse *s, int timeout_ms, char *ev, size_t len)
{
	double deadline = now_ms() + timeout_ms;

	for (;;) {
		char *end = s->buf ? memmem(s->buf, s->len, "\n\n", 2) : NULL;
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		double left;
		ssize_t n;

		if (end) {
			size_t evlen = (size_t)(end - s->buf);
			/* A block of comments only (": keepalive") is no
			 * event: a client ignores it. */
			bool comment = s->buf[0] == ':' &&
				       !memmem(s->buf, evlen, "\n", 1);

			snprintf(ev, len, "%.*s", (int)evlen, s->buf);
			s->len -= evlen + 2;
			memmove(s->buf, end + 2, s->len);
			if (comment)
				continue;
			return 1;
		}
		if (!s->buf || s->fd < 0)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		if (poll(&p, 1, (int)left + 1) <= 0)
			continue;
		if (s->len == s->cap) {
			char *grown = realloc(s->buf, s->cap * 2);

			if (!grown)
				return 0;
			s->buf = grown;
			s->cap *= 2;
		}
		n = recv(s->fd, s->buf + s->len, s->cap - s->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		s->len += (size_t)n;
	}
}

void sse_close(struct sse *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
}
