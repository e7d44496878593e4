/*
 * Output queue: a singly linked list of blocks.  Pushes fill the tail block and chain
 * new ones; writes gather the blocks into one sendmsg and free what went out.  Blocks
 * keep a push cheap (no realloc and copy of everything queued) and let a slow reader's
 * backlog be freed block by block as it drains.
 *
 * A reference block holds no bytes of its own but points into an arena: a channel line
 * is copied there once, and every receiver's queue refers to it.  sendmsg gathers from
 * both kinds alike, so the only per-receiver copy is the kernel's.  What a write leaves
 * referred to is settled, copied into owned blocks, before the arena is reused.
 *
 * Memory follows what is queued.  A block is sized for what it holds, from OUTQ_MIN up
 * to OUTQ_BLOCK, and the tail grows in place (realloc, doubling) while copies come, so
 * every block but the head (partly written) and the smallest ones is half used.  A
 * copy after a reference starts a small block, not a whole one; a shared line short
 * enough that a reference would cost more, or that fits the tail's free end, is copied.
 * Settling copies the references and everything after them into the tail as pushes do,
 * so it leaves the queue packed (only full blocks are relinked as they are).
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/outq.h"
#include "net/tls.h"

#define OUTQ_BLOCK	4096	/* the most one block holds */
#define OUTQ_MIN	16	/* the least */
#define OUTQ_REF_MIN	64	/* shared lines shorter than this are copied */
#define OUTQ_REF_MAX	UINT32_MAX
#define OUTQ_CHUNK	65536	/* arena chunk; a larger copy gets one of its own */

struct outq_block {
	struct outq_block	*next;
	const char		*bytes;	/* data, or bytes in an arena */
	uint32_t		 used;
	uint32_t		 cap;	/* room in data; 0: a reference */
	char			 data[];
};

struct outq_chunk {
	struct outq_chunk	*next;
	size_t			 used, cap;
	char			 data[];
};

/* The room for a new block or a grown tail that must take n bytes: a power of two. */
static uint32_t
outq_cap(size_t n)
{
	uint32_t	 cap = OUTQ_MIN;

	while (cap < n && cap < OUTQ_BLOCK)
		cap <<= 1;
	return cap;
}

static void
outq_free_block(struct outq *q, struct outq_block *b)
{
	q->held -= sizeof(*b) + b->cap;
	if (b->cap == 0)
		q->refs--;
	free(b);
}

/* Link the chain first..last (pre: the block before last in it, NULL when first is
 * last) at the end of the queue. */
static void
outq_append(struct outq *q, struct outq_block *first, struct outq_block *last,
    struct outq_block *pre)
{
	struct outq_block	**link = q->tail != NULL ? &q->tail->next : &q->head;

	*link = first;
	q->tail_link = pre != NULL ? &pre->next : link;
	q->tail = last;
}

/*
 * A chain of empty owned blocks with room for n bytes, not linked yet: full ones and a
 * last one sized for the rest.  Returns 0, or -1 when out of memory (nothing allocated).
 */
static int
outq_alloc_chain(struct outq *q, size_t n, struct outq_block **first,
    struct outq_block **last, struct outq_block **pre)
{
	struct outq_block	*b, **link = first;
	size_t			 held = 0;
	uint32_t		 cap;

	*first = *last = *pre = NULL;
	while (n > 0) {
		cap = outq_cap(n);
		if ((b = malloc(sizeof(*b) + cap)) == NULL) {
			for (b = *first; b != NULL; b = *first) {
				*first = b->next;
				free(b);
			}
			return -1;
		}
		*b = (struct outq_block){ .used = 0, .cap = cap };
		b->bytes = b->data;
		*link = b;
		link = &b->next;
		*pre = *last;
		*last = b;
		held += sizeof(*b) + cap;
		n -= n < cap ? n : cap;
	}
	q->held += held;
	return 0;
}

/* Grow the owned tail towards room for need bytes in all.  Returns 0, or -1 when out
 * of memory (the tail as it was). */
static int
outq_grow(struct outq *q, size_t need)
{
	struct outq_block	*b = q->tail;
	uint32_t		 cap = outq_cap(need);

	if ((b = realloc(b, sizeof(*b) + cap)) == NULL)
		return -1;
	q->held += cap - b->cap;
	b->cap = cap;
	b->bytes = b->data;
	*q->tail_link = b;
	q->tail = b;
	return 0;
}

/* Copy up to n bytes into the free end of b; returns how many went in. */
static size_t
outq_fill(struct outq_block *b, const char *data, size_t n)
{
	size_t	 take = b->cap - b->used;

	if (take > n)
		take = n;
	memcpy(b->data + b->used, data, take);
	b->used += (uint32_t)take;
	return take;
}

/* Copy n bytes in at the end (outq_len unchanged).  Returns 0, or -1 when out of memory
 * (nothing copied; the tail may have grown). */
static int
outq_copy_in(struct outq *q, const char *data, size_t n)
{
	struct outq_block	*b = q->tail, *first, *last, *pre;
	size_t			 room = 0, done = 0;

	if (b != NULL && b->cap > 0) {
		if (n > b->cap - b->used && b->cap < OUTQ_BLOCK &&
		    outq_grow(q, b->used + n) == -1)
			return -1;
		b = q->tail;
		room = b->cap - b->used;
	}
	/* Allocate everything first, so that a failure leaves the bytes as they were. */
	first = NULL;
	if (n > room && outq_alloc_chain(q, n - room, &first, &last, &pre) == -1)
		return -1;
	if (room > 0)
		done = outq_fill(b, data, n);
	for (b = first; done < n; b = b->next)
		done += outq_fill(b, data + done, n - done);
	if (first != NULL)
		outq_append(q, first, last, pre);
	return 0;
}

int
outq_push(struct outq *q, const char *data, size_t n)
{
	if (n == 0)
		return 0;
	if (outq_copy_in(q, data, n) == -1)
		return -1;
	q->len += n;
	return 0;
}

int
outq_push_shared(struct outq *q, const char *data, size_t n)
{
	struct outq_block	*b = q->tail;

	if (n == 0)
		return 0;
	if (b != NULL && b->cap == 0 && b->bytes + b->used == data &&
	    n <= OUTQ_REF_MAX - b->used) {
		b->used += (uint32_t)n;
		q->len += n;
		q->held += n;
		return 0;
	}
	/* A header would cost more than the bytes, or they fit where they would go. */
	if (n < OUTQ_REF_MIN || n > OUTQ_REF_MAX ||
	    (b != NULL && b->cap > 0 && n <= b->cap - b->used))
		return outq_push(q, data, n);
	if ((b = malloc(sizeof(*b))) == NULL)
		return -1;
	*b = (struct outq_block){ .bytes = data, .used = (uint32_t)n };
	outq_append(q, b, b, NULL);
	q->len += n;
	q->held += sizeof(*b) + n;
	q->refs++;
	return 0;
}

/*
 * Put back the blocks of a chain as they are, b first (off of it already written, when
 * the queue is empty: the head was detached).
 */
static void
outq_relink(struct outq *q, struct outq_block *b, size_t off)
{
	struct outq_block	*next;

	if (q->head == NULL)
		q->head_off = off;
	for (; b != NULL; b = next) {
		next = b->next;
		b->next = NULL;
		outq_append(q, b, b, NULL);
	}
}

int
outq_settle(struct outq *q)
{
	struct outq_block	**link = &q->head, **plink = &q->head, *prev = NULL;
	struct outq_block	*b, *next;
	size_t			 off = 0, n;

	if (q->refs == 0)
		return 0;
	for (; (b = *link)->cap > 0; link = &b->next) {
		plink = link;
		prev = b;
	}
	/* Detach the first reference and all after it; then copy them back in, in order. */
	*link = NULL;
	q->tail = prev;
	q->tail_link = plink;
	if (prev == NULL) {
		off = q->head_off;
		q->head_off = 0;
	}
	for (; b != NULL; b = next, off = 0) {
		next = b->next;
		if (b->cap == OUTQ_BLOCK && b->used == OUTQ_BLOCK && off == 0) {
			b->next = NULL;
			outq_append(q, b, b, NULL);
			continue;
		}
		n = b->used - off;
		if (outq_copy_in(q, b->bytes + off, n) == -1) {
			outq_relink(q, b, off);
			return -1;
		}
		if (b->cap == 0)
			q->held -= n;
		outq_free_block(q, b);
	}
	return 0;
}

/* Drop n written bytes from the front of the queue. */
static void
outq_consume(struct outq *q, size_t n)
{
	struct outq_block	*b;
	size_t			 left;

	q->len -= n;
	while (n > 0) {
		b = q->head;
		left = b->used - q->head_off;
		if (n < left) {
			q->head_off += n;
			if (b->cap == 0)
				q->held -= n;
			return;
		}
		n -= left;
		if (b->cap == 0)
			q->held -= left;
		q->head = b->next;
		q->head_off = 0;
		if (q->tail_link == &b->next)
			q->tail_link = &q->head;
		outq_free_block(q, b);
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
		iov[niov].iov_base = (char *)b->bytes + off;
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

size_t
outq_peek(const struct outq *q, char *buf, size_t cap)
{
	const struct outq_block	*b;
	size_t			 off = q->head_off, n = 0, take;

	for (b = q->head; b != NULL && n < cap; b = b->next) {
		take = b->used - off;
		if (take > cap - n)
			take = cap - n;
		memcpy(buf + n, b->bytes + off, take);
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
	struct outq_block	*b, *next;

	for (b = q->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	*q = (struct outq)OUTQ_INIT;
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
