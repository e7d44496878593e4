#ifndef PARLEY_NET_CIDR_H
#define PARLEY_NET_CIDR_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

/*
 * Address ranges ("127.0.0.0/8", "::1", "2001:db8::/32") and lists of them, for the
 * settings that name trusted or exempt sources.  An IPv4-mapped IPv6 address matches as
 * the IPv4 address it maps.
 */

#define NET_CIDR_MAX	32		/* ranges in one list */
#define NET_CIDR_TEXT	64		/* room for one range's text */

struct net_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned	 bits;		/* prefix length: 0 .. 32 or 0 .. 128 */
	unsigned char	 addr[16];	/* the network, bits past the prefix zero */
};

struct net_cidrs {
	struct net_cidr	 v[NET_CIDR_MAX];
	unsigned	 n;
};

/* Keep the first bits of the len bytes at p, zero the rest. */
void	net_cidr_mask(unsigned char *p, size_t len, unsigned bits);

/* One range: an address, optionally "/BITS".  Returns 0, or -1 when text is not one. */
int	net_cidr_parse(const char *text, struct net_cidr *c);

/*
 * A list of ranges separated by blanks or commas into *list; "" is the empty list.
 * Returns 0, or -1 with a reason that quotes the bad range in why (*list unchanged).
 */
int	net_cidrs_parse(const char *text, struct net_cidrs *list, char *why,
	    size_t whylen);

/* sa (AF_INET or AF_INET6; another family matches nothing) is in one of list's ranges. */
bool	net_cidrs_match(const struct net_cidrs *list, const struct sockaddr *sa);

#endif
