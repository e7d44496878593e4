/*
 * The event loop: watchers on pipes and socketpairs, mask changes, removal and reuse of
 * a descriptor inside a callback of the same batch, hang-ups, timeouts and the clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/loop.h"

/* What callbacks saw. */
struct seen {
	int		 calls;
	int		 fd;
	unsigned	 events;
};

static void
record(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct seen	*s = arg;

	(void)loop;
	s->calls++;
	s->fd = fd;
	s->events = events;
}

static void
make_pipe(int p[2])
{
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv), 0);
}

static void
close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

static void
test_readable_pipe(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	assert_non_null(loop);
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.fd, p[0]);
	assert_int_equal(s.events, LOOP_READ);
	close_pair(p);
	loop_free(loop);
}

static void
test_nothing_ready_times_out(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];
	int64_t		 before;

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &s), 0);
	before = loop_now(loop);
	assert_int_equal(loop_run(loop, 30), 0);
	assert_int_equal(s.calls, 0);
	/* The clock is whole ms rounded down: a 30 ms wait moves it 30 or more. */
	assert_true(loop_now(loop) - before >= 30);
	close_pair(p);
	loop_free(loop);
}

static void
test_empty_loop_times_out(void **state)
{
	struct loop	*loop = loop_new();

	(void)state;
	assert_int_equal(loop_run(loop, 0), 0);
	loop_free(loop);
}

static void
test_write_then_modify_to_read(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 sv[2];

	(void)state;
	make_pair(sv);
	/* Nothing to read: a read watcher stays quiet. */
	assert_int_equal(loop_watch(loop, sv[0], LOOP_READ, record, &s), 0);
	assert_int_equal(loop_run(loop, 0), 0);
	/* An empty socket buffer is writable. */
	assert_int_equal(loop_watch(loop, sv[0], LOOP_READ | LOOP_WRITE, record, &s), 0);
	assert_int_equal(loop_events(loop, sv[0]), LOOP_READ | LOOP_WRITE);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(s.events, LOOP_WRITE);
	/* And quiet again once write interest is dropped. */
	assert_int_equal(loop_watch(loop, sv[0], LOOP_READ, record, &s), 0);
	assert_int_equal(loop_run(loop, 0), 0);
	assert_int_equal(s.calls, 1);
	close_pair(sv);
	loop_free(loop);
}

static void
test_read_and_write_in_one_call(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 sv[2];

	(void)state;
	make_pair(sv);
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_int_equal(loop_watch(loop, sv[0], LOOP_READ | LOOP_WRITE, record, &s), 0);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.events, LOOP_READ | LOOP_WRITE);
	close_pair(sv);
	loop_free(loop);
}

static void
test_rewatch_replaces_callback(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 a = { 0 }, b = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &a), 0);
	/* Same mask: no second registration (which epoll would refuse), new arg. */
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &b), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 1);
	close_pair(p);
	loop_free(loop);
}

static void
test_unwatch_silences(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_unwatch(loop, p[0]), 0);
	assert_int_equal(loop_events(loop, p[0]), 0);
	assert_int_equal(loop_run(loop, 0), 0);
	assert_int_equal(s.calls, 0);
	/* Twice, or for an fd never watched: a no-op. */
	assert_int_equal(loop_unwatch(loop, p[0]), 0);
	assert_int_equal(loop_unwatch(loop, 1000), 0);
	/* And it can be watched again. */
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &s), 0);
	assert_int_equal(loop_run(loop, 1000), 1);
	close_pair(p);
	loop_free(loop);
}

/* Two readable pipes; whichever callback runs first closes the other one. */
struct pair_state {
	int	 p[2][2];
	int	 calls;
};

static void
close_other(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct pair_state	*ps = arg;
	int			 other = fd == ps->p[0][0] ? 1 : 0;

	(void)events;
	ps->calls++;
	assert_int_equal(loop_unwatch(loop, ps->p[other][0]), 0);
	close_pair(ps->p[other]);
	ps->p[other][0] = ps->p[other][1] = -1;
}

static void
test_delete_other_in_same_batch(void **state)
{
	struct loop		*loop = loop_new();
	struct pair_state	 ps = { 0 };

	(void)state;
	for (int i = 0; i < 2; i++) {
		make_pipe(ps.p[i]);
		assert_int_equal(loop_watch(loop, ps.p[i][0], LOOP_READ, close_other, &ps), 0);
		assert_int_equal(write(ps.p[i][1], "x", 1), 1);
	}
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(ps.calls, 1);
	for (int i = 0; i < 2; i++)
		if (ps.p[i][0] >= 0)
			close_pair(ps.p[i]);
	loop_free(loop);
}

/*
 * As above, but the first callback also opens a new pipe, which reuses the numbers just
 * closed, and watches it with a different callback: the old event must not reach it.
 */
struct reuse_state {
	int		 p[2][2];
	int		 fresh[2];
	int		 calls;
	struct seen	 fresh_seen;
};

static void
close_and_reuse(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct reuse_state	*rs = arg;
	int			 other = fd == rs->p[0][0] ? 1 : 0;
	int			 old = rs->p[other][0];

	(void)events;
	rs->calls++;
	assert_int_equal(loop_unwatch(loop, old), 0);
	close_pair(rs->p[other]);
	rs->p[other][0] = rs->p[other][1] = -1;
	make_pipe(rs->fresh);
	assert_int_equal(rs->fresh[0], old);
	assert_int_equal(loop_watch(loop, rs->fresh[0], LOOP_READ, record, &rs->fresh_seen),
	    0);
}

static void
test_reused_fd_gets_no_stale_event(void **state)
{
	struct loop		*loop = loop_new();
	struct reuse_state	 rs = { 0 };

	(void)state;
	for (int i = 0; i < 2; i++)
		make_pipe(rs.p[i]);
	/* Both pipes took the lowest free numbers, so closing either one frees the lowest
	 * pair and pipe() hands its read end out again (asserted in the callback). */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(loop_watch(loop, rs.p[i][0], LOOP_READ, close_and_reuse, &rs),
		    0);
		assert_int_equal(write(rs.p[i][1], "x", 1), 1);
	}
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(rs.calls, 1);
	assert_int_equal(rs.fresh_seen.calls, 0);
	for (int i = 0; i < 2; i++)
		if (rs.p[i][0] >= 0)
			close_pair(rs.p[i]);
	close_pair(rs.fresh);
	loop_free(loop);
}

/* A callback narrows another watcher's mask: that watcher's pending write event goes. */
struct narrow_state {
	int		 sv[2][2];
	int		 calls;
};

static void
narrow_other(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct narrow_state	*ns = arg;
	int			 other = fd == ns->sv[0][0] ? 1 : 0;

	(void)events;
	ns->calls++;
	assert_int_equal(loop_watch(loop, ns->sv[other][0], LOOP_READ, narrow_other, ns), 0);
}

static void
test_narrowed_mask_drops_pending_event(void **state)
{
	struct loop		*loop = loop_new();
	struct narrow_state	 ns = { 0 };

	(void)state;
	for (int i = 0; i < 2; i++) {
		make_pair(ns.sv[i]);
		assert_int_equal(loop_watch(loop, ns.sv[i][0], LOOP_WRITE, narrow_other, &ns),
		    0);
	}
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(ns.calls, 1);
	for (int i = 0; i < 2; i++)
		close_pair(ns.sv[i]);
	loop_free(loop);
}

static void
unwatch_self(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct seen	*s = arg;

	(void)events;
	s->calls++;
	assert_int_equal(loop_unwatch(loop, fd), 0);
}

static void
test_unwatch_self_in_callback(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, unwatch_self, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(loop, 1000), 1);
	/* Still readable, but no longer watched. */
	assert_int_equal(loop_run(loop, 0), 0);
	assert_int_equal(s.calls, 1);
	close_pair(p);
	loop_free(loop);
}

static void
test_hangup_comes_as_read(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 sv[2];

	(void)state;
	make_pair(sv);
	/* Watching for nothing still reports a hang-up, as a read. */
	assert_int_equal(loop_watch(loop, sv[0], 0, record, &s), 0);
	assert_int_equal(loop_run(loop, 0), 0);
	close(sv[1]);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(s.events, LOOP_READ);
	close(sv[0]);
	loop_free(loop);
}

static void
test_hangup_with_write_mask(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	/* A pipe's write end whose reader went: EPOLLERR, delivered as a read too. */
	close(p[0]);
	assert_int_equal(loop_watch(loop, p[1], LOOP_WRITE, record, &s), 0);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_true(s.events & LOOP_READ);
	close(p[1]);
	loop_free(loop);
}

static void
test_bad_descriptors(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 fd;

	(void)state;
	assert_int_equal(loop_watch(loop, -1, LOOP_READ, record, &s), -EBADF);
	/* A closed descriptor. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(loop_watch(loop, fd, LOOP_READ, record, &s), -EBADF);
	assert_int_equal(loop_events(loop, fd), 0);
	assert_int_equal(loop_events(loop, -1), 0);
	loop_free(loop);
}

static void
test_regular_file_refused(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	char		 path[] = "/tmp/test_loop_XXXXXX";
	int		 fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(loop_watch(loop, fd, LOOP_READ, record, &s), -EPERM);
	/* The refusal leaves nothing registered. */
	assert_int_equal(loop_events(loop, fd), 0);
	close(fd);
	loop_free(loop);
}

static void
test_bad_arguments(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], 0x4, record, &s), -EINVAL);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, NULL, &s), -EINVAL);
	assert_int_equal(loop_events(loop, p[0]), 0);
	close_pair(p);
	loop_free(loop);
}

static void
test_failed_modify_keeps_watcher(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &s), 0);
	assert_int_equal(loop_watch(loop, p[0], 0x8, record, &s), -EINVAL);
	assert_int_equal(loop_events(loop, p[0]), LOOP_READ);
	close_pair(p);
	loop_free(loop);
}

static void
test_high_descriptor_grows_table(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2], high;

	(void)state;
	make_pipe(p);
	high = fcntl(p[0], F_DUPFD_CLOEXEC, 500);
	assert_true(high >= 500);
	assert_int_equal(loop_watch(loop, high, LOOP_READ, record, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(s.fd, high);
	close(high);
	close_pair(p);
	loop_free(loop);
}

static void
test_level_triggered(void **state)
{
	struct loop	*loop = loop_new();
	struct seen	 s = { 0 };
	int		 p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(loop_watch(loop, p[0], LOOP_READ, record, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	/* Not read: reported again on every turn. */
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(loop_run(loop, 1000), 1);
	assert_int_equal(s.calls, 2);
	close_pair(p);
	loop_free(loop);
}

static void
test_timeout_values(void **state)
{
	struct loop	*loop = loop_new();
	int64_t		 now = loop_now(loop);

	(void)state;
	assert_int_equal(loop_timeout(loop, -1), -1);
	assert_int_equal(loop_timeout(loop, now + 250), 250);
	/* Due or past: wait 1 ms, never 0 (a spin) and never negative (forever). */
	assert_int_equal(loop_timeout(loop, now), 1);
	assert_int_equal(loop_timeout(loop, now > 5 ? now - 5 : 0), 1);
	assert_int_equal(loop_timeout(loop, now + (int64_t)INT_MAX * 4), INT_MAX);
	loop_free(loop);
}

static void
test_clock_moves_forward(void **state)
{
	struct loop	*loop = loop_new();
	int64_t		 a, b;

	(void)state;
	a = loop_now(loop);
	assert_true(a >= 0);
	assert_int_equal(loop_run(loop, 5), 0);
	b = loop_now(loop);
	assert_true(b >= a + 5);
	/* Only a turn reads the clock. */
	usleep(20000);
	assert_int_equal(loop_now(loop), b);
	loop_free(loop);
}

static void
test_free_null(void **state)
{
	(void)state;
	loop_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readable_pipe),
		cmocka_unit_test(test_nothing_ready_times_out),
		cmocka_unit_test(test_empty_loop_times_out),
		cmocka_unit_test(test_write_then_modify_to_read),
		cmocka_unit_test(test_read_and_write_in_one_call),
		cmocka_unit_test(test_rewatch_replaces_callback),
		cmocka_unit_test(test_unwatch_silences),
		cmocka_unit_test(test_delete_other_in_same_batch),
		cmocka_unit_test(test_reused_fd_gets_no_stale_event),
		cmocka_unit_test(test_narrowed_mask_drops_pending_event),
		cmocka_unit_test(test_unwatch_self_in_callback),
		cmocka_unit_test(test_hangup_comes_as_read),
		cmocka_unit_test(test_hangup_with_write_mask),
		cmocka_unit_test(test_bad_descriptors),
		cmocka_unit_test(test_regular_file_refused),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_failed_modify_keeps_watcher),
		cmocka_unit_test(test_high_descriptor_grows_table),
		cmocka_unit_test(test_level_triggered),
		cmocka_unit_test(test_timeout_values),
		cmocka_unit_test(test_clock_moves_forward),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
