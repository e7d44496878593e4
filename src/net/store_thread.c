/*
 * The store thread (store_thread.h).  One lock guards the queue of jobs to run and the
 * queue of jobs done.  The thread takes the whole first queue at once, runs it as one
 * batch outside the lock (the backend commits it in one transaction), and appends it to
 * the second; it writes the eventfd when that queue was empty, and the loop reads the
 * eventfd before taking the queue, as in jobs.c.  The thread starts with the first
 * job, so a server that never gets one runs no thread for it.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/job.h"
#include "net/log.h"
#include "net/store_thread.h"
#include "store/store.h"
#include "store/store_kind.h"

#define STORE_BATCH_MAX	1024	/* jobs in one transaction, at most */

/* A FIFO of jobs, linked through job->next. */
struct store_fifo {
	struct job	*head;
	struct job	**tail;
};

struct store_thread {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* todo has a job, or stop */
	struct store_fifo	 todo;
	struct store_fifo	 done;
	bool			 stop;
	bool			 started;
	int			 efd;
	pthread_t		 thread;
	const struct store_ops	*ops;
	struct store		*st;
	struct job		*batch[STORE_BATCH_MAX];	/* the thread's */
};

static void
fifo_init(struct store_fifo *f)
{
	f->head = NULL;
	f->tail = &f->head;
}

static void
fifo_push(struct store_fifo *f, struct job *job)
{
	job->next = NULL;
	*f->tail = job;
	f->tail = &job->next;
}

static struct job *
fifo_pop(struct store_fifo *f)
{
	struct job	*job = f->head;

	if (job != NULL && (f->head = job->next) == NULL)
		f->tail = &f->head;
	return job;
}

/* Whether a job's status says the disk failed it, not its request.  A
 * full certificate list is CERT_ADD's -ENOSPC, the request's own. */
static bool
store_thread_failed(const struct job *job)
{
	switch (job->status) {
	case -EIO:
		return true;
	case -ENOSPC:
		return job->kind != JOB_CERT_ADD;
	default:
		return false;
	}
}

/* One line for a batch whose writes failed: the disk, not the request, is at fault. */
static void
store_thread_report(struct job **batch, size_t n)
{
	size_t	writes = 0, failed = 0;
	int	status = 0;

	for (size_t i = 0; i < n; i++) {
		if (!store_kind_writes(batch[i]->kind))
			continue;
		writes++;
		if (store_thread_failed(batch[i])) {
			failed++;
			status = batch[i]->status;
		}
	}
	if (failed > 0)
		log_warn(status, "store: %zu of %zu writes failed", failed, writes);
}

static void *
store_thread_main(void *arg)
{
	struct store_thread	*t = arg;
	size_t			 n;
	bool			 first;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (t->todo.head == NULL && !t->stop)
			pthread_cond_wait(&t->wake, &t->lock);
		/* Stopping, the writes already queued (history's last lines) still go. */
		if (t->stop && t->todo.head == NULL)
			break;
		for (n = 0; n < STORE_BATCH_MAX && t->todo.head != NULL; n++)
			t->batch[n] = fifo_pop(&t->todo);
		pthread_mutex_unlock(&t->lock);
		t->ops->run(t->st, t->batch, n);
		store_thread_report(t->batch, n);
		pthread_mutex_lock(&t->lock);
		first = t->done.head == NULL;
		for (size_t i = 0; i < n; i++)
			fifo_push(&t->done, t->batch[i]);
		if (first) {
			uint64_t	one = 1;

			/* Only EINTR can fail it: the counter never nears its limit. */
			while (write(t->efd, &one, sizeof(one)) == -1 && errno == EINTR)
				;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct store_thread *
store_thread_new(const struct store_ops *ops, struct store *st)
{
	struct store_thread	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		ops->close(st);
		return NULL;
	}
	t->ops = ops;
	t->st = st;
	fifo_init(&t->todo);
	fifo_init(&t->done);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if ((t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		int	err = errno;

		store_thread_free(t);
		errno = err;
		return NULL;
	}
	return t;
}

/* Start the thread, with the lock held.  Returns 0 or a positive errno. */
static int
store_thread_start(struct store_thread *t)
{
	sigset_t	all, old;
	int		rc;

	/* Signals are the loop's (signalfd): the store thread takes none. */
	sigfillset(&all);
	if ((rc = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0)
		return rc;
	rc = pthread_create(&t->thread, NULL, store_thread_main, t);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return rc;
	t->started = true;
	/* A name for top -H and /proc (cosmetic: a failure changes nothing). */
	(void)pthread_setname_np(t->thread, "parleyd-store");
	return 0;
}

int
store_thread_fd(const struct store_thread *t)
{
	return t->efd;
}

int
store_thread_submit(struct store_thread *t, struct job *job)
{
	int	rc;

	pthread_mutex_lock(&t->lock);
	if (t->stop) {
		pthread_mutex_unlock(&t->lock);
		return -ESHUTDOWN;
	}
	if (!t->started && (rc = store_thread_start(t)) != 0) {
		pthread_mutex_unlock(&t->lock);
		log_warnx("store: no thread: %s", strerror(rc));
		return -rc;
	}
	fifo_push(&t->todo, job);
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

size_t
store_thread_drain(struct store_thread *t, void (*fn)(void *, struct job *), void *arg)
{
	struct store_fifo	 done;
	struct job		*job;
	uint64_t		 count;
	size_t			 n = 0;

	/* Read first: a batch announced after this is in the queue taken below, or
	 * announces itself again. */
	if (read(t->efd, &count, sizeof(count)) == -1 && errno != EAGAIN &&
	    errno != EINTR)
		log_warn(-errno, "store: eventfd read");
	pthread_mutex_lock(&t->lock);
	done = t->done;
	if (done.head == NULL)
		done.tail = &done.head;
	fifo_init(&t->done);
	pthread_mutex_unlock(&t->lock);
	while ((job = fifo_pop(&done)) != NULL) {
		fn(arg, job);
		n++;
	}
	return n;
}

void
store_thread_free(struct store_thread *t)
{
	struct job	*job;

	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_broadcast(&t->wake);
	pthread_mutex_unlock(&t->lock);
	if (t->started)
		(void)pthread_join(t->thread, NULL);
	while ((job = fifo_pop(&t->todo)) != NULL)
		job_free(job);
	while ((job = fifo_pop(&t->done)) != NULL)
		job_free(job);
	t->ops->close(t->st);
	if (t->efd >= 0)
		(void)close(t->efd);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
