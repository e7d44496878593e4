#ifndef PARLEY_NET_STORE_THREAD_H
#define PARLEY_NET_STORE_THREAD_H

#include <stddef.h>

/*
 * The store thread (store/store.h behind the job interface): one thread that owns the
 * open store and runs the core's store jobs.  It takes every job queued at once and
 * hands them to the backend as one batch, so a storm of writes costs one commit (one
 * fsync) per batch, not per job: group commit.  Finished jobs come back through an
 * eventfd, like the worker pool's (jobs.h).  The loop thread submits and drains.
 */
struct job;
struct store;
struct store_ops;
struct store_thread;

/* A store thread for st, an open store of ops, which it owns from now on (also when
 * this fails: st is closed then).  The thread itself starts with the first job, every
 * signal blocked in it.  Returns NULL with errno set. */
struct store_thread	*store_thread_new(const struct store_ops *ops, struct store *st);

/* The eventfd to watch for reading: finished jobs wait. */
int			 store_thread_fd(const struct store_thread *t);

/* Queue a store job (JOB_IS_STORE) for the next batch; the thread owns it until
 * store_thread_drain hands it back.  0, or -ESHUTDOWN once stopping, or -errno when
 * the thread could not be started (the caller keeps the job). */
int			 store_thread_submit(struct store_thread *t, struct job *job);

/* Hand every finished job to fn(arg, job), in the order they were submitted.  Returns
 * how many. */
size_t			 store_thread_drain(struct store_thread *t,
			    void (*fn)(void *arg, struct job *job), void *arg);

/* Let the jobs queued so far run, join the thread, free the jobs never handed back
 * (job_free) and close the store.  NULL is fine. */
void			 store_thread_free(struct store_thread *t);

#endif
