/*
 * The core's output interface over the driver: the one way the core reaches net/.  The
 * callbacks only record: queue appends bytes and marks the connection dirty (it is
 * written before the loop sleeps), hangup changes its state, request notes an operator's
 * REHASH, DIE or RESTART for the driver to act on after the core call (control.c).
 *
 * A line for many (queue_many: a channel's members) is copied once, into the turn's
 * arena, and every receiver's queue refers to it.  Each write settles what it left
 * referred to, so the arena is free again once the turn's output is flushed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/job.h"
#include "core/server.h"
#include "net/conn.h"
#include "net/driver.h"
#include "net/jobs.h"
#include "net/log.h"
#include "net/store_thread.h"

static void	out_log(void *, enum log_level, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

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
	if (!c->registered && srv->cfg.sendq_unregistered < sendq)
		sendq = srv->cfg.sendq_unregistered;
	if (len > sendq || outq_held(&c->outq) > sendq - len) {
		session_kill(srv, c, "SendQ exceeded");
		return NULL;
	}
	return c;
}

/* After a push to c's queue that returned rv: write it before sleeping, or kill it. */
static void
out_pushed(struct net_server *srv, struct conn *c, int rv)
{
	if (rv == -1)
		session_kill(srv, c, "Out of memory");
	else
		session_dirty(srv, c);
}

static void
out_queue(void *ctx, uint64_t id, const char *buf, size_t len)
{
	struct net_server	*srv = ctx;
	struct conn		*c;

	srv->counted.lines_out++;
	if ((c = out_target(srv, id, len)) != NULL)
		out_pushed(srv, c, c->web != NULL ? web_ws_queue(c, buf, len) :
		    outq_push(&c->outq, buf, len));
}

/*
 * The line is copied once, into the turn's arena, and each queue refers to it; for
 * WebSocket receivers its frames are (web_ws.c).  Each is copied only when a receiver
 * needs it, so that a turn's lines for TCP receivers stay side by side in the arena
 * (and a queue's references to them join), as do a WebSocket receiver's frames.
 */
static void
out_queue_many(void *ctx, const uint64_t *ids, size_t n, const char *buf, size_t len)
{
	struct net_server	*srv = ctx;
	const char		*line = NULL;
	struct web_shared	 sh = { { NULL, NULL }, { 0, 0 }, { false, false } };
	struct conn		*c;
	bool			 copied = false;

	/* Once per line however many receive it: nothing is counted per receiver. */
	srv->counted.lines_out += n;
	for (size_t i = 0; i < n; i++) {
		if ((c = out_target(srv, ids[i], len)) == NULL)
			continue;
		if (c->web != NULL) {
			out_pushed(srv, c, web_ws_queue_shared(srv, c, buf, len, &sh));
			continue;
		}
		if (!copied) {
			line = outq_arena_copy(&srv->shared, buf, len);
			copied = true;
		}
		out_pushed(srv, c, line != NULL ? outq_push_shared(&c->outq, line, len) :
		    outq_push(&c->outq, buf, len));
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
	web_ws_hangup(srv, c);
	if (c->state == CONN_OPEN)
		session_closing(srv, c);
}

/* From now on c may queue up to the whole sendq. */
static void
out_registered(void *ctx, uint64_t id)
{
	struct conn	*c = conn_table_get(&((struct net_server *)ctx)->conns, id);

	if (c != NULL)
		c->registered = true;
}

static void
out_log(void *ctx, enum log_level level, const char *fmt, va_list ap)
{
	(void)ctx;
	log_vmsg(level, fmt, ap);
}

/* An operator's REHASH, DIE or RESTART: control_requests acts after the core call. */
static void
out_request(void *ctx, enum core_request req, const char *reason)
{
	struct net_server	*srv = ctx;

	srv->requests |= 1u << req;
	if (req != CORE_REQUEST_REHASH)
		snprintf(srv->request_reason, sizeof(srv->request_reason), "%s", reason);
}

/*
 * A job for the pool, or a store job for the store thread; its result comes back
 * through out_jobs_event or out_store_event.  Without a store, a store job is refused:
 * the core runs it at once and job_run answers -ENOSYS.
 */
static int
out_job(void *ctx, struct job *job)
{
	struct net_server	*srv = ctx;
	int			 rc;

	if (!JOB_IS_STORE(job->kind))
		rc = jobs_submit(srv->pool, job);
	else if (srv->store == NULL)
		return -ENOSYS;
	else
		rc = store_thread_submit(srv->store, job);
	if (rc == 0) {
		srv->counted.jobs_submitted++;
		metrics_job_submitted(srv, job);
	}
	return rc;
}

static void
job_deliver(void *arg, struct job *job)
{
	struct net_server	*srv = arg;

	srv->counted.jobs_done++;
	metrics_job_done(srv, job);
	core_job_done(srv->core, job, server_now(srv));
}

void
out_jobs_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop, (void)fd, (void)events;
	jobs_drain(((struct net_server *)arg)->pool, job_deliver, arg);
}

void
out_store_event(struct loop *loop, int fd, unsigned events, void *arg)
{
	(void)loop, (void)fd, (void)events;
	store_thread_drain(((struct net_server *)arg)->store, job_deliver, arg);
}

/* A node line for the cluster driver, which copies it into its message. */
static void
out_peer(void *ctx, const char *node, const char *line, size_t len)
{
	cluster_peer(ctx, node, line, len);
}

struct core_out
out_interface(struct net_server *srv)
{
	/* A single server has no peer: the core then never speaks to other nodes. */
	return (struct core_out){ srv, out_queue, out_queue_many, out_hangup, out_log,
	    out_request, out_job, out_registered,
	    srv->cfg.cluster.nurls > 0 ? out_peer : NULL };
}
