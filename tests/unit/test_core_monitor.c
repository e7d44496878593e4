/*
 * MONITOR: + - C L S, the 730-734 replies, notifications on registration, nick
 * changes and quits, casemapping, the monitor_max limit and bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "fixture_core.h"

#define S	":irc.localhost "
#define MASK(n)	n "!u@127.0.0.1"

static void
test_add_reports_online_and_offline(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = fx_client(fx, "watcher");

	(void)state;
	fx_client(fx, "alice");
	fx_line(fx, w, "MONITOR + alice,bob,Carol");
	assert_string_equal(fx_take(fx, w),
	    S "730 watcher :" MASK("alice") "\r\n"
	    S "731 watcher :bob,Carol\r\n");
	fx_line(fx, w, "MONITOR L");
	assert_string_equal(fx_take(fx, w),
	    S "732 watcher :alice,bob,Carol\r\n"
	    S "733 watcher :End of MONITOR list\r\n");
	fx_free(fx);
}

static void
test_registration_quit_and_nick_change_notify(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = fx_client(fx, "watcher");
	unsigned	 o = fx_client(fx, "other");
	unsigned	 a;

	(void)state;
	fx_line(fx, w, "MONITOR + alice,bob");
	fx_take(fx, w);
	a = fx_connect(fx);
	fx_line(fx, a, "NICK alice");
	/* A nick without registration is not online yet. */
	assert_string_equal(fx_take(fx, w), "");
	fx_line(fx, a, "USER u 0 * :Real Name");
	assert_string_equal(fx_take(fx, w), S "730 watcher :" MASK("alice") "\r\n");
	fx_drain(fx);
	fx_line(fx, a, "NICK bob");
	assert_string_equal(fx_take(fx, w),
	    S "731 watcher :alice\r\n"
	    S "730 watcher :" MASK("bob") "\r\n");
	/* Nobody else hears any of it. */
	assert_string_equal(fx_take(fx, o), "");
	fx_line(fx, a, "QUIT :bye");
	assert_string_equal(fx_take(fx, w), S "731 watcher :bob\r\n");
	fx_free(fx);
}

static void
test_disconnect_notifies(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = fx_client(fx, "watcher");
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, w, "MONITOR + alice");
	fx_take(fx, w);
	fx_drop(fx, a, "Connection reset by peer");
	assert_string_equal(fx_take(fx, w), S "731 watcher :alice\r\n");
	fx_free(fx);
}

static void
test_casemapping(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = fx_client(fx, "watcher");
	unsigned	 a;

	(void)state;
	fx_line(fx, w, "MONITOR + ALICE[1]");
	assert_string_equal(fx_take(fx, w), S "731 watcher :ALICE[1]\r\n");
	/* The same nick again, in another case: not added twice. */
	fx_line(fx, w, "MONITOR + alice{1}");
	fx_take(fx, w);
	fx_line(fx, w, "MONITOR L");
	assert_string_equal(fx_take(fx, w),
	    S "732 watcher :ALICE[1]\r\n"
	    S "733 watcher :End of MONITOR list\r\n");
	a = fx_client(fx, "Alice{1}");
	assert_string_equal(fx_take(fx, w), S "730 watcher :" MASK("Alice{1}") "\r\n");
	/* A change of case only is neither a departure nor an arrival. */
	fx_line(fx, a, "NICK ALICE{1}");
	assert_string_equal(fx_take(fx, w), "");
	fx_line(fx, w, "MONITOR - alice[1]");
	fx_line(fx, w, "MONITOR L");
	assert_string_equal(fx_take(fx, w), S "733 watcher :End of MONITOR list\r\n");
	fx_free(fx);
}

static void
test_remove_clear_and_status(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = fx_client(fx, "watcher");
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, w, "MONITOR + alice,bob,carol");
	fx_take(fx, w);
	fx_line(fx, w, "MONITOR - bob,nobody");
	assert_string_equal(fx_take(fx, w), "");
	fx_line(fx, w, "MONITOR S");
	assert_string_equal(fx_take(fx, w),
	    S "730 watcher :" MASK("alice") "\r\n"
	    S "731 watcher :carol\r\n");
	fx_line(fx, w, "monitor c");
	assert_string_equal(fx_take(fx, w), "");
	fx_line(fx, w, "MONITOR L");
	assert_string_equal(fx_take(fx, w), S "733 watcher :End of MONITOR list\r\n");
	fx_line(fx, w, "MONITOR S");
	assert_string_equal(fx_take(fx, w), "");
	fx_line(fx, a, "QUIT");
	assert_string_equal(fx_take(fx, w), "");
	fx_free(fx);
}

static void
small_list(struct core_config *cfg)
{
	cfg->monitor_max = 2;
}

static void
test_limit(void **state)
{
	struct fx	*fx = fx_new(small_list);
	unsigned	 w = fx_client(fx, "watcher");

	(void)state;
	fx_line(fx, w, "MONITOR + a,b,c,d");
	assert_string_equal(fx_take(fx, w),
	    S "734 watcher 2 c,d :Monitor list is full\r\n"
	    S "731 watcher :a,b\r\n");
	/* Already there: no room needed. */
	fx_line(fx, w, "MONITOR + B");
	assert_string_equal(fx_take(fx, w), S "731 watcher :B\r\n");
	fx_line(fx, w, "MONITOR + e");
	assert_string_equal(fx_take(fx, w), S "734 watcher 2 e :Monitor list is full\r\n");
	fx_line(fx, w, "MONITOR - a");
	fx_line(fx, w, "MONITOR + e");
	assert_string_equal(fx_take(fx, w), S "731 watcher :e\r\n");
	fx_line(fx, w, "MONITOR L");
	assert_string_equal(fx_take(fx, w),
	    S "732 watcher :b,e\r\n"
	    S "733 watcher :End of MONITOR list\r\n");
	fx_free(fx);
}

static void
test_bad_input(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = fx_client(fx, "watcher");

	(void)state;
	fx_line(fx, w, "MONITOR");
	assert_string_equal(fx_take(fx, w), S "461 watcher MONITOR :Not enough parameters\r\n");
	fx_line(fx, w, "MONITOR +");
	assert_string_equal(fx_take(fx, w), S "461 watcher MONITOR :Not enough parameters\r\n");
	fx_line(fx, w, "MONITOR - :");
	assert_string_equal(fx_take(fx, w), S "461 watcher MONITOR :Not enough parameters\r\n");
	fx_line(fx, w, "MONITOR X a");
	assert_string_equal(fx_take(fx, w),
	    S "400 watcher MONITOR X :Unknown MONITOR modifier\r\n");
	fx_line(fx, w, "MONITOR +a b");
	assert_string_equal(fx_take(fx, w),
	    S "400 watcher MONITOR +a :Unknown MONITOR modifier\r\n");
	/* Not nicks: skipped.  Empty items: ignored. */
	fx_line(fx, w, "MONITOR + ,#chan,1abc,a*b,,ok,");
	assert_string_equal(fx_take(fx, w), S "731 watcher :ok\r\n");
	fx_line(fx, w, "MONITOR L");
	assert_string_equal(fx_take(fx, w),
	    S "732 watcher :ok\r\n"
	    S "733 watcher :End of MONITOR list\r\n");
	fx_free(fx);
}

static void
test_unregistered_cannot_monitor(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "MONITOR + a");
	assert_string_equal(fx_take(fx, c), S "451 * :You have not registered\r\n");
	fx_free(fx);
}

static void
test_watchers_leaving_free_their_lists(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w1 = fx_client(fx, "w1");
	unsigned	 w2 = fx_client(fx, "w2");

	(void)state;
	fx_line(fx, w1, "MONITOR + alice,bob");
	fx_line(fx, w2, "MONITOR + alice");
	fx_line(fx, w1, "QUIT");
	fx_drain(fx);
	fx_client(fx, "alice");
	assert_string_equal(fx_take(fx, w2), S "730 w2 :" MASK("alice") "\r\n");
	fx_client(fx, "bob");
	assert_string_equal(fx_take(fx, w2), "");
	/* Freed with the server while watching (the sanitizers check the rest). */
	fx_free(fx);
}

static void
big_list(struct core_config *cfg)
{
	cfg->monitor_max = 1000;
	cfg->flood_burst = 0;
}

static void
test_long_replies_split(void **state)
{
	struct fx	*fx = fx_new(big_list);
	unsigned	 w = fx_client(fx, "watcher");
	char		 line[512];
	size_t		 len = 0;
	const char	*out, *p;
	unsigned	 items = 0, lines = 0;

	(void)state;
	/* 4 × 16 nicks of 29 bytes: the 731 replies need several lines. */
	for (unsigned batch = 0; batch < 4; batch++) {
		len = (size_t)snprintf(line, sizeof(line), "MONITOR + ");
		for (unsigned i = 0; i < 16; i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s%02u%02u",
			    i > 0 ? "," : "", "a_rather_long_nickname_", batch, i);
		fx_line(fx, w, line);
	}
	fx_line(fx, w, "MONITOR L");
	out = fx_take(fx, w);
	for (p = out; (p = strstr(p, " 732 ")) != NULL; p++) {
		const char *end = strstr(p, "\r\n");

		lines++;
		assert_true(end - p + 15 < 512);
		for (const char *q = p; q < end; q++)
			items += *q == '_' && q[1] == '0';
	}
	assert_int_equal(items, 64);
	assert_true(lines > 1);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_reports_online_and_offline),
		cmocka_unit_test(test_registration_quit_and_nick_change_notify),
		cmocka_unit_test(test_disconnect_notifies),
		cmocka_unit_test(test_casemapping),
		cmocka_unit_test(test_remove_clear_and_status),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_unregistered_cannot_monitor),
		cmocka_unit_test(test_watchers_leaving_free_their_lists),
		cmocka_unit_test(test_long_replies_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
