/*
 * Connections of the event driver: allocation, the raw reads and shutdown, and the
 * fd-indexed table.  What to do when is the driver's business (driver.h).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/conn.h"
#include "net/sock.h"
#include "net/tls.h"
#include "net/web.h"

#define CONN_TABLE_MIN	64

struct conn *
conn_new(int fd)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	list_init(&c->dirty);
	list_init(&c->link);
	c->framer = (struct framer)FRAMER_INIT;
	c->outq = (struct outq)OUTQ_INIT;
	c->fd = fd;
	c->state = CONN_OPEN;
	return c;
}

void
conn_free(struct conn *c, bool reset)
{
	struct linger	 lg = { 1, 0 };

	/* Best effort: if it fails, the close is merely graceful. */
	if (reset)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	tls_free(c->tls);
	web_free(c->web);
	sock_close(c->fd);
	framer_clear(&c->framer);
	outq_clear(&c->outq);
	free(c->proxied);
	free(c);
}

/* A TLS_* code as conn.h's -errno; which way TLS waits is kept in *wants. */
static ssize_t
conn_tls_errno(ssize_t n, bool *wants, int other)
{
	*wants = n == other;
	if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
		return -EAGAIN;
	return n == TLS_ERROR ? -EPROTO : n;
}

ssize_t
conn_recv(struct conn *c, char *buf, size_t cap)
{
	ssize_t	 n;

	if (c->tls != NULL)
		return conn_tls_errno(tls_read(c->tls, buf, cap), &c->read_wants_write,
		    TLS_WANT_WRITE);
	do {
		n = recv(c->fd, buf, cap, 0);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

ssize_t
conn_send(struct conn *c)
{
	if (c->tls != NULL)
		return conn_tls_errno(outq_write_tls(&c->outq, c->tls), &c->write_wants_read,
		    TLS_WANT_READ);
	return outq_write(&c->outq, c->fd);
}

int
conn_shutdown(struct conn *c)
{
	/* A peer that reads on gets a clean end of TLS; one that does not changes
	 * nothing, since the FIN follows anyway. */
	if (c->tls != NULL)
		(void)tls_shutdown(c->tls);
	if (shutdown(c->fd, SHUT_WR) == -1)
		return -errno;
	return 0;
}

bool
conn_settled(const struct conn *c)
{
	int	unacked, unread;

	if (ioctl(c->fd, SIOCOUTQ, &unacked) == -1 ||
	    ioctl(c->fd, FIONREAD, &unread) == -1)
		return false;
	return unacked == 0 && unread == 0;
}

int
conn_table_put(struct conn_table *t, struct conn *c)
{
	struct conn	**slot;
	size_t		  cap = t->cap > 0 ? t->cap : CONN_TABLE_MIN;

	if ((size_t)c->fd >= t->cap) {
		while (cap <= (size_t)c->fd)
			cap *= 2;
		if ((slot = realloc(t->slot, cap * sizeof(*slot))) == NULL)
			return -ENOMEM;
		memset(slot + t->cap, 0, (cap - t->cap) * sizeof(*slot));
		t->slot = slot;
		t->cap = cap;
	}
	t->slot[c->fd] = c;
	return 0;
}

struct conn *
conn_table_get(const struct conn_table *t, uint64_t fd)
{
	return fd < t->cap ? t->slot[fd] : NULL;
}

void
conn_table_del(struct conn_table *t, int fd)
{
	if (fd >= 0 && (size_t)fd < t->cap)
		t->slot[fd] = NULL;
}

void
conn_table_free(struct conn_table *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = 0;
}
