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

/* Free a list of keys (a client's or a channel's, or a subscription list). */
void	metadata_clear(struct vec *entries);
/* cl (with draft/metadata-2) has joined ch: the subscribed keys of ch and of its
 * members for cl, and cl's own for the members subscribed to them. */
void	metadata_join(struct core *core, struct client *cl, struct channel *ch);
/* cl has just negotiated draft/metadata-2: its (empty) metadata batch. */
void	metadata_cap_acked(struct core *core, struct client *cl);
/* cluster (peer.h): another node's user setter set key (value NULL: deleted) on user
 * who or channel ch: kept here (within the limits) and told to the local subscribers. */
void	metadata_peer(struct core *core, struct client *setter, struct client *who,
	    struct channel *ch, const char *key, const char *value);
/* Each key of entries with its value, to fn (for a burst). */
void	metadata_each(const struct vec *entries, void (*fn)(void *ctx, const char *key,
	    const char *value), void *ctx);

#endif
