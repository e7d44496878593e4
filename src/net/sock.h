#ifndef PARLEY_NET_SOCK_H
#define PARLEY_NET_SOCK_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * Socket chores, so the drivers read as policy.  Every function returns -errno on
 * failure (never sets errno as its only report) and leaves no descriptor open then.
 */

#define SOCK_ADDR_MAX	64	/* "[v6-address]:port" and a NUL */

/* Parse "ADDR:PORT" (IPv4 dotted quad, or "[v6]:PORT"; "localhost" is 127.0.0.1) into ss.
 * Port 0 asks for an ephemeral port.  Returns 0 or -EINVAL. */
int	sock_parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len);

/* Format an address as "1.2.3.4:6667" or "[::1]:6667" into buf of size cap. */
void	sock_format_addr(const struct sockaddr *sa, char *buf, size_t cap);

/* The numeric host of sa without the port ("1.2.3.4", "::1"; IPv4-mapped IPv6 shown as
 * IPv4), into buf of size cap. */
void	sock_format_host(const struct sockaddr *sa, char *buf, size_t cap);

/* A listening socket: non-blocking, close-on-exec, SO_REUSEADDR, IPV6_V6ONLY for IPv6.
 * Returns the descriptor or -errno (e.g. -EADDRINUSE). */
int	sock_listen(const struct sockaddr *sa, socklen_t len, int backlog);

/* The address a socket is bound to (to learn an ephemeral port).  Returns 0 or -errno. */
int	sock_local_addr(int fd, struct sockaddr_storage *ss);

/* Accept one connection: non-blocking, close-on-exec, TCP_NODELAY.  The peer's address
 * goes to ss when it is not NULL.  Returns the descriptor or -errno (-EAGAIN when the
 * backlog is empty, -EMFILE/-ENFILE when out of descriptors).  EINTR and ECONNABORTED
 * are retried inside. */
int	sock_accept(int lfd, struct sockaddr_storage *ss);

/* Close fd, keeping errno. */
void	sock_close(int fd);

#endif
