/*
 * Output queue: a singly linked list of fixed-size blocks.  Pushes fill the tail block
 * and chain new ones; writes gather the blocks into one sendmsg and free what went out.
 * Fixed blocks keep a push cheap (no realloc and copy of everything queued) and let a
 * slow reader's backlog be freed block by block as it drains.
 *
 * A reference block holds no bytes of its own but points into an arena: a channel line
 * is copied there once, and every receiver's queue refers to it.  sendmsg gathers from
 * both kinds alike, so the only per-receiver copy is the kernel's.  What a write leaves
 * referred to is settled, copied into owned blocks, before the arena is reused.
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
#define OUTQ_CHUNK	65536	/* arena chunk; a larger copy gets a chunk of its own */

struct outq_block {
	struct outq_block	*next;
	size_t			 used;
	const char		*ref;	/* bytes in an arena; NULL: in data (OUTQ_BLOCK) */
	char			 data[];
};

struct outq_chunk {
	struct outq_chunk	*next;
	size_t			 used, cap;
	char			 data[];
};

static const char *
outq_bytes(const struct outq_block *b)
{
	return b->ref != NULL ? b->ref : b->data;
}

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
		b->ref = NULL;
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

/*
 * Copy n bytes into the free end of after (when it is an owned block) and then into new
 * blocks, not linked yet: *first is the first new one (NULL: none was needed), *last the
 * block the bytes end in.  Returns 0, or -1 when out of memory (nothing copied).
 */
static int
outq_copy_after(struct outq_block *after, const char *data, size_t n,
    struct outq_block **first, struct outq_block **last)
{
	struct outq_block	*chain = NULL;
	size_t			 room = 0, done = 0;

	*last = after;
	if (after != NULL && after->ref == NULL)
		room = OUTQ_BLOCK - after->used;
	/* Allocate everything first, so that a failure leaves everything as it was. */
	if (n > room && (chain = outq_alloc_chain(n - room, last)) == NULL)
		return -1;
	if (room > 0)
		done = outq_fill(after, data, n);
	for (struct outq_block *b = chain; b != NULL; b = b->next)
		done += outq_fill(b, data + done, n - done);
	*first = chain;
	return 0;
}

/* Link the blocks first..last at the end of the queue. */
static void
outq_append(struct outq *q, struct outq_block *first, struct outq_block *last)
{
	if (q->tail != NULL)
		q->tail->next = first;
	else
		q->head = first;
	q->tail = last;
}

int
outq_push(struct outq *q, const char *data, size_t n)
{
	struct outq_block	*first, *last;

	if (n == 0)
		return 0;
	if (outq_copy_after(q->tail, data, n, &first, &last) == -1)
		return -1;
	if (first != NULL)
		outq_append(q, first, last);
	q->len += n;
	return 0;
}

int
outq_push_shared(struct outq *q, const char *data, size_t n)
{
	struct outq_block	*b = q->tail;

	if (n == 0)
		return 0;
	if (b != NULL && b->ref != NULL && b->ref + b->used == data) {
		b->used += n;
		q->len += n;
		return 0;
	}
	if ((b = malloc(sizeof(*b))) == NULL)
		return -1;
	*b = (struct outq_block){ .used = n, .ref = data };
	outq_append(q, b, b);
	q->len += n;
	q->refs++;
	return 0;
}

/*
 * Replace the reference block *link (whose first off bytes are written) by owned blocks:
 * the bytes go first into prev's free end, when prev is an owned block, then into new
 * ones.  Returns the last block now holding them, or NULL when out of memory.
 */
static struct outq_block *
outq_settle_one(struct outq *q, struct outq_block **link, struct outq_block *prev,
    size_t off)
{
	struct outq_block	*b = *link, *first, *last;

	if (outq_copy_after(prev, b->ref + off, b->used - off, &first, &last) == -1)
		return NULL;
	/* With no new block, prev took it all: then link is &prev->next and last is prev. */
	*link = first != NULL ? first : b->next;
	last->next = b->next;
	if (q->tail == b)
		q->tail = last;
	q->refs--;
	free(b);
	return last;
}

int
outq_settle(struct outq *q)
{
	struct outq_block	**link = &q->head, *prev = NULL, *b;

	while (q->refs > 0 && (b = *link) != NULL) {
		if (b->ref != NULL) {
			if ((b = outq_settle_one(q, link, prev, b == q->head ? q->head_off : 0))
			    == NULL)
				return -1;
			if (b == prev)
				continue;	/* it all went into prev: *link is the next */
			if (link == &q->head)
				q->head_off = 0;	/* the new head starts at what was left */
		}
		prev = b;
		link = &b->next;
	}
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
		if (b->ref != NULL)
			q->refs--;
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
		iov[niov].iov_base = (char *)outq_bytes(b) + off;
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
		memcpy(buf + n, outq_bytes(b) + off, take);
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
	q->refs = 0;
}

const char *
outq_arena_copy(struct outq_arena *a, const char *data, size_t n)
{
	struct outq_chunk	*c = a->head;
	size_t			 cap;
	char			*p;

	if (c == NULL || c->cap - c->used < n) {
		cap = n > OUTQ_CHUNK ? n : OUTQ_CHUNK;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		*c = (struct outq_chunk){ .next = a->head, .cap = cap };
		a->head = c;
	}
	p = c->data + c->used;
	memcpy(p, data, n);
	c->used += n;
	return p;
}

void
outq_arena_reset(struct outq_arena *a)
{
	struct outq_chunk	*c, *next;

	if (a->head == NULL)
		return;
	for (c = a->head->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head->next = NULL;
	a->head->used = 0;
}

void
outq_arena_free(struct outq_arena *a)
{
	outq_arena_reset(a);
	free(a->head);
	a->head = NULL;
}
