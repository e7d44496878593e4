/*
 * The fork model's hooks: the hub's side of model_fork.h.  Each accepted connection
 * goes to a child (fork_spawn), and the driver serves the hub's end of the child's
 * socketpair as if it were the client.  For a TLS listener the child does the handshake;
 * the hub's "handshake" is awaiting the child's hello.  The child's address book
 * (fork_peer) names the client behind a socketpair, its status record why the client
 * went (fork_reason); SIGCHLD reaps the children.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/conn.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/model_fork.h"
#include "net/tls.h"

static int
hub_open(struct net_server *srv, char *err, size_t errlen)
{
	if ((srv->fork = fork_new()) == NULL) {
		snprintf(err, errlen, "fork model: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* No child outlives the server, nor keeps a zombie or a listener after RESTART. */
static void
hub_close(struct net_server *srv)
{
	fork_free(srv->fork);
	srv->fork = NULL;
}

/* A child takes the connection and the hub its socketpair end; returns that end, or -1
 * when the connection was refused. */
static int
hub_adopt(struct net_server *srv, int fd, const struct sockaddr_storage *ss, bool tls)
{
	int	 hub = fork_spawn(srv->fork, fd, ss, srv->cfg.linger, tls ? srv->tls : NULL,
		    srv->cfg.tls_handshake_timeout);

	if (hub >= 0)
		return hub;
	accept_refuse(srv, fd, strerror(-hub));
	return -1;
}

/* The child does the handshake: the hub holds no TLS object. */
static int
hub_handshake_begin(struct net_server *srv, struct conn *c)
{
	(void)srv;
	(void)c;
	return 0;
}

/*
 * The child's hello, all of it (it comes in one small write, so a part is only ever seen
 * in passing), or the child's end: then its handshake failed.
 */
static void
hub_hello(struct net_server *srv, struct conn *c)
{
	char	 hello[FORK_HELLO_LEN], fp[TLS_FP_LEN + 1];
	ssize_t	 n;
	int	 rc;

	do {
		n = recv(c->fd, hello, sizeof(hello), MSG_PEEK);
	} while (n == -1 && errno == EINTR);
	if ((n == -1 && errno == EAGAIN) || (n > 0 && (size_t)n < sizeof(hello)))
		return;
	if (n <= 0 || recv(c->fd, hello, sizeof(hello), 0) != (ssize_t)sizeof(hello) ||
	    (rc = fork_hello_parse(hello, fp)) == -1) {
		log_debug("close fd %d: TLS handshake failed in the relay", c->fd);
		session_release(srv, c, false);
		return;
	}
	handshake_done(srv, c, rc == 1 ? fp : NULL);
}

/* c->fd is the relay's socketpair; the peer is its child's client. */
static int
hub_peer(struct net_server *srv, struct conn *c, struct sockaddr_storage *ss)
{
	return fork_peer(srv->fork, c->fd, ss);
}

/* The relay's end says nothing of why; its child may have said. */
static const char *
hub_gone(struct net_server *srv, int fd)
{
	return fork_reason(srv->fork, fd);
}

static void
hub_reap(struct net_server *srv)
{
	fork_reap(srv->fork);
}

const struct model_ops model_fork_hub_ops = {
	.open = hub_open,
	.close = hub_close,
	.adopt = hub_adopt,
	.handshake_begin = hub_handshake_begin,
	.handshake_step = hub_hello,
	.peer = hub_peer,
	.gone = hub_gone,
	.readable = session_readable,
	.events_done = model_nothing,
	.write_dirty = session_write_dirty,
	.child_exited = hub_reap,
};
