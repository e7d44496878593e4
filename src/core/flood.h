#ifndef PARLEY_CORE_FLOOD_H
#define PARLEY_CORE_FLOOD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Flood control: a penalty clock per client, in the style of classic ircds.  Every line
 * moves the client's clock flood_interval ahead (from now, if it lagged behind), and a
 * command costs more lines than one when it costs the server more (struct command's
 * cost; a failed OPER more still; a reply of many lines one more line for each
 * FLOOD_REPLY_BYTES it queued); while the clock is at most flood_burst lines ahead of
 * now, lines run at once.  Past that the core keeps owned copies of the client's lines
 * in order and runs them from core_tick() as their time comes (fakelag); a client whose
 * delayed lines would exceed flood_queue bytes is disconnected with "Excess Flood".
 * Unregistered clients are limited from their first line, with a burst of at most
 * FLOOD_UNREGISTERED_BURST lines (enough to register) and at most
 * FLOOD_UNREGISTERED_QUEUE bytes of delayed lines; registering starts the burst
 * afresh and lifts the queue to flood_queue.  IRC operators are not slowed;
 * flood_burst = 0 turns it off.  Lines from a client with a job in flight
 * (job_owner.h) wait the same way, whoever it is, until the job's result is in.
 */
#define FLOOD_UNREGISTERED_BURST	10	/* CAP LS/REQ/END, PASS, NICK, USER, ... */
#define FLOOD_UNREGISTERED_QUEUE	2048	/* a few lines pipelined behind USER */
#define FLOOD_REPLY_BYTES		4096	/* a command's reply costs a line per this */

struct core;
struct client;

enum flood_verdict {
	FLOOD_RUN,	/* run the line now (it has been charged) */
	FLOOD_QUEUED,	/* a copy waits in cl's queue */
	FLOOD_EXCESS,	/* the queue would overflow: disconnect with "Excess Flood" */
	FLOOD_NOMEM,	/* no memory for the copy */
};

/* Decide what happens to a line of len bytes (line[len] is NUL) from cl at now. */
enum flood_verdict	flood_line(struct core *core, struct client *cl, const char *line,
			    size_t len, int64_t now);

/* Charge cl's clock lines more lines at now: a command's cost beyond its line, or a
 * failure's penalty.  Clients that are not slowed are not charged. */
void			flood_charge(struct core *core, struct client *cl, unsigned lines,
			    int64_t now);

/* cl has just registered: what it spent before is forgiven, so that its first burst
 * as a user is whole (lines still waiting then run at the registered rate). */
void			flood_registered(struct client *cl, int64_t now);

/* Run the delayed lines due at now.  Returns when the next one is due, or -1. */
int64_t			flood_tick(struct core *core, int64_t now);

/* The state snapshot (snapshot.c): each of cl's delayed lines, oldest first, to fn; and
 * a line put back at the end of cl's queue as it was (not charged, not counted).
 * flood_restore returns 0, or -1 out of memory. */
void			flood_each(const struct client *cl,
			    void (*fn)(void *arg, const char *line, size_t len), void *arg);
int			flood_restore(struct core *core, struct client *cl,
			    const char *line, size_t len);
/* Free cl's delayed lines and take it off the core's list of delayed clients. */
void			flood_clear(struct client *cl);

#endif
