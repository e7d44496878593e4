#ifndef PARLEY_CORE_HISTORY_H
#define PARLEY_CORE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/history_rec.h"
#include "core/map.h"

/*
 * History on the hot path (history.c): the lines a turn relays are collected here and
 * go to the store as one append job per turn (history_flush, from core_tick), which the
 * store thread commits in one transaction.  Also who may read what (identities), and
 * the retention timer.
 */
struct core;
struct client;
struct channel;

/* The core's history state, inside struct core. */
struct history_state {
	struct history_rec	*buf;		/* lines not yet handed to the store */
	size_t			 n;
	size_t			 cap;
	uint64_t		 batch_next;	/* chathistory batch ids */
	uint64_t		 event_next;	/* events' msgids */
	int64_t			 last_time;	/* the last line's time: times never go
						   back, so time order is the order said */
	int64_t			 pruned_at;	/* when retention last ran (now) */
	bool			 pruning;	/* a prune job is in flight */
	bool			 appending;	/* an append job is in flight: lines
						   gather until it is done */
	size_t			 dropped;	/* lines not kept meanwhile: the buffer
						   was full (the store fell behind) */
	struct map		 markers;	/* "account target" -> struct
						   history_mark: every read marker */
	history_name		*touched;	/* channels with lines since then, for */
	size_t			 ntouched;	/* history_max_lines; at most */
};						/* HISTORY_TOUCHED_MAX */

/* Start with nothing buffered and no marker (core_new); hash_key as the maps'. */
void	history_init(struct core *core, const uint8_t *hash_key);

/* Free what is buffered and the markers (core_free). */
void	history_free(struct core *core);

/* history_marker.c: free every marker (history_free). */
void	history_markers_free(struct core *core);

/* The read marker of a folded account for a folded target: wall ms, 0 for none. */
int64_t	history_marker(const struct core *core, const char *account, const char *target);

/* Keep the marker m (a time older than the one kept changes nothing).  0, or -1 out of
 * memory. */
int	history_marker_keep(struct core *core, const struct history_marker *m);

/* cl joins ch: with draft/read-marker, its MARKREAD for ch (before the names end). */
void	history_join_marker(struct core *core, struct client *cl,
	    const struct channel *ch);

/* Whether history is kept at all (a store, [history] enabled). */
bool	history_on(const struct core *core);

/* Whether lines to ch are kept: history on, and ch not +W. */
bool	history_channel_on(const struct core *core, const struct channel *ch);

/* cl's identity (history_rec.h) into buf (HISTORY_IDENT_MAX + 1 bytes). */
void	history_ident(const struct core *core, const struct client *cl, char *buf);

/*
 * The message relayed now (between tags_message on and off: its msgid and client
 * tags) from cl, to ch or to the client to, as line (len bytes, with CR LF): keep it,
 * unless the configuration or the channel says not to.  Out of memory, it is lost.
 */
void	history_note(struct core *core, const struct client *cl, const struct channel *ch,
	    const struct client *to, bool tagmsg, const char *line, size_t len);

/* Part n (from 0) of a draft/multiline message from cl, as its fallback PRIVMSG line:
 * kept like history_note's, part 0 under the message's msgid, the others under
 * "MSGID-n". */
void	history_note_part(struct core *core, const struct client *cl,
	    const struct channel *ch, const struct client *to, unsigned n,
	    const char *line, size_t len);

/* An event of cl's (JOIN, PART, KICK, MODE, TOPIC) shown to ch's members as line:
 * keep it for draft/event-playback, unless ch keeps no history. */
void	history_event(struct core *core, const struct client *cl,
	    const struct channel *ch, const char *line, size_t len);

/* An event of cl's shown in every channel it is in (NICK, QUIT): one line each. */
void	history_event_channels(struct core *core, const struct client *cl,
	    const char *line, size_t len);

/* Channel from is now to (RENAME): its history follows it, in a job of the core's. */
void	history_rename(struct core *core, const char *from, const char *to, int64_t now);

/* Hand the buffered lines to the store, one job for all, now: before a query, a
 * redaction or a rename that must see them, and at shutdown. */
void	history_flush(struct core *core, int64_t now);
/* The same, every turn, unless an append is still in flight: then the lines gather
 * into the next batch, sent when it is done (at most a full buffer; more are not
 * kept, and the log says how many). */
void	history_turn(struct core *core, int64_t now);

/* Retention: start a prune job when one is due.  Returns the next deadline or -1. */
int64_t	history_tick(struct core *core, int64_t now);

#endif
