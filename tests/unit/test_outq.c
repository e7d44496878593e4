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

/* Referred and owned bytes leave in push order; adjacent references join. */
static void
test_shared_in_order(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	const char		*one, *two, *three;
	char			 out[64];
	size_t			 got = 0;

	(void)state;
	pair_open(&p);
	assert_non_null(one = outq_arena_copy(&a, "one\r\n", 5));
	assert_non_null(two = outq_arena_copy(&a, "two\r\n", 5));
	assert_non_null(three = outq_arena_copy(&a, "three\r\n", 7));
	assert_int_equal(outq_push_shared(&q, one, 5), 0);
	assert_int_equal(outq_push(&q, "own\r\n", 5), 0);
	assert_int_equal(outq_push_shared(&q, two, 5), 0);
	assert_int_equal(outq_push_shared(&q, three, 7), 0);
	assert_int_equal(q.refs, 2);
	assert_int_equal(outq_len(&q), 22);
	assert_int_equal(outq_write(&q, p.w), 22);
	assert_int_equal(q.refs, 0);
	assert_null(q.head);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, 22);
	assert_memory_equal(out, "one\r\nown\r\ntwo\r\nthree\r\n", 22);
	outq_arena_free(&a);
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
 * before it), the arena then freed. */
static void
test_settle_into_previous_block(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;
	struct pair		 p;
	char			 out[16];
	size_t			 got = 0;

	(void)state;
	pair_open(&p);
	assert_int_equal(outq_push(&q, "ab", 2), 0);
	assert_int_equal(outq_push_shared(&q, outq_arena_copy(&a, "cd", 2), 2), 0);
	assert_int_equal(outq_push(&q, "ef", 2), 0);
	assert_int_equal(outq_settle(&q), 0);
	assert_int_equal(q.refs, 0);
	assert_int_equal(outq_len(&q), 6);
	outq_arena_free(&a);
	assert_int_equal(outq_write(&q, p.w), 6);
	drain(p.r, out, sizeof(out), &got);
	assert_int_equal(got, 6);
	assert_memory_equal(out, "abcdef", 6);
	pair_close(&p);
}

/* Clearing drops references too; settling a queue without any does nothing. */
static void
test_clear_shared(void **state)
{
	struct outq_arena	 a = OUTQ_ARENA_INIT;
	struct outq		 q = OUTQ_INIT;

	(void)state;
	assert_int_equal(outq_settle(&q), 0);
	assert_int_equal(outq_push_shared(&q, outq_arena_copy(&a, "x\r\n", 3), 3), 0);
	assert_int_equal(outq_push(&q, "y\r\n", 3), 0);
	outq_clear(&q);
	assert_int_equal(q.refs, 0);
	assert_int_equal(outq_len(&q), 0);
	assert_null(q.head);
	outq_arena_free(&a);
	outq_arena_free(&a);
}

int
main(void)
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
		cmocka_unit_test(test_settle_after_partial_write),
		cmocka_unit_test(test_settle_into_previous_block),
		cmocka_unit_test(test_clear_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
