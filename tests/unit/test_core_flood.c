/*
 * Flood control (fakelag and "Excess Flood") and the per-address connection limit,
 * through the core on a clock the test moves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/flood.h"
#include "fixture_core.h"

/* crypt(3) SHA-512 hash of "s3cret". */
#define HASH_6	"$6$FhUpg214YVB0DRq5$VXqa2jJY1yo5TUQHiU1r7Dw583Jzs7.SjuqQzxD7jDP3.Iucbujk/" \
		"qikiW2MNhFfVwVE1jevt8jLyhxP1JCzy/"

static const struct core_oper opers[] = {
	{ "admin", HASH_6, "", "", "" },
};

/* Burst 4, one line a second, room for 100 bytes of delayed input. */
static void
small_flood(struct core_config *cfg)
{
	cfg->flood_burst = 4;
	cfg->flood_interval = 1000;
	cfg->flood_queue = 100;
	cfg->opers = opers;
	cfg->nopers = 1;
}

static void
no_flood(struct core_config *cfg)
{
	cfg->flood_burst = 0;
}

/* Send PING 1..n (from first on). */
static void
pings(struct fx *fx, unsigned c, int first, int n)
{
	char	line[32];

	for (int i = first; i < first + n; i++) {
		snprintf(line, sizeof(line), "PING %d", i);
		fx_line(fx, c, line);
	}
}

/* How many times needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
test_defaults_are_sane(void **state)
{
	struct core_config	cfg;

	(void)state;
	core_config_defaults(&cfg);
	assert_int_equal(cfg.flood_burst, 20);
	assert_int_equal(cfg.flood_interval, 500);
	assert_int_equal(cfg.flood_queue, 8192);
}

static void
test_burst_runs_at_once(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 4);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 4);
	fx_free(fx);
}

static void
test_lines_past_the_burst_wait(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 6);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 4);
	fx_advance(fx, 999);
	assert_string_equal(fx_take(fx, a), "");
	fx_advance(fx, 1);
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost PONG irc.localhost 5\r\n");
	fx_advance(fx, 1000);
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost PONG irc.localhost 6\r\n");
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_order_is_kept_behind_delayed_lines(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 5);
	fx_take(fx, a);
	/* Time enough for one more line, but 5 still waits: 6 goes behind it. */
	fx->now += 5000;
	pings(fx, a, 6, 1);
	assert_string_equal(fx_take(fx, a), "");
	fx_advance(fx, 0);
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost PONG irc.localhost 5\r\n"
	    ":irc.localhost PONG irc.localhost 6\r\n");
	fx_free(fx);
}

static void
test_tick_reports_when_delayed_lines_are_due(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 5);
	/* The idle PING is 120 s away: the delayed line, 1 s away, comes first. */
	assert_int_equal(core_tick(fx->core, fx->now), fx->now + 1000);
	fx_free(fx);
}

static void
test_sustained_rate(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	/* Paced at the allowed rate, nothing ever waits. */
	for (int i = 0; i < 50; i++) {
		pings(fx, a, i, 1);
		assert_int_equal(count(fx_take(fx, a), " PONG "), 1);
		fx_advance(fx, 1000);
	}
	fx_free(fx);
}

static void
test_excess_flood_disconnects(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, a, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	fx_drain(fx);
	/* JOIN and 3 PINGs run, then the 100-byte queue takes 9 lines of 11 bytes (CR LF
	 * counted); the 10th is one too many. */
	for (int i = 0; i < 12; i++) {
		fx_line(fx, a, "PING 1234");
		assert_false(fx->conns[a].closed);
	}
	fx_line(fx, a, "PING 1234");
	assert_true(fx->conns[a].closed);
	assert_string_equal(fx->conns[a].reason, "Excess Flood");
	assert_non_null(strstr(fx_take(fx, a),
	    "ERROR :Closing Link: 127.0.0.1 (Excess Flood)\r\n"));
	assert_string_equal(fx_take(fx, b), ":a!u@127.0.0.1 QUIT :Excess Flood\r\n");
	/* Nothing delayed runs for a client that is gone. */
	fx_advance(fx, 60000);
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

static void
test_zero_burst_turns_it_off(void **state)
{
	struct fx	*fx = fx_new(no_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 1000);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 1000);
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_default_burst_of_twenty(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 21);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 20);
	fx_advance(fx, 500);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 1);
	fx_free(fx);
}

/* Changed rule: unregistered clients were exempt; now a small burst is enough to
 * register, and past it their lines wait like anyone's. */
static void
test_unregistered_are_limited(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_connect(fx);

	(void)state;
	pings(fx, a, 1, 30);
	assert_int_equal(count(fx_take(fx, a), " PONG "), FLOOD_UNREGISTERED_BURST);
	/* The rest waits, NICK and USER behind it, and runs one line per interval. */
	fx_line(fx, a, "NICK a");
	fx_line(fx, a, "USER u 0 * :R");
	assert_string_equal(fx_take(fx, a), "");
	for (int step = 1; step <= 22; step++) {
		fx_advance(fx, 500);
		const char *out = fx_take(fx, a);
		assert_int_equal(count(out, " PONG "), step <= 20);
		assert_int_equal(strstr(out, " 001 a ") != NULL, step == 22);
	}
	fx_free(fx);
}

static void
test_unregistered_burst_is_enough_to_register(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_connect(fx);

	(void)state;
	fx_line(fx, a, "CAP LS 302");
	fx_line(fx, a, "PASS nothing");
	fx_line(fx, a, "NICK taken");
	fx_line(fx, a, "NICK a");
	fx_line(fx, a, "USER u 0 * :R");
	fx_line(fx, a, "CAP REQ :multi-prefix");
	fx_line(fx, a, "CAP REQ :server-time");
	fx_line(fx, a, "CAP END");
	assert_non_null(strstr(fx_take(fx, a), " 001 a "));
	fx_free(fx);
}

static void
test_registration_starts_the_burst_afresh(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_connect(fx);

	(void)state;
	pings(fx, a, 1, FLOOD_UNREGISTERED_BURST);
	fx_line(fx, a, "NICK a");
	fx_line(fx, a, "USER u 0 * :R");
	assert_int_equal(count(fx_take(fx, a), " PONG "), FLOOD_UNREGISTERED_BURST);
	fx_advance(fx, 500);
	assert_null(strstr(fx_take(fx, a), " 001 "));
	fx_advance(fx, 500);
	assert_non_null(strstr(fx_take(fx, a), " 001 a "));
	/* A user now: the whole burst of twenty, not what is left of ten. */
	pings(fx, a, 1, 21);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 20);
	fx_free(fx);
}

/* Lines of n bytes from c, n times ("a" is 1 byte, 3 as received with CR LF). */
static void
lines_of_a(struct fx *fx, unsigned c, int n)
{
	for (int i = 0; i < n; i++)
		fx_line(fx, c, "a");
}

/* Before registering, a client may have FLOOD_UNREGISTERED_QUEUE bytes of lines waiting,
 * not flood_queue: past that it is an Excess Flood; a user gets the whole queue. */
static void
test_unregistered_queue_is_small(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_connect(fx), u = fx_client(fx, "u");
	int		 fits = FLOOD_UNREGISTERED_QUEUE / 3;

	(void)state;
	lines_of_a(fx, a, FLOOD_UNREGISTERED_BURST + fits);
	assert_false(fx->conns[a].closed);
	fx_line(fx, a, "a");
	assert_true(fx->conns[a].closed);
	assert_string_equal(fx->conns[a].reason, "Excess Flood");
	assert_non_null(strstr(fx_take(fx, a),
	    "ERROR :Closing Link: 127.0.0.1 (Excess Flood)\r\n"));

	lines_of_a(fx, u, 20 + 2 * fits);
	assert_false(fx->conns[u].closed);
	fx_free(fx);
}

static void
test_unregistered_burst_follows_a_smaller_one(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_connect(fx);

	(void)state;
	pings(fx, a, 1, 6);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 4);
	fx_free(fx);
}

static void
default_with_oper(struct core_config *cfg)
{
	cfg->opers = opers;
	cfg->nopers = 1;
}

/* WHO costs two lines: ten fill a burst of twenty, where twenty PINGs would run. */
static void
test_command_cost(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	for (int i = 0; i < 10; i++)
		fx_line(fx, a, "WHO nobody");
	assert_int_equal(count(fx_take(fx, a), " 315 "), 10);
	pings(fx, a, 1, 1);
	assert_string_equal(fx_take(fx, a), "");
	fx_advance(fx, 500);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 1);
	fx_free(fx);
}

/* 100 MOTD lines of 99 bytes: about 13 KiB of 372 replies. */
static char	big_motd[100 * 100 + 1];

static void
with_big_motd(struct core_config *cfg)
{
	for (int i = 0; i < 100; i++) {
		memset(big_motd + i * 100, 'm', 99);
		big_motd[i * 100 + 99] = '\n';
	}
	big_motd[sizeof(big_motd) - 1] = '\0';
	cfg->motd = big_motd;
}

/* A reply pays for its size: MOTD queues over 12 KiB (three FLOOD_REPLY_BYTES), so it
 * costs four lines of the burst of twenty, where a PING costs one.  The welcome burst,
 * which holds the same MOTD, is not charged. */
static void
test_reply_size_costs_lines(void **state)
{
	struct fx	*fx = fx_new(with_big_motd);
	unsigned	 a = fx_client(fx, "a");
	const char	*out;

	(void)state;
	fx_take(fx, a);
	fx_line(fx, a, "MOTD");
	out = fx_take(fx, a);
	assert_int_equal(count(out, " 372 "), 100);
	assert_true(strlen(out) >= 3 * FLOOD_REPLY_BYTES);
	assert_true(strlen(out) < 4 * FLOOD_REPLY_BYTES);
	pings(fx, a, 1, 20);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 16);
	fx_free(fx);
}

/* A command that frees its sender (QUIT) is not charged after it: nothing to touch. */
static void
test_reply_charge_skips_a_client_gone(void **state)
{
	struct fx	*fx = fx_new(with_big_motd);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	fx_take(fx, a);
	fx_line(fx, a, "QUIT :bye");
	assert_non_null(strstr(fx_take(fx, a), "ERROR :Closing Link"));
	fx_free(fx);
}

/* A failed OPER costs its 8 lines and 4 more; each failure in a row doubles the 4. */
static void
test_failed_oper_costs_more_each_time(void **state)
{
	struct fx	*fx = fx_new(default_with_oper);
	unsigned	 a = fx_client(fx, "a");
	const char	*out;

	(void)state;
	fx_line(fx, a, "OPER admin wrong");
	pings(fx, a, 1, 20);
	out = fx_take(fx, a);
	assert_non_null(strstr(out, " 464 a "));
	assert_int_equal(count(out, " PONG "), 20 - 12);
	/* The queue run and paid off, then a second failure: 8 + 8. */
	fx_advance(fx, 30000);
	fx_advance(fx, 30000);
	fx_take(fx, a);
	fx_line(fx, a, "OPER admin wrong");
	pings(fx, a, 1, 20);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 20 - 16);
	fx_advance(fx, 30000);
	fx_advance(fx, 30000);
	fx_take(fx, a);
	/* A third: 8 + 16 lines, more than the burst; the next line waits 2.5 s. */
	fx_line(fx, a, "OPER admin wrong");
	pings(fx, a, 1, 1);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 0);
	fx_advance(fx, 2499);
	assert_string_equal(fx_take(fx, a), "");
	fx_advance(fx, 1);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 1);
	fx_free(fx);
}

/* A right password costs the 8 lines and ends the run of failures. */
static void
test_oper_success_resets_failures(void **state)
{
	struct fx	*fx = fx_new(default_with_oper);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	fx_line(fx, a, "OPER admin wrong");
	fx_advance(fx, 30000);
	fx_line(fx, a, "OPER admin s3cret");
	fx_line(fx, a, "MODE a -o");
	fx_advance(fx, 30000);
	fx_take(fx, a);
	/* Not an operator any more, so slowed again: a failure costs 8 + 4 once more. */
	fx_line(fx, a, "OPER admin wrong");
	pings(fx, a, 1, 20);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 20 - 12);
	fx_free(fx);
}

static void
test_operators_are_exempt(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	fx_line(fx, a, "OPER admin s3cret");
	fx_take(fx, a);
	pings(fx, a, 1, 200);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 200);
	fx_free(fx);
}

static void
test_lines_delayed_before_oper_run_at_once_after(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	pings(fx, a, 1, 4);
	fx_line(fx, a, "OPER admin s3cret");
	pings(fx, a, 5, 3);
	assert_int_equal(count(fx_take(fx, a), " PONG "), 4);
	/* OPER waited; once it has run and its check is in (the fixture's next turn), the
	 * three lines behind it flow at once. */
	fx_advance(fx, 1000);
	const char *out = fx_take(fx, a);
	assert_int_equal(count(out, " PONG "), 3);
	fx_free(fx);
}

static void
test_delayed_quit_frees_cleanly(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, a, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	pings(fx, a, 1, 3);
	fx_line(fx, a, "QUIT :bye");
	fx_line(fx, a, "PING after");
	fx_drain(fx);
	fx_advance(fx, 1000);
	assert_true(fx->conns[a].closed);
	assert_string_equal(fx_take(fx, b), ":a!u@127.0.0.1 QUIT :Quit: bye\r\n");
	assert_string_equal(fx_take(fx, a), "ERROR :Closing Link: 127.0.0.1 (Quit: bye)\r\n");
	fx_advance(fx, 5000);
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

static void
test_drop_with_delayed_lines(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	pings(fx, a, 1, 8);
	fx_drop(fx, a, "Connection closed");
	fx_advance(fx, 10000);
	fx_line(fx, b, "PING still");
	assert_non_null(strstr(fx_take(fx, b), "PONG irc.localhost still"));
	fx_free(fx);
}

static void
test_delayed_line_answers_ping(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	/* Two minutes idle: the server PINGs; the reply arrives while lines wait. */
	fx_advance(fx, 120000);
	assert_non_null(strstr(fx_take(fx, a), "PING :irc.localhost"));
	pings(fx, a, 1, 6);
	fx_line(fx, a, "PONG :irc.localhost");
	fx_advance(fx, 59000);
	fx_advance(fx, 2000);
	assert_false(fx->conns[a].closed);
	fx_free(fx);
}

static void
test_kill_of_a_delayed_client(void **state)
{
	struct fx	*fx = fx_new(small_flood);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	pings(fx, a, 1, 6);
	pings(fx, b, 1, 4);
	fx_line(fx, b, "OPER admin s3cret");
	fx_line(fx, b, "KILL a :enough");
	fx_drain(fx);
	/* b's OPER and KILL run from the tick, and a's delayed lines go with it. */
	fx_advance(fx, 1000);
	fx_advance(fx, 1000);
	assert_true(fx->conns[a].closed);
	fx_advance(fx, 10000);
	assert_false(fx->conns[op].closed);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_sane),
		cmocka_unit_test(test_burst_runs_at_once),
		cmocka_unit_test(test_lines_past_the_burst_wait),
		cmocka_unit_test(test_order_is_kept_behind_delayed_lines),
		cmocka_unit_test(test_tick_reports_when_delayed_lines_are_due),
		cmocka_unit_test(test_sustained_rate),
		cmocka_unit_test(test_excess_flood_disconnects),
		cmocka_unit_test(test_zero_burst_turns_it_off),
		cmocka_unit_test(test_default_burst_of_twenty),
		cmocka_unit_test(test_unregistered_are_limited),
		cmocka_unit_test(test_unregistered_burst_is_enough_to_register),
		cmocka_unit_test(test_registration_starts_the_burst_afresh),
		cmocka_unit_test(test_unregistered_burst_follows_a_smaller_one),
		cmocka_unit_test(test_unregistered_queue_is_small),
		cmocka_unit_test(test_command_cost),
		cmocka_unit_test(test_reply_size_costs_lines),
		cmocka_unit_test(test_reply_charge_skips_a_client_gone),
		cmocka_unit_test(test_failed_oper_costs_more_each_time),
		cmocka_unit_test(test_oper_success_resets_failures),
		cmocka_unit_test(test_operators_are_exempt),
		cmocka_unit_test(test_lines_delayed_before_oper_run_at_once_after),
		cmocka_unit_test(test_delayed_quit_frees_cleanly),
		cmocka_unit_test(test_drop_with_delayed_lines),
		cmocka_unit_test(test_delayed_line_answers_ping),
		cmocka_unit_test(test_kill_of_a_delayed_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
