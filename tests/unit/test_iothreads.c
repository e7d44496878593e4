#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "net/iothreads.h"

#define JOBS_MAX	4096

/* What the jobs of one batch record. */
struct batch {
	atomic_uint	 runs[JOBS_MAX];	/* times job j ran */
	unsigned	 worker[JOBS_MAX];	/* the worker that ran job j */
	pthread_t	 thread[JOBS_MAX];	/* the thread that ran job j */
	unsigned	 in[JOBS_MAX];		/* written by the caller before the run */
	unsigned	 out[JOBS_MAX];		/* written by the jobs, read after */
};

static struct batch	 b;

static void
batch_reset(void)
{
	for (size_t j = 0; j < JOBS_MAX; j++)
		atomic_init(&b.runs[j], 0);
	memset(b.worker, 0xff, sizeof(b.worker));
	memset(b.out, 0, sizeof(b.out));
}

static void
record_job(void *arg, size_t job, unsigned worker)
{
	struct batch	*bb = arg;

	atomic_fetch_add(&bb->runs[job], 1);
	bb->worker[job] = worker;
	bb->thread[job] = pthread_self();
	bb->out[job] = bb->in[job] * 2 + 1;
}

/* Run njobs on pool and check each ran exactly once, on a worker the pool has. */
static void
run_checked(struct iothreads *pool, size_t njobs)
{
	batch_reset();
	for (size_t j = 0; j < njobs; j++)
		b.in[j] = (unsigned)(j * 7 + njobs);
	iothreads_run(pool, njobs, record_job, &b);
	for (size_t j = 0; j < njobs; j++) {
		assert_int_equal(atomic_load(&b.runs[j]), 1);
		assert_true(b.worker[j] < iothreads_count(pool));
		assert_int_equal(b.out[j], b.in[j] * 2 + 1);
	}
	for (size_t j = njobs; j < JOBS_MAX; j++)
		assert_int_equal(atomic_load(&b.runs[j]), 0);
}

static void
test_new_rejects_zero(void **state)
{
	(void)state;
	errno = 0;
	assert_null(iothreads_new(0));
	assert_int_equal(errno, EINVAL);
}

static void
test_new_rejects_over_max(void **state)
{
	(void)state;
	errno = 0;
	assert_null(iothreads_new(IOTHREADS_MAX + 1));
	assert_int_equal(errno, EINVAL);
}

static void
test_count(void **state)
{
	struct iothreads	*pool;

	(void)state;
	for (unsigned n = 1; n <= 5; n++) {
		assert_non_null(pool = iothreads_new(n));
		assert_int_equal(iothreads_count(pool), n);
		iothreads_free(pool);
	}
}

static void
test_free_null(void **state)
{
	(void)state;
	iothreads_free(NULL);
}

static void
test_free_unused(void **state)
{
	struct iothreads	*pool;

	(void)state;
	assert_non_null(pool = iothreads_new(IOTHREADS_MAX));
	iothreads_free(pool);
}

static void
test_empty_batch(void **state)
{
	struct iothreads	*pool;

	(void)state;
	assert_non_null(pool = iothreads_new(4));
	run_checked(pool, 0);
	iothreads_free(pool);
}

/* Every job exactly once, for every pool size and batch size around the shares' edges. */
static void
test_every_job_once(void **state)
{
	static const size_t	 sizes[] = { 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257,
	    1000, JOBS_MAX };
	struct iothreads	*pool;

	(void)state;
	for (unsigned n = 1; n <= 6; n++) {
		assert_non_null(pool = iothreads_new(n));
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			run_checked(pool, sizes[i]);
		iothreads_free(pool);
	}
}

/* Many batches in a row through one pool: no share lost, none run twice. */
static void
test_repeated_batches(void **state)
{
	struct iothreads	*pool;

	(void)state;
	assert_non_null(pool = iothreads_new(3));
	for (int round = 0; round < 2000; round++)
		run_checked(pool, (size_t)(round * 37) % 300);
	iothreads_free(pool);
}

/* Below the grain the caller's thread does everything: no thread is woken for a few jobs. */
static void
test_small_batch_on_caller(void **state)
{
	struct iothreads	*pool;
	size_t			 njobs = 2 * IOTHREADS_GRAIN - 1;

	(void)state;
	assert_non_null(pool = iothreads_new(4));
	run_checked(pool, njobs);
	for (size_t j = 0; j < njobs; j++) {
		assert_int_equal(b.worker[j], 0);
		assert_true(pthread_equal(b.thread[j], pthread_self()));
	}
	iothreads_free(pool);
}

/* A large batch is split into contiguous shares, one per worker, worker 0 the caller. */
static void
test_large_batch_shared(void **state)
{
	struct iothreads	*pool;
	size_t			 njobs = 4 * IOTHREADS_GRAIN * 10;

	(void)state;
	assert_non_null(pool = iothreads_new(4));
	run_checked(pool, njobs);
	for (size_t j = 0; j < njobs; j++) {
		assert_int_equal(b.worker[j], j / (njobs / 4));
		assert_int_equal(pthread_equal(b.thread[j], pthread_self()),
		    b.worker[j] == 0);
	}
	/* Each worker is one thread. */
	for (size_t j = 1; j < njobs; j++)
		if (b.worker[j] == b.worker[j - 1])
			assert_true(pthread_equal(b.thread[j], b.thread[j - 1]));
		else
			assert_false(pthread_equal(b.thread[j], b.thread[j - 1]));
	iothreads_free(pool);
}

/* A batch just big enough for two workers wakes one thread, not all of them. */
static void
test_workers_follow_batch_size(void **state)
{
	struct iothreads	*pool;
	size_t			 njobs = 2 * IOTHREADS_GRAIN;

	(void)state;
	assert_non_null(pool = iothreads_new(8));
	run_checked(pool, njobs);
	for (size_t j = 0; j < njobs; j++)
		assert_int_equal(b.worker[j], j < IOTHREADS_GRAIN ? 0 : 1);
	iothreads_free(pool);
}

/* Pools come and go cleanly, used or not, between and after batches. */
static void
test_start_stop_repeatedly(void **state)
{
	struct iothreads	*pool;

	(void)state;
	for (int round = 0; round < 50; round++) {
		assert_non_null(pool = iothreads_new((unsigned)round % 5 + 1));
		if (round % 2 == 0)
			run_checked(pool, 500);
		iothreads_free(pool);
	}
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_new_rejects_zero),
		cmocka_unit_test(test_new_rejects_over_max),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_free_unused),
		cmocka_unit_test(test_empty_batch),
		cmocka_unit_test(test_every_job_once),
		cmocka_unit_test(test_repeated_batches),
		cmocka_unit_test(test_small_batch_on_caller),
		cmocka_unit_test(test_large_batch_shared),
		cmocka_unit_test(test_workers_follow_batch_size),
		cmocka_unit_test(test_start_stop_repeatedly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
