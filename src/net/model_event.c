/*
 * The driver: one thread runs one level-triggered epoll loop and the core, every socket
 * non-blocking.  This file opens and frees the server, runs the timers and the turn;
 * the pieces it drives are listed in driver.h.  The model (event, fork or threads) is a
 * table of hooks chosen here once, at open; the event model's is below.
 *
 * A turn of net_server_run:
 *   1. the operators' requests of the last turn (control.c);
 *   2. timers: core_tick, then the deadlines of handshakes, closing and lingering
 *      connections, a pause of accepting, the quiet-time heap release;
 *   3. before sleeping: report dead connections to the core, then write every dirty
 *      connection's queue once (one sendmsg each, however many lines were queued);
 *   4. epoll_wait and the callbacks: accept, lines into the core, signals; then the
 *      model's events_done (the threads model reads and feeds there).
 */
#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/server.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/iothreads.h"
#include "net/log.h"
#include "net/loop.h"
#include "net/model_fork.h"
#include "net/net.h"
#include "net/signals.h"
#include "net/sock.h"
#include "net/tls.h"

/*
 * The threads model: the Redis 6 I/O-threads design over the driver, as hooks.  A
 * turn's readable open connections are not read in their callbacks but collected
 * (threads_readable); after the callbacks the I/O workers read and frame them in
 * parallel, each into its own arena of lines, while this thread waits; then this thread
 * feeds those lines to the core in order, exactly as the event model would have
 * (threads_read_all).  Before sleeping, the dirty connections are written in parallel
 * the same way (threads_write_dirty).  The phases never overlap, so no lock guards the
 * server or a connection: during one, a worker touches only its jobs' connections
 * (socket, TLS, framer, output queue) and its own arena, and iothreads_run orders
 * everything before and after.  Connections are created and freed on this thread only,
 * between phases, so their ids stay the descriptors.  iothreads.c is the pool.
 */

#define IO_TOO_LONG	SIZE_MAX	/* an arena record for a line over the limit */
#define IO_ARENA_KEEP	65536		/* an arena larger than this is freed after use */

/* A worker's lines of this turn: records of a size_t length (or IO_TOO_LONG), the
 * line's bytes and a NUL, back to back. */
struct threads_arena {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 lost;			/* out of memory: lines were dropped */
	char	 rbuf[NET_READ_MAX];	/* the worker's reads go here */
};

/* A connection in a parallel phase. */
struct threads_job {
	struct conn	*conn;
	int		 fd;
	ssize_t		 n;		/* what the read or the write returned */
	unsigned	 worker;	/* read: whose arena holds the lines, */
	size_t		 first;		/* at these bytes */
	size_t		 end;
	bool		 lost;
};

struct threads {
	struct iothreads	*io;
	struct threads_arena	*arenas;	/* one per worker */
	struct threads_job	*jobs;		/* this phase's connections */
	size_t			 njobs;
	size_t			 jobs_cap;
};

static bool
threads_arena_grow(struct threads_arena *a, size_t need)
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
threads_keep_line(void *arg, char *line, size_t len, bool too_long)
{
	struct threads_arena	*a = arg;
	size_t			 head = too_long ? IO_TOO_LONG : len, need;

	if (too_long)
		len = 0;
	need = sizeof(head) + len + 1;
	if (a->cap - a->len < need && !threads_arena_grow(a, need)) {
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
threads_read_job(void *arg, size_t j, unsigned worker)
{
	struct net_server	*srv = arg;
	struct threads_job	*job = &srv->threads->jobs[j];
	struct threads_arena	*a = &srv->threads->arenas[worker];
	struct conn		*c = job->conn;

	a->lost = false;
	job->worker = worker;
	job->first = a->len;
	job->n = conn_recv(c, a->rbuf, sizeof(a->rbuf));
	if (job->n > 0 && framer_feed(&c->framer, a->rbuf, (size_t)job->n,
	    srv->cfg.line_max, threads_keep_line, a) == -1)
		a->lost = true;
	job->end = a->len;
	job->lost = a->lost;
}

/* On a worker: write a connection's queue once. */
static void
threads_write_job(void *arg, size_t j, unsigned worker)
{
	struct threads	*t = arg;

	(void)worker;
	t->jobs[j].n = conn_send(t->jobs[j].conn);
}

/* Room for one more job.  Returns false when out of memory. */
static bool
threads_job_room(struct threads *t)
{
	struct threads_job	*jobs;
	size_t			 cap = t->jobs_cap > 0 ? t->jobs_cap * 2 : 64;

	if (t->njobs < t->jobs_cap)
		return true;
	if ((jobs = reallocarray(t->jobs, cap, sizeof(*jobs))) == NULL)
		return false;
	t->jobs = jobs;
	t->jobs_cap = cap;
	return true;
}

/*
 * The readable hook: leave c's read to the workers, or read it at once when out of
 * memory.  Only the descriptor is kept: a later callback of the same turn may free c.
 * Every descriptor comes once in a turn's events, so no connection gets two jobs.
 */
static void
threads_readable(struct net_server *srv, struct conn *c)
{
	struct threads	*t = srv->threads;

	if (!threads_job_room(t)) {
		session_readable(srv, c);
		return;
	}
	t->jobs[t->njobs++] = (struct threads_job){ .fd = c->fd };
}

/* Hand one read's lines to the core, as session_read_lines does. */
static void
threads_feed(struct net_server *srv, const struct threads_job *job)
{
	struct threads_arena	*a = &srv->threads->arenas[job->worker];
	struct conn		*c;
	char			*p, *end;
	size_t			 len;

	/* Released since (reaped), or no longer open: skip.  Nothing is accepted during
	 * this phase, so a descriptor still in the table is the same connection. */
	if ((c = conn_table_get(&srv->conns, (uint64_t)job->fd)) == NULL ||
	    c->state != CONN_OPEN || !session_read_done(srv, c, job->n))
		return;
	p = a->buf + job->first;
	end = a->buf + job->end;
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

/* The events_done hook: read the collected connections in parallel, then feed the
 * core. */
static void
threads_read_all(struct net_server *srv)
{
	struct threads	*t = srv->threads;
	unsigned	 nworkers = iothreads_count(t->io);
	struct conn	*c;
	size_t		 n = 0;

	for (size_t j = 0; j < t->njobs; j++) {
		c = conn_table_get(&srv->conns, (uint64_t)t->jobs[j].fd);
		if (c != NULL && c->state == CONN_OPEN)
			t->jobs[n++] = (struct threads_job){ .conn = c, .fd = c->fd };
	}
	for (unsigned w = 0; w < nworkers; w++)
		t->arenas[w].len = 0;
	iothreads_run(t->io, n, threads_read_job, srv);
	for (size_t j = 0; j < n; j++) {
		threads_feed(srv, &t->jobs[j]);
		session_reap(srv);
	}
	t->njobs = 0;
	for (unsigned w = 0; w < nworkers; w++) {
		if (t->arenas[w].cap <= IO_ARENA_KEEP)
			continue;
		free(t->arenas[w].buf);
		t->arenas[w].buf = NULL;
		t->arenas[w].cap = 0;
	}
}

/*
 * The write_dirty hook: write the dirty connections in parallel, then act on each result
 * here.  Out of memory for the jobs, the rest are written one by one.
 */
static void
threads_write_dirty(struct net_server *srv)
{
	struct threads	*t = srv->threads;
	struct conn	*c;

	t->njobs = 0;
	while (!list_empty(&srv->dirty) && threads_job_room(t)) {
		c = list_entry(srv->dirty.next, struct conn, dirty);
		list_del(&c->dirty);
		t->jobs[t->njobs++] = (struct threads_job){ .conn = c, .fd = c->fd };
	}
	iothreads_run(t->io, t->njobs, threads_write_job, t);
	/* Each result concerns its own connection only: none frees another's. */
	for (size_t j = 0; j < t->njobs; j++)
		session_flushed(srv, t->jobs[j].conn, t->jobs[j].n);
	t->njobs = 0;
	session_write_dirty(srv);
}

/* Start the workers.  Returns 0, or -1 with err set. */
static int
threads_open(struct net_server *srv, char *err, size_t errlen)
{
	struct threads	*t;

	if ((srv->threads = t = calloc(1, sizeof(*t))) == NULL ||
	    (t->arenas = calloc(srv->cfg.io_threads, sizeof(*t->arenas))) == NULL ||
	    (t->io = iothreads_new(srv->cfg.io_threads)) == NULL) {
		snprintf(err, errlen, "io threads: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
threads_close(struct net_server *srv)
{
	struct threads	*t = srv->threads;
	unsigned	 n;

	if (t == NULL)
		return;
	n = t->io != NULL ? iothreads_count(t->io) : 0;
	iothreads_free(t->io);
	for (unsigned w = 0; w < n; w++)
		free(t->arenas[w].buf);
	free(t->arenas);
	free(t->jobs);
	free(t);
	srv->threads = NULL;
}

const struct model_ops model_threads_ops = {
	.open = threads_open,
	.close = threads_close,
	.adopt = accept_direct,
	.handshake_begin = handshake_tls_begin,
	.handshake_step = handshake_tls_step,
	.peer = handshake_peer,
	.gone = model_no_reason,
	.readable = threads_readable,
	.events_done = threads_read_all,
	.write_dirty = threads_write_dirty,
	.child_exited = model_nothing,
};

/*
 * The fork model's hooks: the hub's side of model_fork.h.  Each accepted connection
 * goes to a child (fork_spawn), and the driver serves the hub's end of the child's
 * socketpair as if it were the client.  For a TLS listener the child does the handshake;
 * the hub's "handshake" is awaiting the child's hello.  The child's address book
 * (fork_peer) names the client behind a socketpair, its status record why the client
 * went (fork_reason); SIGCHLD reaps the children.
 */

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

#define NET_QUIET_MS	500	/* this long without events: free heap goes back */

/*
 * The models.
 */

void
model_nothing(struct net_server *srv)
{
	(void)srv;
}

const char *
model_no_reason(struct net_server *srv, int fd)
{
	(void)srv;
	(void)fd;
	return NULL;
}

static int
model_open_nothing(struct net_server *srv, char *err, size_t errlen)
{
	(void)srv;
	(void)err;
	(void)errlen;
	return 0;
}

/* The event model: the plain hooks, every read and write at its event. */
static const struct model_ops model_event_ops = {
	.open = model_open_nothing,
	.close = model_nothing,
	.adopt = accept_direct,
	.handshake_begin = handshake_tls_begin,
	.handshake_step = handshake_tls_step,
	.peer = handshake_peer,
	.gone = model_no_reason,
	.readable = session_readable,
	.events_done = model_nothing,
	.write_dirty = session_write_dirty,
	.child_exited = model_nothing,
};

static const struct model_ops *
model_ops_for(enum net_model model)
{
	switch (model) {
	case NET_MODEL_FORK:
		return &model_fork_hub_ops;
	case NET_MODEL_THREADS:
		return &model_threads_ops;
	case NET_MODEL_EVENT:
		break;
	}
	return &model_event_ops;
}

/*
 * Timers.
 */

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
		session_release(srv, c, true);
	}
	while (!list_empty(&srv->timed)) {
		c = list_entry(srv->timed.next, struct conn, link);
		if (c->deadline > server_now(srv))
			return;
		/* A closing peer did not read the rest: reset, do not leave it to the
		 * kernel.  A lingering one did not close in time. */
		session_release(srv, c, c->state == CONN_CLOSING);
	}
}

/*
 * Free heap back to the system once the loop has been quiet for NET_QUIET_MS.  The
 * program keeps free heap while busy (parleyd/main.c's heap policy); only the loop knows
 * when it has gone quiet, so the giving back stays here, once per quiet spell.
 */
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
	session_reap(srv);
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

/*
 * The turn.
 */

int
net_server_run(struct net_server *srv)
{
	int64_t	 next;
	int	 rc;

	for (;;) {
		control_requests(srv);
		next = server_timers(srv);
		session_flush_all(srv);
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
		srv->model->events_done(srv);
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
		rc = loop_watch(srv->loop, srv->sigfd, LOOP_READ, control_signal, srv);
	}
	if (rc < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(-rc));
		return -1;
	}
	if (handshake_ctx_open(srv, err, errlen) == -1)
		return -1;
	for (unsigned i = 0; i < srv->cfg.nlisten && i < NET_LISTEN_MAX; i++)
		if (accept_listen(srv, srv->cfg.listen[i], srv->cfg.listen_tls[i], err,
		    errlen) == -1)
			return -1;
	if ((rc = accept_reserve_open(srv)) < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(-rc));
		return -1;
	}
	/* After signals_open: SIGCHLD is blocked before the fork model's first child, and
	 * the threads model's threads inherit the blocked mask. */
	if (srv->model->open(srv, err, errlen) == -1)
		return -1;
	srv->out = out_interface(srv);
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
	srv->model = model_ops_for(net->model);
	srv->sigfd = srv->reserve = -1;
	srv->paused_until = srv->warned_full = -1;
	srv->conns = (struct conn_table)CONN_TABLE_INIT;
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
	/* Graceful closes: the kernel still sends what it holds. */
	for (size_t fd = 0; fd < srv->conns.cap; fd++)
		if ((c = srv->conns.slot[fd]) != NULL)
			session_release(srv, c, false);
	/* The fork model's children end here, after their hub ends were closed. */
	srv->model->close(srv);
	core_free(srv->core);
	accept_close_listeners(srv);
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
