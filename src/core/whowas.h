#ifndef PARLEY_CORE_WHOWAS_H
#define PARLEY_CORE_WHOWAS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

/*
 * The nicks that left the network or were changed away from, for WHOWAS: a ring holding
 * the newest `cap` departures, the oldest overwritten first.
 */
#define WHOWAS_NICK_MAX	CONFIG_NICKLEN_MAX	/* as a client's (client.h) */
#define WHOWAS_USER_MAX	CONFIG_USERLEN_MAX
#define WHOWAS_HOST_MAX	CONFIG_HOST_MAX
#define WHOWAS_SERVER_MAX	CONFIG_NAME_MAX	/* a server's or a node's name */

struct whowas_entry {
	char	 nick[WHOWAS_NICK_MAX + 1];
	char	 user[WHOWAS_USER_MAX + 1];
	char	 host[WHOWAS_HOST_MAX + 1];
	char	 server[WHOWAS_SERVER_MAX + 1];	/* the one the user was on */
	char	*realname;
	int64_t	 when;		/* wall clock seconds the nick was given up */
};

struct whowas {
	struct whowas_entry	*ring;
	size_t			 cap;	/* slots in ring */
	size_t			 len;	/* slots in use */
	size_t			 next;	/* where the next entry goes */
};

#define WHOWAS_INIT	{ NULL, 0, 0, 0 }

/*
 * Remember nick!user@host (realname), on server, given up at wall time `when`, keeping
 * at most cap entries (the ring is resized when cap changed; 0 keeps nothing).  Returns
 * 0, or -1 when out of memory (nothing is recorded then).
 */
int	whowas_add(struct whowas *w, size_t cap, const char *nick, const char *user,
	    const char *host, const char *server, const char *realname, int64_t when);
/* The i-th newest entry (0 = newest), or NULL past the end. */
const struct whowas_entry *whowas_get(const struct whowas *w, size_t i);
/* Free every entry and leave an empty ring. */
void	whowas_clear(struct whowas *w);

#endif
