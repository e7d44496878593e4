/*
 * The threads model: the Redis 6 I/O-threads design over the driver, as hooks.  A
 * turn's readable open connections are not read in their callbacks but collected
 * (threads_readable); after the callbacks the I/O workers read and frame them in
 * parallel, each into its own arena of lines, while this thread waits; then this thread
 * feeds those lines to the core in order, exactly as the event model would have
 * (threads_read_all), a batch of connections at a time.  Before sleeping, the dirty
 * connections are written in parallel the same way (threads_write_dirty).  The phases never overlap, so no lock guards the
 * server or a connection: during one, a worker touches only its jobs' connections
 * (socket, TLS, framer, output queue) and its own arena, and iothreads_run orders
 * everything before and after.  Connections are created and freed on this thread only,
 * between phases, so their ids stay the descriptors.  iothreads.c is the pool.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/server.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/iothreads.h"
#include "net/log.h"

#define IO_ARENA_KEEP	65536		/* an arena larger than this is freed after use */
#define IO_READ_BATCH	64		/* connections read per parallel phase */
#define IO_HEAD_MAX	((sizeof(size_t) * 8 + 6) / 7)	/* bytes of a record's head */

/*
 * A worker's lines of this turn, back to back, each as a head, then the line's bytes and
 * a NUL.  The head is len + 1 (0: a line over the limit, with no bytes and no NUL) in
 * 7-bit groups, low first, the high bit set on all but the last: one byte for a line
 * under 127 bytes, two up to line_max.  A record is then at most 1.5 times the input
 * that made it ("a\n"), where a size_t head made it 5 times.
 */
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

/* Write v as a record's head at p; returns its length. */
static size_t
threads_head_put(char *p, size_t v)
{
	size_t	n = 0;

	while (v >= 0x80) {
		p[n++] = (char)(0x80 | (v & 0x7f));
		v >>= 7;
	}
	p[n++] = (char)v;
	return n;
}

/* Read the head at p into *v; returns its length. */
static size_t
threads_head_get(const char *p, size_t *v)
{
	size_t		n = 0;
	unsigned char	b;

	*v = 0;
	do {
		b = (unsigned char)p[n];
		*v |= (size_t)(b & 0x7f) << (7 * n);
		n++;
	} while (b & 0x80);
	return n;
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
	size_t			 need = IO_HEAD_MAX + len + 1;

	if (a->cap - a->len < need && !threads_arena_grow(a, need)) {
		a->lost = true;
		return true;
	}
	if (too_long) {
		a->len += threads_head_put(a->buf + a->len, 0);
		return true;
	}
	a->len += threads_head_put(a->buf + a->len, len + 1);
	memcpy(a->buf + a->len, line, len);
	a->buf[a->len + len] = '\0';
	a->len += len + 1;
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
	size_t			 head;

	/* Released since (reaped), or no longer open: skip.  Nothing is accepted during
	 * this phase, so a descriptor still in the table is the same connection. */
	if ((c = conn_table_get(&srv->conns, (uint64_t)job->fd)) == NULL ||
	    c->state != CONN_OPEN || !session_read_done(srv, c, job->n))
		return;
	p = a->buf + job->first;
	end = a->buf + job->end;
	while (p < end && c->state == CONN_OPEN) {
		p += threads_head_get(p, &head);
		if (head == 0) {
			core_line_too_long(srv->core, c->client, server_now(srv));
			continue;
		}
		core_line(srv->core, c->client, p, head - 1, server_now(srv));
		p += head;
	}
	if (job->lost)
		log_warnx("fd %d: out of memory for input, dropped", job->fd);
}

/*
 * Read the collected connections jobs[from ..< from + count] in parallel, then feed the
 * core their lines.  Those released or closed since they were collected (by an earlier
 * batch's lines) are skipped.  The batch's jobs move to the front, over the finished
 * ones of earlier batches, where the workers find them.
 */
static void
threads_read_batch(struct net_server *srv, size_t from, size_t count)
{
	struct threads	*t = srv->threads;
	unsigned	 nworkers = iothreads_count(t->io);
	struct conn	*c;
	size_t		 n = 0;

	for (size_t j = from; j < from + count; j++) {
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
}

/*
 * The events_done hook: read the collected connections and feed the core, at most
 * IO_READ_BATCH at a time, so that the arenas hold at most that many reads' lines
 * (64 x NET_READ_MAX x 1.5: 1.5 MiB) however many connections were readable.
 */
static void
threads_read_all(struct net_server *srv)
{
	struct threads	*t = srv->threads;
	unsigned	 nworkers = iothreads_count(t->io);

	for (size_t from = 0; from < t->njobs; from += IO_READ_BATCH)
		threads_read_batch(srv, from, t->njobs - from < IO_READ_BATCH ?
		    t->njobs - from : IO_READ_BATCH);
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
