#ifndef PARLEY_BENCH_CONN_H
#define PARLEY_BENCH_CONN_H

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "parley-bench/bench.h"

/*
 * Private to parley-bench: the state bench.c (the scenarios) and conn.c (the connections'
 * I/O) share.  A client is b->c[id]; its id is also its epoll data.  The two functions the
 * loop calls per message, conn_queue and conn_recv, are inline here so the hot path stays
 * free of calls across files.
 */

#define RBUF_SIZE	4096	/* a client's unfinished line between reads */
#define READ_SIZE	65536	/* one receive: many lines per system call */

enum cstate {
	CS_NEW,
	CS_CONNECTING,
	CS_HANDSHAKE,		/* --tls: connected, TLS handshake under way */
	CS_UPGRADE,		/* --ws: the upgrade request sent, the 101 awaited */
	CS_REGISTERING,
	CS_JOINING,
	CS_ACCOUNT,		/* login: REGISTER sent, its answer awaited */
	CS_READY,
	CS_DEAD,
};

struct bconn {
	int		 fd;
	SSL		*ssl;		/* --tls; NULL before the connection is up */
	enum cstate	 state;
	bool		 sender;
	bool		 sasl;		/* login: log in with SASL PLAIN while registering */
	uint64_t	 ping_sent;	/* login's pinger: its PING in flight, 0: none */
	bool		 want_out;	/* EPOLLOUT is registered */
	unsigned	 inflight;
	unsigned	 ack_by;	/* the receiver whose delivery frees a window slot */
	unsigned	 peer;		/* privmsg: the other half of the pair */
	uint64_t	 last_ack;
	char		 nick[16];
	size_t		 rlen;
	char		*wbuf;
	size_t		 wlen, woff, wcap;
	char		 rbuf[RBUF_SIZE];
};

enum phase {
	PH_SETUP,
	PH_MEASURE,
	PH_SETTLE,
	PH_DONE,
};

struct bench {
	const struct bench_opts	*o;
	struct bench_result	*r;
	struct bconn		*c;
	int			 ep;
	SSL_CTX			*ssl_ctx;	/* --tls */
	unsigned		 next;		/* next client to connect */
	unsigned		 pending;	/* handshakes under way */
	unsigned		 ready;
	unsigned		 nconns;	/* c[]: the clients, and login's pinger */
	uint64_t		 last_ping;	/* login: when the pinger last sent */
	enum phase		 phase;
	uint64_t		 now, t0, mstart, mend, last_progress;
	uint64_t		 spread_at;	/* several targets: measuring starts then */
	char			*pad;
	char			*rd;		/* RBUF_SIZE + READ_SIZE: where lines are read */
	int			 failed;	/* -errno from the loop */
};

/* Register EPOLLOUT for client id or not (EPOLLIN always); 0 or -errno from epoll_ctl. */
int	conn_epoll_set(struct bench *b, unsigned id, bool out);

/* Close client id (idempotent) and free its output; lost counts it as a disconnect. */
void	conn_close(struct bench *b, unsigned id, bool lost);

/* Send what client id has queued; on EAGAIN wait for EPOLLOUT, on failure close it. */
void	conn_flush(struct bench *b, unsigned id);

/* Open client id's socket, start its connect and queue its registration; 0 or -errno
 * (the socket is then closed and the client untouched). */
int	conn_connect(struct bench *b, unsigned id);

/* Queue client c's NICK and USER. */
void	conn_register(const struct bench *b, struct bconn *c);

/* --tls: start or advance the handshake; once done, the state is CS_REGISTERING (closed
 * on failure). */
void	conn_handshake(struct bench *b, unsigned id);

/* Append len bytes to the client's output; flushed at the end of the loop turn.  Dropped
 * for a dead client or when memory runs out. */
static inline void
conn_queue(struct bconn *c, const char *s, size_t len)
{
	size_t	 cap;
	char	*p;

	if (c->state == CS_DEAD)
		return;
	if (c->wlen + len > c->wcap) {
		cap = c->wcap ? c->wcap : 512;
		while (cap < c->wlen + len)
			cap *= 2;
		if ((p = realloc(c->wbuf, cap)) == NULL)
			return;
		c->wbuf = p;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, s, len);
	c->wlen += len;
}

/*
 * One IRC line (with its CR LF) for the server: as it is, or with --ws as one masked
 * text message without the CR LF.  The mask key is zero, so masking leaves the bytes as
 * they are: the server still unmasks every byte, the generator spends nothing.
 */
static inline void
conn_line(const struct bench *b, struct bconn *c, const char *s, size_t len)
{
	unsigned char	 head[8] = { 0x81 };
	size_t		 n = len - 2, hl = 2;

	if (!b->o->ws) {
		conn_queue(c, s, len);
		return;
	}
	if (n < 126) {
		head[1] = 0x80 | (unsigned char)n;
	} else {
		head[1] = 0x80 | 126;
		head[2] = (unsigned char)(n >> 8);
		head[3] = (unsigned char)n;
		hl = 4;
	}
	conn_queue(c, (const char *)head, hl + 4);
	conn_queue(c, s, n);
}

/* --ws: the server's 101 in buf[0 ..< len]: the bytes it took (0: more needed), or -1
 * when it refused. */
ssize_t	conn_upgraded(const char *buf, size_t len);

/* --ws: the next server frame at buf[0 ..< len]: its payload in *p, *n; the frame's
 * length, 0 when it is not complete, -1 when it is no frame a server sends. */
static inline ssize_t
conn_ws_frame(char *buf, size_t len, char **p, size_t *n)
{
	const unsigned char	*h = (const unsigned char *)buf;
	size_t			 hl = 2;

	if (len < 2)
		return 0;
	*n = h[1] & 0x7f;
	if (h[1] & 0x80 || *n == 127)
		return -1;
	if (*n == 126) {
		if (len < 4)
			return 0;
		*n = (size_t)h[2] << 8 | h[3];
		hl = 4;
	}
	if (len < hl + *n)
		return 0;
	*p = buf + hl;
	return (ssize_t)(hl + *n);
}

/* One receive, through TLS with --tls: bytes, 0 at the end, or -1 with errno. */
static inline ssize_t
conn_recv(struct bconn *c, char *buf, size_t cap)
{
	int	 n, err;

	if (c->ssl == NULL)
		return recv(c->fd, buf, cap, 0);
	ERR_clear_error();
	if ((n = SSL_read(c->ssl, buf, (int)cap)) > 0)
		return n;
	err = SSL_get_error(c->ssl, n);
	if (err == SSL_ERROR_ZERO_RETURN)
		return 0;
	errno = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? EAGAIN :
	    ECONNRESET;
	return -1;
}

#endif
