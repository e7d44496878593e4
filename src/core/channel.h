#ifndef PARLEY_CORE_CHANNEL_H
#define PARLEY_CORE_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/vec.h"

/*
 * Channels and membership, and the access state other commands consult (lists, invites,
 * who may speak).  A channel exists while it has members.
 */
struct core;
struct client;
struct chanreg;

#define CHANNEL_NAME_MAX	CONFIG_CHANNELLEN_MAX	/* the configured limit sits below */

#define MEMBER_OP	0x01
#define MEMBER_VOICE	0x02

struct member {
	struct client	*client;
	struct channel	*channel;
	unsigned	 modes;
};

#define CHANNEL_NO_EXTERNAL	0x01	/* +n */
#define CHANNEL_TOPIC_LOCK	0x02	/* +t */
#define CHANNEL_MODERATED	0x04	/* +m: only voiced members and ops speak */
#define CHANNEL_INVITE_ONLY	0x08	/* +i */
#define CHANNEL_SECRET		0x10	/* +s: hidden from non-members */
#define CHANNEL_PRIVATE		0x20	/* +p */
/* Accounts (account_show.h). */
#define CHANNEL_REGONLY		0x40	/* +R: only users logged in to an account join */
#define CHANNEL_REGMODERATED	0x80	/* +M: only they speak, unless voiced or op */
/* History (history.h): a bit far from the others' so that none collides. */
#define CHANNEL_NO_HISTORY	0x40000000u	/* +W: nothing said here is kept */
#define CHANNEL_KEY_MAX		23	/* +k key bytes kept */
/* h-proto: the modes of issue 20 (chanmode.h says what each does). */
#define CHANNEL_NO_CTCP		0x1000	/* +C: no CTCP but ACTION */
#define CHANNEL_NO_NOTICE	0x2000	/* +T: no NOTICE to the channel */
#define CHANNEL_NO_COLOUR	0x4000	/* +c: messages with colour codes refused */
#define CHANNEL_TLS_ONLY	0x8000	/* +z: only TLS clients may join */
#define CHANNEL_PERMANENT	0x10000	/* +P: stays without members (operators) */

/* One entry of a ban (b), exception (e) or invite-exception (I) list. */
struct channel_entry {
	char	*mask;		/* normalised nick!user@host */
	char	*setter;	/* nick!user@host of who set it */
	int64_t	 time;		/* wall clock, seconds */
	struct client *owner;	/* who set it, while connected (its list_entries) */
};

struct channel {
	char		 name[CHANNEL_NAME_MAX + 1];
	unsigned	 modes;
	char		*topic;		/* NULL when unset */
	char		*topic_setter;	/* nick!user@host */
	int64_t		 topic_time;	/* wall clock, seconds */
	struct vec	 members;	/* struct member * */
	char		 key[CHANNEL_KEY_MAX + 1];	/* +k; "" when unset */
	unsigned	 limit;		/* +l; 0 when unset */
	struct vec	 bans;		/* struct channel_entry * (+b) */
	struct vec	 excepts;	/* (+e) */
	struct vec	 invexes;	/* (+I) */
	struct vec	 invites;	/* uint64_t * client ids INVITEd, until they join */
	int64_t		 created;	/* wall clock seconds (329) */
	/* h-proto: the quiet list, +f and +j (chanmode.c). */
	struct vec	 quiets;	/* struct channel_entry * (+q) */
	char		 forward[CHANNEL_NAME_MAX + 1];	/* +f; "" when unset */
	unsigned	 join_max;	/* +j join_max:join_secs; 0 when unset */
	unsigned	 join_secs;
	unsigned	 join_count;	/* joins since join_window began */
	int64_t		 join_window;	/* `now` of the window's first join */
	struct vec	 metadata;	/* metadata.c: its keys (draft/metadata-2) */
	struct chanreg	*reg;		/* registered (chanreg.h): it outlives its members */
};

/* The channel of that name (any case), or NULL. */
struct channel	*channel_find(struct core *core, const char *name);
/* Whether cl may know ch exists: its members always, others unless it is +s. */
bool		 channel_visible(const struct channel *ch, const struct client *cl);
/* The channel of that name as cl may see it: NULL when there is none, or when it is +s
 * and cl is not in it, so a reply to cl is the same as for no channel at all. */
struct channel	*channel_find_visible(struct core *core, const char *name,
		    const struct client *cl);
/* A new, empty channel in the table, +nt.  Returns it, or NULL out of memory. */
struct channel	*channel_create(struct core *core, const char *name);
/* cl's membership of ch, or NULL. */
struct member	*channel_member(const struct channel *ch, const struct client *cl);
/* Add cl to ch with modes.  Returns the member, or NULL out of memory. */
struct member	*channel_join(struct core *core, struct channel *ch, struct client *cl,
		    unsigned modes);
/* Remove m from its channel and client; the channel is freed once empty. */
void		 channel_part(struct core *core, struct member *m);
/* Free ch if it has no members, is not +P and not registered (a channel exists only
 * while someone is in it, or an operator made it permanent, or ChanServ keeps it). */
void		 channel_free_if_empty(struct core *core, struct channel *ch);
/* Free every channel left (the +P ones once the clients are gone): core_free. */
void		 channel_free_all(struct core *core);
/* The prefix characters for a member's modes ("@", "+" or ""): highest first. */
const char	*channel_prefix(unsigned modes);
/* The prefixes viewer is shown for a member's modes: every one, highest first, when
 * viewer negotiated multi-prefix ("@+"), else the highest only. */
const char	*channel_prefixes(const struct client *viewer, unsigned modes);

/* Free a list entry (struct channel_entry) and its strings, and take it off its
 * owner's list_entries. */
void		 channel_entry_free(struct channel_entry *e);
/* cl leaves: the entries it set stay in their lists, no longer counted as its own. */
void		 channel_entries_disown(struct client *cl);
/* True when cl's nick!user@host matches an entry of list (struct channel_entry *), or
 * cl matches an extended ban there (extban.h). */
bool		 channel_list_matches(const struct vec *list, const struct client *cl);
/* True when cl may speak in ch: +n, +m, +M and bans, with voice or op overriding the
 * last three. */
bool		 channel_can_send(const struct channel *ch, const struct client *cl);
/* Why cl may not speak in ch: the text of its 404 (static), or NULL when it may. */
const char	*channel_send_refusal(const struct channel *ch, const struct client *cl);
/* Remember that cl was invited to ch (bounded by max_list): cl itself, by its id, so
 * the invite follows it across NICK and is nobody's once it leaves.  Returns 0, or -1. */
int		 channel_invite_add(struct core *core, struct channel *ch,
		    const struct client *cl);
/* Whether cl has a pending invite to ch; with take set, the invite is used up. */
bool		 channel_invite_pending(struct channel *ch, const struct client *cl,
		    bool take);
/* Tell ch's members (cl included) that cl joined, as each asked to see it (JOIN, the
 * extended-join form, its AWAY for away-notify). */
void		 channel_join_announce(struct core *core, struct client *cl,
		    struct channel *ch);
/* Multiclient (session.h): a new session's burst sends these as a JOIN does.  The
 * topic (332 and 333, or 331 when unset) and the names (353s, 366) of ch, to cl. */
void		 channel_topic_reply(struct core *core, struct client *cl,
		    struct channel *ch);
void		 channel_names_reply(struct core *core, struct client *cl,
		    struct channel *ch);

#endif
