#ifndef PARLEY_NET_OUTQ_H
#define PARLEY_NET_OUTQ_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Output queue of one connection: bytes waiting for the socket, in a list of blocks
 * allocated only while there is output (an idle connection holds nothing).  The caller
 * checks outq_len() against its sendq limit before pushing.
 */
struct outq_block;

struct outq {
	struct outq_block	*head;
	struct outq_block	*tail;
	size_t			 head_off;	/* bytes of head already written */
	size_t			 len;		/* bytes queued, not yet written */
};

#define OUTQ_INIT	{ NULL, NULL, 0, 0 }

/* Append n bytes (copied).  Returns 0, or -1 when out of memory (nothing queued). */
int	outq_push(struct outq *q, const char *data, size_t n);

/*
 * Write as much as the socket takes with one sendmsg (MSG_NOSIGNAL) gathering up to
 * IOV_MAX blocks, and drop what was written.  Returns the bytes written (0 when the queue
 * is empty), or -errno: -EAGAIN when the socket is full, -EPIPE/-ECONNRESET when the peer
 * is gone.  EINTR is retried inside.
 */
ssize_t	outq_write(struct outq *q, int fd);

/*
 * The same through TLS: up to OUTQ_TLS_RECORD queued bytes at a time go to tls_write
 * (one TLS record each), until the queue is empty or TLS must wait.  Returns the bytes
 * written when any were, else 0 (empty queue) or a TLS_* code (net/tls.h).  A retry
 * after TLS_WANT_* hands TLS the same bytes again, as it requires.
 */
struct tls;
#define OUTQ_TLS_RECORD	16384	/* the largest TLS record */
ssize_t	outq_write_tls(struct outq *q, struct tls *t);

static inline size_t
outq_len(const struct outq *q)
{
	return q->len;
}

/* Drop everything queued and free the blocks. */
void	outq_clear(struct outq *q);

#endif
