/*
 * Signals as events: the four signals are blocked and read from a non-blocking,
 * close-on-exec signalfd, and stay blocked after it is closed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "net/signals.h"

static bool
blocked(int signo)
{
	sigset_t	 cur;

	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	return sigismember(&cur, signo) == 1;
}

static void
test_open_blocks_and_flags(void **state)
{
	int	 fd = signals_open();

	(void)state;
	assert_true(fd >= 0);
	assert_true(blocked(SIGTERM));
	assert_true(blocked(SIGINT));
	assert_true(blocked(SIGHUP));
	assert_true(blocked(SIGCHLD));
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void
test_nothing_pending(void **state)
{
	int	 fd = signals_open();

	(void)state;
	assert_int_equal(signals_read(fd), 0);
	close(fd);
}

static void
test_raised_signal_is_read_once(void **state)
{
	int	 fd = signals_open();

	(void)state;
	assert_int_equal(raise(SIGHUP), 0);
	assert_int_equal(signals_read(fd), SIGHUP);
	assert_int_equal(signals_read(fd), 0);
	close(fd);
}

static void
test_two_signals_both_read(void **state)
{
	int	 fd = signals_open(), a, b;

	(void)state;
	assert_int_equal(raise(SIGTERM), 0);
	assert_int_equal(raise(SIGINT), 0);
	a = signals_read(fd);
	b = signals_read(fd);
	assert_true((a == SIGTERM && b == SIGINT) || (a == SIGINT && b == SIGTERM));
	assert_int_equal(signals_read(fd), 0);
	close(fd);
}

static void
test_still_blocked_after_close(void **state)
{
	int	 fd = signals_open();

	(void)state;
	close(fd);
	/* A late SIGTERM must not kill the process on its default action. */
	assert_int_equal(raise(SIGTERM), 0);
	assert_true(blocked(SIGTERM));
	fd = signals_open();
	assert_int_equal(signals_read(fd), SIGTERM);
	close(fd);
}

static void
test_bad_descriptor(void **state)
{
	(void)state;
	assert_int_equal(signals_read(-1), -EBADF);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(signals_name(SIGTERM), "SIGTERM");
	assert_string_equal(signals_name(SIGINT), "SIGINT");
	assert_string_equal(signals_name(SIGHUP), "SIGHUP");
	assert_string_equal(signals_name(SIGCHLD), "SIGCHLD");
	assert_string_equal(signals_name(SIGUSR1), "unknown");
	assert_string_equal(signals_name(-1), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_blocks_and_flags),
		cmocka_unit_test(test_nothing_pending),
		cmocka_unit_test(test_raised_signal_is_read_once),
		cmocka_unit_test(test_two_signals_both_read),
		cmocka_unit_test(test_still_blocked_after_close),
		cmocka_unit_test(test_bad_descriptor),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
