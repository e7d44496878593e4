/*
 * Output queue: a singly linked list of fixed-size blocks.  Pushes fill the tail block
 * and chain new ones; writes gather the blocks into one sendmsg and free what went out.
 * Fixed blocks keep a push cheap (no realloc and copy of everything queued) and let a
 * slow reader's backlog be freed block by block as it drains.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "net/outq.h"
#include "net/tls.h"

#define OUTQ_BLOCK	4096

struct outq_block {
	struct outq_block	*next;
	size_t			 used;
	char			 data[];
};

static void
outq_free_chain(struct outq_block *b)
{
	struct outq_block	*next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

/* A chain of empty blocks with room for n bytes, or NULL when out of memory. */
static struct outq_block *
outq_alloc_chain(size_t n, struct outq_block **last)
{
	struct outq_block	*first = NULL, **link = &first, *b = NULL;

	for (size_t room = 0; room < n; room += OUTQ_BLOCK) {
		if ((b = malloc(sizeof(*b) + OUTQ_BLOCK)) == NULL) {
			outq_free_chain(first);
			return NULL;
		}
		b->next = NULL;
		b->used = 0;
		*link = b;
		link = &b->next;
	}
	*last = b;
	return first;
}

/* Copy up to n bytes into the free end of b; returns how many went in. */
static size_t
outq_fill(struct outq_block *b, const char *data, size_t n)
{
	size_t	 take = OUTQ_BLOCK - b->used;

	if (take > n)
		take = n;
	memcpy(b->data + b->used, data, take);
	b->used += take;
	return take;
}

int
outq_push(struct outq *q, const char *data, size_t n)
{
	struct outq_block	*chain = NULL, *last = NULL;
	size_t			 room = 0, done = 0;

	if (n == 0)
		return 0;
	if (q->tail != NULL)
		room = OUTQ_BLOCK - q->tail->used;
	/* Allocate everything first, so that a failure leaves the queue as it was. */
	if (n > room && (chain = outq_alloc_chain(n - room, &last)) == NULL)
		return -1;
	if (q->tail != NULL)
		done = outq_fill(q->tail, data, n);
	for (struct outq_block *b = chain; b != NULL; b = b->next)
		done += outq_fill(b, data + done, n - done);
	if (chain != NULL) {
		if (q->tail != NULL)
			q->tail->next = chain;
		else
			q->head = chain;
		q->tail = last;
	}
	q->len += n;
	return 0;
}

/* Drop n written bytes from the front of the queue. */
static void
outq_consume(struct outq *q, size_t n)
{
	struct outq_block	*b;

	q->len -= n;
	while (n > 0) {
		b = q->head;
		if (n < b->used - q->head_off) {
			q->head_off += n;
			return;
		}
		n -= b->used - q->head_off;
		q->head = b->next;
		q->head_off = 0;
		free(b);
	}
	if (q->head == NULL)
		q->tail = NULL;
}

ssize_t
outq_write(struct outq *q, int fd)
{
	struct iovec		 iov[IOV_MAX];
	struct msghdr		 msg;
	struct outq_block	*b;
	size_t			 off = q->head_off;
	int			 niov = 0;
	ssize_t			 n;

	if (q->len == 0)
		return 0;
	for (b = q->head; b != NULL && niov < IOV_MAX; b = b->next) {
		iov[niov].iov_base = b->data + off;
		iov[niov].iov_len = b->used - off;
		niov++;
		off = 0;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)niov;
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	outq_consume(q, (size_t)n);
	return n;
}

/* Copy up to cap queued bytes, from the front, into buf; returns how many. */
static size_t
outq_peek(const struct outq *q, char *buf, size_t cap)
{
	const struct outq_block	*b;
	size_t			 off = q->head_off, n = 0, take;

	for (b = q->head; b != NULL && n < cap; b = b->next) {
		take = b->used - off;
		if (take > cap - n)
			take = cap - n;
		memcpy(buf + n, b->data + off, take);
		n += take;
		off = 0;
	}
	return n;
}

/*
 * Blocks are coalesced into full records: a fanout line per 4 KiB block would cost a
 * record header and a MAC each.  The front bytes stay queued until TLS took them, so a
 * retry passes the same front, only perhaps longer, which TLS accepts.
 */
ssize_t
outq_write_tls(struct outq *q, struct tls *t)
{
	char	 buf[OUTQ_TLS_RECORD];
	size_t	 total = 0;
	ssize_t	 n;

	while (q->len > 0) {
		n = tls_write(t, buf, outq_peek(q, buf, sizeof(buf)));
		if (n < 0)
			return total > 0 ? (ssize_t)total : n;
		outq_consume(q, (size_t)n);
		total += (size_t)n;
	}
	return (ssize_t)total;
}

void
outq_clear(struct outq *q)
{
	outq_free_chain(q->head);
	q->head = q->tail = NULL;
	q->head_off = 0;
	q->len = 0;
}
