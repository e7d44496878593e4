/*
 * Accepting: the listeners, and what keeps a full server from spinning.  A listener
 * drains up to NET_ACCEPT_MAX connections per wakeup; past max_clients, or out of
 * descriptors, a connection is taken only to be told "Server is full" and closed (the
 * reserve descriptor makes room for that); an accept error that would repeat pauses
 * accepting for NET_PAUSE_MS.  Each connection counts against its address from here to
 * its close (addrs.h), and one over its address's limits is refused the same way.  An
 * accepted connection goes to the model (adopt), then into the table and the loop, and
 * meets the core at once or after its TLS handshake.  On a PROXY listener the connection
 * first waits for its header (proxy_wait.c), then comes back here from the client's
 * address.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/server.h"
#include "net/addrs.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/sock.h"
#include "net/web.h"

#define NET_BACKLOG	511
#define NET_ACCEPT_MAX	64	/* connections taken per wakeup of a listener */
#define NET_PAUSE_MS	1000	/* accepting stops this long after an error that repeats */
#define NET_WARN_MS	1000	/* "refusing connections" at most once in this long */

#define NET_FULL_LINE	"ERROR :Server is full\r\n"

static void	accept_event(struct loop *, int, unsigned, void *);

static void
listeners_watch(struct net_server *srv, unsigned events)
{
	int	 rc;

	for (unsigned i = 0; i < srv->nlisten; i++) {
		rc = loop_watch(srv->loop, srv->listen_fd[i], events, accept_event, srv);
		if (rc < 0)
			log_warn(rc, "epoll_ctl: listener fd %d", srv->listen_fd[i]);
	}
}

void
accept_close_listeners(struct net_server *srv)
{
	for (unsigned i = 0; i < srv->nlisten; i++) {
		(void)loop_unwatch(srv->loop, srv->listen_fd[i]);
		sock_close(srv->listen_fd[i]);
	}
	srv->nlisten = 0;
}

/* The spare descriptor that lets us take, and refuse, a connection when out of them. */
int
accept_reserve_open(struct net_server *srv)
{
	if ((srv->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	return 0;
}

static void
reserve_reopen(struct net_server *srv)
{
	int	 rc;

	if ((rc = accept_reserve_open(srv)) < 0)
		log_warn(rc, "reserve descriptor: /dev/null");
}

/*
 * Best effort, and at once: the line in one short write (the peer's buffer is empty and
 * it may be gone), our FIN, whatever input came already dropped (unread input would
 * turn the close into a reset that can destroy the line), and the close.  A refused
 * connection never holds its descriptor for a linger.
 */
void
accept_turn_away(struct net_server *srv, int fd, const char *line, size_t len,
    const char *why)
{
	char	 drop[512];
	int64_t	 now = server_now(srv);

	srv->counted.refused++;
	(void)send(fd, line, len, MSG_NOSIGNAL);
	(void)shutdown(fd, SHUT_WR);
	(void)recv(fd, drop, sizeof(drop), MSG_DONTWAIT);
	sock_close(fd);
	if (srv->warned_full < 0 || now - srv->warned_full >= NET_WARN_MS) {
		srv->warned_full = now;
		log_warnx("refusing connections: %s", why);
	}
}

void
accept_refuse(struct net_server *srv, int fd, const char *why)
{
	accept_turn_away(srv, fd, NET_FULL_LINE, sizeof(NET_FULL_LINE) - 1, why);
}

/*
 * Out of descriptors with connections waiting.  Left there, they would wake the
 * level-triggered listener again at once, forever: give up the reserve descriptor for a
 * moment to take one, refuse it and take the reserve back.  Returns 0 when one was
 * refused, -EAGAIN when none was waiting, or -errno.
 */
static int
accept_shed(struct net_server *srv, int lfd, int err)
{
	int	 fd;

	if (srv->reserve < 0)
		return err;
	sock_close(srv->reserve);
	srv->reserve = -1;
	if ((fd = sock_accept(lfd, NULL)) >= 0)
		accept_refuse(srv, fd, "out of file descriptors");
	reserve_reopen(srv);
	return fd < 0 ? fd : 0;
}

/* An accept error that would repeat: stop accepting for a while instead of spinning. */
static void
accept_pause(struct net_server *srv, int err)
{
	log_warnx("accept: %s; pausing for %d ms", strerror(-err), NET_PAUSE_MS);
	listeners_watch(srv, 0);
	srv->paused_until = server_now(srv) + NET_PAUSE_MS;
}

void
accept_resume(struct net_server *srv)
{
	srv->paused_until = -1;
	if (srv->reserve < 0)
		reserve_reopen(srv);
	if (!srv->accept_held)
		listeners_watch(srv, LOOP_READ);
}

void
accept_hold(struct net_server *srv, bool hold)
{
	srv->accept_held = hold;
	if (hold)
		listeners_watch(srv, 0);
	else if (srv->paused_until < 0)
		listeners_watch(srv, LOOP_READ);
}

/* A conn for fd, in the table and the loop.  On failure fd is closed. */
static struct conn *
accept_install(struct net_server *srv, int fd)
{
	struct conn	*c;
	int		 rc;

	if ((c = conn_new(fd)) == NULL) {
		log_warn(-ENOMEM, "accept: fd %d", fd);
		sock_close(fd);
		return NULL;
	}
	if ((rc = conn_table_put(&srv->conns, c)) < 0) {
		log_warn(rc, "accept: fd %d", fd);
		conn_free(c, false);
		return NULL;
	}
	srv->nconns++;
	if ((rc = loop_watch(srv->loop, fd, LOOP_READ, session_event, srv)) < 0) {
		log_warn(rc, "epoll_ctl: fd %d", fd);
		session_release(srv, c, false);
		return NULL;
	}
	return c;
}

int
accept_direct(struct net_server *srv, int fd, const struct sockaddr_storage *ss,
    bool tls)
{
	(void)srv;
	(void)ss;
	(void)tls;
	return fd;
}

/*
 * Descriptors run short when NET_SHORT_NUM/NET_SHORT_DEN of the limit are in use: then
 * an address that holds 1/NET_SHARE_DEN of them already is refused, and the rest stays
 * for addresses that hold less.  Returns that share, or 0 while descriptors do not run
 * short.
 */
#define NET_SHORT_NUM	3
#define NET_SHORT_DEN	4
#define NET_SHARE_DEN	64

static unsigned
accept_share(const struct net_server *srv)
{
	if (srv->nofile == 0 ||
	    srv->fds_base + srv->nconns < srv->nofile / NET_SHORT_DEN * NET_SHORT_NUM)
		return 0;
	return srv->nofile >= 2 * NET_SHARE_DEN ? (unsigned)(srv->nofile / NET_SHARE_DEN) :
	    1;
}

/* Count fd's connection against its address: its entry, or NULL when it was refused
 * (fd closed). */
static struct addr *
accept_count(struct net_server *srv, int fd, const struct sockaddr_storage *ss,
    bool tls)
{
	static const char *const	 whys[] = {
		[ADDRS_TOO_MANY] = "too many connections",
		[ADDRS_SHARE] = "descriptors short, its share held",
		[ADDRS_HANDSHAKES] = "too many TLS handshakes",
		[ADDRS_TOO_FAST] = "connecting too fast",
		[ADDRS_NOMEM] = "out of memory",
	};
	const struct sockaddr	*sa = (const struct sockaddr *)ss;
	char			 line[128], why[ADDRS_KEY_MAX + 64], key[ADDRS_KEY_MAX];
	enum addrs_refusal	 r;
	struct addr		*a;

	if ((a = addrs_take(&srv->addrs, &srv->cfg, sa, tls, accept_share(srv),
	    server_now(srv), &r)) != NULL)
		return a;
	addrs_key(sa, srv->cfg.ipv4_prefix, srv->cfg.ipv6_prefix, key, sizeof(key));
	snprintf(why, sizeof(why), "%s: %s", key, whys[r]);
	accept_turn_away(srv, fd, line, addrs_refusal_line(sa, r, line, sizeof(line)), why);
	return NULL;
}

/*
 * A new connection on a plaintext listener, or one that speaks TLS.  Every limit is
 * checked before the model adopts it: under the fork model a refused connection costs
 * no child.
 */
static void
accept_conn(struct net_server *srv, int fd, const struct sockaddr_storage *ss, bool tls,
    bool web, bool proxied)
{
	char		 host[SOCK_ADDR_MAX];
	struct conn	*c;
	struct addr	*a;

	/* A handshake under way is a client to come.  Fork: so is every child serving a
	 * client; one lingering after its client left is not (it ends within a linger). */
	if (srv->cfg.max_clients > 0 && core_client_count(srv->core) + srv->nhandshakes >=
	    srv->cfg.max_clients) {
		accept_refuse(srv, fd, "max_clients reached");
		return;
	}
	if (tls && srv->cfg.max_handshakes > 0 &&
	    srv->nhandshakes >= srv->cfg.max_handshakes) {
		accept_refuse(srv, fd, "max_handshakes under way");
		return;
	}
	if ((a = accept_count(srv, fd, ss, tls)) == NULL)
		return;
	if ((fd = srv->model->adopt(srv, fd, ss, tls)) < 0 ||
	    (c = accept_install(srv, fd)) == NULL) {
		addrs_put(&srv->addrs, a, server_now(srv));
		return;
	}
	c->addr = a;
	c->via_tls = tls;
	/* The handshake's end asks the socket for the peer: keep the header's. */
	if (tls && proxied && (c->proxied = malloc(sizeof(*ss))) != NULL)
		*c->proxied = *ss;
	else if (tls && proxied) {
		session_release(srv, c, false);
		return;
	}
	sock_format_host((const struct sockaddr *)ss, host, sizeof(host));
	log_debug("connect fd %d from %s%s%s", fd, host, tls ? " (tls)" : "",
	    web ? " (web)" : "");
	if (web && (c->web = web_new()) == NULL) {
		log_warn(-ENOMEM, "accept: fd %d", fd);
		session_release(srv, c, true);
		return;
	}
	if (tls)
		handshake_begin(srv, c);
	else if (web)
		web_begin(srv, c);
	else
		(void)session_introduce(srv, c, ss);
}

void
accept_proxied(struct net_server *srv, int fd, const struct sockaddr_storage *ss,
    bool tls, bool proxied)
{
	accept_conn(srv, fd, ss, tls, false, proxied);
}

/* The index of listener lfd. */
static unsigned
listener_index(const struct net_server *srv, int lfd)
{
	unsigned	 i;

	for (i = 0; i < srv->nlisten; i++)
		if (srv->listen_fd[i] == lfd)
			break;
	return i;
}

static void
accept_event(struct loop *loop, int lfd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	struct sockaddr_storage	 ss;
	unsigned		 l = listener_index(srv, lfd);
	bool			 tls = l < srv->nlisten && srv->listen_tls[l];
	bool			 web = l < srv->nlisten && srv->listen_web[l];
	bool			 proxy = l < srv->nlisten && srv->listen_proxy[l];
	int			 fd, rc;

	(void)loop;
	(void)events;
	for (int i = 0; i < NET_ACCEPT_MAX; i++) {
		if ((fd = sock_accept(lfd, &ss)) >= 0 && proxy) {
			proxy_wait_begin(srv, fd, &ss, tls);
			continue;
		}
		if (fd >= 0) {
			accept_conn(srv, fd, &ss, tls, web, false);
			continue;
		}
		rc = fd;
		if (rc == -EMFILE || rc == -ENFILE)
			rc = accept_shed(srv, lfd, rc);
		if (rc == 0)
			continue;
		if (rc != -EAGAIN)
			accept_pause(srv, rc);
		return;
	}
}

static int
accept_listen_from(struct net_server *srv, int fd, bool tls, bool web, const char *from,
    char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	char			 name[SOCK_ADDR_MAX];
	int			 rc;

	srv->listen_tls[srv->nlisten] = tls;
	srv->listen_web[srv->nlisten] = web;
	srv->listen_fd[srv->nlisten++] = fd;
	if ((rc = sock_local_addr(fd, &ss)) < 0 ||
	    (rc = loop_watch(srv->loop, fd, LOOP_READ, accept_event, srv)) < 0) {
		snprintf(err, errlen, "descriptor %d: %s", fd, strerror(-rc));
		return -1;
	}
	sock_format_addr((struct sockaddr *)&ss, name, sizeof(name));
	log_info("listening on %s%s (%s)", name, web ? (tls ? " (web, tls)" :
	    " (web)") : tls ? " (tls)" : "", from);
	if (tls && !web && srv->tls_port == 0)
		srv->tls_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port :
		    ((const struct sockaddr_in *)(const void *)&ss)->sin_port);
	return 0;
}

int
accept_listen_fd(struct net_server *srv, int fd, bool tls, bool web, char *err,
    size_t errlen)
{
	return accept_listen_from(srv, fd, tls, web, "systemd", err, errlen);
}

int
accept_listen_inherited(struct net_server *srv, int fd, bool tls, bool web, char *err,
    size_t errlen)
{
	return accept_listen_from(srv, fd, tls, web, "upgrade", err, errlen);
}

/* The real address is logged, an ephemeral port resolved. */
int
accept_listen(struct net_server *srv, const char *text, bool tls, bool web, char *err,
    size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 name[SOCK_ADDR_MAX];
	int			 fd, rc;

	if ((rc = sock_parse_addr(text, &ss, &len)) < 0 ||
	    (rc = sock_listen((struct sockaddr *)&ss, len, NET_BACKLOG)) < 0) {
		snprintf(err, errlen, "%s: %s", text, strerror(-rc));
		return -1;
	}
	srv->listen_tls[srv->nlisten] = tls;
	srv->listen_web[srv->nlisten] = web;
	srv->listen_fd[srv->nlisten++] = fd = rc;
	if ((rc = sock_local_addr(fd, &ss)) < 0 ||
	    (rc = loop_watch(srv->loop, fd, LOOP_READ, accept_event, srv)) < 0) {
		snprintf(err, errlen, "%s: %s", text, strerror(-rc));
		return -1;
	}
	sock_format_addr((struct sockaddr *)&ss, name, sizeof(name));
	log_info("listening on %s%s", name, web ? (tls ? " (web, tls)" : " (web)") :
	    tls ? " (tls)" : "");
	if (tls && !web && srv->tls_port == 0)
		srv->tls_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port :
		    ((const struct sockaddr_in *)(const void *)&ss)->sin_port);
	return 0;
}
