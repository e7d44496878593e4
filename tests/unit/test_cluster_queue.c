/*
 * The cluster driver's inbox (net/cluster_queue.c): messages in the order they came,
 * the eventfd readable while some wait, a byte bound that drops and says so, and a
 * take that empties a queue which overflowed, since what it held came before a gap.
 */
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <nats/nats.h>

#include "net/cluster_queue.h"

static natsMsg *
msg(const char *text)
{
	natsMsg	*m = NULL;

	assert_int_equal(natsMsg_Create(&m, "parley.t.all", NULL, text,
	    (int)strlen(text)), NATS_OK);
	return m;
}

static bool
readable(const struct cluster_queue *q)
{
	struct pollfd	pfd = { .fd = q->efd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

static void
test_order_and_wakeup(void **state)
{
	struct cluster_queue	 q;
	natsMsg			*out[4];
	bool			 over;
	char			 text[16];

	(void)state;
	assert_int_equal(cluster_queue_init(&q, 1024 * 1024), 0);
	assert_false(readable(&q));
	/* More than the ring's first size, so that it grows with messages in it. */
	for (int i = 0; i < 1000; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		cluster_queue_push(&q, msg(text));
	}
	assert_true(readable(&q));
	assert_true(cluster_queue_bytes(&q) > 0);
	for (int i = 0; i < 1000; i += 4) {
		assert_int_equal(cluster_queue_take(&q, out, 4, &over), 4);
		assert_false(over);
		/* Messages left: the eventfd says so again. */
		assert_true(readable(&q) == (i + 4 < 1000));
		for (int j = 0; j < 4; j++) {
			snprintf(text, sizeof(text), "m%d", i + j);
			assert_string_equal(natsMsg_GetData(out[j]), text);
			natsMsg_Destroy(out[j]);
		}
	}
	assert_int_equal(cluster_queue_bytes(&q), 0);
	assert_int_equal(cluster_queue_take(&q, out, 4, &over), 0);
	cluster_queue_free(&q);
}

static void
test_overflow_empties(void **state)
{
	struct cluster_queue	 q;
	natsMsg			*out[8];
	bool			 over;
	char			 big[600];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cluster_queue_init(&q, 2048), 0);
	cluster_queue_push(&q, msg(big));
	cluster_queue_push(&q, msg(big));
	/* The third does not fit: dropped, and every one after it until the take. */
	cluster_queue_push(&q, msg(big));
	cluster_queue_push(&q, msg("small"));
	assert_true(readable(&q));
	assert_int_equal(cluster_queue_take(&q, out, 8, &over), 0);
	assert_true(over);
	assert_int_equal(cluster_queue_bytes(&q), 0);
	/* After the take, the queue takes messages again. */
	cluster_queue_push(&q, msg("after"));
	assert_int_equal(cluster_queue_take(&q, out, 8, &over), 1);
	assert_false(over);
	assert_string_equal(natsMsg_GetData(out[0]), "after");
	natsMsg_Destroy(out[0]);
	cluster_queue_push(&q, msg("left"));
	cluster_queue_free(&q);
}

/* Pushes from another thread, as libnats' delivery thread does. */
static void *
pusher(void *arg)
{
	char	text[16];

	for (int i = 0; i < 5000; i++) {
		snprintf(text, sizeof(text), "%d", i);
		cluster_queue_push(arg, msg(text));
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct cluster_queue	 q;
	natsMsg			*out[64];
	pthread_t		 t;
	bool			 over;
	int			 next = 0;
	char			 text[16];

	(void)state;
	assert_int_equal(cluster_queue_init(&q, 64 * 1024 * 1024), 0);
	assert_int_equal(pthread_create(&t, NULL, pusher, &q), 0);
	while (next < 5000) {
		struct pollfd	pfd = { .fd = q.efd, .events = POLLIN };
		size_t		n;

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		n = cluster_queue_take(&q, out, 64, &over);
		assert_false(over);
		for (size_t i = 0; i < n; i++, next++) {
			snprintf(text, sizeof(text), "%d", next);
			assert_string_equal(natsMsg_GetData(out[i]), text);
			natsMsg_Destroy(out[i]);
		}
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	cluster_queue_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_wakeup),
		cmocka_unit_test(test_overflow_empties),
		cmocka_unit_test(test_threads),
	};
	int	rc;

	/* natsMsg_Create needs the library open (a connection's options open it). */
	if (nats_Open(-1) != NATS_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);

	nats_Close();
	return rc;
}
