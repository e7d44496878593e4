/*
 * The job pool (jobs.h).  One lock guards both lists: jobs are few and each one is long
 * (milliseconds) next to the lock.  Workers start when a job finds none idle, so a
 * server that never gets a job runs no thread for them.  A worker that finishes a job
 * on an empty done list writes the eventfd; the loop reads it before taking the list,
 * so a job finished in between is either taken now or announced again.
 */
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/job.h"
#include "net/jobs.h"
#include "net/log.h"

#define JOBS_NICE	19	/* the lowest: any CPU the loop wants is the loop's */

/* A FIFO of jobs, linked through job->next. */
struct job_fifo {
	struct job	*head;
	struct job	**tail;
};

struct jobs {
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;		/* todo has a job, or stop */
	struct job_fifo	 todo;
	struct job_fifo	 done;
	bool		 stop;
	int		 efd;
	unsigned	 max;		/* workers allowed */
	unsigned	 nthreads;	/* started */
	unsigned	 idle;		/* waiting for a job */
	pthread_t	 threads[JOBS_MAX];
};

static void
fifo_init(struct job_fifo *f)
{
	f->head = NULL;
	f->tail = &f->head;
}

static void
fifo_push(struct job_fifo *f, struct job *job)
{
	job->next = NULL;
	*f->tail = job;
	f->tail = &job->next;
}

static struct job *
fifo_pop(struct job_fifo *f)
{
	struct job	*job = f->head;

	if (job != NULL && (f->head = job->next) == NULL)
		f->tail = &f->head;
	return job;
}

/* Tell the loop that finished jobs wait. */
static void
jobs_announce(struct jobs *pool)
{
	uint64_t	one = 1;

	/* Only EINTR can fail it: the counter never nears its limit of 2^64 - 2. */
	while (write(pool->efd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

static void *
jobs_worker(void *arg)
{
	struct jobs	*pool = arg;
	struct job	*job;
	bool		 first;

	/* A job must never take the CPU from the loop, which every client waits on.  A
	 * thread's nice value is its own on Linux; failing that, jobs merely compete. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), JOBS_NICE) == -1)
		log_debug("job worker: setpriority: %s", strerror(errno));
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		pool->idle++;
		while (pool->todo.head == NULL && !pool->stop)
			pthread_cond_wait(&pool->wake, &pool->lock);
		pool->idle--;
		if (pool->stop)
			break;
		job = fifo_pop(&pool->todo);
		pthread_mutex_unlock(&pool->lock);
		job_run(job);
		pthread_mutex_lock(&pool->lock);
		first = pool->done.head == NULL;
		fifo_push(&pool->done, job);
		if (first)
			jobs_announce(pool);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

struct jobs *
jobs_new(unsigned n)
{
	struct jobs	*pool;

	if (n == 0 || n > JOBS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return NULL;
	pool->max = n;
	fifo_init(&pool->todo);
	fifo_init(&pool->done);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	if ((pool->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		int	err = errno;

		jobs_free(pool);
		errno = err;
		return NULL;
	}
	return pool;
}

/* One more worker, with the lock held.  Returns 0 or a positive errno. */
static int
jobs_start(struct jobs *pool)
{
	sigset_t	all, old;
	int		rc;

	/* Signals are the loop's (signalfd): no worker may take one. */
	sigfillset(&all);
	if ((rc = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0)
		return rc;
	rc = pthread_create(&pool->threads[pool->nthreads], NULL, jobs_worker, pool);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		/* A name for top -H and /proc (cosmetic: a failure changes nothing). */
		(void)pthread_setname_np(pool->threads[pool->nthreads], "parleyd-job");
		pool->nthreads++;
	}
	return rc;
}

int
jobs_fd(const struct jobs *pool)
{
	return pool->efd;
}

int
jobs_submit(struct jobs *pool, struct job *job)
{
	int	rc = 0;

	pthread_mutex_lock(&pool->lock);
	if (pool->stop) {
		pthread_mutex_unlock(&pool->lock);
		return -ESHUTDOWN;
	}
	if (pool->idle == 0 && pool->nthreads < pool->max &&
	    (rc = jobs_start(pool)) != 0) {
		log_warnx("job pool: no new worker: %s", strerror(rc));
		/* With none at all the job would wait forever: the caller keeps it. */
		if (pool->nthreads == 0) {
			pthread_mutex_unlock(&pool->lock);
			return -rc;
		}
	}
	fifo_push(&pool->todo, job);
	pthread_cond_signal(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

size_t
jobs_drain(struct jobs *pool, void (*fn)(void *, struct job *), void *arg)
{
	struct job_fifo	 done;
	struct job	*job;
	uint64_t	 count;
	size_t		 n = 0;

	/* Read first: a job announced after this is in the list taken below, or announces
	 * itself again. */
	if (read(pool->efd, &count, sizeof(count)) == -1 && errno != EAGAIN &&
	    errno != EINTR)
		log_warn(-errno, "job pool: eventfd read");
	pthread_mutex_lock(&pool->lock);
	done = pool->done;
	if (done.head == NULL)
		done.tail = &done.head;
	fifo_init(&pool->done);
	pthread_mutex_unlock(&pool->lock);
	while ((job = fifo_pop(&done)) != NULL) {
		fn(arg, job);
		n++;
	}
	return n;
}

void
jobs_free(struct jobs *pool)
{
	struct job	*job;

	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stop = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->nthreads; i++)
		(void)pthread_join(pool->threads[i], NULL);
	while ((job = fifo_pop(&pool->todo)) != NULL)
		job_free(job);
	while ((job = fifo_pop(&pool->done)) != NULL)
		job_free(job);
	if (pool->efd >= 0)
		(void)close(pool->efd);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
