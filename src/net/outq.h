#ifndef PARLEY_NET_OUTQ_H
#define PARLEY_NET_OUTQ_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Output queue of one connection: bytes waiting for the socket, in a list of blocks
 * allocated only while there is output (an idle connection holds nothing).  The caller
 * checks outq_held() against its sendq limit before pushing.
 *
 * A queue may also refer to bytes it does not own, in an outq_arena shared by many
 * queues for one loop turn (a channel line, copied once for all its receivers).  Such
 * references must be settled (copied in) with outq_settle before the arena is reset.
 *
 * What a queue holds stays in proportion to what it counts, whatever the mix of copies,
 * references, settling and partial writes: outq_held() <= 2 * outq_len() + OUTQ_SLACK.
 */
struct outq_block;
struct outq_chunk;

struct outq {
	struct outq_block	*head;
	struct outq_block	*tail;
	struct outq_block	**tail_link;	/* &head, or the next of tail's elder */
	size_t			 head_off;	/* bytes of head already written */
	size_t			 len;		/* bytes queued, not yet written */
	size_t			 held;		/* blocks, and arena bytes referred to */
	size_t			 refs;		/* blocks referring to an arena */
};

#define OUTQ_INIT	{ NULL, NULL, NULL, 0, 0, 0, 0 }

/* The most a queue holds beyond twice what it counts: one block (the head, partly
 * written) and the headers of a few small ones. */
#define OUTQ_SLACK	(4096 + 256)

/* Append n bytes (copied).  Returns 0, or -1 when out of memory (nothing queued). */
int	outq_push(struct outq *q, const char *data, size_t n);

/* Append n bytes of an arena by reference (joined to the previous reference when it
 * ends where data starts); short lines, and lines that fit the free end of the last
 * block, are copied instead.  Returns 0, or -1 when out of memory (nothing queued). */
int	outq_push_shared(struct outq *q, const char *data, size_t n);

/* Copy every byte still referred to into the queue's own blocks.  Returns 0, or -1 when
 * out of memory (the queue is whole but may still refer: clear it). */
int	outq_settle(struct outq *q);

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

/* Bytes queued, not yet written. */
static inline size_t
outq_len(const struct outq *q)
{
	return q->len;
}

/* Bytes the queue holds: its blocks (headers and free room included) and the arena
 * bytes it still refers to.  At least outq_len(); what sendq limits. */
static inline size_t
outq_held(const struct outq *q)
{
	return q->held;
}

/* Copy up to cap queued bytes, from the front, into buf; returns how many. */
size_t	outq_peek(const struct outq *q, char *buf, size_t cap);

/* Drop everything queued and free the blocks. */
void	outq_clear(struct outq *q);

/*
 * Bytes shared by many queues for a while (a loop turn): copied in once, never moved
 * until outq_arena_reset, which keeps one chunk for the next turn.
 */
struct outq_arena {
	struct outq_chunk	*head;		/* the chunk filled now; older ones follow */
};

#define OUTQ_ARENA_INIT	{ NULL }

/* A copy of n bytes in the arena, or NULL when out of memory. */
const char	*outq_arena_copy(struct outq_arena *a, const char *data, size_t n);

/* Forget every copy (no queue may still refer to one); keep one chunk. */
void		 outq_arena_reset(struct outq_arena *a);

/* Free every chunk. */
void		 outq_arena_free(struct outq_arena *a);

#endif
