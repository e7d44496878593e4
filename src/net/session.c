/*
 * A connection's life in the driver: its states, its input and the flushing of its
 * output.  The core's connection id is the descriptor: a live connection's number is not
 * handed out again until we close it, and the core has forgotten the connection by then.
 *
 * A connection that fails inside a core call (sendq exceeded) is marked dead and
 * reported with core_closed once that call has returned (session_reap), so nothing is
 * ever freed while the core or the framer still holds it.
 *
 * Closing is a state, not a call: the core's ERROR line is flushed, our FIN follows
 * (shutdown SHUT_WR), and the input is read and dropped until the peer's FIN or a
 * deadline.  Closing with unread input would send an RST, which can destroy the ERROR
 * line still in flight.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/server.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/sock.h"

/* What the framer callback needs. */
struct feed {
	struct net_server	*srv;
	struct conn		*conn;
};

/*
 * State changes.
 */

void
session_release(struct net_server *srv, struct conn *c, bool reset)
{
	int	 rc;

	if ((rc = loop_unwatch(srv->loop, c->fd)) < 0)
		log_warn(rc, "epoll_ctl: fd %d", c->fd);
	conn_table_del(&srv->conns, c->fd);
	list_del(&c->dirty);
	list_del(&c->link);
	if (c->state == CONN_HANDSHAKE) {
		srv->nhandshakes--;
		addrs_handshake(c->addr, -1);
	}
	/* The address's slot goes with the descriptor, not before. */
	if (c->addr != NULL)
		addrs_put(&srv->addrs, c->addr, server_now(srv));
	conn_free(c, reset);
	srv->nconns--;
}

/*
 * An open connection is over while the core may be in the middle of a call: drop its
 * output and leave it to session_reap, which tells the core once the call has returned.
 */
void
session_kill(struct net_server *srv, struct conn *c, const char *reason)
{
	log_debug("close fd %d: %s", c->fd, reason);
	c->state = CONN_DEAD;
	c->reason = reason;
	outq_clear(&c->outq);
	list_del(&c->dirty);
	list_move_tail(&srv->reap, &c->link);
}

/* A failure outside any core call: the open are killed, the others closed at once. */
static void
session_fail(struct net_server *srv, struct conn *c, const char *reason)
{
	if (c->state == CONN_OPEN)
		session_kill(srv, c, reason);
	else if (c->state != CONN_DEAD)
		session_release(srv, c, true);
}

int
session_watch(struct net_server *srv, struct conn *c, unsigned events)
{
	int	 rc;

	if ((rc = loop_watch(srv->loop, c->fd, events, session_event, srv)) == 0)
		return 0;
	log_warn(rc, "epoll_ctl: fd %d", c->fd);
	session_fail(srv, c, strerror(-rc));
	return -1;
}

/*
 * Start (or restart) c's deadline.  Every closing and lingering connection waits the
 * same linger, so appending keeps the list in deadline order.  (After a reload changed
 * linger, the order is off for one linger at most: expiry then runs a little late.)
 */
static void
session_timed(struct net_server *srv, struct conn *c)
{
	c->deadline = server_now(srv) + srv->cfg.linger;
	list_move_tail(&srv->timed, &c->link);
}

/* The core has let c go: no more lines; flush what is queued, then linger. */
void
session_closing(struct net_server *srv, struct conn *c)
{
	c->state = CONN_CLOSING;
	c->client = NULL;
	framer_clear(&c->framer);
	session_timed(srv, c);
	session_dirty(srv, c);
}

/* Everything is written: send our FIN, then wait for the peer's. */
static void
session_linger(struct net_server *srv, struct conn *c)
{
	/* ENOTCONN: the peer is gone already. */
	if (conn_shutdown(c) < 0) {
		session_release(srv, c, false);
		return;
	}
	c->state = CONN_LINGERING;
	session_timed(srv, c);
	(void)session_watch(srv, c, LOOP_READ);
}

/*
 * Tell the core about every dead connection it still knows, then reset them.  core_closed
 * may kill more (a QUIT broadcast over someone's sendq); they join the list and are
 * reaped in the same loop.
 */
void
session_reap(struct net_server *srv)
{
	struct conn	*c;
	struct client	*cl;

	while (!list_empty(&srv->reap)) {
		c = list_entry(srv->reap.next, struct conn, link);
		list_del(&c->link);
		if ((cl = c->client) != NULL) {
			c->client = NULL;
			core_closed(srv->core, cl, c->reason);
		}
		session_release(srv, c, true);
	}
}

/*
 * Output.
 */

/* c's queue was written once and n is what that returned: ask for LOOP_WRITE while
 * some is left. */
void
session_flushed(struct net_server *srv, struct conn *c, ssize_t n)
{
	unsigned	 events = loop_events(srv->loop, c->fd);

	if (n > 0)
		srv->counted.bytes_out += (size_t)n;
	if (n < 0 && n != -EAGAIN) {
		session_fail(srv, c, strerror((int)-n));
		return;
	}
	/* What the socket did not take must not refer to the turn's arena any longer. */
	if (outq_settle(&c->outq) == -1) {
		session_fail(srv, c, "Out of memory");
		return;
	}
	/* A closing peer that still reads gets another linger to read the rest. */
	if (n > 0 && c->state == CONN_CLOSING)
		session_timed(srv, c);
	/* A TLS read may wait for writability too (session_event retries it then). */
	if (outq_len(&c->outq) > 0 || c->read_wants_write) {
		(void)session_watch(srv, c, events | LOOP_WRITE);
		return;
	}
	if (session_watch(srv, c, events & ~(unsigned)LOOP_WRITE) == 0 &&
	    c->state == CONN_CLOSING)
		session_linger(srv, c);
}

void
session_write_dirty(struct net_server *srv)
{
	struct conn	*c;

	while (!list_empty(&srv->dirty)) {
		c = list_entry(srv->dirty.next, struct conn, dirty);
		list_del(&c->dirty);
		session_flushed(srv, c, conn_send(c));
	}
}

/*
 * Before sleeping: report the dead, then write every dirty connection once.  Each can
 * make more of the other (a reported death is broadcast; a failed write kills), so repeat
 * while anyone died: every round frees at least one connection, so it ends.
 */
void
session_flush_all(struct net_server *srv)
{
	do {
		session_reap(srv);
		srv->model->write_dirty(srv);
	} while (!list_empty(&srv->reap));
	outq_arena_reset(&srv->shared);
}

/*
 * Input.
 */

static bool
feed_line(void *arg, char *line, size_t len, bool too_long)
{
	struct feed		*f = arg;
	struct net_server	*srv = f->srv;

	if (too_long)
		core_line_too_long(srv->core, f->conn->client, server_now(srv));
	else
		core_line(srv->core, f->conn->client, line, len, server_now(srv));
	return f->conn->state == CONN_OPEN;
}

/*
 * The peer sent its FIN.  The core lets the client go, but what it queued before still
 * goes out: a peer that has only stopped sending may yet read.
 */
static void
session_eof(struct net_server *srv, struct conn *c)
{
	struct client	*cl = c->client;

	log_debug("close fd %d: Connection closed", c->fd);
	session_closing(srv, c);
	core_closed(srv->core, cl, "Connection closed");
}

bool
session_read_done(struct net_server *srv, struct conn *c, ssize_t n)
{
	const char	*why;

	if (n > 0) {
		srv->counted.bytes_in += (size_t)n;
		return true;
	}
	if (n == -EAGAIN) {
		if (c->read_wants_write)
			session_dirty(srv, c);
		return false;
	}
	/* The model may know more of why than the stream says (a fork relay's child). */
	if ((why = srv->model->gone(srv, c->fd)) != NULL)
		session_kill(srv, c, why);
	else if (n < 0)
		session_kill(srv, c, strerror((int)-n));
	else
		session_eof(srv, c);
	return false;
}

void
session_read_lines(struct net_server *srv, struct conn *c)
{
	struct feed	 f = { srv, c };
	ssize_t		 n = conn_recv(c, srv->buf, sizeof(srv->buf));

	if (session_read_done(srv, c, n) && framer_feed(&c->framer, srv->buf, (size_t)n,
	    srv->cfg.line_max, feed_line, &f) == -1)
		log_warnx("fd %d: out of memory for a partial line, dropped", c->fd);
}

void
session_readable(struct net_server *srv, struct conn *c)
{
	session_read_lines(srv, c);
	session_reap(srv);
}

/*
 * Closing or lingering: input is read only to be dropped, so that unread bytes cannot
 * turn our close into a reset.  At EOF a lingering connection is done; a closing one
 * stops reading but keeps writing, since its peer may still read.  An event with
 * reading already stopped is an error or a hang-up.  Past CONN_DISCARD_MAX bytes the
 * peer is reset.
 */
static void
session_discard(struct net_server *srv, struct conn *c)
{
	ssize_t		 n = conn_recv(c, srv->buf, sizeof(srv->buf));
	unsigned	 events = loop_events(srv->loop, c->fd);

	if (n > 0 && (c->discarded += (size_t)n) > CONN_DISCARD_MAX) {
		log_debug("close fd %d: input after close", c->fd);
		session_release(srv, c, true);
		return;
	}
	if (n > 0 || n == -EAGAIN)
		return;
	if (n == 0 && c->state == CONN_CLOSING && (events & LOOP_READ)) {
		(void)session_watch(srv, c, events & ~(unsigned)LOOP_READ);
		return;
	}
	session_release(srv, c, false);
}

/* The core may queue a greeting at once: c is in the table already. */
int
session_introduce(struct net_server *srv, struct conn *c,
    const struct sockaddr_storage *ss)
{
	char		 host[SOCK_ADDR_MAX];
	struct client	*cl;

	sock_format_host((const struct sockaddr *)ss, host, sizeof(host));
	if ((cl = core_open(srv->core, (uint64_t)c->fd, host, server_now(srv))) == NULL) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		session_release(srv, c, false);
		return -1;
	}
	c->client = cl;
	return 0;
}

void
session_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	struct conn		*c = conn_table_get(&srv->conns, (uint64_t)fd);

	(void)loop;
	if (c->state == CONN_HANDSHAKE) {
		srv->model->handshake_step(srv, c);
		return;
	}
	/* TLS may make a write wait for readability, or a read for writability. */
	if ((events & LOOP_WRITE) || ((events & LOOP_READ) && c->write_wants_read))
		session_dirty(srv, c);
	if (!(events & LOOP_READ) && !((events & LOOP_WRITE) && c->read_wants_write))
		return;
	switch (c->state) {
	case CONN_OPEN:
		/* A WebSocket is decoded on the loop's thread, in every model (a fork
		 * relay passes its bytes through as they are). */
		if (c->web != NULL)
			web_ws_readable(srv, c);
		else
			srv->model->readable(srv, c);
		break;
	case CONN_HTTP:
		web_http_readable(srv, c);
		break;
	case CONN_CLOSING:
	case CONN_LINGERING:
		session_discard(srv, c);
		break;
	case CONN_HANDSHAKE:
	case CONN_DEAD:
		break;
	}
}
