/*
 * The I/O thread pool: hand a share of a batch to each worker, run the caller's own share,
 * wait for the rest.
 *
 * Each thread has its own generation counter, lock and condition variable, so a batch
 * wakes only the threads it has work for.  A share is handed over by writing its bounds
 * and then bumping the generation (a release store); the thread sees the new generation
 * (an acquire load) and with it the bounds.  A finished share decrements the pool's
 * pending count the same way.  Both sides spin briefly (some tens of microseconds)
 * before they sleep: under load the next share or the last finished one often comes
 * within that time, and a futex sleep and wake-up cost more.  The lock is taken only to
 * sleep and to wake a sleeper, never around the jobs' data.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "net/iothreads.h"

#define IOTHREADS_SPIN	2000	/* polls of a counter before sleeping on it */

struct worker {
	struct iothreads	*pool;
	pthread_t		 tid;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	atomic_uint		 gen;		/* bumped for each share handed over */
	size_t			 first;		/* the share: jobs first .. end - 1 */
	size_t			 end;
	unsigned		 index;
	bool			 stop;		/* under lock */
	bool			 started;
};

struct iothreads {
	unsigned		 n;		/* workers, the caller included */
	struct worker		*w;		/* w[1 .. n - 1]: the threads; w[0] unused */
	iothreads_fn		 fn;		/* of the batch running */
	void			*arg;
	atomic_uint		 pending;	/* threads' shares of it not done yet */
	pthread_mutex_t		 lock;
	pthread_cond_t		 done;
};

static void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Wait for a share newer than *seen.  Returns false when told to stop. */
static bool
worker_wait(struct worker *w, unsigned *seen)
{
	unsigned	 gen;
	bool		 stop;

	for (int i = 0; i < IOTHREADS_SPIN; i++) {
		if ((gen = atomic_load_explicit(&w->gen, memory_order_acquire)) != *seen) {
			*seen = gen;
			return true;
		}
		cpu_relax();
	}
	pthread_mutex_lock(&w->lock);
	while ((gen = atomic_load_explicit(&w->gen, memory_order_acquire)) == *seen &&
	    !w->stop)
		pthread_cond_wait(&w->wake, &w->lock);
	stop = w->stop;
	pthread_mutex_unlock(&w->lock);
	*seen = gen;
	return !stop;
}

static void
share_done(struct iothreads *pool)
{
	if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) != 1)
		return;
	/* The last one: the caller may be asleep. */
	pthread_mutex_lock(&pool->lock);
	pthread_cond_signal(&pool->done);
	pthread_mutex_unlock(&pool->lock);
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct iothreads	*pool = w->pool;
	unsigned		 seen = 0;

	while (worker_wait(w, &seen)) {
		for (size_t j = w->first; j < w->end; j++)
			pool->fn(pool->arg, j, w->index);
		share_done(pool);
	}
	return NULL;
}

static void
pool_wait(struct iothreads *pool)
{
	for (int i = 0; i < IOTHREADS_SPIN; i++) {
		if (atomic_load_explicit(&pool->pending, memory_order_acquire) == 0)
			return;
		cpu_relax();
	}
	pthread_mutex_lock(&pool->lock);
	while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}

/* The first job of share i of k over njobs: shares differ by one job at most. */
static size_t
share_start(size_t njobs, unsigned k, unsigned i)
{
	size_t	 rem = njobs % k;

	return njobs / k * i + (i < rem ? i : rem);
}

static void
worker_hand(struct worker *w, size_t first, size_t end)
{
	w->first = first;
	w->end = end;
	pthread_mutex_lock(&w->lock);
	atomic_fetch_add_explicit(&w->gen, 1, memory_order_release);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void
iothreads_run(struct iothreads *pool, size_t njobs, iothreads_fn fn, void *arg)
{
	size_t		 k = njobs / IOTHREADS_GRAIN;

	if (k > pool->n)
		k = pool->n;
	if (k <= 1) {
		for (size_t j = 0; j < njobs; j++)
			fn(arg, j, 0);
		return;
	}
	pool->fn = fn;
	pool->arg = arg;
	atomic_store_explicit(&pool->pending, (unsigned)k - 1, memory_order_relaxed);
	for (unsigned i = 1; i < k; i++)
		worker_hand(&pool->w[i], share_start(njobs, (unsigned)k, i),
		    share_start(njobs, (unsigned)k, i + 1));
	for (size_t j = 0; j < share_start(njobs, (unsigned)k, 1); j++)
		fn(arg, j, 0);
	pool_wait(pool);
}

unsigned
iothreads_count(const struct iothreads *pool)
{
	return pool->n;
}

/* Start thread i.  Returns 0 or an errno value. */
static int
worker_start(struct iothreads *pool, unsigned i)
{
	struct worker	*w = &pool->w[i];
	int		 rc;

	w->pool = pool;
	w->index = i;
	atomic_init(&w->gen, 0);
	if ((rc = pthread_mutex_init(&w->lock, NULL)) != 0)
		return rc;
	if ((rc = pthread_cond_init(&w->wake, NULL)) != 0) {
		pthread_mutex_destroy(&w->lock);
		return rc;
	}
	if ((rc = pthread_create(&w->tid, NULL, worker_main, w)) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		return rc;
	}
	/* A name for top -H and /proc (cosmetic: a failure changes nothing). */
	(void)pthread_setname_np(w->tid, "parleyd-io");
	w->started = true;
	return 0;
}

/* The pool's own lock and condition variable.  Returns 0 or an errno value. */
static int
pool_init(struct iothreads *pool)
{
	int	 rc;

	atomic_init(&pool->pending, 0);
	if ((rc = pthread_mutex_init(&pool->lock, NULL)) != 0)
		return rc;
	if ((rc = pthread_cond_init(&pool->done, NULL)) != 0) {
		pthread_mutex_destroy(&pool->lock);
		return rc;
	}
	return 0;
}

struct iothreads *
iothreads_new(unsigned n)
{
	struct iothreads	*pool;
	int			 rc;

	if (n < 1 || n > IOTHREADS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return NULL;
	pool->n = n;
	if ((pool->w = calloc(n, sizeof(*pool->w))) == NULL) {
		free(pool);
		return NULL;
	}
	if ((rc = pool_init(pool)) != 0) {
		free(pool->w);
		free(pool);
		errno = rc;
		return NULL;
	}
	for (unsigned i = 1; i < n; i++) {
		if ((rc = worker_start(pool, i)) != 0) {
			iothreads_free(pool);
			errno = rc;
			return NULL;
		}
	}
	return pool;
}

void
iothreads_free(struct iothreads *pool)
{
	struct worker	*w;

	if (pool == NULL)
		return;
	for (unsigned i = 1; i < pool->n; i++) {
		w = &pool->w[i];
		if (!w->started)
			continue;
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->tid, NULL);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
	}
	pthread_cond_destroy(&pool->done);
	pthread_mutex_destroy(&pool->lock);
	free(pool->w);
	free(pool);
}
