#ifndef PARLEY_NET_LOOP_H
#define PARLEY_NET_LOOP_H

#include <stdint.h>

/*
 * A small level-triggered event loop over epoll: at most one watcher per descriptor, each
 * with an event mask, a callback and a pointer, plus the monotonic clock read once per
 * turn.  Errors are -errno values.  The loop never closes a descriptor it watches.
 */
#define LOOP_READ	0x1
#define LOOP_WRITE	0x2

struct loop;

/*
 * Called with the events that happened, within the watcher's mask.  An error or hang-up
 * on fd comes as LOOP_READ whatever the mask, so that the read path meets it.  The
 * callback may watch, change or unwatch any descriptor, its own included: an event still
 * pending in this turn for a watcher removed (or replaced) meanwhile is dropped.
 */
typedef void	(*loop_fn)(struct loop *loop, int fd, unsigned events, void *arg);

/* A new loop, or NULL with errno set. */
struct loop	*loop_new(void);

/* Free the loop (NULL is fine).  Watched descriptors stay open: they are the caller's. */
void		 loop_free(struct loop *loop);

/*
 * Watch fd for events (LOOP_READ | LOOP_WRITE, or 0 for errors and hang-ups only), calling
 * fn(loop, fd, events, arg).  A watched fd gets its mask, fn and arg replaced; the system
 * is asked only when the mask changes.  Returns 0 or -errno (-EBADF, -EPERM for a file
 * epoll cannot watch, -ENOMEM); the previous watcher then stays as it was.
 */
int		 loop_watch(struct loop *loop, int fd, unsigned events, loop_fn fn,
		    void *arg);

/* Stop watching fd; call before closing it.  A no-op for an fd not watched.  Returns 0 or
 * -errno (the watcher is forgotten either way). */
int		 loop_unwatch(struct loop *loop, int fd);

/* The mask fd is watched for, 0 when it is not watched. */
unsigned	 loop_events(const struct loop *loop, int fd);

/*
 * One turn: wait up to timeout ms (-1: until an event) for events, read the clock, and
 * run the callbacks.  Returns the number of callbacks run (0 on timeout or when a signal
 * interrupted the wait), or -errno when epoll_wait failed.
 */
int		 loop_run(struct loop *loop, int timeout);

/* Milliseconds on the monotonic clock as read at the start of this turn's callbacks. */
int64_t		 loop_now(const struct loop *loop);
/* The same reading in nanoseconds (the metrics' turn durations). */
int64_t		 loop_now_ns(const struct loop *loop);

/*
 * The timeout for loop_run to wake at deadline (a loop_now time; -1 for none).  At least
 * 1 ms: a deadline already due is for the caller to handle before it waits, and waiting 0
 * ms for one it did not handle would spin the loop.
 */
int		 loop_timeout(const struct loop *loop, int64_t deadline);

#endif
