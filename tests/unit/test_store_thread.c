/*
 * The store thread (net/store_thread.c) over a backend of the test's own: every job
 * queued while a batch runs goes into the next batch (group commit), jobs come back
 * through the eventfd in the order they were submitted, and the store is closed with
 * the thread.
 */
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/job.h"
#include "net/store_thread.h"
#include "store/store.h"

#define NJOBS	6

/* The backend: records each batch's size; the first batch waits for the gate. */
struct store {
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	bool		running;	/* the first batch has begun */
	bool		open;		/* the gate: the first batch may end */
	size_t		batches[NJOBS];
	unsigned	nbatches;
	bool		closed;
};

static void
fake_run(struct store *st, struct job **jobs, size_t n)
{
	pthread_mutex_lock(&st->lock);
	st->batches[st->nbatches++] = n;
	st->running = true;
	pthread_cond_broadcast(&st->cond);
	while (!st->open)
		pthread_cond_wait(&st->cond, &st->lock);
	for (size_t i = 0; i < n; i++)
		jobs[i]->status = (int)st->nbatches;
	pthread_mutex_unlock(&st->lock);
}

static void
fake_close(struct store *st)
{
	st->closed = true;
}

static const struct store_ops	fake_ops = {
	"fake", NULL, fake_run, NULL, NULL, fake_close, NULL
};

static struct store	fake = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, { 0 }, 0,
	false
};

/* What the drain handed back, in order. */
static struct job	*back[NJOBS];
static unsigned		 nback;

static void
take(void *arg, struct job *job)
{
	(void)arg;
	assert_true(nback < NJOBS);
	back[nback++] = job;
}

static void
test_group_commit(void **state)
{
	struct store_thread	*t;
	struct job		 jobs[NJOBS];
	struct pollfd		 pfd;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (unsigned i = 0; i < NJOBS; i++)
		jobs[i].kind = JOB_ACCOUNT_CREATE;
	assert_non_null(t = store_thread_new(&fake_ops, &fake));
	assert_int_equal(store_thread_submit(t, &jobs[0]), 0);

	/* While the first batch runs, five more jobs queue up. */
	pthread_mutex_lock(&fake.lock);
	while (!fake.running)
		pthread_cond_wait(&fake.cond, &fake.lock);
	pthread_mutex_unlock(&fake.lock);
	for (unsigned i = 1; i < NJOBS; i++)
		assert_int_equal(store_thread_submit(t, &jobs[i]), 0);
	pthread_mutex_lock(&fake.lock);
	fake.open = true;
	pthread_cond_broadcast(&fake.cond);
	pthread_mutex_unlock(&fake.lock);

	/* Bounded: 100 waits of 50 ms. */
	pfd.fd = store_thread_fd(t);
	pfd.events = POLLIN;
	for (int i = 0; i < 100 && nback < NJOBS; i++)
		if (poll(&pfd, 1, 50) == 1)
			store_thread_drain(t, take, NULL);
	assert_int_equal(nback, NJOBS);
	assert_int_equal(fake.nbatches, 2);
	assert_int_equal(fake.batches[0], 1);
	assert_int_equal(fake.batches[1], NJOBS - 1);
	for (unsigned i = 0; i < NJOBS; i++) {
		assert_ptr_equal(back[i], &jobs[i]);
		assert_int_equal(jobs[i].status, i == 0 ? 1 : 2);
	}
	/* Nothing more is announced. */
	assert_int_equal(store_thread_drain(t, take, NULL), 0);
	assert_false(fake.closed);
	store_thread_free(t);
	assert_true(fake.closed);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_group_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
