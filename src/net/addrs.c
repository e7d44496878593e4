/*
 * Connections by client address.  The driver counts a connection against its address
 * from accept to the close of its descriptor (handshake, lingering and all), and checks
 * the address's limits before the model adopts the connection, so that a refused one
 * costs an accept, a short write and a close, never a child, a handshake or a linger.
 *
 * The connect rate is a generic cell rate: each connection moves the address's "tat"
 * window/rate into the future, and one that would take it further than window ahead of
 * now is refused.  So an address may open rate connections at once, and one more every
 * window/rate after.  An exempt source ([limits] exempt) is counted under its whole
 * address, never refused, and never counts against the others of its prefix.  An address
 * that holds nothing is kept until its tat has passed, on the idle list (oldest first,
 * trimmed as connections come).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/addrs.h"
#include "net/cidr.h"
#include "net/net.h"
#include "net/sock.h"

#define ADDRS_IDLE_MAX	65536	/* addresses remembered only for their connect rate */

void
addrs_init(struct addrs *t, const uint8_t key[MAP_KEY_LEN])
{
	map_init(&t->map, key);
	list_init(&t->idle);
	t->nidle = 0;
}

void
addrs_free(struct addrs *t)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	while (map_next(&t->map, &pos, &key, &value))
		free(value);
	map_clear(&t->map);
	list_init(&t->idle);
	t->nidle = 0;
}

/* The numeric form of the family af address at p, cut to bits of its width. */
static void
key_format(int af, unsigned char *p, size_t len, unsigned bits, char *buf, size_t cap)
{
	char	 text[INET6_ADDRSTRLEN];

	net_cidr_mask(p, len, bits);
	if (inet_ntop(af, p, text, sizeof(text)) == NULL) {
		snprintf(buf, cap, "?");
		return;
	}
	if (bits >= len * 8)
		snprintf(buf, cap, "%s", text);
	else
		snprintf(buf, cap, "%s/%u", text, bits);
}

void
addrs_key(const struct sockaddr *sa, unsigned v4, unsigned v6, char *buf, size_t cap)
{
	const struct sockaddr_in6	*sin6;
	unsigned char			 b[16];

	if (sa->sa_family == AF_INET) {
		memcpy(b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		key_format(AF_INET, b, 4, v4, buf, cap);
		return;
	}
	if (sa->sa_family != AF_INET6) {
		snprintf(buf, cap, "?");
		return;
	}
	sin6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(b, &sin6->sin6_addr.s6_addr[12], 4);
		key_format(AF_INET, b, 4, v4, buf, cap);
		return;
	}
	memcpy(b, &sin6->sin6_addr, 16);
	key_format(AF_INET6, b, 16, v6, buf, cap);
}

static void
addr_forget(struct addrs *t, struct addr *a)
{
	list_del(&a->idle);
	t->nidle--;
	(void)map_del(&t->map, a->key);
	free(a);
}

/* Forget the idle addresses whose connect rate is whole again, and the oldest beyond
 * ADDRS_IDLE_MAX. */
static void
addrs_expire(struct addrs *t, int64_t now)
{
	struct addr	*a;

	while (!list_empty(&t->idle)) {
		a = list_entry(t->idle.next, struct addr, idle);
		if (a->tat > now && t->nidle <= ADDRS_IDLE_MAX)
			return;
		addr_forget(t, a);
	}
}

/* key's entry, made when there is none.  NULL: out of memory. */
static struct addr *
addrs_get(struct addrs *t, const char *key, int64_t now)
{
	struct addr	*a;

	if ((a = map_get(&t->map, key)) != NULL)
		return a;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	list_init(&a->idle);
	a->tat = now;
	snprintf(a->key, sizeof(a->key), "%s", key);
	if (map_put(&t->map, a->key, a) == -1) {
		free(a);
		return NULL;
	}
	return a;
}

/* The connect rate allows one more from a at now: count it.  False: too fast. */
static bool
rate_take(struct addr *a, const struct net_config *cfg, int64_t now)
{
	int64_t	 step, tat;

	if (cfg->connect_rate == 0)
		return true;
	step = cfg->connect_window / cfg->connect_rate;
	if (step < 1)
		step = 1;
	tat = a->tat > now ? a->tat : now;
	if (tat - now > cfg->connect_window - step)
		return false;
	a->tat = tat + step;
	return true;
}

/* One more connection held by a. */
static struct addr *
addrs_count(struct addrs *t, struct addr *a)
{
	if (a->conns++ == 0 && list_linked(&a->idle)) {
		list_del(&a->idle);
		t->nidle--;
	}
	return a;
}

struct addr *
addrs_take(struct addrs *t, const struct net_config *cfg, const struct sockaddr *sa,
    bool tls, unsigned share, int64_t now, enum addrs_refusal *why)
{
	char		 key[ADDRS_KEY_MAX];
	struct addr	*a;
	bool		 exempt;

	addrs_expire(t, now);
	/* An exempt source is counted under its whole address, apart from its prefix. */
	exempt = net_cidrs_match(&cfg->exempt, sa);
	addrs_key(sa, exempt ? 32 : cfg->ipv4_prefix, exempt ? 128 : cfg->ipv6_prefix, key,
	    sizeof(key));
	if ((a = addrs_get(t, key, now)) == NULL)
		*why = ADDRS_NOMEM;
	else if (exempt)
		return addrs_count(t, a);
	else if (cfg->max_per_address > 0 && a->conns >= cfg->max_per_address)
		*why = ADDRS_TOO_MANY;
	else if (share > 0 && a->conns >= share)
		*why = ADDRS_SHARE;
	else if (tls && cfg->handshakes_per_address > 0 &&
	    a->handshakes >= cfg->handshakes_per_address)
		*why = ADDRS_HANDSHAKES;
	else if (!rate_take(a, cfg, now))
		*why = ADDRS_TOO_FAST;
	else
		return addrs_count(t, a);
	/* A new address refused at once holds nothing: idle from now. */
	if (a != NULL && a->conns == 0 && !list_linked(&a->idle)) {
		list_add_tail(&t->idle, &a->idle);
		t->nidle++;
	}
	return NULL;
}

struct addr *
addrs_adopt(struct addrs *t, const struct net_config *cfg, const struct sockaddr *sa,
    int64_t now)
{
	char		 key[ADDRS_KEY_MAX];
	struct addr	*a;
	bool		 exempt = net_cidrs_match(&cfg->exempt, sa);

	addrs_key(sa, exempt ? 32 : cfg->ipv4_prefix, exempt ? 128 : cfg->ipv6_prefix, key,
	    sizeof(key));
	if ((a = addrs_get(t, key, now)) == NULL)
		return NULL;
	return addrs_count(t, a);
}

void
addrs_put(struct addrs *t, struct addr *a, int64_t now)
{
	if (--a->conns > 0)
		return;
	list_add_tail(&t->idle, &a->idle);
	t->nidle++;
	if (a->tat <= now)
		addr_forget(t, a);
}

size_t
addrs_refusal_line(const struct sockaddr *sa, enum addrs_refusal why, char *buf,
    size_t cap)
{
	char		 host[SOCK_ADDR_MAX];
	const char	*text = NULL;
	int		 n;

	switch (why) {
	case ADDRS_TOO_MANY:
		text = "Too many connections from your address";
		break;
	case ADDRS_HANDSHAKES:
		text = "Too many TLS handshakes from your address";
		break;
	case ADDRS_TOO_FAST:
		text = "Connecting too fast; try again later";
		break;
	case ADDRS_SHARE:
	case ADDRS_NOMEM:
		break;
	}
	sock_format_host(sa, host, sizeof(host));
	/* As the core writes hosts: "::1" would start a parameter with ':'. */
	if (text == NULL)
		n = snprintf(buf, cap, "ERROR :Server is full\r\n");
	else
		n = snprintf(buf, cap, "ERROR :Closing Link: %s%s (%s)\r\n",
		    host[0] == ':' ? "0" : "", host, text);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
