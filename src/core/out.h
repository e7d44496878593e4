#ifndef PARLEY_CORE_OUT_H
#define PARLEY_CORE_OUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct job;

/*
 * The only way the core speaks to the world.  A driver (net/, or a test fixture) fills one
 * of these and hands it to core_new(); the core never touches a descriptor itself.
 */
enum log_level {
	PLOG_ERROR,
	PLOG_WARN,
	PLOG_INFO,
	PLOG_DEBUG,
};

/* What an operator asked of the process (REHASH, DIE, RESTART). */
enum core_request {
	CORE_REQUEST_REHASH,	/* reload the configuration, as on SIGHUP */
	CORE_REQUEST_DIE,	/* shut down, as on SIGTERM */
	CORE_REQUEST_RESTART,	/* shut down, then run the program anew */
};

struct core_out {
	void	*ctx;

	/*
	 * Queue len bytes (one or more whole lines, CRLF included) for connection conn.  The
	 * bytes are copied before the call returns.  The driver may decide the connection is
	 * over (sendq exceeded); it then reports that with core_closed() after the current
	 * core call has returned, never from inside queue.
	 */
	void	(*queue)(void *ctx, uint64_t conn, const char *buf, size_t len);

	/*
	 * The same as queue for each of the n connections in conns, in that order: one line
	 * for many receivers (a channel's members), which a driver can copy once for all.
	 */
	void	(*queue_many)(void *ctx, const uint64_t *conns, size_t n, const char *buf,
		    size_t len);

	/*
	 * Stop reading from conn, flush what is queued, then close it.  The core has already
	 * forgotten the connection: the driver must not pass it to the core again.
	 */
	void	(*hangup)(void *ctx, uint64_t conn, const char *reason);

	/* Optional (may be NULL): a log line from the core, without a newline. */
	void	(*log)(void *ctx, enum log_level level, const char *fmt, va_list ap);

	/*
	 * An operator's request, with a reason for logs and ERROR lines ("DIE by alice").
	 * The driver records it and acts only after the current core call has returned:
	 * reloading or shutting down from inside the core would pull its state away.
	 */
	void	(*request)(void *ctx, enum core_request req, const char *reason);

	/*
	 * Optional (may be NULL: the core then runs jobs itself, at once): run job off the
	 * core's thread, with job_run(), and hand it back to core_job_done() once it has
	 * run, on the core's thread and never from inside this call (core/job.h has the
	 * ownership rules).  Returns 0 when the driver took the job, or -errno (-ENOMEM,
	 * -ESHUTDOWN) when it did not: the core then keeps it and runs it itself.
	 */
	int	(*job)(void *ctx, struct job *job);

	/*
	 * Optional (may be NULL): conn's client has just registered, before its welcome is
	 * queued.  A driver may hold an unregistered connection to tighter limits (a
	 * smaller sendq) and lift them here.  Called once per connection at most.
	 */
	void	(*registered)(void *ctx, uint64_t conn);

	/*
	 * Optional (NULL: a single server; core/cluster.h): send one node-to-node line,
	 * without CR LF, to the node named node, or to every other node when node is NULL.
	 * The bytes are copied before the call returns; nothing is sent back from inside it.
	 */
	void	(*peer)(void *ctx, const char *node, const char *line, size_t len);
};

#endif
