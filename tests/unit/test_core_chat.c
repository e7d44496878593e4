/*
 * One-to-one and many-to-many chat through the core: messages, channels, nick changes
 * and quits, with the exact bytes each connection receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>

#include "fixture_core.h"

static void
test_privmsg_to_nick(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "PRIVMSG BOB :hi there");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 PRIVMSG bob :hi there\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "NOTICE bob :psst");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 NOTICE bob psst\r\n");
	fx_line(fx, a, "PRIVMSG carol :anyone?");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 401 alice carol :No such nick/channel\r\n");
	/* NOTICE errors are never answered. */
	fx_line(fx, a, "NOTICE carol :anyone?");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "PRIVMSG bob");
	assert_string_equal(fx_take(fx, a), ":irc.localhost 412 alice :No text to send\r\n");
	fx_line(fx, a, "PRIVMSG");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 411 alice :No recipient given (PRIVMSG)\r\n");
	fx_free(fx);
}

static void
test_join_and_names(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #Chat");
	assert_string_equal(fx_take(fx, a),
	    ":alice!u@127.0.0.1 JOIN #Chat\r\n"
	    ":irc.localhost 353 alice = #Chat :@alice\r\n"
	    ":irc.localhost 366 alice #Chat :End of /NAMES list\r\n");
	fx_line(fx, b, "JOIN #chat");
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 JOIN #Chat\r\n");
	assert_string_equal(fx_take(fx, b),
	    ":bob!u@127.0.0.1 JOIN #Chat\r\n"
	    ":irc.localhost 353 bob = #Chat :@alice bob\r\n"
	    ":irc.localhost 366 bob #Chat :End of /NAMES list\r\n");
	/* Joining again changes nothing. */
	fx_line(fx, b, "JOIN #CHAT");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, b, "MODE #chat");
	assert_string_equal(fx_take(fx, b), ":irc.localhost 324 bob #Chat +nt\r\n"
	    ":irc.localhost 329 bob #Chat 1700000000\r\n");
	fx_line(fx, b, "JOIN nochan");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 403 bob nochan :No such channel\r\n");
	fx_free(fx);
}

static void
test_channel_message_reaches_others(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");
	unsigned	 c = fx_client(fx, "c");
	unsigned	 out = fx_client(fx, "out");

	(void)state;
	fx_line(fx, a, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	fx_line(fx, c, "JOIN #x");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #X :hello all");
	assert_string_equal(fx_take(fx, a), ":b!u@127.0.0.1 PRIVMSG #x :hello all\r\n");
	assert_string_equal(fx_take(fx, c), ":b!u@127.0.0.1 PRIVMSG #x :hello all\r\n");
	assert_string_equal(fx_take(fx, b), "");
	/* +n: outsiders cannot send. */
	fx_line(fx, out, "PRIVMSG #x :let me in");
	assert_string_equal(fx_take(fx, out),
	    ":irc.localhost 404 out #x :Cannot send to channel\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

static void
test_nick_change_seen_once(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");
	unsigned	 lone = fx_client(fx, "lone");

	(void)state;
	fx_line(fx, a, "JOIN #one,#two");
	fx_line(fx, b, "JOIN #one,#two");
	fx_drain(fx);
	fx_line(fx, a, "NICK zed");
	assert_string_equal(fx_take(fx, a), ":a!u@127.0.0.1 NICK zed\r\n");
	assert_string_equal(fx_take(fx, b), ":a!u@127.0.0.1 NICK zed\r\n");
	assert_string_equal(fx_take(fx, lone), "");
	/* The old nick is free, the new one taken. */
	fx_line(fx, lone, "NICK ZED");
	assert_non_null(strstr(fx_take(fx, lone), " 433 lone ZED "));
	fx_line(fx, lone, "NICK a");
	assert_string_equal(fx_take(fx, lone), ":lone!u@127.0.0.1 NICK a\r\n");
	fx_free(fx);
}

static void
test_quit_seen_once(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");
	unsigned	 c = fx_client(fx, "c");

	(void)state;
	fx_line(fx, a, "JOIN #one,#two");
	fx_line(fx, b, "JOIN #one,#two");
	fx_line(fx, c, "JOIN #two");
	fx_drain(fx);
	fx_line(fx, a, "QUIT :bye now");
	assert_string_equal(fx_take(fx, b), ":a!u@127.0.0.1 QUIT :Quit: bye now\r\n");
	assert_string_equal(fx_take(fx, c), ":a!u@127.0.0.1 QUIT :Quit: bye now\r\n");
	/* A dropped connection is reported with the driver's reason. */
	fx_drop(fx, b, "Connection reset by peer");
	assert_string_equal(fx_take(fx, c),
	    ":b!u@127.0.0.1 QUIT :Connection reset by peer\r\n");
	fx_line(fx, c, "NAMES #one");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 366 c #one :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_part(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, a, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	fx_drain(fx);
	fx_line(fx, b, "PART #x :see you");
	assert_string_equal(fx_take(fx, a), ":b!u@127.0.0.1 PART #x :see you\r\n");
	assert_string_equal(fx_take(fx, b), ":b!u@127.0.0.1 PART #x :see you\r\n");
	fx_line(fx, b, "PART #x");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 442 b #x :You're not on that channel\r\n");
	fx_line(fx, b, "PART #nowhere");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 403 b #nowhere :No such channel\r\n");
	fx_free(fx);
}

static void
test_topic(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, op, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	fx_drain(fx);
	fx_line(fx, b, "TOPIC #x");
	assert_string_equal(fx_take(fx, b), ":irc.localhost 331 b #x :No topic is set\r\n");
	fx_line(fx, b, "TOPIC #x :mine now");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 482 b #x :You're not channel operator\r\n");
	fx_line(fx, op, "TOPIC #x :Welcome, friends");
	assert_string_equal(fx_take(fx, b), ":op!u@127.0.0.1 TOPIC #x :Welcome, friends\r\n");
	assert_string_equal(fx_take(fx, op), ":op!u@127.0.0.1 TOPIC #x :Welcome, friends\r\n");
	fx_line(fx, b, "TOPIC #x");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 332 b #x :Welcome, friends\r\n"
	    ":irc.localhost 333 b #x op!u@127.0.0.1 1700000000\r\n");
	/* A joiner sees the topic before the names. */
	unsigned c = fx_client(fx, "c");
	fx_line(fx, c, "JOIN #x");
	assert_string_equal(fx_take(fx, c),
	    ":c!u@127.0.0.1 JOIN #x\r\n"
	    ":irc.localhost 332 c #x :Welcome, friends\r\n"
	    ":irc.localhost 333 c #x op!u@127.0.0.1 1700000000\r\n"
	    ":irc.localhost 353 c = #x :@op b c\r\n"
	    ":irc.localhost 366 c #x :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_mode_changes(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, op, "JOIN #x");
	fx_line(fx, b, "JOIN #x");
	fx_drain(fx);
	fx_line(fx, b, "MODE #x -t");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 482 b #x :You're not channel operator\r\n");
	fx_line(fx, op, "MODE #x -t+vx B");
	assert_string_equal(fx_take(fx, op),
	    ":irc.localhost 472 op x :is unknown mode char to me\r\n"
	    ":op!u@127.0.0.1 MODE #x -t+v b\r\n");
	assert_string_equal(fx_take(fx, b), ":op!u@127.0.0.1 MODE #x -t+v b\r\n");
	/* Nothing applied, nothing broadcast. */
	fx_line(fx, op, "MODE #x -t");
	assert_string_equal(fx_take(fx, op), "");
	fx_line(fx, b, "NAMES #x");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 353 b = #x :@op +b\r\n"
	    ":irc.localhost 366 b #x :End of /NAMES list\r\n");
	/* List queries need no privilege; the lists are empty. */
	fx_line(fx, b, "MODE #x b");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 368 b #x :End of channel ban list\r\n");
	fx_line(fx, b, "MODE b +i");
	assert_string_equal(fx_take(fx, b), ":b MODE b :+i\r\n");
	fx_line(fx, b, "MODE b");
	assert_string_equal(fx_take(fx, b), ":irc.localhost 221 b +i\r\n");
	fx_line(fx, b, "MODE op -i");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 502 b :Can't change mode for other users\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privmsg_to_nick),
		cmocka_unit_test(test_join_and_names),
		cmocka_unit_test(test_channel_message_reaches_others),
		cmocka_unit_test(test_nick_change_seen_once),
		cmocka_unit_test(test_quit_seen_once),
		cmocka_unit_test(test_part),
		cmocka_unit_test(test_topic),
		cmocka_unit_test(test_mode_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
