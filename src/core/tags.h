#ifndef PARLEY_CORE_TAGS_H
#define PARLEY_CORE_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cap.h"
#include "core/msg.h"

/*
 * Outgoing IRCv3 message tags, added where lines leave the core (send_line and the
 * fanouts) rather than by each command.  The core keeps one tag context per event: the
 * event's time (server-time), and while a command is relaying a PRIVMSG, NOTICE or
 * TAGMSG, its msgid and the sender's client-only tags (message-tags).  Each recipient
 * gets exactly the tags its capabilities ask for; a client that negotiated none of
 * TAGS_CAPS gets the line untouched, at the cost of one test.
 *
 * labeled-response: while a labeled command from a client with labeled-response and
 * batch runs, the lines for that client are held back one at a time: none becomes a
 * labeled ACK, one is sent with the label, more open a labeled-response batch.  Lines
 * for other clients are not affected.
 */

struct core;
struct client;

/* The capabilities that change what send_line writes. */
#define TAGS_CAPS	(CAP_BIT(CAP_SERVER_TIME) | CAP_BIT(CAP_MESSAGE_TAGS) | \
			 CAP_BIT(CAP_ACCOUNT_TAG) | CAP_BIT(CAP_LABELED_RESPONSE))

#define TAGS_LABEL_MAX	64	/* label bytes, unescaped (labeled-response) */
#define TAGS_SERVER_MAX	510	/* tag data a server may add (message-tags) */
/* Tag data on a line out: the server's, ';', the client's relayed tags. */
#define TAGS_DATA_MAX	(TAGS_SERVER_MAX + 1 + MSG_TAGS_MAX_CLIENT)
/* A tagged line: '@', the tag data, ' ', the line with its CR LF, a NUL. */
#define TAGS_LINE_MAX	(1 + TAGS_DATA_MAX + 1 + MSG_BODY_MAX + 1)
#define TAGS_MSGID_MAX	40

/* The tag groups one recipient may get; a fanout formats each combination once. */
#define TAGS_TIME	0x1	/* server-time: time= */
#define TAGS_ACCOUNT	0x2	/* account-tag: account=, on a message from a logged-in user */
#define TAGS_MESSAGE	0x4	/* message-tags: msgid= and the client-only tags */
#define TAGS_VARIANTS	8

enum tags_label_state {
	TAGS_LABEL_NONE,	/* nothing sent to the requester yet */
	TAGS_LABEL_HELD,	/* one line held back */
	TAGS_LABEL_BATCH,	/* a labeled-response batch is open */
};

struct tags_event {
	int64_t			 now;
	char			 time[32];	/* "2026-11-29T04:05:06.789Z", "" until needed */
	bool			 message;	/* lines sent now are the relayed message */
	char			 msgid[TAGS_MSGID_MAX];
	const char		*account;	/* the message's sender's account, or NULL */
	bool			 bot;		/* the sender is a bot (+B): the bot tag */
	uint64_t		 msgid_seed;	/* core_config.msgid_seed, from core_new */
	uint64_t		 msgid_next;
	char			 client[MSG_TAGS_MAX_CLIENT + 1];	/* relayed '+' tags */
	size_t			 client_len;

	struct client		*labeled;	/* whose replies are collected, or NULL */
	bool			 unlabeled;	/* send to it without the label for now */
	char			 label[2 * TAGS_LABEL_MAX + 1];	/* escaped */
	enum tags_label_state	 label_state;
	uint64_t		 batch_next;
	char			 batch[24];
	char			 held_tags[TAGS_DATA_MAX + 1];
	size_t			 held_tags_len;
	char			 held[MSG_BODY_MAX + 1];
	size_t			 held_len;

	char			 data[TAGS_DATA_MAX + 1];	/* tag data being built */
	char			 line[TAGS_LINE_MAX];	/* one tagged line being sent */
	char			 variant[TAGS_VARIANTS][TAGS_LINE_MAX];	/* fanout copies */
};

/* One line's tagged variants during a fanout: lengths only, the bytes live in the
 * core.  Initialise with tags_cache_init() before the first recipient. */
struct tags_cache {
	size_t	len[TAGS_VARIANTS];	/* 0: not formatted yet */
};

/* The core's lifetime: start the msgid counter from the driver's seed. */
void	tags_init(struct core *core, uint64_t msgid_seed);

/* The time of what happens next, for an event that has no line (timers, closes). */
void	tags_clock(struct core *core, int64_t now);

/*
 * A line from cl, parsed into m, is about to be dispatched at now: keep its client-only
 * tags (when cl negotiated message-tags) and its label (when cl negotiated
 * labeled-response and batch).  tags_event_end() then finishes the labeled reply.
 */
void	tags_event(struct core *core, struct client *cl, const struct msg *m, int64_t now);
/* An event that is a node's line (peer.h): no label, no client tags but a message's. */
void	tags_event_peer(struct core *core, int64_t now);
void	tags_event_end(struct core *core);

/*
 * Lines sent between tags_message(core, source, true) and tags_message(core, NULL,
 * false) are the relayed message itself: each such span gets a new msgid, and they carry
 * the sender's client-only tags and account.
 */
void	tags_message(struct core *core, const struct client *source, bool on);

/* The msgid of the message being relayed now (history.c keeps it). */
const char	*tags_msgid(struct core *core);
/* The event's server-time value ("2026-11-29T04:05:06.789Z"). */
const char	*tags_time(struct core *core);
/* Cluster (peer.h): like tags_message(core, source, true), for a message another node
 * relayed: its msgid, its time and its client-only tags (escaped, ';'-separated; ""
 * for none) as that node gave them, never new ones.  End with tags_message(core, NULL,
 * false).  Values that would not fit are cut, an empty msgid or time is minted. */
void		 tags_message_peer(struct core *core, const struct client *source,
		    const char *msgid, const char *time, const char *client);

/* While on, lines to the labeled requester go out at once without the label: a message
 * a client sends to itself arrives unlabeled, only its echo is labeled. */
void	tags_unlabeled(struct core *core, bool on);

/* The labeled command running now hands its reply to a job: take its label (escaped,
 * into label, at least sizeof(core->tags.label) bytes; "" when it has none) so that
 * no ACK goes out now.  A no-op, giving "", unless cl is the requester. */
void	tags_label_take(struct core *core, const struct client *cl, char *label, size_t cap);
/* The job's result is in: an event for cl at now whose replies carry label (from
 * tags_label_take; "" for none).  End it with tags_event_end(). */
void	tags_event_label(struct core *core, struct client *cl, const char *label,
	    int64_t now);

/* cl is leaving during its own labeled command: send what is held, close the batch.
 * A no-op for any other client. */
void	tags_label_end(struct core *core, struct client *cl);
/* cl is being freed: forget it as a requester. */
void	tags_forget(struct core *core, const struct client *cl);

/* h-proto (draft/multiline): send line to cl with first ("batch=id", or "" for none)
 * as its first tag, then cl's tags for the event but the msgid and client tags, which
 * only a batch's first line carries.  Never held for a label: the caller took it. */
void	tags_send_plain(struct core *core, struct client *cl, const char *first,
	    const char *line, size_t len);
/* The same to the one connection cl (multiclient: a user's own connection or a
 * session), where tags_send_plain() goes as send_line() does (session.h). */
void	tags_send_plain_conn(struct core *core, struct client *cl, const char *first,
	    const char *line, size_t len);

/* send_line for a client with any of TAGS_CAPS. */
void	tags_send(struct core *core, struct client *cl, const char *line, size_t len);

static inline void
tags_cache_init(struct tags_cache *tc)
{
	for (int i = 0; i < TAGS_VARIANTS; i++)
		tc->len[i] = 0;
}

/* tags_send for one recipient of a fanout: each variant is formatted once per line. */
void	tags_send_cached(struct core *core, struct tags_cache *tc, struct client *cl,
	    const char *line, size_t len);

/* The server's ISO 8601 time for wall ms into buf (>= 25 bytes); returns its length. */
size_t	tags_time_format(char *buf, size_t cap, int64_t wall_ms);

#endif
