#ifndef PARLEY_NET_ADDRS_H
#define PARLEY_NET_ADDRS_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"
#include "core/map.h"

/*
 * Connections by client address, for the driver's limits: how many each address holds
 * (from accept to the close of the descriptor), how many of those are in their TLS
 * handshake, and how fast it has been connecting.  An address is its key: the numeric
 * address cut to a prefix (ipv4_prefix, ipv6_prefix), so that one /64 counts as one.
 */

/* "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" and a NUL, with room. */
#define ADDRS_KEY_MAX	48

struct net_config;

/* One address.  Kept while it holds a connection, and after for as long as its connect
 * rate remembers it. */
struct addr {
	struct list	 idle;		/* on addrs.idle while it holds nothing */
	int64_t		 tat;		/* connect rate: when its allowance is whole again */
	unsigned	 conns;		/* connections, from accept to close */
	unsigned	 handshakes;	/* of them, in the TLS handshake */
	char		 key[ADDRS_KEY_MAX];
};

struct addrs {
	struct map	 map;		/* key -> struct addr */
	struct list	 idle;		/* addresses holding nothing, oldest first */
	size_t		 nidle;
};

/* Why addrs_take refused. */
enum addrs_refusal {
	ADDRS_TOO_MANY,		/* max_per_address connections held */
	ADDRS_SHARE,		/* descriptors run short and it holds its share */
	ADDRS_HANDSHAKES,	/* handshakes_per_address TLS handshakes under way */
	ADDRS_TOO_FAST,		/* over connect_rate in connect_window */
	ADDRS_NOMEM,
};

/* An empty table whose keys hash under key (MAP_KEY_LEN secret random bytes). */
void	 addrs_init(struct addrs *t, const uint8_t key[MAP_KEY_LEN]);
/* Free every entry; the connections that pointed at them must be gone. */
void	 addrs_free(struct addrs *t);

/*
 * The key of sa into buf (cap >= ADDRS_KEY_MAX): the numeric address ("192.0.2.7",
 * "2001:db8::1"), or its first v4/v6 bits and the length ("192.0.2.0/24",
 * "2001:db8:1:2::/64").  IPv4-mapped IPv6 addresses count as IPv4.  Another family is
 * the key "?".
 */
void	 addrs_key(const struct sockaddr *sa, unsigned v4, unsigned v6, char *buf,
	    size_t cap);

/*
 * Count a new connection from sa at now against the limits of cfg: returns its address,
 * or NULL and why in *why (nothing counted).  share > 0: descriptors run short, and an
 * address that holds share connections already is refused.  tls: the connection is to
 * start a handshake (addrs_handshake counts it).  A source in cfg->exempt is counted and
 * never refused (but for ADDRS_NOMEM).
 */
struct addr	*addrs_take(struct addrs *t, const struct net_config *cfg,
		    const struct sockaddr *sa, bool tls, unsigned share, int64_t now,
		    enum addrs_refusal *why);

/* A connection from sa that was accepted before (handed over by an upgrade): counted
 * like addrs_take's, never refused.  NULL out of memory. */
struct addr	*addrs_adopt(struct addrs *t, const struct net_config *cfg,
		    const struct sockaddr *sa, int64_t now);

/* a's connection is closed: one fewer.  An address that holds nothing is kept until its
 * connect rate forgets it (at most ADDRS_IDLE_MAX such addresses). */
void	 addrs_put(struct addrs *t, struct addr *a, int64_t now);

/* One more (delta 1) or one fewer (-1) of a's connections in the TLS handshake. */
static inline void
addrs_handshake(struct addr *a, int delta)
{
	a->handshakes = (unsigned)((int)a->handshakes + delta);
}

/* The line a connection refused for why gets: "ERROR :Closing Link: HOST (...)\r\n",
 * HOST the numeric address of sa as clients see it.  Returns its length. */
size_t	 addrs_refusal_line(const struct sockaddr *sa, enum addrs_refusal why, char *buf,
	    size_t cap);

#endif
