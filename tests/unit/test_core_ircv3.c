/*
 * The IRCv3 capabilities' behaviour through the core, each with and without the
 * capability negotiated: multi-prefix, userhost-in-names, away-notify, extended-join,
 * setname, invite-notify, bot mode (+B) and UTF8ONLY.  Exact bytes throughout.
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

/* Register nick after CAP REQ :caps (space-separated); the burst is dropped. */
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
	assert_non_null(strstr(fx_take(fx, c), " 001 "));
	return c;
}

static void
no_flood_control(struct core_config *cfg)
{
	cfg->flood_burst = 0;
}

/* alice creates #c and voices herself (op and voice); bob joins. */
static void
op_and_voice(struct fx *fx, unsigned a, unsigned b)
{
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "MODE #c +v alice");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
}

/* ---- negotiation ---- */

static void
test_every_capability_is_acked(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP REQ :multi-prefix userhost-in-names away-notify extended-join "
	    "account-notify chghost setname invite-notify");
	assert_string_equal(fx_take(fx, c), S "CAP * ACK :multi-prefix userhost-in-names "
	    "away-notify extended-join account-notify chghost setname invite-notify\r\n");
	fx_free(fx);
}

static void
test_isupport_tokens(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);
	const char	*out;

	(void)state;
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :Real Name");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " BOT=B "));
	assert_non_null(strstr(out, " MONITOR=100 "));
	assert_non_null(strstr(out, " NAMELEN=128 "));
	assert_non_null(strstr(out, " UTF8ONLY "));
	assert_non_null(strstr(out, S "004 alice irc.localhost parley-"));
	assert_non_null(strstr(out, " Biorsw CIMPRTWbcefijklmnopqstvz Ibefjklqov\r\n"));
	fx_free(fx);
}

/* ---- multi-prefix ---- */

static void
test_names_highest_prefix_only_without_multi_prefix(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	op_and_voice(fx, a, b);
	fx_line(fx, b, "NAMES #c");
	assert_string_equal(fx_take(fx, b),
	    S "353 bob = #c :@alice bob\r\n"
	    S "366 bob #c :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_names_every_prefix_with_multi_prefix(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = cap_client(fx, "bob", "multi-prefix");

	(void)state;
	op_and_voice(fx, a, b);
	fx_line(fx, b, "NAMES #c");
	assert_string_equal(fx_take(fx, b),
	    S "353 bob = #c :@+alice bob\r\n"
	    S "366 bob #c :End of /NAMES list\r\n");
	/* A voice alone is still one prefix. */
	fx_line(fx, a, "MODE #c -o alice");
	fx_drain(fx);
	fx_line(fx, b, "NAMES #c");
	assert_string_equal(fx_take(fx, b),
	    S "353 bob = #c :+alice bob\r\n"
	    S "366 bob #c :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_who_and_whois_with_multi_prefix(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = cap_client(fx, "bob", "multi-prefix");
	unsigned	 c = fx_client(fx, "carol");

	(void)state;
	op_and_voice(fx, a, b);
	fx_line(fx, b, "WHO alice");
	fx_take(fx, b);
	fx_line(fx, b, "WHO #c");
	assert_string_equal(fx_take(fx, b),
	    S "352 bob #c u 127.0.0.1 irc.localhost alice H@+ :0 Real Name\r\n"
	    S "352 bob #c u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "315 bob #c :End of /WHO list\r\n");
	fx_line(fx, c, "WHO #c");
	assert_string_equal(fx_take(fx, c),
	    S "352 carol #c u 127.0.0.1 irc.localhost alice H@ :0 Real Name\r\n"
	    S "352 carol #c u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "315 carol #c :End of /WHO list\r\n");
	fx_line(fx, b, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, b), S "319 bob alice :@+#c\r\n"));
	fx_line(fx, c, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, c), S "319 carol alice :@#c\r\n"));
	fx_free(fx);
}

/* ---- userhost-in-names ---- */

static void
test_userhost_in_names(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = cap_client(fx, "bob", "userhost-in-names");
	unsigned	 c = cap_client(fx, "carol", "userhost-in-names multi-prefix");

	(void)state;
	op_and_voice(fx, a, b);
	/* Also the NAMES that follows a JOIN. */
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, a), ":" MASK("carol") " JOIN #c\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("carol") " JOIN #c\r\n");
	assert_string_equal(fx_take(fx, c),
	    ":" MASK("carol") " JOIN #c\r\n"
	    S "353 carol = #c :@+" MASK("alice") " " MASK("bob") " " MASK("carol") "\r\n"
	    S "366 carol #c :End of /NAMES list\r\n");
	fx_line(fx, b, "NAMES #c");
	assert_string_equal(fx_take(fx, b),
	    S "353 bob = #c :@" MASK("alice") " " MASK("bob") " " MASK("carol") "\r\n"
	    S "366 bob #c :End of /NAMES list\r\n");
	fx_line(fx, a, "NAMES #c");
	assert_string_equal(fx_take(fx, a),
	    S "353 alice = #c :@alice bob carol\r\n"
	    S "366 alice #c :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_userhost_in_names_splits_long_lists(void **state)
{
	struct fx	*fx = fx_new(no_flood_control);
	unsigned	 w = cap_client(fx, "watcher", "userhost-in-names");
	const char	*out, *p;
	unsigned	 names = 0, lines = 0;

	(void)state;
	fx_line(fx, w, "JOIN #c");
	for (unsigned i = 0; i < FX_CONNS - 1; i++) {
		char	nick[32], line[64];
		unsigned c;

		snprintf(nick, sizeof(nick), "someone_with_a_long_nick%02u", i);
		c = fx_client(fx, nick);
		snprintf(line, sizeof(line), "JOIN #c");
		fx_line(fx, c, line);
	}
	fx_drain(fx);
	fx_line(fx, w, "NAMES #c");
	out = fx_take(fx, w);
	for (p = out; (p = strstr(p, " 353 ")) != NULL; p++) {
		const char *end = strstr(p, "\r\n");

		lines++;
		assert_true(end - p < 512);
		for (const char *q = p; q < end; q++)
			names += *q == '!';
	}
	assert_int_equal(names, FX_CONNS);
	assert_true(lines > 1);
	fx_free(fx);
}

/* ---- away-notify ---- */

static void
test_away_notify_set_and_unset(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "away-notify");
	unsigned	 b = cap_client(fx, "bob", "away-notify");
	unsigned	 c = fx_client(fx, "carol");
	unsigned	 d = cap_client(fx, "dave", "away-notify");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "AWAY :gone fishing");
	/* The user itself has 306, not an AWAY. */
	assert_string_equal(fx_take(fx, a), S "306 alice :You have been marked as being away\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " AWAY :gone fishing\r\n");
	assert_string_equal(fx_take(fx, c), "");
	/* dave shares no channel. */
	assert_string_equal(fx_take(fx, d), "");
	fx_line(fx, a, "AWAY :back soon");
	fx_take(fx, a);
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " AWAY :back soon\r\n");
	fx_line(fx, a, "AWAY");
	assert_string_equal(fx_take(fx, a),
	    S "305 alice :You are no longer marked as being away\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " AWAY\r\n");
	assert_string_equal(fx_take(fx, c), "");
	/* Not away: nothing changes, nobody hears of it. */
	fx_line(fx, a, "AWAY");
	fx_take(fx, a);
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

static void
test_away_notify_on_join(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "away-notify");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = cap_client(fx, "carol", "away-notify");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "AWAY :afk");
	fx_drain(fx);
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, a),
	    ":" MASK("carol") " JOIN #c\r\n"
	    ":" MASK("carol") " AWAY afk\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("carol") " JOIN #c\r\n");
	/* The joiner is not told of its own away state. */
	assert_null(strstr(fx_take(fx, c), "AWAY"));
	/* A joiner that is not away brings no AWAY. */
	fx_line(fx, c, "PART #c");
	fx_line(fx, c, "AWAY");
	fx_drain(fx);
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, a), ":" MASK("carol") " JOIN #c\r\n");
	fx_free(fx);
}

/* ---- extended-join ---- */

static void
test_extended_join(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "extended-join");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = cap_client(fx, "carol", "extended-join");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	assert_memory_equal(fx_take(fx, a), ":" MASK("alice") " JOIN #c * :Real Name\r\n",
	    strlen(":" MASK("alice") " JOIN #c * :Real Name\r\n"));
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, a), ":" MASK("bob") " JOIN #c * :Real Name\r\n");
	assert_memory_equal(fx_take(fx, b), ":" MASK("bob") " JOIN #c\r\n",
	    strlen(":" MASK("bob") " JOIN #c\r\n"));
	fx_line(fx, c, "SETNAME :Carol C.");
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, a), ":" MASK("carol") " JOIN #c * :Carol C.\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("carol") " JOIN #c\r\n");
	fx_free(fx);
}

/* ---- setname ---- */

static void
test_setname_with_and_without_cap(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "setname");
	unsigned	 b = cap_client(fx, "bob", "setname");
	unsigned	 c = fx_client(fx, "carol");
	unsigned	 d = cap_client(fx, "dave", "setname");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "SETNAME :Alice Liddell");
	assert_string_equal(fx_take(fx, a), ":" MASK("alice") " SETNAME :Alice Liddell\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " SETNAME :Alice Liddell\r\n");
	assert_string_equal(fx_take(fx, c), "");
	assert_string_equal(fx_take(fx, d), "");
	fx_line(fx, c, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, c),
	    S "311 carol alice u 127.0.0.1 * :Alice Liddell\r\n"));
	/* Without the capability the change is made silently. */
	fx_line(fx, c, "SETNAME Caroline");
	assert_string_equal(fx_take(fx, c), "");
	assert_string_equal(fx_take(fx, a), ":" MASK("carol") " SETNAME Caroline\r\n");
	fx_line(fx, a, "WHOIS carol");
	assert_non_null(strstr(fx_take(fx, a),
	    S "311 alice carol u 127.0.0.1 * :Caroline\r\n"));
	fx_free(fx);
}

static void
short_names(struct core_config *cfg)
{
	cfg->namelen = 8;
}

static void
test_setname_refuses_bad_realnames(void **state)
{
	struct fx	*fx = fx_new(short_names);
	unsigned	 a = cap_client(fx, "alice", "setname");
	unsigned	 b = cap_client(fx, "bob", "setname");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "SETNAME :123456789");
	assert_string_equal(fx_take(fx, a),
	    S "FAIL SETNAME INVALID_REALNAME :Realname is not valid\r\n");
	fx_line(fx, a, "SETNAME :");
	assert_string_equal(fx_take(fx, a),
	    S "FAIL SETNAME INVALID_REALNAME :Realname is not valid\r\n");
	fx_line(fx, a, "SETNAME");
	assert_string_equal(fx_take(fx, a),
	    S "461 alice SETNAME :Not enough parameters\r\n");
	assert_string_equal(fx_take(fx, b), "");
	/* Exactly NAMELEN bytes is fine. */
	fx_line(fx, a, "SETNAME 12345678");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " SETNAME 12345678\r\n");
	fx_line(fx, b, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, b), S "311 bob alice u 127.0.0.1 * :12345678\r\n"));
	fx_free(fx);
}

static void
test_user_realname_cut_to_namelen(void **state)
{
	struct fx	*fx = fx_new(short_names);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK alice");
	/* Eight bytes would end inside the "é": the cut backs up to a whole character. */
	fx_line(fx, c, "USER u 0 * :abcdefg\xc3\xa9xyz");
	fx_take(fx, c);
	fx_line(fx, c, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, c), S "311 alice alice u 127.0.0.1 * :abcdefg\r\n"));
	fx_free(fx);
}

static void
test_user_name_cut_keeps_utf8_whole(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK alice");
	/* USERLEN is 10: the tenth byte starts an "é", which goes whole. */
	fx_line(fx, c, "USER abcdefghi\xc3\xa9 0 * :Real Name");
	assert_non_null(strstr(fx_take(fx, c), " 001 alice :Welcome to the parley Network, "
	    "alice!abcdefghi@127.0.0.1\r\n"));
	fx_free(fx);
}

static void
test_setname_before_registration(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "SETNAME :x");
	assert_string_equal(fx_take(fx, c), S "451 * :You have not registered\r\n");
	fx_free(fx);
}

/* ---- invite-notify ---- */

static void
test_invite_notify(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "invite-notify");
	unsigned	 b = cap_client(fx, "bob", "invite-notify");
	unsigned	 c = fx_client(fx, "carol");
	unsigned	 d = fx_client(fx, "dave");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, c, "INVITE dave #c");
	assert_string_equal(fx_take(fx, c), S "341 carol dave #c\r\n");
	assert_string_equal(fx_take(fx, d), ":" MASK("carol") " INVITE dave #c\r\n");
	assert_string_equal(fx_take(fx, a), ":" MASK("carol") " INVITE dave #c\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("carol") " INVITE dave #c\r\n");
	/* The inviter does not hear it twice, with the capability or not. */
	fx_line(fx, a, "INVITE dave #c");
	assert_string_equal(fx_take(fx, a), S "341 alice dave #c\r\n");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " INVITE dave #c\r\n");
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

static void
test_invite_notify_invite_only_goes_to_ops(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = cap_client(fx, "alice", "invite-notify");
	unsigned	 b = cap_client(fx, "bob", "invite-notify");
	unsigned	 c = cap_client(fx, "carol", "invite-notify");
	unsigned	 d = fx_client(fx, "dave");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, c, "JOIN #c");
	fx_line(fx, a, "MODE #c +o carol");
	fx_line(fx, a, "MODE #c +i");
	fx_drain(fx);
	fx_line(fx, a, "INVITE dave #c");
	assert_string_equal(fx_take(fx, d), ":" MASK("alice") " INVITE dave #c\r\n");
	assert_string_equal(fx_take(fx, c), ":" MASK("alice") " INVITE dave #c\r\n");
	/* bob could not have invited: he is not told. */
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

/* ---- bot mode ---- */

static void
test_bot_mode(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 r = fx_client(fx, "robo");
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, r, "MODE robo +B");
	assert_string_equal(fx_take(fx, r), ":robo MODE robo :+B\r\n");
	fx_line(fx, r, "MODE robo +B");
	assert_string_equal(fx_take(fx, r), "");
	fx_line(fx, r, "MODE robo");
	assert_string_equal(fx_take(fx, r), S "221 robo +B\r\n");
	fx_line(fx, a, "WHOIS robo");
	assert_non_null(strstr(fx_take(fx, a), S "335 alice robo :is a bot\r\n"));
	fx_line(fx, a, "WHO robo");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost robo HB :0 Real Name\r\n"
	    S "315 alice robo :End of /WHO list\r\n");
	fx_line(fx, a, "WHO robo %nf");
	assert_string_equal(fx_take(fx, a),
	    S "354 alice robo HB\r\n"
	    S "315 alice robo :End of /WHO list\r\n");
	fx_line(fx, r, "MODE robo -B");
	assert_string_equal(fx_take(fx, r), ":robo MODE robo :-B\r\n");
	fx_line(fx, a, "WHOIS robo");
	assert_null(strstr(fx_take(fx, a), " 335 "));
	/* Nobody else sets it. */
	fx_line(fx, a, "MODE robo +B");
	assert_string_equal(fx_take(fx, a), S "502 alice :Can't change mode for other users\r\n");
	fx_free(fx);
}

static void
test_bot_flag_order_in_who(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 r = fx_client(fx, "robo");
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, r, "MODE robo +B");
	fx_line(fx, r, "AWAY :off");
	fx_line(fx, r, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, a, "WHO #c");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice #c u 127.0.0.1 irc.localhost robo GB@ :0 Real Name\r\n"
	    S "315 alice #c :End of /WHO list\r\n");
	fx_free(fx);
}

static void
test_bot_tag_on_messages(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 r = fx_client(fx, "robo");
	unsigned	 t = cap_client(fx, "tagged", "message-tags");
	unsigned	 p = fx_client(fx, "plain");
	const char	*out;

	(void)state;
	fx_line(fx, r, "MODE robo +B");
	fx_line(fx, r, "JOIN #c");
	fx_line(fx, t, "JOIN #c");
	fx_line(fx, p, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, r, "PRIVMSG #c :beep");
	out = fx_take(fx, t);
	assert_memory_equal(out, "@msgid=", 7);
	assert_non_null(strstr(out, ";bot :" MASK("robo") " PRIVMSG #c beep\r\n"));
	/* Only for message-tags: the plain client gets the plain line. */
	assert_string_equal(fx_take(fx, p), ":" MASK("robo") " PRIVMSG #c beep\r\n");
	/* A human's messages carry no bot tag. */
	fx_line(fx, p, "PRIVMSG #c :hi");
	assert_null(strstr(fx_take(fx, t), "bot"));
	fx_line(fx, r, "MODE robo -B");
	fx_line(fx, r, "NOTICE #c :off");
	assert_null(strstr(fx_take(fx, t), ";bot"));
	fx_free(fx);
}

/* ---- UTF8ONLY ---- */

static void
test_invalid_utf8_is_refused(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_line(fx, a, "TOPIC #c :fine");
	fx_drain(fx);
	fx_line(fx, a, "PRIVMSG bob :caf\xe9");
	assert_string_equal(fx_take(fx, a), S "FAIL PRIVMSG INVALID_UTF8 :Message rejected, "
	    "your IRC software MUST use UTF-8 encoding on this network\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, a, "NOTICE #c :\xff");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL NOTICE INVALID_UTF8 :"));
	fx_line(fx, a, "TOPIC #c :\xc0\xaf");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL TOPIC INVALID_UTF8 :"));
	fx_line(fx, a, "AWAY :\xed\xa0\x80");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL AWAY INVALID_UTF8 :"));
	fx_line(fx, a, "PART #c :\x80");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL PART INVALID_UTF8 :"));
	fx_line(fx, a, "KICK #c bob :\xfe");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL KICK INVALID_UTF8 :"));
	fx_line(fx, a, "SETNAME :\xc3");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL SETNAME INVALID_UTF8 :"));
	/* Nothing happened: bob heard nothing, the topic is the same, alice is here. */
	assert_string_equal(fx_take(fx, b), "");
	fx_line(fx, b, "TOPIC #c");
	assert_non_null(strstr(fx_take(fx, b), S "332 bob #c :fine\r\n"));
	fx_line(fx, a, "QUIT :\xff bye");
	assert_non_null(strstr(fx_take(fx, a), S "FAIL QUIT INVALID_UTF8 :"));
	assert_string_equal(fx_take(fx, b), "");
	/* Valid UTF-8 passes untouched. */
	fx_line(fx, a, "PRIVMSG bob :caf\xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(fx_take(fx, b),
	    ":" MASK("alice") " PRIVMSG bob :caf\xc3\xa9 \xf0\x9f\x98\x80\r\n");
	fx_free(fx);
}

static void
test_invalid_utf8_command_and_registration(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "\xff\xfe PRIVMSG");
	assert_string_equal(fx_take(fx, c), S "FAIL * INVALID_UTF8 :Message rejected, "
	    "your IRC software MUST use UTF-8 encoding on this network\r\n");
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :R\xe9" "al");
	assert_non_null(strstr(fx_take(fx, c), S "FAIL USER INVALID_UTF8 :"));
	fx_line(fx, c, "USER u 0 * :R\xc3\xa9" "al");
	assert_non_null(strstr(fx_take(fx, c), " 001 alice "));
	/* Tags are checked too. */
	fx_line(fx, c, "@+x=\xff PING t");
	assert_non_null(strstr(fx_take(fx, c), S "FAIL PING INVALID_UTF8 :"));
	fx_free(fx);
}

static void
bytes_allowed(struct core_config *cfg)
{
	cfg->utf8_only = false;
}

static void
short_texts(struct core_config *cfg)
{
	cfg->topiclen = 4;
	cfg->kicklen = 4;
}

static void
test_length_limits_keep_utf8_whole(void **state)
{
	struct fx	*fx = fx_new(short_texts);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	/* Four bytes would end inside the euro sign: the topic keeps "ab". */
	fx_line(fx, a, "TOPIC #c :ab\xe2\x82\xac");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " TOPIC #c ab\r\n");
	fx_line(fx, a, "KICK #c bob :x\xc3\xa9\xc3\xa9");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " KICK #c bob x\xc3\xa9\r\n");
	fx_free(fx);
}

static void
test_utf8_only_off_relays_bytes(void **state)
{
	struct fx	*fx = fx_new(bytes_allowed);
	unsigned	 a = fx_connect(fx);
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "NICK alice");
	fx_line(fx, a, "USER u 0 * :Real Name");
	assert_null(strstr(fx_take(fx, a), "UTF8ONLY"));
	fx_line(fx, a, "PRIVMSG bob :caf\xe9");
	assert_string_equal(fx_take(fx, a), "");
	assert_string_equal(fx_take(fx, b), ":" MASK("alice") " PRIVMSG bob caf\xe9\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capability_is_acked),
		cmocka_unit_test(test_isupport_tokens),
		cmocka_unit_test(test_names_highest_prefix_only_without_multi_prefix),
		cmocka_unit_test(test_names_every_prefix_with_multi_prefix),
		cmocka_unit_test(test_who_and_whois_with_multi_prefix),
		cmocka_unit_test(test_userhost_in_names),
		cmocka_unit_test(test_userhost_in_names_splits_long_lists),
		cmocka_unit_test(test_away_notify_set_and_unset),
		cmocka_unit_test(test_away_notify_on_join),
		cmocka_unit_test(test_extended_join),
		cmocka_unit_test(test_setname_with_and_without_cap),
		cmocka_unit_test(test_setname_refuses_bad_realnames),
		cmocka_unit_test(test_user_realname_cut_to_namelen),
		cmocka_unit_test(test_user_name_cut_keeps_utf8_whole),
		cmocka_unit_test(test_setname_before_registration),
		cmocka_unit_test(test_invite_notify),
		cmocka_unit_test(test_invite_notify_invite_only_goes_to_ops),
		cmocka_unit_test(test_bot_mode),
		cmocka_unit_test(test_bot_flag_order_in_who),
		cmocka_unit_test(test_bot_tag_on_messages),
		cmocka_unit_test(test_invalid_utf8_is_refused),
		cmocka_unit_test(test_invalid_utf8_command_and_registration),
		cmocka_unit_test(test_utf8_only_off_relays_bytes),
		cmocka_unit_test(test_length_limits_keep_utf8_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
