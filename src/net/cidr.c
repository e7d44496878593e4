/*
 * Address ranges: parsing "ADDR[/BITS]" and lists of them, and matching a peer's
 * address against a list.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/cidr.h"

void
net_cidr_mask(unsigned char *p, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			p[i] &= (unsigned char)(0xff00u >> bits);
			bits = 0;
		}
	}
}

int
net_cidr_parse(const char *text, struct net_cidr *c)
{
	char		 addr[NET_CIDR_TEXT], *end;
	const char	*slash = strchr(text, '/');
	size_t		 len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long	 bits;
	unsigned	 width;

	if (len == 0 || len >= sizeof(addr))
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->addr) == 1) {
		c->family = AF_INET;
		width = 32;
	} else if (inet_pton(AF_INET6, addr, c->addr) == 1) {
		c->family = AF_INET6;
		width = 128;
	} else
		return -1;
	c->bits = width;
	if (slash == NULL)
		return 0;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	bits = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || bits > width)
		return -1;
	c->bits = (unsigned)bits;
	net_cidr_mask(c->addr, width / 8, c->bits);
	return 0;
}

int
net_cidrs_parse(const char *text, struct net_cidrs *list, char *why, size_t whylen)
{
	static const char	 seps[] = " \t,";
	struct net_cidr		 tmp[NET_CIDR_MAX];
	char			 one[NET_CIDR_TEXT];
	unsigned		 count = 0;
	size_t			 len;

	for (text += strspn(text, seps); *text != '\0'; text += strspn(text, seps)) {
		len = strcspn(text, seps);
		snprintf(one, sizeof(one), "%.*s", (int)len, text);
		if (len >= sizeof(one) || net_cidr_parse(one, &tmp[count]) == -1) {
			snprintf(why, whylen, "'%.*s' is not an address or ADDRESS/BITS",
			    (int)(len < 60 ? len : 60), text);
			return -1;
		}
		if (++count == NET_CIDR_MAX && text[len + strspn(text + len, seps)] != '\0') {
			snprintf(why, whylen, "more than %d ranges", NET_CIDR_MAX);
			return -1;
		}
		text += len;
	}
	memcpy(list->v, tmp, count * sizeof(*tmp));
	list->n = count;
	return 0;
}

/* The first bits of a and b (len bytes each) agree. */
static bool
cidr_prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned char	 mask;

	if (memcmp(a, b, bits / 8) != 0)
		return false;
	if (bits % 8 == 0)
		return true;
	mask = (unsigned char)(0xff00u >> (bits % 8));
	return (a[bits / 8] & mask) == (b[bits / 8] & mask);
}

bool
net_cidrs_match(const struct net_cidrs *list, const struct sockaddr *sa)
{
	const struct sockaddr_in6	*sin6;
	unsigned char			 b[16];
	int				 family;

	if (sa->sa_family == AF_INET) {
		memcpy(b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(b, &sin6->sin6_addr.s6_addr[12], 4);
			family = AF_INET;
		} else {
			memcpy(b, &sin6->sin6_addr, 16);
			family = AF_INET6;
		}
	} else
		return false;
	for (unsigned i = 0; i < list->n; i++)
		if (list->v[i].family == family &&
		    cidr_prefix_equal(list->v[i].addr, b, list->v[i].bits))
			return true;
	return false;
}
