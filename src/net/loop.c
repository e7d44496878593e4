/*
 * The event loop: epoll, level-triggered, with an fd-indexed table of watchers.
 *
 * Stale events.  One epoll_wait returns a batch, and a callback early in the batch may
 * unwatch and close another descriptor whose event comes later; accept() may even hand
 * the same number out again, watched for something else.  Each registration therefore
 * gets a generation number, carried in the epoll data beside the fd: an event is
 * delivered only if its fd is still watched under the same generation.
 *
 * The clock is read once per turn, right after the wait, so that every callback of a
 * turn sees the same `now` and a burst of events costs no clock reads.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/loop.h"

#define LOOP_BATCH	256	/* events taken per epoll_wait */
#define LOOP_TABLE_MIN	64

struct loop_watch {
	loop_fn		 fn;		/* NULL: not watched */
	void		*arg;
	unsigned	 mask;
	uint32_t	 gen;
};

struct loop {
	int			 epfd;
	uint32_t		 gen;		/* last generation handed out */
	int64_t			 now;
	int64_t			 now_ns;	/* the same read, in nanoseconds */
	struct loop_watch	*watch;		/* indexed by fd */
	size_t			 cap;
	struct epoll_event	 events[LOOP_BATCH];
};

static void
loop_clock(struct loop *loop)
{
	struct timespec	 ts;

	/* Whole milliseconds, rounded down: a wait of (deadline - now) ms, which the kernel
	 * never cuts short, then ends at a `now` of deadline or later. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
		loop->now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		loop->now_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
}

struct loop *
loop_new(void)
{
	struct loop	*loop;

	if ((loop = calloc(1, sizeof(*loop))) == NULL)
		return NULL;
	if ((loop->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(loop);
		return NULL;
	}
	loop_clock(loop);
	return loop;
}

void
loop_free(struct loop *loop)
{
	if (loop == NULL)
		return;
	close(loop->epfd);
	free(loop->watch);
	free(loop);
}

/* Make the table hold fd.  Returns 0 or -ENOMEM. */
static int
loop_reserve(struct loop *loop, int fd)
{
	struct loop_watch	*w;
	size_t			 cap = loop->cap > 0 ? loop->cap : LOOP_TABLE_MIN;

	if ((size_t)fd < loop->cap)
		return 0;
	while (cap <= (size_t)fd)
		cap *= 2;
	if ((w = realloc(loop->watch, cap * sizeof(*w))) == NULL)
		return -ENOMEM;
	memset(w + loop->cap, 0, (cap - loop->cap) * sizeof(*w));
	loop->watch = w;
	loop->cap = cap;
	return 0;
}

static uint32_t
loop_epoll_mask(unsigned events)
{
	uint32_t	 m = 0;

	if (events & LOOP_READ)
		m |= EPOLLIN;
	if (events & LOOP_WRITE)
		m |= EPOLLOUT;
	return m;
}

int
loop_watch(struct loop *loop, int fd, unsigned events, loop_fn fn, void *arg)
{
	struct loop_watch	*w;
	struct epoll_event	 ev;
	uint32_t		 gen;
	int			 op, rc;

	if (fd < 0)
		return -EBADF;
	if ((events & ~(unsigned)(LOOP_READ | LOOP_WRITE)) != 0 || fn == NULL)
		return -EINVAL;
	if ((rc = loop_reserve(loop, fd)) < 0)
		return rc;
	w = &loop->watch[fd];
	if (w->fn == NULL) {
		op = EPOLL_CTL_ADD;
		gen = loop->gen + 1;
	} else {
		op = w->mask != events ? EPOLL_CTL_MOD : 0;
		gen = w->gen;
	}
	if (op != 0) {
		memset(&ev, 0, sizeof(ev));
		ev.events = loop_epoll_mask(events);
		ev.data.u64 = (uint64_t)gen << 32 | (uint32_t)fd;
		if (epoll_ctl(loop->epfd, op, fd, &ev) == -1)
			return -errno;
	}
	if (op == EPOLL_CTL_ADD)
		loop->gen = gen;
	w->fn = fn;
	w->arg = arg;
	w->mask = events;
	w->gen = gen;
	return 0;
}

int
loop_unwatch(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->cap || loop->watch[fd].fn == NULL)
		return 0;
	memset(&loop->watch[fd], 0, sizeof(loop->watch[fd]));
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) == -1)
		return -errno;
	return 0;
}

unsigned
loop_events(const struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->cap)
		return 0;
	return loop->watch[fd].mask;
}

/* Run the callback for one event if its watcher is still the one it was for. */
static int
loop_dispatch(struct loop *loop, const struct epoll_event *ev)
{
	int			 fd = (int)(uint32_t)ev->data.u64;
	uint32_t		 gen = (uint32_t)(ev->data.u64 >> 32);
	struct loop_watch	*w;
	unsigned		 events = 0;

	if ((size_t)fd >= loop->cap)
		return 0;
	w = &loop->watch[fd];
	if (w->fn == NULL || w->gen != gen)
		return 0;
	if ((ev->events & EPOLLIN) && (w->mask & LOOP_READ))
		events |= LOOP_READ;
	if (ev->events & (EPOLLERR | EPOLLHUP))
		events |= LOOP_READ;
	if ((ev->events & EPOLLOUT) && (w->mask & LOOP_WRITE))
		events |= LOOP_WRITE;
	/* A callback earlier in the batch may have narrowed the mask. */
	if (events == 0)
		return 0;
	w->fn(loop, fd, events, w->arg);
	return 1;
}

int
loop_run(struct loop *loop, int timeout)
{
	int	 n, ran = 0;

	n = epoll_wait(loop->epfd, loop->events, LOOP_BATCH, timeout);
	loop_clock(loop);
	if (n == -1)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++)
		ran += loop_dispatch(loop, &loop->events[i]);
	return ran;
}

int64_t
loop_now(const struct loop *loop)
{
	return loop->now;
}

int64_t
loop_now_ns(const struct loop *loop)
{
	return loop->now_ns;
}

int
loop_timeout(const struct loop *loop, int64_t deadline)
{
	if (deadline < 0)
		return -1;
	if (deadline <= loop->now)
		return 1;
	if (deadline - loop->now > INT_MAX)
		return INT_MAX;
	return (int)(deadline - loop->now);
}
