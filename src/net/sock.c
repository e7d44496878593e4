/*
 * Socket chores: address text, listeners, accept.  Addresses are numeric only: a name
 * lookup would block the loop and make startup depend on the resolver, so the one name
 * accepted is "localhost", spelled out here.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/sock.h"

/* Parse a decimal port, "0" to "65535", digits only. */
static int
sock_parse_port(const char *s, in_port_t *port)
{
	unsigned long	 v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	*port = htons((in_port_t)v);
	return 0;
}

/* "[v6]:PORT" */
static int
sock_parse_v6(const char *text, struct sockaddr_in6 *sin6)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*bracket = strchr(text, ']');
	size_t		 n;

	if (bracket == NULL || bracket[1] != ':')
		return -EINVAL;
	n = (size_t)(bracket - (text + 1));
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, text + 1, n);
	host[n] = '\0';
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return -EINVAL;
	sin6->sin6_family = AF_INET6;
	return sock_parse_port(bracket + 2, &sin6->sin6_port);
}

/* "1.2.3.4:PORT" or "localhost:PORT" */
static int
sock_parse_v4(const char *text, struct sockaddr_in *sin)
{
	char		 host[INET_ADDRSTRLEN];
	const char	*colon = strchr(text, ':');
	size_t		 n;

	if (colon == NULL)
		return -EINVAL;
	n = (size_t)(colon - text);
	if (n == strlen("localhost") && strncasecmp(text, "localhost", n) == 0) {
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		if (n == 0 || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, text, n);
		host[n] = '\0';
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -EINVAL;
	}
	sin->sin_family = AF_INET;
	return sock_parse_port(colon + 1, &sin->sin_port);
}

int
sock_parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	int	 rc;

	if (text == NULL)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (text[0] == '[') {
		rc = sock_parse_v6(text, (struct sockaddr_in6 *)ss);
		*len = sizeof(struct sockaddr_in6);
	} else {
		rc = sock_parse_v4(text, (struct sockaddr_in *)ss);
		*len = sizeof(struct sockaddr_in);
	}
	if (rc != 0) {
		memset(ss, 0, sizeof(*ss));
		*len = 0;
	}
	return rc;
}

/* The numeric host and port of sa; false for a family that has neither. */
static bool
sock_numeric(const struct sockaddr *sa, bool unmap, char *host, size_t cap,
    unsigned *port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;

	switch (sa->sa_family) {
	case AF_INET:
		*port = ntohs(sin->sin_port);
		return inet_ntop(AF_INET, &sin->sin_addr, host, (socklen_t)cap) != NULL;
	case AF_INET6:
		*port = ntohs(sin6->sin6_port);
		/* A dual-stack peer's ::ffff:1.2.3.4 is the IPv4 client 1.2.3.4. */
		if (unmap && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], host,
			    (socklen_t)cap) != NULL;
		return inet_ntop(AF_INET6, &sin6->sin6_addr, host, (socklen_t)cap) != NULL;
	default:
		return false;
	}
}

void
sock_format_addr(const struct sockaddr *sa, char *buf, size_t cap)
{
	char		 host[INET6_ADDRSTRLEN];
	unsigned	 port;

	if (cap == 0)
		return;
	if (!sock_numeric(sa, false, host, sizeof(host), &port))
		snprintf(buf, cap, "unknown");
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, cap, "[%s]:%u", host, port);
	else
		snprintf(buf, cap, "%s:%u", host, port);
}

void
sock_format_host(const struct sockaddr *sa, char *buf, size_t cap)
{
	char		 host[INET6_ADDRSTRLEN];
	unsigned	 port;

	if (cap == 0)
		return;
	if (!sock_numeric(sa, true, host, sizeof(host), &port))
		snprintf(buf, cap, "unknown");
	else
		snprintf(buf, cap, "%s", host);
}

/* Returns -errno with fd closed. */
static int
sock_fail(int fd)
{
	int	 rc = -errno;

	close(fd);
	return rc;
}

int
sock_listen(const struct sockaddr *sa, socklen_t len, int backlog)
{
	int	 fd, on = 1;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	/* Restart binds at once, even while old connections sit in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		return sock_fail(fd);
	/* An IPv6 listener takes IPv6 only; IPv4 gets its own, so both can share a port. */
	if (sa->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		return sock_fail(fd);
	if (bind(fd, sa, len) == -1)
		return sock_fail(fd);
	if (listen(fd, backlog) == -1)
		return sock_fail(fd);
	return fd;
}

int
sock_local_addr(int fd, struct sockaddr_storage *ss)
{
	socklen_t	 len = sizeof(*ss);

	if (getsockname(fd, (struct sockaddr *)ss, &len) == -1)
		return -errno;
	return 0;
}

int
sock_accept(int lfd, struct sockaddr_storage *ss)
{
	socklen_t	 len;
	int		 fd, on = 1;

	/* ECONNABORTED: that peer is gone already, but the next one may be waiting. */
	do {
		len = sizeof(*ss);
		fd = accept4(lfd, (struct sockaddr *)ss, ss != NULL ? &len : NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	} while (fd == -1 && (errno == EINTR || errno == ECONNABORTED));
	if (fd == -1)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* Lines are small and interactive.  Not TCP (a unix socket): nothing to tune. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return fd;
}

void
sock_close(int fd)
{
	int	 saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}
