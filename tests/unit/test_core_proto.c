/*
 * Issue 20's smaller commands and capabilities: STATUSMSG, LIST's ELIST filters,
 * KICK's TARGMAX, HELP, KNOCK, SILENCE, extended-monitor, no-implicit-names and
 * draft/pre-away, with the exact bytes each connection receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/command.h"
#include "fixture_core.h"

#define S	":irc.localhost "
#define A	":alice!u@127.0.0.1 "

/* Connect, negotiate caps (a CAP REQ list), register as nick, drop the burst. */
static unsigned
cap_client(struct fx *fx, const char *nick, const char *caps)
{
	unsigned	c = fx_connect(fx);
	char		line[256];

	snprintf(line, sizeof(line), "CAP REQ :%s", caps);
	fx_line(fx, c, line);
	snprintf(line, sizeof(line), "NICK %s", nick);
	fx_line(fx, c, line);
	fx_line(fx, c, "USER u 0 * :Real Name");
	fx_line(fx, c, "CAP END");
	fx_take(fx, c);
	return c;
}

static void
test_statusmsg(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 v = fx_client(fx, "v");
	unsigned	 p = fx_client(fx, "p");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, v, "JOIN #c");
	fx_line(fx, p, "JOIN #c");
	fx_line(fx, a, "MODE #c +v v");
	fx_drain(fx);
	fx_line(fx, a, "PRIVMSG +#c :to voices");
	assert_string_equal(fx_take(fx, v), A "PRIVMSG +#c :to voices\r\n");
	assert_string_equal(fx_take(fx, p), "");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, v, "PRIVMSG @#c :to ops");
	assert_string_equal(fx_take(fx, a), ":v!u@127.0.0.1 PRIVMSG @#c :to ops\r\n");
	assert_string_equal(fx_take(fx, p), "");
	fx_line(fx, p, "PRIVMSG @#none :x");
	assert_string_equal(fx_take(fx, p), S "401 p @#none :No such nick/channel\r\n");
	fx_free(fx);
}

static void
test_elist_filters(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "JOIN #old");
	fx_advance(fx, 10 * 60 * 1000);
	fx_line(fx, a, "JOIN #new");
	fx_line(fx, a, "TOPIC #new :fresh");
	fx_drain(fx);
	fx_line(fx, a, "LIST C<5");
	assert_string_equal(fx_take(fx, a), S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #new 1 :fresh\r\n" S "323 alice :End of /LIST\r\n");
	fx_line(fx, a, "LIST C>5");
	assert_string_equal(fx_take(fx, a), S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #old 1 :\r\n" S "323 alice :End of /LIST\r\n");
	/* A topic filter leaves out channels without a topic. */
	fx_line(fx, a, "LIST T<5");
	assert_string_equal(fx_take(fx, a), S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #new 1 :fresh\r\n" S "323 alice :End of /LIST\r\n");
	fx_line(fx, a, "LIST !#n*");
	assert_string_equal(fx_take(fx, a), S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #old 1 :\r\n" S "323 alice :End of /LIST\r\n");
	fx_free(fx);
}

static void
test_kick_targmax(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	char		 nick[8];

	(void)state;
	fx_line(fx, a, "JOIN #c");
	for (int i = 0; i < 5; i++) {
		snprintf(nick, sizeof(nick), "u%d", i);
		fx_line(fx, fx_client(fx, nick), "JOIN #c");
	}
	fx_drain(fx);
	/* TARGMAX KICK:4 (max_targets): the fifth nick gets 407. */
	fx_line(fx, a, "KICK #c u0,u1,u2,u3,u4 :out");
	assert_string_equal(fx_take(fx, a),
	    A "KICK #c u0 out\r\n" A "KICK #c u1 out\r\n"
	    A "KICK #c u2 out\r\n" A "KICK #c u3 out\r\n"
	    S "407 alice u4 :Too many recipients\r\n");
	fx_free(fx);
}

static void
test_help(void **state)
{
	struct fx		*fx = fx_new(NULL);
	unsigned		 a = fx_client(fx, "alice");
	const struct command	*c;
	size_t			 n;
	const char		*out;

	(void)state;
	fx_line(fx, a, "HELP knock");
	assert_string_equal(fx_take(fx, a),
	    S "704 alice KNOCK :KNOCK #channel [:message]\r\n"
	    S "705 alice KNOCK :Ask the operators of a channel you cannot join for an "
	    "invite.\r\n"
	    S "706 alice KNOCK :End of /HELP\r\n");
	fx_line(fx, a, "HELPOP nosuch");
	assert_string_equal(fx_take(fx, a),
	    S "524 alice NOSUCH :No help available on this topic\r\n");
	fx_line(fx, a, "HELP");
	out = fx_take(fx, a);
	assert_true(strncmp(out, S "704 alice * :Commands", strlen(S) + 21) == 0);
	assert_non_null(strstr(out, "WHOWAS\r\n" S "706 alice * :End of /HELP\r\n"));
	/* Every command has its help, kept with the command table. */
	c = command_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (command_help(c[i].verb) == NULL)
			fail_msg("no HELP text for %s (command.c's helps[])", c[i].verb);
	}
	fx_free(fx);
}

static void
test_knock(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 k = fx_client(fx, "k");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, k, "KNOCK #c");
	assert_string_equal(fx_take(fx, k), S "713 k #c :Channel is open.\r\n");
	fx_line(fx, a, "KNOCK #c");
	assert_string_equal(fx_take(fx, a),
	    S "714 alice #c :You are already on that channel.\r\n");
	fx_line(fx, a, "MODE #c +i");
	fx_drain(fx);
	fx_line(fx, k, "KNOCK #c :let me in");
	assert_string_equal(fx_take(fx, a),
	    S "710 alice #c k!u@127.0.0.1 :has asked for an invite.\r\n");
	assert_string_equal(fx_take(fx, k), S "711 k #c :Your KNOCK has been delivered.\r\n");
	fx_line(fx, k, "KNOCK #c");
	assert_string_equal(fx_take(fx, k), S "712 k #c :Too many KNOCKs (user).\r\n");
	fx_advance(fx, 60000);
	fx_drain(fx);
	fx_line(fx, k, "KNOCK #c");
	assert_string_equal(fx_take(fx, k), S "711 k #c :Your KNOCK has been delivered.\r\n");
	fx_free(fx);
}

static void
test_silence(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, b, "SILENCE +Alice");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 SILENCE +Alice!*@*\r\n");
	fx_line(fx, b, "SILENCE");
	assert_string_equal(fx_take(fx, b), S "271 bob bob Alice!*@*\r\n"
	    S "272 bob :End of Silence List\r\n");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "PRIVMSG bob :hello?");
	fx_line(fx, a, "INVITE bob #c");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, b, "SILENCE -alice!*@*");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 SILENCE -Alice!*@*\r\n");
	fx_line(fx, a, "PRIVMSG bob :hello?");
	assert_string_equal(fx_take(fx, b), A "PRIVMSG bob hello?\r\n");
	fx_free(fx);
}

static void
test_extended_monitor(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 w = cap_client(fx, "w", "extended-monitor away-notify");
	unsigned	 plain = cap_client(fx, "plain", "away-notify");
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, w, "MONITOR + alice");
	fx_line(fx, plain, "MONITOR + alice");
	fx_drain(fx);
	/* No channel in common: only the watcher with extended-monitor hears it. */
	fx_line(fx, a, "AWAY :lunch");
	assert_string_equal(fx_take(fx, w), A "AWAY lunch\r\n");
	assert_string_equal(fx_take(fx, plain), "");
	/* Sharing a channel too, it still hears it once. */
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, w, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "AWAY");
	assert_string_equal(fx_take(fx, w), A "AWAY\r\n");
	fx_free(fx);
}

static void
test_no_implicit_names(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = cap_client(fx, "quiet", "no-implicit-names");

	(void)state;
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, c), ":quiet!u@127.0.0.1 JOIN #c\r\n");
	fx_free(fx);
}

static void
test_pre_away(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);
	unsigned	 d = fx_connect(fx);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, d, "AWAY :early");
	assert_string_equal(fx_take(fx, d), S "451 * :You have not registered\r\n");
	fx_line(fx, c, "CAP REQ draft/pre-away");
	fx_line(fx, c, "AWAY *");
	fx_line(fx, c, "NICK bot");
	fx_line(fx, c, "USER u 0 * :Bot");
	fx_line(fx, c, "CAP END");
	fx_drain(fx);
	fx_line(fx, a, "PRIVMSG bot :there?");
	assert_string_equal(fx_take(fx, a), S "301 alice bot :*\r\n");
	fx_free(fx);
}

static void
test_rename(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "draft/channel-rename");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #old");
	fx_line(fx, b, "JOIN #old");
	fx_line(fx, b, "JOIN #taken");
	fx_drain(fx);
	fx_line(fx, b, "RENAME #old #new");
	assert_string_equal(fx_take(fx, b),
	    S "482 bob #old :You're not channel operator\r\n");
	fx_line(fx, a, "RENAME #old #TAKEN");
	assert_string_equal(fx_take(fx, a), S "FAIL RENAME CHANNEL_NAME_IN_USE #old #TAKEN "
	    ":The channel name is already taken\r\n");
	fx_line(fx, a, "RENAME #old #new :typo fix");
	assert_string_equal(fx_take(fx, a), A "RENAME #old #new :typo fix\r\n");
	/* Without the capability: the fallback, a PART and a JOIN of one's own. */
	assert_string_equal(fx_take(fx, b),
	    ":bob!u@127.0.0.1 PART #old :typo fix\r\n"
	    ":bob!u@127.0.0.1 JOIN #new\r\n"
	    S "353 bob = #new :@alice bob\r\n"
	    S "366 bob #new :End of /NAMES list\r\n");
	/* A change of case only: no fallback; the RENAME always has its reason. */
	fx_line(fx, a, "RENAME #new #NEW");
	assert_string_equal(fx_take(fx, a), A "RENAME #new #NEW :\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, b, "NAMES #new");
	assert_string_equal(fx_take(fx, b), S "353 bob = #NEW :@alice bob\r\n"
	    S "366 bob #new :End of /NAMES list\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statusmsg),
		cmocka_unit_test(test_elist_filters),
		cmocka_unit_test(test_kick_targmax),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_knock),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_extended_monitor),
		cmocka_unit_test(test_no_implicit_names),
		cmocka_unit_test(test_pre_away),
		cmocka_unit_test(test_rename),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
