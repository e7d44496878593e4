#ifndef PARLEY_NET_JOBS_H
#define PARLEY_NET_JOBS_H

#include <stddef.h>

/*
 * The worker pool that runs the core's jobs (core/job.h) off the loop: every model runs
 * the core on the loop thread, so one pool serves them all.  The loop thread submits and
 * drains; the workers only call job_run().  An eventfd, watched by the loop, is readable
 * while finished jobs wait.  Jobs come back in the order they finished: a slow job does
 * not hold up another client's quick one, and the core keeps each client's own order.
 */
#define JOBS_MAX	64	/* most workers */

struct job;
struct jobs;

/* A pool of up to n workers (1 .. JOBS_MAX), started as jobs come, every signal
 * blocked in them.  Returns NULL with errno set. */
struct jobs	*jobs_new(unsigned n);

/* The eventfd to watch for reading: finished jobs wait. */
int		 jobs_fd(const struct jobs *pool);

/* Queue job for the next idle worker; the pool owns it until jobs_drain hands it back.
 * Returns 0, or -ESHUTDOWN once the pool is stopping, or -errno when no worker could be
 * started (the caller keeps the job).  Loop thread only. */
int		 jobs_submit(struct jobs *pool, struct job *job);

/* Hand every finished job to fn(arg, job), which takes it, in the order they finished.
 * Returns how many.  Loop thread only. */
size_t		 jobs_drain(struct jobs *pool, void (*fn)(void *arg, struct job *job),
		    void *arg);

/* Stop the workers (a job already running finishes first), join them, and free the
 * jobs never handed back with job_free().  NULL is fine. */
void		 jobs_free(struct jobs *pool);

#endif
