/* SPDX-License-Identifier: MIT */
/*
 * The network values: where the web server listens, and which clients
 * it lets in (CivetWeb's access control list).  Checked here, when the
 * configuration is read, so that a mistake is a message naming the key,
 * not a web server that fails to start.
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "conf/keys.h"
#include "util/errmsg.h"
#include "util/strconv.h"

static int parse_port(const char *s, char *why, size_t len)
{
	size_t n = strlen(s), digits;
	long long port;

	if (!n)
		return errmsg(why, len, "no port after ':'");
	digits = strconv_whole(s, n, false, &port, NULL);
	if (digits && s[digits] == 's' && digits + 1 == n)
		return errmsg(why, len,
			      "port %s asks for TLS, which the daemon does not "
			      "serve: put a TLS reverse proxy in front of it "
			      "(see README)", s);
	if (digits != n || s[0] == '-' || n > 5)
		return errmsg(why, len, "the port is not a number (0..65535)");
	if (port > 65535)
		return errmsg(why, len, "port %lld is out of range (0..65535)",
			      port);
	return 0;
}

/*
 * HOST:PORT, HOST an IPv4 address or an IPv6 one in brackets (CivetWeb
 * binds addresses, not names), PORT 0..65535 (0: any free port).
 */
int check_listen(const char *value, char *why, size_t len)
{
	const char *colon = strrchr(value, ':');
	char host[64];
	unsigned char addr[16];
	size_t n;

	if (!colon)
		return errmsg(why, len,
			      "expected HOST:PORT, e.g. 127.0.0.1:8080");
	n = (size_t)(colon - value);
	if (n >= sizeof(host))
		return errmsg(why, len, "the host is too long");
	memcpy(host, value, n);
	host[n] = '\0';
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return errmsg(why, len, "expected [IPV6]:PORT");
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) != 1)
			return errmsg(why, len, "'%s' is not an IPv6 address",
				      host + 1);
	} else if (inet_pton(AF_INET, host, addr) != 1) {
		return errmsg(why, len,
			      "'%s' is not an IPv4 address (IPv6: in brackets; "
			      "names are not resolved)", host);
	}
	return parse_port(colon + 1, why, len);
}

/* CivetWeb's access control list: [+-]A.B.C.D[/BITS], comma-separated. */
int check_acl(const char *value, char *why, size_t len)
{
	const char *p = value;

	while (*p) {
		const char *end = strchr(p, ','), *slash;
		char net[40];
		unsigned char addr[4];
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (*p != '+' && *p != '-')
			return errmsg(why, len, "each entry starts with + "
				      "(allow) or - (deny)");
		if (n - 1 >= sizeof(net))
			return errmsg(why, len, "an entry is too long");
		memcpy(net, p + 1, n - 1);
		net[n - 1] = '\0';
		slash = strchr(net, '/');
		if (slash) {
			const char *b = slash + 1;
			size_t blen = strlen(b);
			long long bits;

			if (blen == 0 || blen > 2 || b[0] == '-' ||
			    strconv_whole(b, blen, false, &bits, NULL) != blen ||
			    bits > 32)
				return errmsg(why, len, "'%s': the prefix "
					      "length is not 0..32", net);
			net[slash - net] = '\0';
		}
		if (inet_pton(AF_INET, net, addr) != 1)
			return errmsg(why, len, "'%s' is not an IPv4 address",
				      net);
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return errmsg(why, len, "a comma ends the list");
	}
	return 0;
}

/*
 * Host names (RFC 1123 labels: letters, digits, '-', dot-separated, a
 * final dot allowed) and IPv4 or IPv6 addresses (without brackets),
 * separated by commas or spaces.
 */
int check_server_names(const char *value, char *why, size_t len)
{
	const char *p = value, *w;
	size_t n;

	while ((w = strconv_word(&p, &n))) {
		char word[256];
		unsigned char addr[16];
		const char *label;

		if (n >= sizeof(word))
			return errmsg(why, len, "a name is too long");
		memcpy(word, w, n);
		word[n] = '\0';
		if (inet_pton(AF_INET6, word, addr) == 1)
			continue;
		if (n > 1 && word[n - 1] == '.')
			word[--n] = '\0';
		for (label = word; *label;) {
			size_t ln = strspn(label, "abcdefghijklmnopqrstuvwxyz"
						  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						  "0123456789-");

			if (ln == 0 || ln > 63 || label[0] == '-' ||
			    label[ln - 1] == '-' ||
			    (label[ln] != '.' && label[ln] != '\0') ||
			    (label[ln] == '.' && label[ln + 1] == '\0'))
				return errmsg(why, len,
					      "'%s' is not a host name or an "
					      "address", word);
			label += ln + (label[ln] == '.');
		}
	}
	return 0;
}

/* The broker: a host name or an address, one word. */
int check_mqtt_host(const char *value, char *why, size_t len)
{
	unsigned char addr[16];

	/* A ':' only in an IPv6 address: "broker:1883" is a mistake. */
	if (!value[0] || strpbrk(value, " \t,/[]") ||
	    (strchr(value, ':') && inet_pton(AF_INET6, value, addr) != 1))
		return errmsg(why, len, "a host name or an address (without "
			      "brackets or a port: see mqtt_port)");
	return 0;
}

int check_mqtt_node_id(const char *value, char *why, size_t len)
{
	if (value[0] && !mqtt_node_id_ok(value))
		return errmsg(why, len, "only letters, digits, '_' and '-', "
			      "at most 63 (Home Assistant's node ids)");
	return 0;
}

/* A topic prefix: levels of printable characters without the wildcards,
 * none empty. */
int check_mqtt_prefix(const char *value, char *why, size_t len)
{
	const char *p;

	if (!value[0] || strlen(value) > 63)
		return errmsg(why, len, "1 to 63 characters");
	for (p = value; *p; p++)
		if (*p == '+' || *p == '#' || *p <= ' ' || *p > '~')
			return errmsg(why, len, "no '+', '#', spaces or "
				      "characters outside ASCII in a topic");
	if (value[0] == '/' || p[-1] == '/' || strstr(value, "//"))
		return errmsg(why, len, "no empty topic level (a leading, "
			      "trailing or double '/')");
	return 0;
}
