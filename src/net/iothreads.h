#ifndef PARLEY_NET_IOTHREADS_H
#define PARLEY_NET_IOTHREADS_H

#include <stddef.h>

/*
 * A pool of I/O threads that runs one batch of independent jobs at a time and returns
 * when every job is done (the Redis 6 I/O-threads design).  The caller's thread is one of
 * the workers, so a pool of n workers starts n - 1 threads.  The jobs of a batch are split
 * into contiguous shares, one per worker; a small batch uses fewer workers (the caller's
 * thread alone below IOTHREADS_GRAIN jobs), since waking a thread costs more than a few
 * reads or writes.
 *
 * Only iothreads_run synchronises: whatever the caller wrote before it is visible to the
 * jobs, and whatever the jobs wrote is visible to the caller after it.  The jobs of one
 * batch must not touch each other's data.  One thread at a time calls iothreads_run.
 */
#define IOTHREADS_MAX	64
#define IOTHREADS_GRAIN	8	/* jobs per worker, at least, before a thread is woken */

struct iothreads;

/* Run job number job (0 .. njobs - 1) on worker number worker (0 .. n - 1; 0 is the
 * caller's thread); the jobs of one share run in order on one worker. */
typedef void	(*iothreads_fn)(void *arg, size_t job, unsigned worker);

/*
 * A pool of n workers (1 .. IOTHREADS_MAX), its n - 1 threads started with the caller's
 * signal mask.  Returns NULL with errno set (EINVAL for a bad n, or what
 * pthread_create reported).
 */
struct iothreads	*iothreads_new(unsigned n);

/* The number of workers, the caller's thread included. */
unsigned		 iothreads_count(const struct iothreads *pool);

/* Run fn for every job number of 0 .. njobs - 1 exactly once, in parallel, and return
 * when all have returned.  The workers that run no share of this batch stay asleep. */
void			 iothreads_run(struct iothreads *pool, size_t njobs, iothreads_fn fn,
			    void *arg);

/* Stop and join the threads and free the pool (NULL is fine).  Not during a run. */
void			 iothreads_free(struct iothreads *pool);

#endif
