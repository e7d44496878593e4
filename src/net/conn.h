#ifndef PARLEY_NET_CONN_H
#define PARLEY_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "core/list.h"
#include "net/framer.h"
#include "net/outq.h"

struct addr;
struct client;
struct tls;
struct web;

/*
 * One client connection of the event driver.  One exists for every idle client, so it
 * holds no buffer while there is nothing to buffer (framer and outq allocate on demand).
 * Being on the dirty list is list_linked(&dirty); whether output is awaited is the
 * loop's mask (loop_events).
 */
enum conn_state {
	CONN_HANDSHAKE,		/* TLS handshake under way: no client in the core yet */
	CONN_HTTP,		/* a web listener's HTTP requests: no client yet (web.c) */
	CONN_OPEN,		/* lines go to the core */
	CONN_DEAD,		/* over (error, sendq): to tell the core, then reset */
	CONN_CLOSING,		/* the core is done with it: flush, then shut down our side */
	CONN_LINGERING,		/* our FIN is out: discard input until EOF or the deadline */
};

/*
 * Input a closing or lingering peer may send us before it is reset (here and in the fork
 * model's relay).  Reading on after our ERROR keeps a reset from destroying that line for
 * a peer with some lines in flight; a peer that goes on flooding (an Excess Flood) would
 * have us read at its full speed for the whole linger.
 */
#define CONN_DISCARD_MAX	(64 * 1024)

struct conn {
	struct list	 dirty;		/* on the driver's dirty list: write before sleeping */
	struct list	 link;		/* reap list (dead) or timed list (closing, lingering) */
	struct framer	 framer;
	struct outq	 outq;
	struct client	*client;	/* the core's handle; NULL once the core forgot it */
	const char	*reason;	/* why it is dead; a string that outlives the conn */
	int64_t		 deadline;	/* handshake, closing, lingering: closed by then */
	int		 fd;
	enum conn_state	 state;
	struct tls	*tls;		/* NULL: plaintext */
	struct addr	*addr;		/* its address's count (net/addrs.h); NULL: none */
	struct web	*web;		/* a web listener's (net/web.h); NULL: plain IRC */
	bool		 read_wants_write;	/* TLS: retry the read once writable */
	bool		 write_wants_read;	/* TLS: retry the write once readable */
	bool		 registered;	/* its client registered: the whole sendq, not
					   sendq_unregistered */
	size_t		 discarded;	/* closing, lingering: input dropped so far */
	/* TLS behind a PROXY header (h-ops): the client's address it named; NULL: the
	 * socket's peer is the client. */
	struct sockaddr_storage	*proxied;
	bool		 via_tls;	/* accepted on a TLS listener (metrics, h-ops) */
};

/* A new open connection on fd (not taken over until this succeeds), or NULL when out of
 * memory. */
struct conn	*conn_new(int fd);

/*
 * Close the descriptor and free everything, TLS and web state included.  reset: abort
 * the connection (SO_LINGER 0, an RST) instead of leaving unsent bytes to the kernel,
 * for peers that do not read.
 * The caller has taken c off every list and out of the loop.
 */
void		 conn_free(struct conn *c, bool reset);

/* Read once into buf, decrypted when c->tls is set.  Returns the bytes read, 0 at EOF,
 * or -errno (-EAGAIN when there is nothing to read; with TLS it may instead wait for
 * the socket to be writable: read_wants_write; -EPROTO for a TLS failure).  EINTR is
 * retried.  With TLS, cap must be TLS_RECORD_MAX (16384) or more, or decrypted bytes
 * could wait inside TLS unseen by the poller. */
ssize_t		 conn_recv(struct conn *c, char *buf, size_t cap);

/* Write c's output queue once (outq_write, or outq_write_tls with TLS, which may set
 * write_wants_read).  Returns the bytes written, 0 when none were queued, or -errno:
 * -EAGAIN when the socket is full, -EPIPE/-ECONNRESET/-EPROTO when it is over. */
ssize_t		 conn_send(struct conn *c);

/* Send our FIN: with TLS a close_notify first (best effort), then shutdown(SHUT_WR).
 * Returns 0 or -errno. */
int		 conn_shutdown(struct conn *c);
/* Whether closing c now loses nothing: the peer has acknowledged every byte we sent
 * (our FIN included) and nothing it sent waits unread, so close() sends no reset.
 * False when the kernel cannot say. */
bool		 conn_settled(const struct conn *c);

/* Connections by descriptor, grown as descriptors grow. */
struct conn_table {
	struct conn	**slot;
	size_t		  cap;
};

#define CONN_TABLE_INIT	{ NULL, 0 }

/* Put c at c->fd.  Returns 0 or -ENOMEM. */
int		 conn_table_put(struct conn_table *t, struct conn *c);
/* The connection on fd, or NULL. */
struct conn	*conn_table_get(const struct conn_table *t, uint64_t fd);
void		 conn_table_del(struct conn_table *t, int fd);
/* Free the table, not the connections. */
void		 conn_table_free(struct conn_table *t);

#endif
