#ifndef PARLEY_TESTS_FIXTURE_CORE_H
#define PARLEY_TESTS_FIXTURE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/server.h"

struct store;

/*
 * A core driven by hand: a fake driver that records every byte the core queues for each
 * connection, and a clock the test sets.  Connections are numbered from 1.  Jobs
 * (out->job) are kept in submission order and run when the test says (fx_jobs_run); until
 * a test sets hold_jobs, every fx_line and fx_advance runs them at once, as a driver's
 * next turn would.  Store jobs (JOB_IS_STORE) run through a memory store of the
 * fixture's own (fx->store), in the same order as the others; a test that sets store_fail
 * (-EIO, -ENOSPC) makes every write fail with that status until it sets 0 again.
 */
#define FX_CONNS	16
#define FX_JOBS		64

struct fx_conn {
	struct client	*client;
	char		*out;		/* everything queued since the last fx_take */
	size_t		 len;
	bool		 closed;	/* the core asked to close it */
	bool		 registered;	/* out->registered came for it, */
	size_t		 registered_at;	/* when len bytes had been queued since a take */
	char		 reason[256];
};

struct fx {
	struct core		*core;
	struct core_config	 cfg;
	struct core_out		 out;
	struct fx_conn		 conns[FX_CONNS + 1];
	unsigned		 nconns;
	int64_t			 now;
	char			*taken;		/* last fx_take result, freed by the next */
	unsigned		 nrequests;	/* out->request calls so far */
	enum core_request	 request;	/* the last one, and its reason */
	char			 request_reason[256];
	struct job		*jobs[FX_JOBS];	/* submitted, not run yet */
	unsigned		 njobs;
	bool			 hold_jobs;	/* leave jobs to fx_jobs_run */
	struct store		*store;		/* store_memory, for the store's jobs */
	int			 store_fail;	/* every write fails with it; 0 = none */
	/* out->peer (core/cluster.h), for a test's bus between cores; NULL: dropped */
	void			(*peer)(struct fx *fx, const char *node, const char *line,
				    size_t len);
	void			*peer_ctx;
};

/* A server with the default configuration, adjusted by edit when not NULL. */
struct fx	*fx_new(void (*edit)(struct core_config *));
void		 fx_free(struct fx *fx);

/* Open a connection from 127.0.0.1; returns its number. */
unsigned	 fx_connect(struct fx *fx);
/* Feed one line (without CR LF). */
void		 fx_line(struct fx *fx, unsigned c, const char *line);
/* Feed a line of exactly len bytes (may hold NULs). */
void		 fx_bytes(struct fx *fx, unsigned c, const char *line, size_t len);
/* Connect and register as nick (user "u"), then drop the welcome burst. */
unsigned	 fx_client(struct fx *fx, const char *nick);
/* What was queued for c since the last take, as one string; valid until the next take. */
const char	*fx_take(struct fx *fx, unsigned c);
/* Drop what was queued for every connection. */
void		 fx_drain(struct fx *fx);
/* The driver reports c gone (EOF). */
void		 fx_drop(struct fx *fx, unsigned c, const char *reason);
/* Advance the clock by ms and run the timers. */
void		 fx_advance(struct fx *fx, int64_t ms);
/* Run the jobs submitted so far, hand each result back (core_job_done), in the order
 * they were submitted, then run the timers (core_tick) as a driver's turn does.  Returns
 * how many ran. */
unsigned	 fx_jobs_run(struct fx *fx);

#endif
