/*
 * Who a WebSocket client is: whether its page came from an origin allowed to open it
 * ([web] origins; by default the listener's own, from the Host it asked for), and its
 * address when a trusted proxy ([web] trusted_proxies) speaks for it in Forwarded or
 * X-Forwarded-For.  A proxy's word is taken hop by hop from the right, only while the
 * hop that wrote it is itself trusted: a client cannot forge its way past the proxy.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/cidr.h"
#include "net/driver.h"
#include "net/http.h"
#include "net/web.h"

#define WEB_HOPS_MAX	32	/* Forwarded or X-Forwarded-For entries looked at */

bool
web_origin_ok(const struct net_server *srv, const struct conn *c,
    const struct http_request *req)
{
	const struct http_str	*origin = http_value(req, "Origin");
	const struct http_str	*host = http_value(req, "Host");
	char			 own[HTTP_TARGET_MAX + 16];
	int			 n;

	/* No browser leaves Origin out; other programs could connect over TCP anyway. */
	if (origin == NULL)
		return true;
	for (unsigned i = 0; i < srv->cfg.nweb_origins && i < NET_WEB_LIST_MAX; i++)
		if (strcmp(srv->cfg.web_origins[i], "*") == 0 ||
		    http_str_is(origin, srv->cfg.web_origins[i]))
			return true;
	if (srv->cfg.nweb_origins > 0 || host == NULL || host->len > HTTP_TARGET_MAX)
		return false;
	n = snprintf(own, sizeof(own), "%s://%.*s", c->web->tls ? "https" : "http",
	    (int)host->len, host->p);
	return n > 0 && http_str_is(origin, own);
}

/* The address text p[0 ..< n] (IPv4, IPv6, "[IPv6]" with or without a port, IPv4 with
 * a port) into ss.  Returns 0, or -1 when it is none of those. */
static int
web_parse_addr(const char *p, size_t n, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)(void *)ss;
	char			 text[INET6_ADDRSTRLEN + 8];
	const char		*e;

	if (n > 0 && p[0] == '[') {
		if ((e = memchr(p, ']', n)) == NULL)
			return -1;
		p++;
		n = (size_t)(e - p);
	} else if ((e = memchr(p, ':', n)) != NULL && memchr(e + 1, ':', n -
	    (size_t)(e + 1 - p)) == NULL) {
		n = (size_t)(e - p);
	}
	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, p, n);
	text[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* The for= of one Forwarded element p[0 ..< n], quotes removed; false if none. */
static bool
web_forwarded_for(const char *p, size_t n, struct http_str *out)
{
	const char	*end = p + n, *e;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		if ((e = memchr(p, ';', (size_t)(end - p))) == NULL)
			e = end;
		if (e - p > 4 && strncasecmp(p, "for=", 4) == 0) {
			p += 4;
			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e - p >= 2 && *p == '"' && e[-1] == '"') {
				p++;
				e--;
			}
			*out = (struct http_str){ p, (size_t)(e - p) };
			return true;
		}
		p = e;
	}
	return false;
}

/* The hops the fields named name list, in order, into hops; how many. */
static size_t
web_hops(const struct http_request *req, const char *name, bool forwarded,
    struct http_str *hops)
{
	const struct http_field	*f = NULL;
	const char		*p, *end, *e;
	size_t			 n = 0;

	while ((f = http_field_next(req, name, f)) != NULL) {
		for (p = f->value.p, end = p + f->value.len; p < end; p = e + 1) {
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if ((e = memchr(p, ',', (size_t)(end - p))) == NULL)
				e = end;
			/* Past the most we look at, the oldest hops are forgotten. */
			if (n == WEB_HOPS_MAX) {
				memmove(hops, hops + 1, (n - 1) * sizeof(*hops));
				n--;
			}
			if (forwarded) {
				if (web_forwarded_for(p, (size_t)(e - p), &hops[n]))
					n++;
				continue;
			}
			hops[n] = (struct http_str){ p, (size_t)(e - p) };
			while (hops[n].len > 0 && (hops[n].p[hops[n].len - 1] == ' ' ||
			    hops[n].p[hops[n].len - 1] == '\t'))
				hops[n].len--;
			n++;
		}
	}
	return n;
}

static bool
web_trusted(const struct net_server *srv, const struct sockaddr_storage *ss)
{
	return net_cidrs_match(&srv->cfg.web_proxies, (const struct sockaddr *)ss);
}

void
web_client_addr(const struct net_server *srv, const struct http_request *req,
    struct sockaddr_storage *ss)
{
	struct http_str		 hops[WEB_HOPS_MAX];
	struct sockaddr_storage	 next;
	size_t			 n;

	if (!web_trusted(srv, ss))
		return;
	if ((n = web_hops(req, "Forwarded", true, hops)) == 0)
		n = web_hops(req, "X-Forwarded-For", false, hops);
	while (n > 0 && web_trusted(srv, ss) &&
	    web_parse_addr(hops[n - 1].p, hops[n - 1].len, &next) == 0) {
		*ss = next;
		n--;
	}
}
