#ifndef PARLEY_NET_PROXY_H
#define PARLEY_NET_PROXY_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

/*
 * The PROXY protocol's header (haproxy's proxy-protocol.txt, versions 1 and 2), parsed
 * from bytes alone: no descriptor, no state between calls.  A load balancer that speaks
 * it sends the header first, then the client's stream.
 */

#define PROXY_V1_MAX	107		/* the longest version 1 line, CR LF included */
#define PROXY_MAX	(16 + 520)	/* the longest version 2 header we take */

struct proxy_hdr {
	/* The proxy speaks for itself (v2 LOCAL, v1 UNKNOWN, or a family other than TCP
	 * over IPv4 or IPv6): the connection's own address stands.  Else src is the
	 * client's address and port (AF_INET or AF_INET6). */
	bool			 local;
	struct sockaddr_storage	 src;
};

/*
 * The header at the start of p[0 .. len): its length (> 0) with *h filled when it is
 * whole; 0 when p is a beginning of one (every byte of p belongs to the header then);
 * -1 when p cannot start a valid header (or one longer than PROXY_MAX).
 */
int	proxy_parse(const unsigned char *p, size_t len, struct proxy_hdr *h);

#endif
