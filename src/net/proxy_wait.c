/*
 * Connections on a PROXY listener, before anything else: the load balancer's header.
 * Only a trusted source ([proxy] trusted) may send one; anybody else is refused at
 * accept.  A trusted connection waits here, outside the connection table and the model,
 * until its header is whole, then is accepted as if it came from the client's address
 * (every per-address limit counts that address), or from the proxy's own for a LOCAL or
 * UNKNOWN header.  A malformed header, or none within [proxy] timeout, is refused.
 *
 * The header is read without reading past it, so that what follows goes to whichever
 * model serves the connection: each wakeup peeks, and either consumes all it saw (a
 * header not yet whole is all header, proxy.h) or exactly the header's rest.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/proxy.h"
#include "net/sock.h"

#define PROXY_WAIT_MAX	1024	/* connections waiting for their header at once */

struct proxy_wait {
	struct list		 link;		/* srv->proxying, by deadline */
	struct net_server	*srv;
	struct sockaddr_storage	 ss;		/* the proxy's address */
	int64_t			 deadline;
	int			 fd;
	bool			 tls;		/* TLS follows the header */
	size_t			 len;		/* of the header, read so far */
	unsigned char		 buf[PROXY_MAX];
};

int
proxy_wait_check(const struct net_config *cfg, char *err, size_t errlen)
{
	for (unsigned i = 0; i < cfg->nlisten && i < NET_LISTEN_MAX; i++) {
		if (cfg->listen_proxy[i] && cfg->proxy_trusted.n == 0) {
			snprintf(err, errlen, "%s: a PROXY listener needs [proxy] trusted "
			    "sources", cfg->listen[i]);
			return -1;
		}
	}
	return 0;
}

/* Forget w and close its connection. */
static void
proxy_wait_forget(struct net_server *srv, struct proxy_wait *w, bool close)
{
	(void)loop_unwatch(srv->loop, w->fd);
	if (close)
		sock_close(w->fd);
	list_del(&w->link);
	srv->nproxying--;
	free(w);
}

/* Refuse w's connection with "ERROR :Closing Link: HOST (why)" and forget it. */
static void
proxy_wait_refuse(struct net_server *srv, struct proxy_wait *w, const char *why)
{
	char	 host[SOCK_ADDR_MAX], line[SOCK_ADDR_MAX + 96];
	int	 n;

	sock_format_host((const struct sockaddr *)&w->ss, host, sizeof(host));
	n = snprintf(line, sizeof(line), "ERROR :Closing Link: %s%s (%s)\r\n",
	    host[0] == ':' ? "0" : "", host, why);
	log_debug("fd %d from %s: %s", w->fd, host, why);
	accept_turn_away(srv, w->fd, line, n > 0 && (size_t)n < sizeof(line) ?
	    (size_t)n : 0, why);
	proxy_wait_forget(srv, w, false);
}

/* w's header is whole and n bytes long (w->len of them read): accept the connection. */
static void
proxy_wait_done(struct net_server *srv, struct proxy_wait *w, int n,
    const struct proxy_hdr *h)
{
	unsigned char		 rest[PROXY_MAX];
	struct sockaddr_storage	 ss = h->local ? w->ss : h->src;
	char			 from[SOCK_ADDR_MAX], client[SOCK_ADDR_MAX];
	size_t			 want = (size_t)n - w->len;
	ssize_t			 got;
	int			 fd = w->fd;
	bool			 tls = w->tls;

	while ((got = recv(fd, rest, want, 0)) == -1 && errno == EINTR)
		continue;
	if (got != (ssize_t)want) {
		proxy_wait_refuse(srv, w, "Bad PROXY header");
		return;
	}
	sock_format_addr((const struct sockaddr *)&w->ss, from, sizeof(from));
	sock_format_addr((const struct sockaddr *)&ss, client, sizeof(client));
	log_debug("fd %d: PROXY header from %s: %s%s", fd, from, client,
	    h->local ? " (the proxy itself)" : "");
	proxy_wait_forget(srv, w, false);
	accept_proxied(srv, fd, &ss, tls, !h->local);
}

static void
proxy_wait_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct proxy_wait	*w = arg;
	struct net_server	*srv = w->srv;
	struct proxy_hdr	 h;
	ssize_t			 n, got;
	int			 r;

	(void)loop;
	(void)events;
	while ((n = recv(fd, w->buf + w->len, sizeof(w->buf) - w->len, MSG_PEEK)) == -1 &&
	    errno == EINTR)
		continue;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		proxy_wait_forget(srv, w, true);
		return;
	}
	if ((r = proxy_parse(w->buf, w->len + (size_t)n, &h)) > 0) {
		proxy_wait_done(srv, w, r, &h);
		return;
	}
	if (r == -1) {
		proxy_wait_refuse(srv, w, "Bad PROXY header");
		return;
	}
	while ((got = recv(fd, w->buf + w->len, (size_t)n, 0)) == -1 && errno == EINTR)
		continue;
	if (got <= 0) {
		proxy_wait_forget(srv, w, true);
		return;
	}
	w->len += (size_t)got;
}

void
proxy_wait_begin(struct net_server *srv, int fd, const struct sockaddr_storage *ss,
    bool tls)
{
	char			 host[SOCK_ADDR_MAX], line[SOCK_ADDR_MAX + 96];
	struct proxy_wait	*w;
	int			 n, rc;

	if (!net_cidrs_match(&srv->cfg.proxy_trusted, (const struct sockaddr *)ss)) {
		sock_format_host((const struct sockaddr *)ss, host, sizeof(host));
		n = snprintf(line, sizeof(line), "ERROR :Closing Link: %s%s (Not a trusted "
		    "proxy)\r\n", host[0] == ':' ? "0" : "", host);
		accept_turn_away(srv, fd, line, n > 0 && (size_t)n < sizeof(line) ?
		    (size_t)n : 0, "PROXY header from an untrusted source");
		return;
	}
	if (srv->nproxying >= PROXY_WAIT_MAX) {
		accept_refuse(srv, fd, "too many PROXY headers awaited");
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		accept_refuse(srv, fd, "out of memory");
		return;
	}
	w->srv = srv;
	w->ss = *ss;
	w->fd = fd;
	w->tls = tls;
	w->deadline = server_now(srv) + srv->cfg.proxy_timeout;
	if ((rc = loop_watch(srv->loop, fd, LOOP_READ, proxy_wait_event, w)) < 0) {
		log_warn(rc, "epoll_ctl: fd %d", fd);
		sock_close(fd);
		free(w);
		return;
	}
	/* Every wait is as long: appending keeps the list in deadline order. */
	list_add_tail(&srv->proxying, &w->link);
	srv->nproxying++;
}

void
proxy_wait_expire(struct net_server *srv)
{
	struct proxy_wait	*w;

	while (!list_empty(&srv->proxying)) {
		w = list_entry(srv->proxying.next, struct proxy_wait, link);
		if (w->deadline > server_now(srv))
			return;
		proxy_wait_refuse(srv, w, "PROXY header timed out");
	}
}

int64_t
proxy_wait_deadline(const struct net_server *srv)
{
	if (list_empty(&srv->proxying))
		return -1;
	return list_entry(srv->proxying.next, struct proxy_wait, link)->deadline;
}

void
proxy_wait_free(struct net_server *srv)
{
	while (!list_empty(&srv->proxying))
		proxy_wait_forget(srv, list_entry(srv->proxying.next, struct proxy_wait,
		    link), true);
}
