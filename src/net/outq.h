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

static inline size_t
outq_len(const struct outq *q)
{
	return q->len;
}

/* Drop everything queued and free the blocks. */
void	outq_clear(struct outq *q);

#endif
