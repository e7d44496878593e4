/*
 * The event driver: one thread, one level-triggered epoll loop, every socket
 * non-blocking.  The core's connection id is the descriptor: a live connection's number
 * is not handed out again until we close it, and the core has forgotten the connection
 * by then.
 *
 * A turn of net_server_run:
 *   1. timers: core_tick, then the deadlines of closing and lingering connections;
 *   2. before sleeping: report dead connections to the core, then write every dirty
 *      connection's queue once (one sendmsg each, however many lines were queued);
 *   3. epoll_wait and the callbacks: accept, lines into the core, signals.
 *
 * The core's output callbacks only record: queue appends bytes and marks the connection
 * dirty, hangup changes its state.  A connection that fails inside a core call (sendq
 * exceeded) is marked dead and reported with core_closed once that call has returned.
 * So nothing is ever freed while the core or the framer still holds it.
 *
 * A line for many (queue_many: a channel's members) is copied once, into the turn's
 * arena, and every receiver's queue refers to it.  Each write settles what it left
 * referred to, so the arena is free again once step 2 is done.
 *
 * Closing is a state, not a call: the core's ERROR line is flushed, our FIN follows
 * (shutdown SHUT_WR), and the input is read and dropped until the peer's FIN or a
 * deadline.  Closing with unread input would send an RST, which can destroy the ERROR
 * line still in flight.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/server.h"
#include "net/conn.h"
#include "net/iothreads.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/model_fork.h"
#include "net/net.h"
#include "net/signals.h"
#include "net/sock.h"
#include "net/tls.h"

#define NET_BACKLOG	511
#define NET_ACCEPT_MAX	64	/* connections taken per wakeup of a listener */
#define NET_READ_MAX	16384	/* bytes read per wakeup of a connection */
_Static_assert(NET_READ_MAX >= TLS_RECORD_MAX, "a TLS read must take a whole record");
#define NET_PAUSE_MS	1000	/* accepting stops this long after an error that repeats */
#define NET_WARN_MS	1000	/* "refusing connections" at most once in this long */
#define NET_QUIET_MS	500	/* this long without events: free heap goes back */
#define NET_HEAP_KEEP	(64 * 1024 * 1024)	/* free heap kept while busy */

#define NET_FULL_LINE	"ERROR :Server is full\r\n"

struct net_server {
	struct loop		*loop;
	struct core		*core;
	struct core_out		 out;
	struct net_config	 cfg;
	net_reload_fn		 reload;
	void			*reload_arg;

	int			 listen_fd[NET_LISTEN_MAX];
	bool			 listen_tls[NET_LISTEN_MAX];	/* listen_fd[i] speaks TLS */
	unsigned		 nlisten;
	struct tls_ctx		*tls;		/* NULL: no TLS listener */
	unsigned		 tls_port;	/* of the first TLS listener; 0: none */
	struct fork		*fork;		/* the fork model's children; NULL: not it */
	int			 sigfd;
	int			 reserve;	/* /dev/null, given up when out of fds */
	int64_t			 paused_until;	/* accepting stopped until then; -1: not */
	int64_t			 warned_full;	/* last "refusing connections"; -1: never */
	int64_t			 active_at;	/* the last turn with events */
	bool			 heap_held;	/* busy since free heap last went back */

	struct conn_table	 conns;
	size_t			 nconns;
	struct list		 dirty;		/* output to write before sleeping */
	struct outq_arena	 shared;	/* this turn's lines for many (queue_many) */
	struct list		 reap;		/* dead: to report to the core */
	struct list		 timed;		/* closing and lingering, by deadline */
	struct list		 handshakes;	/* TLS handshakes under way, by deadline */
	size_t			 nhandshakes;

	bool			 stopping;
	bool			 failed;	/* run returns -1 */
	bool			 restart;	/* run returns NET_RESTART */
	unsigned		 requests;	/* 1 << enum core_request, not acted on yet */
	char			 request_reason[128];	/* of the last DIE or RESTART */
	int64_t			 stop_deadline;

	char			 buf[NET_READ_MAX];	/* every read goes here */

	/* The threads model (NULL, 0 otherwise): see "The threads model" below. */
	struct iothreads	*io;
	struct io_arena		*arenas;	/* one per worker */
	struct io_job		*jobs;		/* this phase's connections */
	size_t			 njobs;
	size_t			 jobs_cap;
};

/* What the framer callback needs. */
struct feed {
	struct net_server	*srv;
	struct conn		*conn;
};

static void	accept_event(struct loop *, int, unsigned, void *);
static void	conn_event(struct loop *, int, unsigned, void *);
static void	out_log(void *, enum log_level, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	out_request(void *, enum core_request, const char *);
static void	io_flush(struct net_server *);

static int64_t
server_now(const struct net_server *srv)
{
	return loop_now(srv->loop);
}

/* The earlier of two deadlines, -1 meaning none. */
static int64_t
earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0 || a < b)
		return a;
	return b;
}

/*
 * Connections: state changes.
 */

/* Forget c and close it: out of the loop, the table and every list. */
static void
conn_release(struct net_server *srv, struct conn *c, bool reset)
{
	int	 rc;

	if ((rc = loop_unwatch(srv->loop, c->fd)) < 0)
		log_warn(rc, "epoll_ctl: fd %d", c->fd);
	conn_table_del(&srv->conns, c->fd);
	list_del(&c->dirty);
	list_del(&c->link);
	if (c->state == CONN_HANDSHAKE)
		srv->nhandshakes--;
	conn_free(c, reset);
	srv->nconns--;
}

static void
conn_dirty(struct net_server *srv, struct conn *c)
{
	if (!list_linked(&c->dirty))
		list_add_tail(&srv->dirty, &c->dirty);
}

/*
 * An open connection is over while the core may be in the middle of a call: drop its
 * output and leave it to reap(), which tells the core once the call has returned.
 */
static void
conn_kill(struct net_server *srv, struct conn *c, const char *reason)
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
conn_fail(struct net_server *srv, struct conn *c, const char *reason)
{
	if (c->state == CONN_OPEN)
		conn_kill(srv, c, reason);
	else if (c->state != CONN_DEAD)
		conn_release(srv, c, true);
}

/* Watch c for events.  Returns 0, or -1 when epoll refused and c was given up. */
static int
conn_watch(struct net_server *srv, struct conn *c, unsigned events)
{
	int	 rc;

	if ((rc = loop_watch(srv->loop, c->fd, events, conn_event, srv)) == 0)
		return 0;
	log_warn(rc, "epoll_ctl: fd %d", c->fd);
	conn_fail(srv, c, strerror(-rc));
	return -1;
}

/*
 * Start (or restart) c's deadline.  Every closing and lingering connection waits the
 * same linger, so appending keeps the list in deadline order.  (After a reload changed
 * linger, the order is off for one linger at most: expiry then runs a little late.)
 */
static void
conn_timed(struct net_server *srv, struct conn *c)
{
	c->deadline = server_now(srv) + srv->cfg.linger;
	list_move_tail(&srv->timed, &c->link);
}

/* The core has let c go: no more lines; flush what is queued, then linger. */
static void
conn_closing(struct net_server *srv, struct conn *c)
{
	c->state = CONN_CLOSING;
	c->client = NULL;
	framer_clear(&c->framer);
	conn_timed(srv, c);
	conn_dirty(srv, c);
}

/* Everything is written: send our FIN, then wait for the peer's. */
static void
conn_linger(struct net_server *srv, struct conn *c)
{
	/* ENOTCONN: the peer is gone already. */
	if (conn_shutdown(c) < 0) {
		conn_release(srv, c, false);
		return;
	}
	c->state = CONN_LINGERING;
	conn_timed(srv, c);
	(void)conn_watch(srv, c, LOOP_READ);
}

/*
 * Tell the core about every dead connection it still knows, then reset them.  core_closed
 * may kill more (a QUIT broadcast over someone's sendq); they join the list and are
 * reaped in the same loop.
 */
static void
reap(struct net_server *srv)
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
		conn_release(srv, c, true);
	}
}

/*
 * Output.
 */

/* c's queue was written once and n is what that returned: ask for LOOP_WRITE while
 * some is left. */
static void
conn_flushed(struct net_server *srv, struct conn *c, ssize_t n)
{
	unsigned	 events = loop_events(srv->loop, c->fd);

	if (n < 0 && n != -EAGAIN) {
		conn_fail(srv, c, strerror((int)-n));
		return;
	}
	/* What the socket did not take must not refer to the turn's arena any longer. */
	if (outq_settle(&c->outq) == -1) {
		conn_fail(srv, c, "Out of memory");
		return;
	}
	/* A closing peer that still reads gets another linger to read the rest. */
	if (n > 0 && c->state == CONN_CLOSING)
		conn_timed(srv, c);
	/* A TLS read may wait for writability too (conn_event retries it then). */
	if (outq_len(&c->outq) > 0 || c->read_wants_write) {
		(void)conn_watch(srv, c, events | LOOP_WRITE);
		return;
	}
	if (conn_watch(srv, c, events & ~(unsigned)LOOP_WRITE) == 0 &&
	    c->state == CONN_CLOSING)
		conn_linger(srv, c);
}

static void
conn_flush(struct net_server *srv, struct conn *c)
{
	conn_flushed(srv, c, conn_send(c));
}

/*
 * Before sleeping: report the dead, then write every dirty connection once.  Each can
 * make more of the other (a reported death is broadcast; a failed write kills), so repeat
 * while anyone died: every round frees at least one connection, so it ends.
 */
static void
flush_all(struct net_server *srv)
{
	struct conn	*c;

	do {
		reap(srv);
		if (srv->io != NULL)
			io_flush(srv);
		while (!list_empty(&srv->dirty)) {
			c = list_entry(srv->dirty.next, struct conn, dirty);
			list_del(&c->dirty);
			conn_flush(srv, c);
		}
	} while (!list_empty(&srv->reap));
	outq_arena_reset(&srv->shared);
}

/*
 * The core's output interface.
 */

/*
 * The open connection id if len more bytes fit in its sendq, else NULL: closing,
 * lingering or dead (past hearing more), or killed here for exceeding it.
 */
static struct conn *
out_target(struct net_server *srv, uint64_t id, size_t len)
{
	struct conn	*c = conn_table_get(&srv->conns, id);
	size_t		 sendq = srv->cfg.sendq;

	if (c == NULL || c->state != CONN_OPEN)
		return NULL;
	if (len > sendq || outq_held(&c->outq) > sendq - len) {
		conn_kill(srv, c, "SendQ exceeded");
		return NULL;
	}
	return c;
}

/* After a push to c's queue that returned rv: write it before sleeping, or kill it. */
static void
out_pushed(struct net_server *srv, struct conn *c, int rv)
{
	if (rv == -1)
		conn_kill(srv, c, "Out of memory");
	else
		conn_dirty(srv, c);
}

static void
out_queue(void *ctx, uint64_t id, const char *buf, size_t len)
{
	struct net_server	*srv = ctx;
	struct conn		*c;

	if ((c = out_target(srv, id, len)) != NULL)
		out_pushed(srv, c, outq_push(&c->outq, buf, len));
}

/* The line is copied once, into the turn's arena, and each queue refers to it. */
static void
out_queue_many(void *ctx, const uint64_t *ids, size_t n, const char *buf, size_t len)
{
	struct net_server	*srv = ctx;
	const char		*line = outq_arena_copy(&srv->shared, buf, len);
	struct conn		*c;

	for (size_t i = 0; i < n; i++) {
		if (line == NULL)
			out_queue(srv, ids[i], buf, len);
		else if ((c = out_target(srv, ids[i], len)) != NULL)
			out_pushed(srv, c, outq_push_shared(&c->outq, line, len));
	}
}

static void
out_hangup(void *ctx, uint64_t id, const char *reason)
{
	struct net_server	*srv = ctx;
	struct conn		*c = conn_table_get(&srv->conns, id);

	if (c == NULL || c->client == NULL) {
		log_warnx("core closed connection %llu, which it did not have",
		    (unsigned long long)id);
		return;
	}
	/* A dead one is reset when reaped; the core merely need not hear of it again. */
	c->client = NULL;
	if (c->state != CONN_OPEN)
		return;
	log_debug("close fd %d: %s", c->fd, reason);
	conn_closing(srv, c);
}

static void
out_log(void *ctx, enum log_level level, const char *fmt, va_list ap)
{
	(void)ctx;
	log_vmsg(level, fmt, ap);
}

/* An operator's REHASH, DIE or RESTART: server_requests acts after the core call. */
static void
out_request(void *ctx, enum core_request req, const char *reason)
{
	struct net_server	*srv = ctx;

	srv->requests |= 1u << req;
	if (req != CORE_REQUEST_REHASH)
		snprintf(srv->request_reason, sizeof(srv->request_reason), "%s", reason);
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
conn_eof(struct net_server *srv, struct conn *c)
{
	struct client	*cl = c->client;

	log_debug("close fd %d: Connection closed", c->fd);
	conn_closing(srv, c);
	core_closed(srv->core, cl, "Connection closed");
}

/* Act on what a read of open c returned.  Returns true when it brought bytes to frame. */
static bool
conn_read_done(struct net_server *srv, struct conn *c, ssize_t n)
{
	const char	*why;

	if (n > 0)
		return true;
	if (n == -EAGAIN) {
		if (c->read_wants_write)
			conn_dirty(srv, c);
		return false;
	}
	/* Fork: the relay's end says nothing of why; its child may have said. */
	if (srv->fork != NULL && (why = fork_reason(srv->fork, c->fd)) != NULL)
		conn_kill(srv, c, why);
	else if (n < 0)
		conn_kill(srv, c, strerror((int)-n));
	else
		conn_eof(srv, c);
	return false;
}

/* Read once and hand the complete lines to the core. */
static void
conn_read_lines(struct net_server *srv, struct conn *c)
{
	struct feed	 f = { srv, c };
	ssize_t		 n = conn_recv(c, srv->buf, sizeof(srv->buf));

	if (conn_read_done(srv, c, n) && framer_feed(&c->framer, srv->buf, (size_t)n,
	    srv->cfg.line_max, feed_line, &f) == -1)
		log_warnx("fd %d: out of memory for a partial line, dropped", c->fd);
}

/*
 * Closing or lingering: input is read only to be dropped, so that unread bytes cannot
 * turn our close into a reset.  At EOF a lingering connection is done; a closing one
 * stops reading but keeps writing, since its peer may still read.  An event with
 * reading already stopped is an error or a hang-up.
 */
static void
conn_discard(struct net_server *srv, struct conn *c)
{
	ssize_t		 n = conn_recv(c, srv->buf, sizeof(srv->buf));
	unsigned	 events = loop_events(srv->loop, c->fd);

	if (n > 0 || n == -EAGAIN)
		return;
	if (n == 0 && c->state == CONN_CLOSING && (events & LOOP_READ)) {
		(void)conn_watch(srv, c, events & ~(unsigned)LOOP_READ);
		return;
	}
	conn_release(srv, c, false);
}

/* Hand c to the core, which may queue a greeting at once (c is in the table already).
 * Returns 0, or -1 when c was given up. */
static int
conn_introduce(struct net_server *srv, struct conn *c, const struct sockaddr_storage *ss)
{
	char		 host[SOCK_ADDR_MAX];
	struct client	*cl;

	sock_format_host((const struct sockaddr *)ss, host, sizeof(host));
	if ((cl = core_open(srv->core, (uint64_t)c->fd, host, server_now(srv))) == NULL) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		conn_release(srv, c, false);
		return -1;
	}
	c->client = cl;
	return 0;
}

/*
 * TLS connections meet the core only once their handshake is over, so that the core
 * sees no line before it knows the connection is secure and whose certificate it has.
 */

/* Fork: the child does the handshake (model_fork.h); the hub awaits its hello. */
static void
handshake_begin(struct net_server *srv, struct conn *c)
{
	if (srv->fork == NULL && (c->tls = tls_new(srv->tls, c->fd)) == NULL) {
		log_warn(-ENOMEM, "fd %d", c->fd);
		conn_release(srv, c, false);
		return;
	}
	c->state = CONN_HANDSHAKE;
	c->deadline = server_now(srv) + srv->cfg.tls_handshake_timeout;
	list_add_tail(&srv->handshakes, &c->link);
	srv->nhandshakes++;
}

/* The handshake is complete: c becomes an open connection with a client whose
 * certificate has the fingerprint fp (NULL: none). */
static void
handshake_done(struct net_server *srv, struct conn *c, const char *fp)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	list_del(&c->link);
	srv->nhandshakes--;
	c->state = CONN_OPEN;
	/* Fork: c->fd is the relay's socketpair; the peer is its child's client. */
	if (srv->fork != NULL ? fork_peer(srv->fork, c->fd, &ss) < 0 :
	    getpeername(c->fd, (struct sockaddr *)&ss, &len) == -1) {
		log_debug("close fd %d: %s", c->fd, strerror(errno));
		conn_release(srv, c, true);
		return;
	}
	if (conn_watch(srv, c, LOOP_READ) == -1 || conn_introduce(srv, c, &ss) == -1)
		return;
	log_debug("fd %d: TLS established%s%s", c->fd,
	    fp != NULL ? ", client certificate " : "", fp != NULL ? fp : "");
	core_secure(srv->core, c->client, fp);
	/* Lines may have come with the handshake's last flight, and wait inside TLS. */
	conn_read_lines(srv, c);
	reap(srv);
}

/*
 * Fork: the child's hello, all of it (it comes in one small write, so a part is only
 * ever seen in passing), or the child's end: then its handshake failed.
 */
static void
handshake_hello(struct net_server *srv, struct conn *c)
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
		conn_release(srv, c, false);
		return;
	}
	handshake_done(srv, c, rc == 1 ? fp : NULL);
}

static void
handshake_step(struct net_server *srv, struct conn *c)
{
	char	 fp[TLS_FP_LEN + 1];
	int	 rc;

	if (c->tls == NULL) {
		handshake_hello(srv, c);
		return;
	}
	rc = tls_handshake(c->tls);

	if (rc == TLS_WANT_READ || rc == TLS_WANT_WRITE) {
		(void)conn_watch(srv, c, rc == TLS_WANT_READ ? LOOP_READ : LOOP_WRITE);
		return;
	}
	if (rc == TLS_ERROR) {
		log_debug("close fd %d: TLS handshake failed: %s", c->fd,
		    tls_error(c->tls));
		conn_release(srv, c, false);
		return;
	}
	handshake_done(srv, c, tls_fingerprint(c->tls, fp) == 0 ? fp : NULL);
}

/*
 * The threads model: the Redis 6 I/O-threads design over this driver.  A turn's
 * readable open connections are not read in their callbacks but collected (io_defer);
 * after the callbacks the I/O workers read and frame them in parallel, each into its own
 * arena of lines, while this thread waits; then this thread feeds those lines to the core
 * in order, exactly as the event model would have (io_read_all).  Before sleeping, the
 * dirty connections are written in parallel the same way (io_flush).  The phases never
 * overlap, so no lock guards the server or a connection: during one, a worker touches only
 * its jobs' connections (socket, TLS, framer, output queue) and its own arena, and
 * iothreads_run orders everything before and after.  Connections are created and freed
 * on this thread only, between phases, so their ids stay the descriptors.
 */

#define IO_TOO_LONG	SIZE_MAX	/* an arena record for a line over the limit */
#define IO_ARENA_KEEP	65536		/* an arena larger than this is freed after use */

/* A worker's lines of this turn: records of a size_t length (or IO_TOO_LONG), the
 * line's bytes and a NUL, back to back. */
struct io_arena {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 lost;			/* out of memory: lines were dropped */
	char	 rbuf[NET_READ_MAX];	/* the worker's reads go here */
};

/* A connection in a parallel phase. */
struct io_job {
	struct conn	*conn;
	int		 fd;
	ssize_t		 n;		/* what the read or the write returned */
	unsigned	 worker;	/* read: whose arena holds the lines, */
	size_t		 first;		/* at these bytes */
	size_t		 end;
	bool		 lost;
};

static bool
io_arena_grow(struct io_arena *a, size_t need)
{
	size_t	 cap = a->cap > 0 ? a->cap : 4096;
	char	*buf;

	while (cap - a->len < need) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	if ((buf = realloc(a->buf, cap)) == NULL)
		return false;
	a->buf = buf;
	a->cap = cap;
	return true;
}

/*
 * The framer's callback on a worker: keep the line for this thread to feed.  Out of
 * memory the line is dropped but framing goes on, so that the next line starts where it
 * should.
 */
static bool
io_keep_line(void *arg, char *line, size_t len, bool too_long)
{
	struct io_arena	*a = arg;
	size_t		 head = too_long ? IO_TOO_LONG : len, need;

	if (too_long)
		len = 0;
	need = sizeof(head) + len + 1;
	if (a->cap - a->len < need && !io_arena_grow(a, need)) {
		a->lost = true;
		return true;
	}
	memcpy(a->buf + a->len, &head, sizeof(head));
	if (len > 0)
		memcpy(a->buf + a->len + sizeof(head), line, len);
	a->buf[a->len + sizeof(head) + len] = '\0';
	a->len += need;
	return true;
}

/* On a worker: read a connection once and frame what came. */
static void
io_read_job(void *arg, size_t j, unsigned worker)
{
	struct net_server	*srv = arg;
	struct io_job		*job = &srv->jobs[j];
	struct io_arena		*a = &srv->arenas[worker];
	struct conn		*c = job->conn;

	a->lost = false;
	job->worker = worker;
	job->first = a->len;
	job->n = conn_recv(c, a->rbuf, sizeof(a->rbuf));
	if (job->n > 0 && framer_feed(&c->framer, a->rbuf, (size_t)job->n,
	    srv->cfg.line_max, io_keep_line, a) == -1)
		a->lost = true;
	job->end = a->len;
	job->lost = a->lost;
}

/* On a worker: write a connection's queue once. */
static void
io_write_job(void *arg, size_t j, unsigned worker)
{
	struct net_server	*srv = arg;

	(void)worker;
	srv->jobs[j].n = conn_send(srv->jobs[j].conn);
}

/* Room for one more job.  Returns false when out of memory. */
static bool
io_job_room(struct net_server *srv)
{
	struct io_job	*jobs;
	size_t		 cap = srv->jobs_cap > 0 ? srv->jobs_cap * 2 : 64;

	if (srv->njobs < srv->jobs_cap)
		return true;
	if ((jobs = reallocarray(srv->jobs, cap, sizeof(*jobs))) == NULL)
		return false;
	srv->jobs = jobs;
	srv->jobs_cap = cap;
	return true;
}

/*
 * In a callback: leave c's read to the workers.  Returns false when it must be read at
 * once (not the threads model, or out of memory).  Only the descriptor is kept: a later
 * callback of the same turn may free c.  Every descriptor comes once in a turn's events,
 * so no connection gets two jobs.
 */
static bool
io_defer(struct net_server *srv, struct conn *c)
{
	if (srv->io == NULL || !io_job_room(srv))
		return false;
	srv->jobs[srv->njobs++] = (struct io_job){ .fd = c->fd };
	return true;
}

/* Hand one read's lines to the core, as conn_read_lines does. */
static void
io_feed(struct net_server *srv, const struct io_job *job)
{
	struct conn	*c;
	char		*p, *end;
	size_t		 len;

	/* Released since (reaped), or no longer open: skip.  Nothing is accepted during
	 * this phase, so a descriptor still in the table is the same connection. */
	if ((c = conn_table_get(&srv->conns, (uint64_t)job->fd)) == NULL ||
	    c->state != CONN_OPEN || !conn_read_done(srv, c, job->n))
		return;
	p = srv->arenas[job->worker].buf + job->first;
	end = srv->arenas[job->worker].buf + job->end;
	while (p < end && c->state == CONN_OPEN) {
		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		if (len == IO_TOO_LONG) {
			core_line_too_long(srv->core, c->client, server_now(srv));
			len = 0;
		} else
			core_line(srv->core, c->client, p, len, server_now(srv));
		p += len + 1;
	}
	if (job->lost)
		log_warnx("fd %d: out of memory for input, dropped", job->fd);
}

/* After the callbacks: read the collected connections in parallel, then feed the core. */
static void
io_read_all(struct net_server *srv)
{
	struct conn	*c;
	size_t		 n = 0;

	for (size_t j = 0; j < srv->njobs; j++) {
		c = conn_table_get(&srv->conns, (uint64_t)srv->jobs[j].fd);
		if (c != NULL && c->state == CONN_OPEN)
			srv->jobs[n++] = (struct io_job){ .conn = c, .fd = c->fd };
	}
	for (unsigned w = 0; w < iothreads_count(srv->io); w++)
		srv->arenas[w].len = 0;
	iothreads_run(srv->io, n, io_read_job, srv);
	for (size_t j = 0; j < n; j++) {
		io_feed(srv, &srv->jobs[j]);
		reap(srv);
	}
	srv->njobs = 0;
	for (unsigned w = 0; w < iothreads_count(srv->io); w++) {
		if (srv->arenas[w].cap <= IO_ARENA_KEEP)
			continue;
		free(srv->arenas[w].buf);
		srv->arenas[w].buf = NULL;
		srv->arenas[w].cap = 0;
	}
}

/*
 * Write the dirty connections in parallel, then act on each result here.  Out of memory
 * for the jobs, the rest stay dirty for flush_all to write one by one.
 */
static void
io_flush(struct net_server *srv)
{
	struct conn	*c;

	srv->njobs = 0;
	while (!list_empty(&srv->dirty) && io_job_room(srv)) {
		c = list_entry(srv->dirty.next, struct conn, dirty);
		list_del(&c->dirty);
		srv->jobs[srv->njobs++] = (struct io_job){ .conn = c, .fd = c->fd };
	}
	iothreads_run(srv->io, srv->njobs, io_write_job, srv);
	/* Each result concerns its own connection only: none frees another's. */
	for (size_t j = 0; j < srv->njobs; j++)
		conn_flushed(srv, srv->jobs[j].conn, srv->jobs[j].n);
	srv->njobs = 0;
}

/* Start the workers of the threads model.  Returns 0, or -1 with err set. */
static int
io_open(struct net_server *srv, char *err, size_t errlen)
{
	if ((srv->arenas = calloc(srv->cfg.io_threads, sizeof(*srv->arenas))) == NULL ||
	    (srv->io = iothreads_new(srv->cfg.io_threads)) == NULL) {
		snprintf(err, errlen, "io threads: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
io_close(struct net_server *srv)
{
	unsigned	 n = srv->io != NULL ? iothreads_count(srv->io) : 0;

	iothreads_free(srv->io);
	for (unsigned w = 0; w < n; w++)
		free(srv->arenas[w].buf);
	free(srv->arenas);
	free(srv->jobs);
}

static void
conn_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	struct conn		*c = conn_table_get(&srv->conns, (uint64_t)fd);

	(void)loop;
	if (c->state == CONN_HANDSHAKE) {
		handshake_step(srv, c);
		return;
	}
	/* TLS may make a write wait for readability, or a read for writability. */
	if ((events & LOOP_WRITE) || ((events & LOOP_READ) && c->write_wants_read))
		conn_dirty(srv, c);
	if (!(events & LOOP_READ) && !((events & LOOP_WRITE) && c->read_wants_write))
		return;
	switch (c->state) {
	case CONN_OPEN:
		if (io_defer(srv, c))
			break;
		conn_read_lines(srv, c);
		reap(srv);
		break;
	case CONN_CLOSING:
	case CONN_LINGERING:
		conn_discard(srv, c);
		break;
	case CONN_HANDSHAKE:
	case CONN_DEAD:
		break;
	}
}

/*
 * Accepting.
 */

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

static void
listeners_close(struct net_server *srv)
{
	for (unsigned i = 0; i < srv->nlisten; i++) {
		(void)loop_unwatch(srv->loop, srv->listen_fd[i]);
		sock_close(srv->listen_fd[i]);
	}
	srv->nlisten = 0;
}

/* The spare descriptor that lets us take, and refuse, a connection when out of them.
 * Returns 0 or -errno. */
static int
reserve_open(struct net_server *srv)
{
	if ((srv->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	return 0;
}

static void
reserve_reopen(struct net_server *srv)
{
	int	 rc;

	if ((rc = reserve_open(srv)) < 0)
		log_warn(rc, "reserve descriptor: /dev/null");
}

/* Tell the peer why and close: best effort, its buffer is empty and it may be gone. */
static void
accept_refuse(struct net_server *srv, int fd, const char *why)
{
	int64_t	 now = server_now(srv);

	(void)send(fd, NET_FULL_LINE, sizeof(NET_FULL_LINE) - 1, MSG_NOSIGNAL);
	sock_close(fd);
	if (srv->warned_full < 0 || now - srv->warned_full >= NET_WARN_MS) {
		srv->warned_full = now;
		log_warnx("refusing connections: %s", why);
	}
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

static void
accept_resume(struct net_server *srv)
{
	srv->paused_until = -1;
	if (srv->reserve < 0)
		reserve_reopen(srv);
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
	if ((rc = loop_watch(srv->loop, fd, LOOP_READ, conn_event, srv)) < 0) {
		log_warn(rc, "epoll_ctl: fd %d", fd);
		conn_release(srv, c, false);
		return NULL;
	}
	return c;
}

/* Fork: a child takes the connection and the hub its socketpair end; returns that end,
 * or -1 when the connection was refused. */
static int
accept_fork(struct net_server *srv, int fd, const struct sockaddr_storage *ss, bool tls)
{
	int	 hub = fork_spawn(srv->fork, fd, ss, srv->cfg.linger, tls ? srv->tls : NULL,
		    srv->cfg.tls_handshake_timeout);

	if (hub >= 0)
		return hub;
	accept_refuse(srv, fd, strerror(-hub));
	return -1;
}

/* A new connection on a plaintext listener, or one that speaks TLS. */
static void
accept_conn(struct net_server *srv, int fd, const struct sockaddr_storage *ss, bool tls)
{
	char		 host[SOCK_ADDR_MAX];
	struct conn	*c;

	/* A handshake under way is a client to come.  Fork: so is every child serving a
	 * client; one lingering after its client left is not (it ends within a linger). */
	if (srv->cfg.max_clients > 0 && core_client_count(srv->core) + srv->nhandshakes >=
	    srv->cfg.max_clients) {
		accept_refuse(srv, fd, "max_clients reached");
		return;
	}
	if (srv->fork != NULL && (fd = accept_fork(srv, fd, ss, tls)) < 0)
		return;
	if ((c = accept_install(srv, fd)) == NULL)
		return;
	sock_format_host((const struct sockaddr *)ss, host, sizeof(host));
	log_debug("connect fd %d from %s%s", fd, host, tls ? " (tls)" : "");
	if (tls)
		handshake_begin(srv, c);
	else
		(void)conn_introduce(srv, c, ss);
}

static bool
listener_tls(const struct net_server *srv, int lfd)
{
	for (unsigned i = 0; i < srv->nlisten; i++)
		if (srv->listen_fd[i] == lfd)
			return srv->listen_tls[i];
	return false;
}

static void
accept_event(struct loop *loop, int lfd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	struct sockaddr_storage	 ss;
	bool			 tls = listener_tls(srv, lfd);
	int			 fd, rc;

	(void)loop;
	(void)events;
	for (int i = 0; i < NET_ACCEPT_MAX; i++) {
		if ((fd = sock_accept(lfd, &ss)) >= 0) {
			accept_conn(srv, fd, &ss, tls);
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

/*
 * Signals and the configuration.
 */

/* Stop accepting, have the core send every client ERROR and close it; run then returns
 * once they are flushed, or the grace is over. */
static void
server_stop(struct net_server *srv, const char *reason)
{
	/* Handshakes under way have no client to say goodbye to. */
	while (!list_empty(&srv->handshakes))
		conn_release(srv, list_entry(srv->handshakes.next, struct conn, link), true);
	listeners_close(srv);
	srv->paused_until = -1;
	srv->stopping = true;
	srv->stop_deadline = server_now(srv) + srv->cfg.shutdown_grace;
	core_shutdown(srv->core, reason);
	reap(srv);
}

static bool
listeners_same(const struct net_config *a, const struct net_config *b)
{
	if (a->nlisten != b->nlisten)
		return false;
	for (unsigned i = 0; i < a->nlisten && i < NET_LISTEN_MAX; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0 ||
		    a->listen_tls[i] != b->listen_tls[i])
			return false;
	return true;
}

/* A new certificate and key for new TLS connections; the established keep theirs. */
static void
tls_reload(struct net_server *srv, const struct net_config *net)
{
	struct tls_ctx	*ctx;
	char		 err[PATH_MAX + 128];

	if (srv->tls == NULL)
		return;
	if (net->tls_cert[0] == '\0' || net->tls_key[0] == '\0') {
		log_warnx("tls: no certificate and key configured; keeping the "
		    "running ones");
		return;
	}
	if ((ctx = tls_ctx_new(net->tls_cert, net->tls_key, err, sizeof(err))) == NULL) {
		log_warnx("tls: %s; keeping the running certificate", err);
		return;
	}
	tls_ctx_free(srv->tls);
	srv->tls = ctx;
	log_info("tls: certificate reloaded from %s", net->tls_cert);
}

static void
server_reload(struct net_server *srv)
{
	struct core_config	 core;
	struct net_config	 net;
	char			 err[512] = "nothing to reload from";

	log_info("reloading configuration");
	if (srv->reload == NULL ||
	    srv->reload(srv->reload_arg, &core, &net, err, sizeof(err)) == -1) {
		log_warnx("reload failed: %s; keeping the running configuration",
		    err);
		return;
	}
	core.sts_port = net.sts ? srv->tls_port : 0;
	if (core_configure(srv->core, &core) == -1) {
		log_warnx("reload failed: %s; keeping the running configuration",
		    strerror(ENOMEM));
		return;
	}
	if (!listeners_same(&srv->cfg, &net))
		log_warnx("listener changes take effect on restart");
	if (net.model != srv->cfg.model)
		log_warnx("model changes take effect on restart");
	tls_reload(srv, &net);
	srv->cfg.sendq = net.sendq;
	srv->cfg.line_max = net.line_max;
	srv->cfg.max_clients = net.max_clients;
	srv->cfg.linger = net.linger;
	srv->cfg.tls_handshake_timeout = net.tls_handshake_timeout;
	srv->cfg.shutdown_grace = net.shutdown_grace;
	log_info("configuration reloaded");
}

static void
signal_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct net_server	*srv = arg;
	int			 signo;

	(void)events;
	while ((signo = signals_read(fd)) > 0) {
		if (signo == SIGCHLD) {
			if (srv->fork != NULL)
				fork_reap(srv->fork);
		} else if (signo == SIGHUP) {
			server_reload(srv);
		} else if (!srv->stopping) {
			log_info("shutting down (signal %s)", signals_name(signo));
			server_stop(srv, "Server shutting down");
		} else {
			/* A signal during a RESTART's shutdown: stop for good. */
			srv->restart = false;
		}
	}
	if (signo == 0)
		return;
	/* Without signals the server could not be stopped cleanly: stop now. */
	log_errorx("signalfd: %s; shutting down", strerror(-signo));
	(void)loop_unwatch(loop, fd);
	srv->failed = true;
	if (!srv->stopping)
		server_stop(srv, "Server shutting down");
}

/*
 * The operators' requests recorded during the last turn.  REHASH takes SIGHUP's path;
 * DIE and RESTART take SIGTERM's, and RESTART then has run return NET_RESTART so that
 * the program runs itself anew once every descriptor is closed.
 */
static void
server_requests(struct net_server *srv)
{
	char		 reason[sizeof(srv->request_reason) + 32];
	unsigned	 req = srv->requests;

	srv->requests = 0;
	if (req & (1u << CORE_REQUEST_REHASH))
		server_reload(srv);
	if (srv->stopping || !(req & (1u << CORE_REQUEST_DIE |
	    1u << CORE_REQUEST_RESTART)))
		return;
	/* Both in one turn: stopping for good is the safer reading. */
	srv->restart = !(req & (1u << CORE_REQUEST_DIE));
	log_info("%s (%s)", srv->restart ? "restarting" : "shutting down",
	    srv->request_reason);
	snprintf(reason, sizeof(reason), "%s (%s)", srv->restart ? "Server restarting" :
	    "Server shutting down", srv->request_reason);
	server_stop(srv, reason);
}

/*
 * The loop.
 */

/* The wall clock in ms, for the times the core shows users; -1 when unknown. */
static int64_t
wall_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return -1;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Close the connections whose deadline has come. */
static void
expire(struct net_server *srv)
{
	struct conn	*c;

	while (!list_empty(&srv->handshakes)) {
		c = list_entry(srv->handshakes.next, struct conn, link);
		if (c->deadline > server_now(srv))
			break;
		log_debug("close fd %d: TLS handshake timed out", c->fd);
		conn_release(srv, c, true);
	}
	while (!list_empty(&srv->timed)) {
		c = list_entry(srv->timed.next, struct conn, link);
		if (c->deadline > server_now(srv))
			return;
		/* A closing peer did not read the rest: reset, do not leave it to the
		 * kernel.  A lingering one did not close in time. */
		conn_release(srv, c, c->state == CONN_CLOSING);
	}
}

/*
 * The heap, with glibc.  Busy, a server frees and needs again megabytes of output blocks
 * every turn; glibc's default would give the top of the heap back to the system at each
 * turn and fault it in again at the next (a sixth of parleyd's time in the privmsg
 * benchmark).  So free heap is kept while busy (up to NET_HEAP_KEEP, the most glibc's
 * own adaptive threshold would) and given back once the loop has been quiet for
 * NET_QUIET_MS, so that a burst's memory does not stay.
 */
static void
heap_keep(void)
{
#ifdef __GLIBC__
	/* Refused (another allocator, as under a sanitizer): glibc's default, no harm. */
	(void)mallopt(M_TRIM_THRESHOLD, NET_HEAP_KEEP);
#endif
}

static void
heap_release(struct net_server *srv)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
	srv->heap_held = false;
}

/* Run what is due now; returns the core's next deadline (-1: none). */
static int64_t
server_timers(struct net_server *srv)
{
	int64_t	 now = server_now(srv), wall = wall_now(), next;

	/* Read each turn, so that a wall clock set after startup shows at once. */
	if (wall >= 0)
		core_clock(srv->core, now, wall);
	next = core_tick(srv->core, now);
	reap(srv);
	expire(srv);
	if (srv->paused_until >= 0 && now >= srv->paused_until)
		accept_resume(srv);
	if (srv->heap_held && now - srv->active_at >= NET_QUIET_MS)
		heap_release(srv);
	return next;
}

static int
server_timeout(const struct net_server *srv, int64_t next)
{
	if (!list_empty(&srv->timed))
		next = earliest(next,
		    list_entry(srv->timed.next, struct conn, link)->deadline);
	if (!list_empty(&srv->handshakes))
		next = earliest(next,
		    list_entry(srv->handshakes.next, struct conn, link)->deadline);
	if (srv->stopping)
		next = earliest(next, srv->stop_deadline);
	next = earliest(next, srv->paused_until);
	if (srv->heap_held)
		next = earliest(next, srv->active_at + NET_QUIET_MS);
	return loop_timeout(srv->loop, next);
}

int
net_server_run(struct net_server *srv)
{
	int64_t	 next;
	int	 rc;

	for (;;) {
		server_requests(srv);
		next = server_timers(srv);
		flush_all(srv);
		if (srv->stopping && (srv->nconns == 0 ||
		    server_now(srv) >= srv->stop_deadline))
			break;
		if ((rc = loop_run(srv->loop, server_timeout(srv, next))) < 0) {
			log_error(rc, "epoll_wait");
			return -1;
		}
		if (rc > 0) {
			srv->active_at = server_now(srv);
			srv->heap_held = true;
		}
		if (srv->io != NULL)
			io_read_all(srv);
	}
	if (srv->nconns > 0)
		log_warnx("shutdown grace over: %zu connections cut", srv->nconns);
	if (srv->failed)
		return -1;
	return srv->restart ? NET_RESTART : 0;
}

/*
 * Lifetime.
 */

/* Bind one listener and log its real address.  Returns 0, or -1 with err set. */
static int
listener_open(struct net_server *srv, const char *text, bool tls, char *err,
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
	srv->listen_fd[srv->nlisten++] = fd = rc;
	if ((rc = sock_local_addr(fd, &ss)) < 0 ||
	    (rc = loop_watch(srv->loop, fd, LOOP_READ, accept_event, srv)) < 0) {
		snprintf(err, errlen, "%s: %s", text, strerror(-rc));
		return -1;
	}
	sock_format_addr((struct sockaddr *)&ss, name, sizeof(name));
	log_info("listening on %s%s", name, tls ? " (tls)" : "");
	if (tls && srv->tls_port == 0)
		srv->tls_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((const struct sockaddr_in6 *)(const void *)&ss)->sin6_port :
		    ((const struct sockaddr_in *)(const void *)&ss)->sin_port);
	return 0;
}

/* The certificate and key, when some listener speaks TLS.  Returns 0, or -1 with err
 * set. */
static int
tls_open(struct net_server *srv, char *err, size_t errlen)
{
	const struct net_config	*cfg = &srv->cfg;
	char			 why[PATH_MAX + 128];
	bool			 any = false;

	for (unsigned i = 0; i < cfg->nlisten && i < NET_LISTEN_MAX; i++)
		any = any || cfg->listen_tls[i];
	if (!any)
		return 0;
	if (cfg->tls_cert[0] == '\0' || cfg->tls_key[0] == '\0') {
		snprintf(err, errlen, "tls: a TLS listener needs a certificate and its key "
		    "(--tls-cert and --tls-key, or [tls] cert and key)");
		return -1;
	}
	if ((srv->tls = tls_ctx_new(cfg->tls_cert, cfg->tls_key, why, sizeof(why))) ==
	    NULL) {
		snprintf(err, errlen, "tls: %s", why);
		return -1;
	}
	return 0;
}

/* Everything net_server_new sets up, in order.  Returns 0, or -1 with err set. */
static int
server_open(struct net_server *srv, const struct core_config *core, char *err,
    size_t errlen)
{
	struct core_config	 cc;
	int			 rc;

	if ((srv->loop = loop_new()) == NULL) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	/* Before the first "listening on": whoever waits for that line may signal at
	 * once, and a SIGTERM then must end the server cleanly, not kill it. */
	if ((rc = signals_open()) >= 0) {
		srv->sigfd = rc;
		rc = loop_watch(srv->loop, srv->sigfd, LOOP_READ, signal_event, srv);
	}
	if (rc < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(-rc));
		return -1;
	}
	if (tls_open(srv, err, errlen) == -1)
		return -1;
	for (unsigned i = 0; i < srv->cfg.nlisten && i < NET_LISTEN_MAX; i++)
		if (listener_open(srv, srv->cfg.listen[i], srv->cfg.listen_tls[i], err,
		    errlen) == -1)
			return -1;
	if ((rc = reserve_open(srv)) < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(-rc));
		return -1;
	}
	/* After signals_open: SIGCHLD is blocked before the first child. */
	if (srv->cfg.model == NET_MODEL_FORK && (srv->fork = fork_new()) == NULL) {
		snprintf(err, errlen, "fork model: %s", strerror(errno));
		return -1;
	}
	/* After signals_open: the threads inherit its blocked mask. */
	if (srv->cfg.model == NET_MODEL_THREADS && io_open(srv, err, errlen) == -1)
		return -1;
	srv->out = (struct core_out){ srv, out_queue, out_queue_many, out_hangup, out_log,
	    out_request };
	cc = *core;
	cc.sts_port = srv->cfg.sts ? srv->tls_port : 0;
	if ((srv->core = core_new(&cc, &srv->out)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

struct net_server *
net_server_new(const struct core_config *core, const struct net_config *net,
    net_reload_fn reload, void *arg, char *err, size_t errlen)
{
	struct net_server	*srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	srv->cfg = *net;
	srv->reload = reload;
	srv->reload_arg = arg;
	srv->sigfd = srv->reserve = -1;
	srv->paused_until = srv->warned_full = -1;
	srv->conns = (struct conn_table)CONN_TABLE_INIT;
	heap_keep();
	list_init(&srv->dirty);
	list_init(&srv->reap);
	list_init(&srv->timed);
	list_init(&srv->handshakes);
	if (server_open(srv, core, err, errlen) == -1) {
		net_server_free(srv);
		return NULL;
	}
	return srv;
}

void
net_server_free(struct net_server *srv)
{
	struct conn	*c;

	if (srv == NULL)
		return;
	io_close(srv);
	/* Graceful closes: the kernel still sends what it holds. */
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL)
			conn_release(srv, c, false);
	/* No child outlives the server, nor keeps a zombie or a listener after RESTART. */
	fork_free(srv->fork);
	core_free(srv->core);
	listeners_close(srv);
	sock_close(srv->reserve);
	if (srv->sigfd >= 0) {
		(void)loop_unwatch(srv->loop, srv->sigfd);
		sock_close(srv->sigfd);
	}
	loop_free(srv->loop);
	tls_ctx_free(srv->tls);
	conn_table_free(&srv->conns);
	outq_arena_free(&srv->shared);
	free(srv);
}
