/*
 * The cluster driver's bounded inbox (cluster_queue.h).  A ring of message pointers
 * that doubles as needed: its bound is in bytes, the only thing a peer can make grow.
 * A push onto an empty ring writes the eventfd; a take reads it before taking the lock,
 * so a message pushed in between is either taken now or announced again.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nats/nats.h>

#include "net/cluster_queue.h"
#include "net/log.h"

#define QUEUE_SLOTS_MIN	256

/* A message's weight: its payload and subject, and what holding it costs. */
static size_t
weight(natsMsg *msg)
{
	return (size_t)natsMsg_GetDataLength(msg) + strlen(natsMsg_GetSubject(msg)) +
	    sizeof(void *) * 8;
}

static void
announce(struct cluster_queue *q)
{
	uint64_t	one = 1;

	/* Only EINTR can fail it: the counter never nears its limit of 2^64 - 2. */
	while (write(q->efd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

int
cluster_queue_init(struct cluster_queue *q, size_t max)
{
	memset(q, 0, sizeof(*q));
	q->max = max;
	if ((q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return -errno;
	if ((q->ring = calloc(QUEUE_SLOTS_MIN, sizeof(*q->ring))) == NULL) {
		(void)close(q->efd);
		q->efd = -1;
		return -ENOMEM;
	}
	q->cap = QUEUE_SLOTS_MIN;
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

/* With the lock held: drop every message. */
static void
queue_clear(struct cluster_queue *q)
{
	for (; q->n > 0; q->n--) {
		natsMsg_Destroy(q->ring[q->head]);
		q->head = (q->head + 1) % q->cap;
	}
	q->head = 0;
	q->bytes = 0;
}

void
cluster_queue_close(struct cluster_queue *q)
{
	if (q->ring == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	queue_clear(q);
	pthread_mutex_unlock(&q->lock);
}

void
cluster_queue_free(struct cluster_queue *q)
{
	if (q->ring == NULL) {
		if (q->efd >= 0)
			(void)close(q->efd);
		return;
	}
	queue_clear(q);
	free(q->ring);
	q->ring = NULL;
	(void)close(q->efd);
	q->efd = -1;
	pthread_mutex_destroy(&q->lock);
}

/* With the lock held: room for one more slot.  Returns 0 or -1. */
static int
queue_grow(struct cluster_queue *q)
{
	natsMsg	**ring;

	if (q->n < q->cap)
		return 0;
	if ((ring = calloc(q->cap * 2, sizeof(*ring))) == NULL)
		return -1;
	for (size_t i = 0; i < q->n; i++)
		ring[i] = q->ring[(q->head + i) % q->cap];
	free(q->ring);
	q->ring = ring;
	q->head = 0;
	q->cap *= 2;
	return 0;
}

void
cluster_queue_push(struct cluster_queue *q, natsMsg *msg)
{
	size_t	w = weight(msg);
	bool	first;

	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		natsMsg_Destroy(msg);
		return;
	}
	if (q->overflowed || w > q->max - q->bytes || queue_grow(q) == -1) {
		first = !q->overflowed;
		q->overflowed = true;
		pthread_mutex_unlock(&q->lock);
		natsMsg_Destroy(msg);
		if (first)
			announce(q);
		return;
	}
	q->ring[(q->head + q->n) % q->cap] = msg;
	q->n++;
	q->bytes += w;
	first = q->n == 1;
	pthread_mutex_unlock(&q->lock);
	if (first)
		announce(q);
}

size_t
cluster_queue_take(struct cluster_queue *q, natsMsg **out, size_t max, bool *overflowed)
{
	uint64_t	count;
	size_t		n = 0;
	bool		left;

	if (read(q->efd, &count, sizeof(count)) == -1 && errno != EAGAIN &&
	    errno != EINTR)
		log_warn(-errno, "cluster: eventfd read");
	pthread_mutex_lock(&q->lock);
	if ((*overflowed = q->overflowed)) {
		queue_clear(q);
		q->overflowed = false;
	}
	for (; n < max && q->n > 0; n++) {
		out[n] = q->ring[q->head];
		q->bytes -= weight(out[n]);
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	left = q->n > 0;
	pthread_mutex_unlock(&q->lock);
	if (left)
		announce(q);
	return n;
}

void
cluster_queue_wake(struct cluster_queue *q)
{
	announce(q);
}

size_t
cluster_queue_bytes(struct cluster_queue *q)
{
	size_t	bytes;

	pthread_mutex_lock(&q->lock);
	bytes = q->bytes;
	pthread_mutex_unlock(&q->lock);
	return bytes;
}
