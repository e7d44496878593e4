/*
 * Timeouts: registration, PING after idle, and the ping timeout, on a clock the test
 * moves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture_core.h"

static void
short_timeouts(struct core_config *cfg)
{
	cfg->registration_timeout = 5000;
	cfg->ping_interval = 10000;
	cfg->ping_timeout = 3000;
}

static void
test_registration_timeout(void **state)
{
	struct fx	*fx = fx_new(short_timeouts);
	unsigned	 slow = fx_connect(fx);
	unsigned	 quick = fx_connect(fx);

	(void)state;
	fx_line(fx, quick, "NICK q");
	fx_line(fx, quick, "USER q 0 * :q");
	fx_drain(fx);
	fx_advance(fx, 4999);
	assert_false(fx->conns[slow].closed);
	fx_advance(fx, 1);
	assert_true(fx->conns[slow].closed);
	assert_string_equal(fx_take(fx, slow),
	    "ERROR :Closing Link: 127.0.0.1 (Registration timed out)\r\n");
	assert_false(fx->conns[quick].closed);
	fx_free(fx);
}

static void
test_ping_then_timeout(void **state)
{
	struct fx	*fx = fx_new(short_timeouts);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, a, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	fx_drain(fx);
	fx_advance(fx, 9999);
	assert_string_equal(fx_take(fx, a), "");
	/* b speaks: its idle time restarts, a's does not. */
	fx_line(fx, b, "PRIVMSG #x :still here");
	fx_advance(fx, 1);
	assert_string_equal(fx_take(fx, a),
	    ":b!u@127.0.0.1 PRIVMSG #x :still here\r\nPING :irc.localhost\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_advance(fx, 2999);
	assert_false(fx->conns[a].closed);
	fx_advance(fx, 1);
	assert_true(fx->conns[a].closed);
	assert_string_equal(fx_take(fx, a),
	    "ERROR :Closing Link: 127.0.0.1 (Ping timeout: 13 seconds)\r\n");
	assert_string_equal(fx_take(fx, b),
	    ":a!u@127.0.0.1 QUIT :Ping timeout: 13 seconds\r\n");
	fx_free(fx);
}

static void
test_pong_keeps_alive(void **state)
{
	struct fx	*fx = fx_new(short_timeouts);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	for (int i = 0; i < 5; i++) {
		fx_advance(fx, 10000);
		assert_string_equal(fx_take(fx, a), "PING :irc.localhost\r\n");
		fx_advance(fx, 2000);
		fx_line(fx, a, "PONG :irc.localhost");
	}
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_next_deadline(void **state)
{
	struct fx	*fx = fx_new(short_timeouts);

	(void)state;
	assert_int_equal(core_tick(fx->core, fx->now), -1);
	fx_connect(fx);
	assert_int_equal(core_tick(fx->core, fx->now), fx->now + 5000);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_timeout),
		cmocka_unit_test(test_ping_then_timeout),
		cmocka_unit_test(test_pong_keeps_alive),
		cmocka_unit_test(test_next_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
