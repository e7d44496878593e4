#ifndef PARLEY_CORE_HISTORY_REC_H
#define PARLEY_CORE_HISTORY_REC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/msg.h"
#include "core/records.h"

/*
 * What the store keeps of a conversation (docs/history.md), as the core and every store
 * backend see it: one record per message, never one per recipient, and the questions
 * the history jobs (job.h) ask about them.  Plain values, like records.h: a batch of
 * them travels to the store thread and back behind a pointer the job owns.
 *
 * A channel's line has channel set.  A private line has channel "" and names both ends:
 * their nicks (folded) and their identities.  An identity is "a:" and the folded
 * account for a logged-in user, or "s:" and a name unique to one connection for anyone
 * else, so that a stranger who takes a freed nick never shares an identity with its
 * last holder.  A private line is readable only by the identities at its ends.
 */
#define HISTORY_IDENT_MAX	(ACCOUNT_NAME_MAX + 2)
#define HISTORY_MSGID_MAX	39
/* The sender's client-only tags kept with a line: whole tags, as many as fit (a client
 * may send MSG_TAGS_MAX_CLIENT bytes; reactions and replies take a few dozen). */
#define HISTORY_TAGS_MAX	511
#define HISTORY_LINE_MAX	MSG_BODY_MAX

struct history_rec {
	int64_t	id;				/* the store's order; 0 until stored */
	int64_t	time;				/* wall clock ms (server-time) */
	char	msgid[HISTORY_MSGID_MAX + 1];
	char	channel[CONFIG_CHANNELLEN_MAX + 1];	/* folded; "" = private */
	char	from_nick[CONFIG_NICKLEN_MAX + 1];	/* folded */
	char	to_nick[CONFIG_NICKLEN_MAX + 1];	/* folded; private lines */
	char	from_ident[HISTORY_IDENT_MAX + 1];
	char	to_ident[HISTORY_IDENT_MAX + 1];	/* private lines */
	char	account[ACCOUNT_NAME_MAX + 1];		/* the sender's; "" = none */
	bool	event;		/* JOIN, PART, KICK, MODE, TOPIC, NICK, QUIT: only
				   for draft/event-playback */
	char	tags[HISTORY_TAGS_MAX + 1];		/* kept client-only tags, escaped */
	char	line[HISTORY_LINE_MAX + 1];		/* ":src VERB target ..." no CR LF */
};

/* Where a query starts or ends: a msgid, or a time (the whole range for "*"). */
struct history_point {
	int64_t	time;				/* wall ms; INT64_MIN / INT64_MAX: open */
	char	msgid[HISTORY_MSGID_MAX + 1];	/* "" = by time */
};

enum history_sel {
	HISTORY_LATEST,		/* the last limit lines after a (open: all) */
	HISTORY_BEFORE,		/* the last limit lines before a */
	HISTORY_AFTER,		/* the first limit lines after a */
	HISTORY_AROUND,		/* limit lines around a, half before it */
	HISTORY_BETWEEN,	/* limit lines strictly between a and b, from a's side */
};

/*
 * One conversation's lines, oldest first in the result.  For a channel, channel is set;
 * for a private conversation, ident is the reader's identity and peer the other end's
 * folded nick.  A msgid that names no line of the conversation: status -ENOENT.
 */
struct history_query {
	enum history_sel	sel;
	char			channel[CONFIG_CHANNELLEN_MAX + 1];
	char			ident[HISTORY_IDENT_MAX + 1];
	char			peer[CONFIG_NICKLEN_MAX + 1];
	struct history_point	a;
	struct history_point	b;		/* BETWEEN; a may be the later end */
	unsigned		limit;
	bool			events;		/* events too (draft/event-playback) */
};

/*
 * CHATHISTORY TARGETS: the private peers of ident with their latest line in the range,
 * and the given channels with theirs.  The result's records carry the target in
 * channel (a folded channel name) or from_nick (a peer), and the time; latest first,
 * at most limit.
 */
#define HISTORY_TARGETS_CHANNELS	64
struct history_targets {
	char		ident[HISTORY_IDENT_MAX + 1];
	int64_t		from;		/* wall ms, exclusive */
	int64_t		to;		/* wall ms, exclusive */
	unsigned	limit;
	unsigned	nchannels;
	char		channels[HISTORY_TARGETS_CHANNELS][CONFIG_CHANNELLEN_MAX + 1];
};

/* REDACT: delete the line msgid of a conversation; anyone's (an operator of the
 * channel) when author is "", else only author's (its from_ident).  -ENOENT: no such
 * line; -EPERM: the line is someone else's. */
struct history_redact {
	char	channel[CONFIG_CHANNELLEN_MAX + 1];	/* folded; "" = private */
	char	ident[HISTORY_IDENT_MAX + 1];		/* private: the reader */
	char	peer[CONFIG_NICKLEN_MAX + 1];		/* private: the other end */
	char	author[HISTORY_IDENT_MAX + 1];
	char	msgid[HISTORY_MSGID_MAX + 1];
	char	reason[MSG_BODY_MAX + 1];		/* the core's, for the relay */
};

/*
 * Retention: delete at most limit of the lines older than before (wall ms; INT64_MIN:
 * none by age), and of each of the nchannels channels (folded names, behind a pointer
 * the job owns) the lines beyond its newest max_lines.  The result's count says how
 * many went.
 */
typedef char	history_name[CONFIG_CHANNELLEN_MAX + 1];
struct history_prune {
	int64_t		 before;
	unsigned	 limit;
	unsigned	 max_lines;	/* 0: no cap */
	history_name	*channels;
	size_t		 nchannels;
};

/* RENAME (draft/channel-rename): a channel's lines move to its new name (folded). */
struct history_rename {
	char	from[CONFIG_CHANNELLEN_MAX + 1];
	char	to[CONFIG_CHANNELLEN_MAX + 1];
};

/* MARKREAD: an account's read marker for a target (folded), a wall ms time. */
struct history_marker {
	char	account[ACCOUNT_NAME_MAX + 1];
	char	target[CONFIG_CHANNELLEN_MAX + 1];
	int64_t	time;				/* 0 = none set */
};

#endif
