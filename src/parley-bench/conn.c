/*
 * The load generator's connections and their I/O: a client's socket, connected from one
 * of several 127.0.0.x addresses and registered in one epoll set, its TLS handshake, its
 * queued output flushed without blocking, and its close; with --ws, the upgrade.  Receiving is conn_recv, inline
 * in conn.h for the read loop in bench.c; what the lines mean is bench.c's.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "parley-bench/conn.h"

int
conn_epoll_set(struct bench *b, unsigned id, bool out)
{
	struct bconn		*c = &b->c[id];
	struct epoll_event	 ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0) };

	ev.data.u32 = id;
	if (c->want_out == out)
		return 0;
	c->want_out = out;
	if (epoll_ctl(b->ep, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		return -errno;
	return 0;
}

void
conn_close(struct bench *b, unsigned id, bool lost)
{
	struct bconn	*c = &b->c[id];

	if (c->state == CS_DEAD)
		return;
	if (c->state == CS_CONNECTING || c->state == CS_HANDSHAKE ||
	    c->state == CS_UPGRADE || c->state == CS_REGISTERING ||
	    c->state == CS_JOINING || c->state == CS_ACCOUNT)
		b->pending--;
	if (c->state == CS_READY)
		b->ready--;
	if (lost)
		b->r->disconnects++;
	c->state = CS_DEAD;
	/* No close_notify: a measurement ends its clients as abruptly as it can. */
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd != -1)
		close(c->fd);	/* also leaves the epoll set */
	c->fd = -1;
	free(c->wbuf);
	c->wbuf = NULL;
	c->wlen = c->woff = c->wcap = 0;
}

/* One send, through TLS with --tls: bytes sent, or -1 with errno (EAGAIN: wait). */
static ssize_t
conn_send_some(struct bconn *c)
{
	size_t	 len = c->wlen - c->woff;
	int	 n, err;

	if (c->ssl == NULL)
		return send(c->fd, c->wbuf + c->woff, len, MSG_NOSIGNAL);
	ERR_clear_error();
	if ((n = SSL_write(c->ssl, c->wbuf + c->woff, len > INT32_MAX ? INT32_MAX :
	    (int)len)) > 0)
		return n;
	err = SSL_get_error(c->ssl, n);
	errno = err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ ? EAGAIN : EPIPE;
	return -1;
}

void
conn_flush(struct bench *b, unsigned id)
{
	struct bconn	*c = &b->c[id];
	ssize_t		 n;

	if (c->state == CS_HANDSHAKE)
		return;
	while (c->woff < c->wlen) {
		n = conn_send_some(c);
		if (n > 0) {
			c->woff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == ENOTCONN)) {
			if (conn_epoll_set(b, id, true) != 0)
				conn_close(b, id, true);
			return;
		}
		conn_close(b, id, true);
		return;
	}
	c->wlen = c->woff = 0;
	if (conn_epoll_set(b, id, false) != 0)
		conn_close(b, id, true);
}

static int
conn_bind_source(struct bench *b, int fd, unsigned id)
{
	struct sockaddr_in	 sin;
	int			 one = 1;

	if (b->o->targets[id % b->o->ntargets].ss_family != AF_INET || b->o->sources <= 1)
		return 0;
	/* Choose the port only at connect(), per 4-tuple: each source address then has
	 * the whole ephemeral range. */
	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) == -1)
		return -errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001u + id % b->o->sources);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -errno;
	return 0;
}

int
conn_connect(struct bench *b, unsigned id)
{
	struct bconn		*c = &b->c[id];
	static const char	 upgrade[] = "GET / HTTP/1.1\r\nHost: bench\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: cGFybGV5LWJlbmNoLWtleQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: text.ircv3.net\r\n\r\n";
	struct epoll_event	 ev = { .events = EPOLLIN | EPOLLOUT };
	unsigned		 t = id % b->o->ntargets;	/* round robin */
	int			 fd, one = 1, rv;

	fd = socket(b->o->targets[t].ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((rv = conn_bind_source(b, fd, id)) != 0) {
		close(fd);
		return rv;
	}
	if (connect(fd, (const struct sockaddr *)&b->o->targets[t], b->o->target_lens[t]) ==
	    -1 &&
	    errno != EINPROGRESS) {
		rv = -errno;
		close(fd);
		return rv;
	}
	ev.data.u32 = id;
	if (epoll_ctl(b->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		rv = -errno;
		close(fd);
		return rv;
	}
	c->fd = fd;
	c->want_out = true;
	c->state = CS_CONNECTING;
	c->rlen = 0;
	b->pending++;
	if (b->o->ws)
		conn_queue(c, upgrade, sizeof(upgrade) - 1);
	else
		conn_register(b, c);
	return 0;
}

void
conn_register(const struct bench *b, struct bconn *c)
{
	static const char	*sasl[] = { "CAP LS 302\r\n", "CAP REQ :sasl\r\n" };
	static const char	*reg[] = { "CAP REQ :draft/account-registration\r\n",
				    "CAP END\r\n" };
	char			 line[64];
	int			 n;

	/* login: SASL holds registration (CAP) until the answer; REGISTER needs the cap. */
	for (size_t i = 0; i < 2; i++)
		if (c->sasl)
			conn_line(b, c, sasl[i], strlen(sasl[i]));
		else if (b->o->scenario == BENCH_LOGIN)
			conn_line(b, c, reg[i], strlen(reg[i]));
	n = snprintf(line, sizeof(line), "NICK %s\r\n", c->nick);
	conn_line(b, c, line, (size_t)n);
	n = snprintf(line, sizeof(line), "USER %s 0 * :parley-bench\r\n", c->nick);
	conn_line(b, c, line, (size_t)n);
	if (c->sasl)
		conn_line(b, c, "AUTHENTICATE PLAIN\r\n", 20);
}

ssize_t
conn_upgraded(const char *buf, size_t len)
{
	const char	*end = memmem(buf, len, "\r\n\r\n", 4);

	if (end == NULL)
		return len < RBUF_SIZE ? 0 : -1;
	if (strncmp(buf, "HTTP/1.1 101 ", 13) != 0)
		return -1;
	return end + 4 - buf;
}

void
conn_handshake(struct bench *b, unsigned id)
{
	struct bconn	*c = &b->c[id];
	int		 n;

	if (c->ssl == NULL) {
		if ((c->ssl = SSL_new(b->ssl_ctx)) == NULL ||
		    SSL_set_fd(c->ssl, c->fd) != 1) {
			conn_close(b, id, true);
			return;
		}
		SSL_set_connect_state(c->ssl);
	}
	ERR_clear_error();
	if ((n = SSL_do_handshake(c->ssl)) == 1) {
		c->state = b->o->ws ? CS_UPGRADE : CS_REGISTERING;
		return;
	}
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		if (conn_epoll_set(b, id, false) != 0)
			conn_close(b, id, true);
		return;
	case SSL_ERROR_WANT_WRITE:
		if (conn_epoll_set(b, id, true) != 0)
			conn_close(b, id, true);
		return;
	default:
		conn_close(b, id, true);
	}
}
