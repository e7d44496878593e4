#ifndef PARLEY_CORE_SERVER_H
#define PARLEY_CORE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/history_rec.h"
#include "core/job.h"
#include "core/out.h"

/*
 * The IRC server as a state machine, without I/O.  A driver feeds it six kinds of event;
 * it answers only through the core_out it was given.  No globals: any number of servers
 * may live in one process.  `now` is a monotonic time in milliseconds, read by the driver.
 */
struct core;
struct client;

/* A new server.  cfg is copied (the MOTD text too); out must outlive the server.
 * Returns NULL when out of memory. */
struct core	*core_new(const struct core_config *cfg, const struct core_out *out);

/* Free the server and every client and channel in it, without sending anything. */
void		 core_free(struct core *core);

/* Apply a reloaded configuration (SIGHUP).  Limits apply from the next action on;
 * nothing already in place is cut down.  Returns 0, or -1 when out of memory (the old
 * configuration stays). */
int		 core_configure(struct core *core, const struct core_config *cfg);

/* A connection arrived from host (numeric address text).  Returns the client handle the
 * driver passes back with every later event, or NULL when out of memory (the driver then
 * closes the connection). */
struct client	*core_open(struct core *core, uint64_t conn, const char *host, int64_t now);

/* cl's connection is TLS (call before its first line): WHOIS shows it secure, and
 * certfp, the client certificate's SHA-256 fingerprint in hex (NULL: none), is shown to
 * cl and operators (WHOIS 276) and matched by operator blocks' certfp. */
void		 core_secure(struct core *core, struct client *cl, const char *certfp);

/* One line arrived, without its CR LF.  line is the driver's buffer, NUL-terminated at
 * line[len], and may be modified by the core; it is not kept after the call.  Lines with
 * NUL bytes inside or longer than the protocol allows are answered, never trusted. */
void		 core_line(struct core *core, struct client *cl, char *line, size_t len,
		    int64_t now);

/* The framer dropped a line longer than the input limit: answer ERR_INPUTTOOLONG. */
void		 core_line_too_long(struct core *core, struct client *cl, int64_t now);

/*
 * At start, before the first connection: what the store holds (store/store.h's
 * visitor), so that the core knows the registered accounts and channels without waiting
 * on disk.  Each returns 0, or -1 out of memory.
 */
int		 core_restore_account(struct core *core, const char *name);
int		 core_restore_channel(struct core *core, const struct chanreg_rec *rec);
int		 core_restore_entry(struct core *core, const struct chanreg_entry *entry);
/* An always-on user (session.h), back without a connection, away as it was, in its
 * channels; skipped when always_on is off, its account gone or its nick taken. */
int		 core_restore_presence(struct core *core, const struct presence_rec *rec);
/* An account's own multiclient and always-on choices (NickServ SET). */
int		 core_restore_account_opts(struct core *core, const struct account_opts *o);
/* history: an account's read marker (history_rec.h; folded names). */
int		 core_restore_marker(struct core *core, const struct history_marker *m);

/* The connection is gone (EOF, error, sendq exceeded).  The core tells the client's peers
 * (QUIT with reason) and frees cl; it does not call out->hangup for it. */
void		 core_closed(struct core *core, struct client *cl, const char *reason);

/* A job the core gave out->job has run (job_run): act on its result, for its client if
 * that is still there, and free the job.  The driver hands results back in the order
 * they finish; lines the client sent meanwhile waited and run at the next core_tick. */
void		 core_job_done(struct core *core, struct job *job, int64_t now);

/* Tell the core the wall clock (ms since the epoch) that goes with `now`, for the times it
 * shows users (topic set, signon).  Until called, the wall clock is taken to equal now. */
void		 core_clock(struct core *core, int64_t now, int64_t wall);

/* Run the timeouts due at now (registration, PING, ping timeout).  Returns the time of the
 * next deadline, or -1 when there is none. */
int64_t		 core_tick(struct core *core, int64_t now);

/* The old process of an upgrade, for a client whose connection it cannot hand over
 * (TLS 1.2): cl gets ERROR with reason, the driver is told to close the connection, and cl
 * is freed without a word to anyone else (the new process tells its peers). */
void		 core_hangup(struct core *core, struct client *cl, const char *reason);

/* Shutting down: send every client ERROR with reason and close it (out->hangup). */
void		 core_shutdown(struct core *core, const char *reason);

/* Number of connected clients, registered or not. */
size_t		 core_client_count(const struct core *core);

/* Why clients have gone, for the counters below (h-ops). */
enum core_gone {
	CORE_GONE_QUIT,		/* QUIT */
	CORE_GONE_PING,		/* ping or registration timeout */
	CORE_GONE_SENDQ,	/* SendQ exceeded */
	CORE_GONE_FLOOD,	/* Excess Flood */
	CORE_GONE_KILLED,	/* an operator's KILL */
	CORE_GONE_CLOSED,	/* the connection ended (EOF, an error) */
	CORE_GONE_OTHER,	/* refused at registration, shutdown, anything else */
	CORE_GONE_KINDS
};

/* What the core counts, for the driver's status and metrics (h-ops).  The counters
 * only grow, from core_new. */
struct core_stats {
	size_t		 clients;	/* connections, registered or not (multiclient:
					 * each session one, a hollow user none) */
	size_t		 registered;	/* registered connections */
	size_t		 channels;
	size_t		 opers;		/* registered clients with +o */
	uint64_t	 lines_in;	/* lines received from clients */
	uint64_t	 registrations;	/* clients that completed registration */
	uint64_t	 flood_delayed;	/* lines flood control held back */
	uint64_t	 gone[CORE_GONE_KINDS];	/* clients that left, by why */
};

/* A snapshot of the counts (O(clients): walks them for the operators). */
void		 core_stats(const struct core *core, struct core_stats *st);

#endif
