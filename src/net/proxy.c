/*
 * The PROXY protocol header, versions 1 and 2, from bytes: checked strictly, since a
 * header is the only thing that tells the server a client's address.  Version 1 is one
 * text line ("PROXY TCP4 192.0.2.1 198.51.100.1 56324 6667\r\n"); version 2 a binary
 * signature, a command, a family, a length and the addresses, then TLVs we skip.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "net/proxy.h"

#define V1_PREFIX	"PROXY "
#define V2_SIG		"\r\n\r\n\0\r\nQUIT\n"
#define V2_SIG_LEN	12
#define V2_HEAD		16	/* signature, version and command, family, length */

/* The first min(len, n) bytes of p agree with the n bytes of want. */
static bool
starts(const unsigned char *p, size_t len, const char *want, size_t n)
{
	return memcmp(p, want, len < n ? len : n) == 0;
}

/* A port: 1 to 5 digits, no leading zero but "0" itself, at most 65535. */
static int
v1_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long	 v = 0;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* The address field s (len bytes) of family af into *ss, with port. */
static int
v1_addr(int af, const char *s, size_t len, struct sockaddr_storage *ss)
{
	char			 text[INET6_ADDRSTRLEN];
	struct sockaddr_in	*sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)(void *)ss;

	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		return inet_pton(AF_INET, text, &sin->sin_addr) == 1 ? 0 : -1;
	}
	sin6->sin6_family = AF_INET6;
	return inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/* "TCP4 SRC DST SPORT DPORT" or "TCP6 ...": the line without "PROXY " and CR LF. */
static int
v1_fields(const char *s, size_t len, struct proxy_hdr *h)
{
	const char		*field[5];
	size_t			 flen[5], at = 0;
	struct sockaddr_storage	 dst;
	uint16_t		 sport, dport;
	int			 af;

	for (int i = 0; i < 5; i++) {
		size_t	 start = at;

		while (at < len && s[at] != ' ')
			at++;
		field[i] = s + start;
		flen[i] = at - start;
		if (flen[i] == 0 || (i < 4 && at == len))
			return -1;
		if (i < 4)
			at++;
	}
	if (at != len)
		return -1;
	if (flen[0] == 4 && memcmp(field[0], "TCP4", 4) == 0)
		af = AF_INET;
	else if (flen[0] == 4 && memcmp(field[0], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return -1;
	if (v1_addr(af, field[1], flen[1], &h->src) == -1 ||
	    v1_addr(af, field[2], flen[2], &dst) == -1 ||
	    v1_port(field[3], flen[3], &sport) == -1 ||
	    v1_port(field[4], flen[4], &dport) == -1)
		return -1;
	if (af == AF_INET)
		((struct sockaddr_in *)(void *)&h->src)->sin_port = htons(sport);
	else
		((struct sockaddr_in6 *)(void *)&h->src)->sin6_port = htons(sport);
	h->local = false;
	return 0;
}

static int
v1_parse(const unsigned char *p, size_t len, struct proxy_hdr *h)
{
	const char	*s = (const char *)p;
	const char	*lf = memchr(s, '\n', len < PROXY_V1_MAX ? len : PROXY_V1_MAX);
	size_t		 n, pre = sizeof(V1_PREFIX) - 1;

	if (lf == NULL)
		return len < PROXY_V1_MAX ? 0 : -1;
	n = (size_t)(lf - s) + 1;
	if (n < pre + 2 || s[n - 2] != '\r')
		return -1;
	/* Anything may follow UNKNOWN; the connection's own address stands. */
	if (n >= pre + 9 && memcmp(s + pre, "UNKNOWN", 7) == 0 &&
	    (s[pre + 7] == ' ' || s[pre + 7] == '\r')) {
		if (memchr(s, '\r', n - 2) != NULL)
			return -1;
		memset(h, 0, sizeof(*h));
		h->local = true;
		return (int)n;
	}
	if (v1_fields(s + pre, n - pre - 2, h) == -1)
		return -1;
	return (int)n;
}

static int
v2_parse(const unsigned char *p, size_t len, struct proxy_hdr *h)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)(void *)&h->src;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)(void *)&h->src;
	size_t			 total, body;

	if (len > V2_SIG_LEN && (p[12] >> 4) != 2)
		return -1;
	if (len > V2_SIG_LEN && (p[12] & 0x0f) > 1)
		return -1;
	if (len < V2_HEAD)
		return 0;
	body = (size_t)p[14] << 8 | p[15];
	total = V2_HEAD + body;
	if (total > PROXY_MAX)
		return -1;
	if (len < total)
		return 0;
	memset(h, 0, sizeof(*h));
	h->local = true;
	if ((p[12] & 0x0f) == 0)	/* LOCAL: the proxy's own health check */
		return (int)total;
	if (p[13] == 0x11) {		/* TCP over IPv4 */
		if (body < 12)
			return -1;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, p + V2_HEAD, 4);
		memcpy(&sin->sin_port, p + V2_HEAD + 8, 2);
		h->local = false;
	} else if (p[13] == 0x21) {	/* TCP over IPv6 */
		if (body < 36)
			return -1;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, p + V2_HEAD, 16);
		memcpy(&sin6->sin6_port, p + V2_HEAD + 32, 2);
		h->local = false;
	} else if ((p[13] >> 4) > 3 || (p[13] & 0x0f) > 2)
		return -1;
	return (int)total;
}

int
proxy_parse(const unsigned char *p, size_t len, struct proxy_hdr *h)
{
	if (len == 0)
		return 0;
	if (p[0] == 'P') {
		if (!starts(p, len, V1_PREFIX, sizeof(V1_PREFIX) - 1))
			return -1;
		return v1_parse(p, len, h);
	}
	if (!starts(p, len, V2_SIG, V2_SIG_LEN))
		return -1;
	return v2_parse(p, len, h);
}
