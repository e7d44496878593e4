/*
 * Output queue over a real socketpair: byte-exact order across blocks, partial writes,
 * a full socket, a gone peer (without dying of SIGPIPE), clearing, and bytes referred to
 * in a shared arena: written in order with owned ones, settled before the arena is reused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/outq.h"

#define BLOCK	4096	/* outq.c's block payload */

struct pair {
	int	 w;	/* the queue writes here (non-blocking) */
	int	 r;	/* the peer reads here (non-blocking) */
};

static void
pair_open(struct pair *p)
{
	int	 sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	p->w = sv[0];
	p->r = sv[1];
}

static void
pair_close(struct pair *p)
{
	if (p->w != -1)
		close(p->w);
	if (p->r != -1)
		close(p->r);
}

/* A recognisable byte for every offset, so that order is checked exactly. */
static char *
pattern(size_t n, unsigned seed)
{
	char	*p = malloc(n);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)((i * 7 + seed + i / 251) & 0xff);
	return p;
}

/* Read what the peer has, appending at out + *got (cap bytes room). */
static void
drain(int fd, char *out, size_t cap, size_t *got)
{
	ssize_t	 n;

	while (*got < cap) {
		n = read(fd, out + *got, cap - *got);
		if (n == -1 && errno == EAGAIN)
			return;
		assert_true(n > 0);
		*got += (size_t)n;
	}
	/* Never more than expected. */
	assert_int_equal(read(fd, &(char){ 0 }, 1), -1);
	assert_int_equal(errno, EAGAIN);
}

/* Write and drain in turns until the queue is empty; bounded. */
static void
pump(struct outq *q, struct pair *p, char *out, size_t cap, size_t *got)
{
	for (int turn = 0; turn < 100000 && outq_len(q) > 0; turn++) {
		size_t	 before = outq_len(q);
		ssize_t	 w = outq_write(q, p->w);

		if (w < 0)
			assert_int_equal(w, -EAGAIN);
		else
			assert_int_equal(outq_len(q), before - (size_t)w);
		drain(p->r, out, cap, got);
	}
	assert_int_equal(outq_len(q), 0);
	drain(p->r, out, cap, got);
}

static void
test_empty_queue(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;

	(void)state;
	pair_open(&p);
	assert_int_equal(outq_len(&q), 0);
	assert_int_equal(outq_write(&q, p.w), 0);
	assert_int_equal(outq_push(&q, "x", 0), 0);
	assert_null(q.head);
	assert_null(q.tail);
	assert_int_equal(outq_write(&q, p.w), 0);
	pair_close(&p);
}

static void
test_push_and_write_small(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	char		 out[64];
	size_t		 got = 0;

	(void)state;
	pair_open(&p);
	assert_int_equal(outq_push(&q, "PING :a\r\n", 9), 0);
	assert_int_equal(outq_push(&q, "PING :b\r\n", 9), 0);
	assert_int_equal(outq_len(&q), 18);
	assert_ptr_equal(q.head, q.tail);
	assert_int_equal(outq_write(&q, p.w), 18);
	assert_int_equal(outq_len(&q), 0);
	assert_null(q.head);
	assert_null(q.tail);
	assert_int_equal(q.head_off, 0);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, 18);
	assert_memory_equal(out, "PING :a\r\nPING :b\r\n", 18);
	pair_close(&p);
}

static void
test_large_push_spans_blocks(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 10 * BLOCK + 123, got = 0;
	char		*in = pattern(n, 1), *out = malloc(n);

	(void)state;
	assert_non_null(out);
	pair_open(&p);
	assert_int_equal(outq_push(&q, in, n), 0);
	assert_int_equal(outq_len(&q), n);
	assert_ptr_not_equal(q.head, q.tail);
	pump(&q, &p, out, n, &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, in, n);
	assert_null(q.head);
	assert_null(q.tail);
	free(in);
	free(out);
	pair_close(&p);
}

/* Small pushes fill the tail block before a new one is chained. */
static void
test_small_pushes_cross_blocks(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 3 * BLOCK + 5, got = 0;
	char		*in = pattern(n, 2), *out = malloc(n);

	(void)state;
	assert_non_null(out);
	pair_open(&p);
	for (size_t off = 0; off < n; off += 7) {
		size_t	 k = n - off < 7 ? n - off : 7;

		assert_int_equal(outq_push(&q, in + off, k), 0);
		if (off + k <= BLOCK)
			assert_ptr_equal(q.head, q.tail);
	}
	assert_int_equal(outq_len(&q), n);
	pump(&q, &p, out, n, &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, in, n);
	free(in);
	free(out);
	pair_close(&p);
}

/* A full socket: -EAGAIN and nothing lost; head_off marks a write ending mid-block. */
static void
test_partial_write_then_eagain(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 4 * 1024 * 1024 + 17, written = 0, got = 0;
	char		*in = pattern(n, 3), *out = malloc(n);
	ssize_t		 w;
	int		 turn;

	(void)state;
	assert_non_null(out);
	pair_open(&p);
	assert_int_equal(outq_push(&q, in, n), 0);
	/* One sendmsg gathers many blocks, not just the head. */
	assert_true((w = outq_write(&q, p.w)) > 2 * BLOCK);
	written = (size_t)w;
	for (turn = 0; turn < 1000; turn++) {
		if ((w = outq_write(&q, p.w)) < 0)
			break;
		written += (size_t)w;
		assert_int_equal(outq_len(&q), n - written);
		assert_int_equal(q.head_off, written % BLOCK);
	}
	assert_int_equal(w, -EAGAIN);
	assert_true(written > 0 && written < n);
	assert_int_equal(outq_len(&q), n - written);
	assert_int_equal(outq_write(&q, p.w), -EAGAIN);
	assert_int_equal(outq_len(&q), n - written);

	/* The peer reads; the rest follows in order. */
	pump(&q, &p, out, n, &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, in, n);
	free(in);
	free(out);
	pair_close(&p);
}

/* A tiny send buffer: many short writes, each ending somewhere inside a block. */
static void
test_many_partial_writes(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 20 * BLOCK + 1, written = 0, got = 0;
	char		*in = pattern(n, 7), *out = malloc(n);
	int		 one = 1, partial = 0;

	(void)state;
	assert_non_null(out);
	pair_open(&p);
	/* The kernel rounds this up to its minimum. */
	assert_int_equal(setsockopt(p.w, SOL_SOCKET, SO_SNDBUF, &one, sizeof(one)), 0);
	assert_int_equal(outq_push(&q, in, n), 0);
	for (int turn = 0; turn < 10000 && outq_len(&q) > 0; turn++) {
		ssize_t	 w = outq_write(&q, p.w);

		if (w == -EAGAIN) {
			drain(p.r, out, n, &got);
			continue;
		}
		assert_true(w > 0);
		written += (size_t)w;
		assert_int_equal(outq_len(&q), n - written);
		if (outq_len(&q) > 0) {
			assert_int_equal(q.head_off, written % BLOCK);
			partial++;
		}
	}
	assert_true(partial > 5);
	assert_int_equal(outq_len(&q), 0);
	drain(p.r, out, n, &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, in, n);
	free(in);
	free(out);
	pair_close(&p);
}

/* More blocks than one sendmsg may gather. */
static void
test_more_blocks_than_iov_max(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 1100 * (size_t)BLOCK + 99, got = 0;
	char		*in = pattern(n, 4), *out = malloc(n);

	(void)state;
	assert_non_null(out);
	pair_open(&p);
	assert_int_equal(outq_push(&q, in, n), 0);
	pump(&q, &p, out, n, &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, in, n);
	free(in);
	free(out);
	pair_close(&p);
}

/* Pushing after a partial write appends behind what is left, head_off kept. */
static void
test_push_after_partial_write(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 2 * 1024 * 1024, got = 0, written = 0;
	char		*in = pattern(2 * n, 5), *out = malloc(2 * n);
	ssize_t		 w;

	(void)state;
	assert_non_null(out);
	pair_open(&p);
	assert_int_equal(outq_push(&q, in, n), 0);
	for (int turn = 0; turn < 1000 && (w = outq_write(&q, p.w)) > 0; turn++)
		written += (size_t)w;
	assert_true(written < n);
	assert_int_equal(outq_push(&q, in + n, n), 0);
	assert_int_equal(outq_len(&q), 2 * n - written);
	pump(&q, &p, out, 2 * n, &got);
	assert_int_equal(got, 2 * n);
	assert_memory_equal(out, in, 2 * n);
	free(in);
	free(out);
	pair_close(&p);
}

/* The peer is gone: -EPIPE, the queue untouched, and no SIGPIPE kills the test. */
static void
test_peer_closed_epipe(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;

	(void)state;
	pair_open(&p);
	close(p.r);
	p.r = -1;
	assert_int_equal(outq_push(&q, "ERROR :bye\r\n", 12), 0);
	assert_int_equal(outq_write(&q, p.w), -EPIPE);
	assert_int_equal(outq_len(&q), 12);
	assert_non_null(q.head);
	outq_clear(&q);
	pair_close(&p);
}

static void
test_bad_descriptor(void **state)
{
	struct outq	 q = OUTQ_INIT;

	(void)state;
	assert_int_equal(outq_push(&q, "x", 1), 0);
	assert_int_equal(outq_write(&q, -1), -EBADF);
	assert_int_equal(outq_len(&q), 1);
	outq_clear(&q);
}

static void
test_clear(void **state)
{
	struct outq	 q = OUTQ_INIT;
	struct pair	 p;
	size_t		 n = 1024 * 1024, got = 0;
	char		*in = pattern(n, 6);
	char		 out[16];

	(void)state;
	pair_open(&p);
	assert_int_equal(outq_push(&q, in, n), 0);
	assert_true(outq_write(&q, p.w) > 0);
	assert_true(outq_len(&q) > 0);
	outq_clear(&q);
	assert_int_equal(outq_len(&q), 0);
	assert_null(q.head);
	assert_null(q.tail);
	assert_int_equal(q.head_off, 0);
	outq_clear(&q);
	pair_close(&p);

	/* Usable again from scratch. */
	pair_open(&p);
	assert_int_equal(outq_push(&q, "again", 5), 0);
	assert_int_equal(outq_write(&q, p.w), 5);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, 5);
	assert_memory_equal(out, "again", 5);
	assert_null(q.head);
	free(in);
	pair_close(&p);
}

/* Channel lines as the arena holds them: long enough to be referred to, not copied. */
#define LINE(s)	":nick!user@host.example PRIVMSG #channel :" s " -- padding padding\r\n"

/* Referred and owned bytes leave in push order; adjacent references join. */
static void
test_shared_in_order(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	const char		*l1 = LINE("one"), *l2 = LINE("two"), *l3 = LINE("three");
	const char		*own = ":server 001 nick :a reply of its own, to count\r\n";
	const char		*one, *two, *three;
	char			 want[512], out[512];
	size_t			 got = 0, n;

	(void)state;
	pair_open(&p);
	assert_non_null(one = outq_arena_copy(&a, l1, strlen(l1)));
	assert_non_null(two = outq_arena_copy(&a, l2, strlen(l2)));
	assert_non_null(three = outq_arena_copy(&a, l3, strlen(l3)));
	assert_int_equal(outq_push_shared(&q, one, strlen(l1)), 0);
	assert_int_equal(outq_push(&q, own, strlen(own)), 0);
	/* own's block has no room for two: two is referred to, and three joins it. */
	assert_int_equal(outq_push_shared(&q, two, strlen(l2)), 0);
	assert_int_equal(outq_push_shared(&q, three, strlen(l3)), 0);
	assert_int_equal(q.refs, 2);
	n = (size_t)snprintf(want, sizeof(want), "%s%s%s%s", l1, own, l2, l3);
	assert_int_equal(outq_len(&q), n);
	assert_int_equal(outq_write(&q, p.w), n);
	assert_int_equal(q.refs, 0);
	assert_int_equal(outq_held(&q), 0);
	assert_null(q.head);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, want, n);
	outq_arena_free(&a);
	pair_close(&p);
}

/* A shared line shorter than a reference's header, or one that fits the free end of the
 * last block, is copied: no reference, nothing more held than the bytes need. */
static void
test_shared_copied_when_cheaper(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	const char		*l = LINE("fits"), *line;
	const char		*reply = ":server 353 nick = #channel :"
				    "alice bob carol dave erin frank grace heidi ivan judy mallory "
				    "niaj olivia peggy rupert sybil trent victor walter\r\n";
	char			 want[512], out[512];
	size_t			 got = 0, n;

	(void)state;
	pair_open(&p);
	assert_int_equal(outq_push_shared(&q, outq_arena_copy(&a, "PING :x\r\n", 9), 9), 0);
	assert_int_equal(q.refs, 0);
	/* Grown to 256 bytes of room, with more than a line to spare. */
	assert_int_equal(outq_push(&q, reply, strlen(reply)), 0);
	assert_ptr_equal(q.head, q.tail);
	assert_non_null(line = outq_arena_copy(&a, l, strlen(l)));
	assert_int_equal(outq_push_shared(&q, line, strlen(l)), 0);
	assert_int_equal(q.refs, 0);
	assert_ptr_equal(q.head, q.tail);
	n = (size_t)snprintf(want, sizeof(want), "PING :x\r\n%s%s", reply, l);
	assert_int_equal(outq_len(&q), n);
	assert_true(outq_held(&q) <= 2 * n + 64);
	outq_arena_free(&a);
	assert_int_equal(outq_write(&q, p.w), n);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, want, n);
	pair_close(&p);
}

/*
 * A partial write leaves a reference half written: settling copies what is left, so the
 * bytes survive the arena being reset and overwritten.
 */
static void
test_settle_after_partial_write(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	size_t			 big = 1024 * 1024, n = big + 4 + 2, got = 0;
	char			*in = pattern(big, 9), *want = malloc(n), *out = malloc(n);
	const char		*ref, *small;
	ssize_t			 w;

	(void)state;
	assert_non_null(want);
	assert_non_null(out);
	memcpy(want, in, big);
	memcpy(want + big, "tailzz", 6);
	pair_open(&p);
	assert_non_null(ref = outq_arena_copy(&a, in, big));
	assert_int_equal(outq_push_shared(&q, ref, big), 0);
	assert_int_equal(outq_push(&q, "tail", 4), 0);
	assert_non_null(small = outq_arena_copy(&a, "zz", 2));
	assert_int_equal(outq_push_shared(&q, small, 2), 0);
	w = outq_write(&q, p.w);
	assert_true(w > 0 && (size_t)w < big);
	assert_true(q.head_off > 0);
	assert_int_equal(outq_settle(&q), 0);
	assert_int_equal(q.refs, 0);
	assert_int_equal(q.head_off, 0);
	assert_int_equal(outq_len(&q), n - (size_t)w);
	outq_arena_reset(&a);
	memset((char *)outq_arena_copy(&a, in, 65536), '#', 65536);
	memcpy(out, in, (size_t)w);
	got = 0;
	drain(p.r, out, (size_t)w, &got);
	pump(&q, &p, out, n, &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, want, n);
	outq_arena_free(&a);
	free(in);
	free(want);
	free(out);
	pair_close(&p);
}

/* A reference between owned bytes settles in place (into the free end of the block
 * before it, with what follows), the arena then freed. */
static void
test_settle_into_previous_block(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	const char		*l = LINE("between");
	char			 want[256], out[256];
	size_t			 got = 0, n;

	(void)state;
	pair_open(&p);
	assert_int_equal(outq_push(&q, "ab", 2), 0);
	assert_int_equal(outq_push_shared(&q, outq_arena_copy(&a, l, strlen(l)), strlen(l)), 0);
	assert_int_equal(q.refs, 1);
	assert_int_equal(outq_push(&q, "ef", 2), 0);
	assert_ptr_not_equal(q.head, q.tail);
	assert_int_equal(outq_settle(&q), 0);
	assert_int_equal(q.refs, 0);
	assert_ptr_equal(q.head, q.tail);
	n = (size_t)snprintf(want, sizeof(want), "ab%sef", l);
	assert_int_equal(outq_len(&q), n);
	outq_arena_free(&a);
	assert_int_equal(outq_write(&q, p.w), n);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, n);
	assert_memory_equal(out, want, n);
	pair_close(&p);
}

/* Clearing drops references too; settling a queue without any does nothing. */
static void
test_clear_shared(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	const char		*l = LINE("x");

	(void)state;
	assert_int_equal(outq_settle(&q), 0);
	assert_int_equal(outq_push_shared(&q, outq_arena_copy(&a, l, strlen(l)), strlen(l)), 0);
	assert_int_equal(q.refs, 1);
	assert_int_equal(outq_push(&q, "y\r\n", 3), 0);
	outq_clear(&q);
	assert_int_equal(q.refs, 0);
	assert_int_equal(outq_len(&q), 0);
	assert_int_equal(outq_held(&q), 0);
	assert_null(q.head);
	outq_arena_free(&a);
	outq_arena_free(&a);
}

/*
 * What the queue holds, two ways: its own figure (what the driver checks against sendq)
 * and the heap's, exact when main turned off glibc's per-thread cache of freed chunks
 * (which the heap counts as in use).  Both stay within twice what is queued plus
 * OUTQ_SLACK, and the queue's figure is never below what it counts.
 */
static int	heap_exact;

static size_t
heap_in_use(void)
{
	return mallinfo2().uordblks;
}

static void
assert_held_bounded(const struct outq *q, size_t heap_base)
{
	size_t	 len = outq_len(q), held = outq_held(q), heap = heap_in_use() - heap_base;

	assert_true(held >= len);
	if (held > 2 * len + OUTQ_SLACK)
		fail_msg("the queue holds %zu for %zu queued", held, len);
	if (heap_exact && heap > 2 * len + OUTQ_SLACK)
		fail_msg("the heap holds %zu for %zu queued", heap, len);
}

/*
 * A client that does not read, getting replies of its own (copied) between channel lines
 * (referred to), as JOIN of many channels does: each reply used to start a block of its
 * own, 4 KiB for a hundred bytes.
 */
static void
test_replies_between_channel_lines(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	const char		*l = LINE("join"), *reply = ":server 366 nick #channel :End\r\n";
	size_t			 base;

	(void)state;
	assert_non_null(outq_arena_copy(&a, "warm", 4));
	outq_arena_reset(&a);
	base = heap_in_use();
	for (int turn = 0; turn < 50; turn++) {
		for (int i = 0; i < 100; i++) {
			assert_int_equal(outq_push(&q, reply, strlen(reply)), 0);
			/* Another channel's line between: no joining with the last one. */
			assert_non_null(outq_arena_copy(&a, "x", 1));
			assert_int_equal(outq_push_shared(&q, outq_arena_copy(&a, l, strlen(l)),
			    strlen(l)), 0);
			assert_held_bounded(&q, base);
		}
		assert_int_equal(outq_settle(&q), 0);
		outq_arena_reset(&a);
		assert_held_bounded(&q, base);
	}
	outq_clear(&q);
	assert_int_equal(heap_in_use(), base);
	outq_arena_free(&a);
}

/* A small deterministic generator (xorshift64*). */
static uint64_t	mix_state;

static uint32_t
mix_rand(void)
{
	mix_state ^= mix_state >> 12;
	mix_state ^= mix_state << 25;
	mix_state ^= mix_state >> 27;
	return (uint32_t)((mix_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* A push's length: mostly lines around a reference's cost, some long replies. */
static size_t
mix_size(void)
{
	switch (mix_rand() % 8) {
	case 0:
		return 1 + mix_rand() % 16;
	case 1:
	case 2:
		return 1 + mix_rand() % 100;
	case 3:
	case 4:
	case 5:
		return 40 + mix_rand() % 500;
	case 6:
		return 400 + mix_rand() % 4000;
	default:
		return 1 + mix_rand() % 12000;
	}
}

#define MIX_STEPS	30000
#define MIX_STREAM	(16 * 1024 * 1024)	/* every byte pushed, in order */
#define MIX_SHARED	50000			/* arena bytes per turn: one chunk */

/* The peer reads up to max bytes and checks them against the stream. */
static void
mix_read(struct pair *p, const char *stream, char *buf, size_t max, size_t *got)
{
	ssize_t	 n = read(p->r, buf, max);

	if (n == -1) {
		assert_int_equal(errno, EAGAIN);
		return;
	}
	assert_true(n > 0);
	assert_memory_equal(buf, stream + *got, (size_t)n);
	*got += (size_t)n;
}

/*
 * Any mix of copies, references (joined or not), settling at a turn's end and partial
 * writes to a socket that takes little at a time: the bound holds after every step,
 * and the peer reads every byte exactly in push order.
 */
static void
test_any_mix_held_bounded(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	char			*stream = pattern(MIX_STREAM, 11), buf[16384];
	size_t			 pushed = 0, got = 0, shared = 0, limit = 0, n, base;
	const char		*line;
	int			 one = 1, step;
	ssize_t			 w;

	(void)state;
	mix_state = 0x9e3779b97f4a7c15ULL;
	pair_open(&p);
	assert_int_equal(setsockopt(p.w, SOL_SOCKET, SO_SNDBUF, &one, sizeof(one)), 0);
	assert_non_null(outq_arena_copy(&a, "warm", 4));
	outq_arena_reset(&a);
	base = heap_in_use();
	for (step = 0; step < MIX_STEPS; step++) {
		uint32_t	 op = mix_rand() % 100;

		n = mix_size();
		if (n > MIX_STREAM - pushed)
			break;
		if (op < 35) {
			assert_int_equal(outq_push(&q, stream + pushed, n), 0);
			pushed += n;
		} else if (op < 70) {
			if (shared + n > MIX_SHARED) {
				assert_int_equal(outq_settle(&q), 0);
				outq_arena_reset(&a);
				shared = 0;
			}
			assert_non_null(line = outq_arena_copy(&a, stream + pushed, n));
			assert_int_equal(outq_push_shared(&q, line, n), 0);
			pushed += n;
			shared += n;
		} else if (op < 78) {
			/* Someone else's line: the next reference cannot join the last. */
			assert_non_null(outq_arena_copy(&a, "gap", 3));
			shared += 3;
		} else if (op < 86) {
			assert_int_equal(outq_settle(&q), 0);
			assert_int_equal(q.refs, 0);
			outq_arena_reset(&a);
			shared = 0;
		} else if (op < 94) {
			w = outq_write(&q, p.w);
			assert_true(w >= 0 || w == -EAGAIN);
		} else {
			mix_read(&p, stream, buf, 1 + mix_rand() % sizeof(buf), &got);
		}
		assert_held_bounded(&q, base);
		/* Phases of a reader that keeps the queue short or lets it grow. */
		if (step % 500 == 0)
			limit = (size_t)256 << (mix_rand() % 11);
		for (int turn = 0; turn < 10000 && outq_len(&q) > limit; turn++) {
			(void)outq_write(&q, p.w);
			mix_read(&p, stream, buf, sizeof(buf), &got);
			assert_held_bounded(&q, base);
		}
		assert_true(outq_len(&q) <= limit + 12000);
	}
	assert_true(step > MIX_STEPS / 2);
	assert_int_equal(outq_settle(&q), 0);
	outq_arena_reset(&a);
	for (int turn = 0; turn < 100000 && got < pushed; turn++) {
		w = outq_write(&q, p.w);
		assert_true(w >= 0 || w == -EAGAIN);
		mix_read(&p, stream, buf, sizeof(buf), &got);
		assert_held_bounded(&q, base);
	}
	assert_int_equal(got, pushed);
	assert_int_equal(outq_len(&q), 0);
	assert_int_equal(outq_held(&q), 0);
	assert_null(q.head);
	outq_arena_free(&a);
	free(stream);
	pair_close(&p);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_queue),
		cmocka_unit_test(test_push_and_write_small),
		cmocka_unit_test(test_large_push_spans_blocks),
		cmocka_unit_test(test_small_pushes_cross_blocks),
		cmocka_unit_test(test_partial_write_then_eagain),
		cmocka_unit_test(test_many_partial_writes),
		cmocka_unit_test(test_more_blocks_than_iov_max),
		cmocka_unit_test(test_push_after_partial_write),
		cmocka_unit_test(test_peer_closed_epipe),
		cmocka_unit_test(test_bad_descriptor),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_shared_in_order),
		cmocka_unit_test(test_shared_copied_when_cheaper),
		cmocka_unit_test(test_settle_after_partial_write),
		cmocka_unit_test(test_settle_into_previous_block),
		cmocka_unit_test(test_clear_shared),
		cmocka_unit_test(test_replies_between_channel_lines),
		cmocka_unit_test(test_any_mix_held_bounded),
	};
	const char		*tunables = getenv("GLIBC_TUNABLES");

	/* Once more without the cache of freed chunks, so that the heap's figure is exact. */
	if (tunables == NULL && argc > 0) {
		if (setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1) == 0)
			execv("/proc/self/exe", argv);
	}
	heap_exact = tunables != NULL && strcmp(tunables, "glibc.malloc.tcache_count=0") == 0;

	return cmocka_run_group_tests(tests, NULL, NULL);
}
