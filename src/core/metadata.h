#ifndef PARLEY_CORE_METADATA_H
#define PARLEY_CORE_METADATA_H

#include "core/vec.h"

/*
 * draft/metadata-2, kept in memory: key-value pairs on users and channels (avatar,
 * display-name, url...), the METADATA command, subscriptions, and the METADATA
 * messages that tell subscribed clients about changes.  A user's keys end with the
 * user; a channel's with the channel.
 */
struct core;
struct client;
struct channel;

#define METADATA_MAX_SUBS	20	/* keys one client may subscribe to (maxsub) */
#define METADATA_MAX_KEYS	20	/* keys on one user or channel (maxkey) */
#define METADATA_KEY_MAX	64	/* bytes of a key name */
#define METADATA_VALUE_MAX	300	/* bytes of a value: a 761 line must hold it */

/* One key of a user or a channel. */
struct metadata_entry {
	char	*key;		/* lower case */
	char	*value;
};

/* Append key = value to entries, copied (the state snapshot's restore: no check, no
 * message).  Returns 0, or -1 out of memory. */
int	metadata_keep(struct vec *entries, const char *key, const char *value);
/* Free a list of keys (a client's or a channel's, or a subscription list). */
void	metadata_clear(struct vec *entries);
/* cl (with draft/metadata-2) has joined ch: the subscribed keys of ch and of its
 * members for cl, and cl's own for the members subscribed to them. */
void	metadata_join(struct core *core, struct client *cl, struct channel *ch);
/* cl has just negotiated draft/metadata-2: its (empty) metadata batch. */
void	metadata_cap_acked(struct core *core, struct client *cl);

#endif
