#ifndef PARLEY_NET_CLUSTER_QUEUE_H
#define PARLEY_NET_CLUSTER_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The cluster driver's inbox: NATS messages that libnats' delivery thread hands over,
 * waiting for the loop, in arrival order.  Bounded in bytes: a message that does not
 * fit is dropped and the queue says it overflowed, and it drops every later one until
 * the loop has seen that (cluster_queue_take), because a node that lost one line must
 * resynchronise, not go on with a gap.  An eventfd is readable while messages wait.
 * Thread-safe: push from any thread, take and the rest from the loop thread.
 */
struct __natsMsg;

struct cluster_queue {
	pthread_mutex_t	  lock;
	struct __natsMsg **ring;	/* cap slots, n used from head on */
	size_t		  cap;
	size_t		  head;
	size_t		  n;
	size_t		  bytes;	/* of the messages held */
	size_t		  max;		/* bytes they may take */
	bool		  overflowed;	/* a message was dropped since the last take */
	bool		  closed;	/* every push is dropped (cluster_queue_close) */
	int		  efd;
};

/* An empty queue of at most max bytes.  Returns 0 or -errno. */
int		 cluster_queue_init(struct cluster_queue *q, size_t max);
/* Destroy every message held, and every one pushed from now on: the connection is
 * going, and no message may outlive the library (nats_Close). */
void		 cluster_queue_close(struct cluster_queue *q);
/* Destroy every message held and free the queue (one init'ed or zeroed with efd -1). */
void		 cluster_queue_free(struct cluster_queue *q);
/* Take msg (the queue owns it from now on, also when it is dropped), announcing it
 * when the queue was empty. */
void		 cluster_queue_push(struct cluster_queue *q, struct __natsMsg *msg);
/* Up to max messages into out, oldest first (the caller destroys them); *overflowed
 * says whether any was dropped since the last call, and the queue then is emptied:
 * what it held came before the gap.  Returns how many.  Reads the eventfd first, and
 * writes it again when messages are left. */
size_t		 cluster_queue_take(struct cluster_queue *q, struct __natsMsg **out,
		    size_t max, bool *overflowed);
/* Wake the loop as a push would (libnats' connection events). */
void		 cluster_queue_wake(struct cluster_queue *q);
/* The bytes waiting, for the metrics. */
size_t		 cluster_queue_bytes(struct cluster_queue *q);

#endif
