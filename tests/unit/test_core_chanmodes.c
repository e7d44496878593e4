/*
 * The channel modes of issue 20: +C, +T, +c, the +q list, +z, +P, +f, +j, and INVITE
 * past +l, with the exact bytes each connection receives.
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
#define OP	":op!u@127.0.0.1 "
#define B	":b!u@127.0.0.1 "

/* crypt(3) yescrypt hash of "s3cret". */
#define HASH_Y	"$y$j9T$p3q3GEAif3thzMIBFOJng/$O/jX6xivikQq30VtskiE7ZwISoD3.tuLWTHdNk70KVC"

static const struct core_oper opers[] = {
	{ "admin", HASH_Y, "", "", "" },
};

static void
with_opers(struct core_config *cfg)
{
	cfg->opers = opers;
	cfg->nopers = 1;
}

/* op holds @ in #c and b is in it too. */
static struct fx *
setup(unsigned *op, unsigned *b)
{
	struct fx	*fx = fx_new(with_opers);

	*op = fx_client(fx, "op");
	*b = fx_client(fx, "b");
	fx_line(fx, *op, "JOIN #c");
	fx_line(fx, *b, "JOIN #c");
	fx_drain(fx);
	return fx;
}

static void
test_ctcp_notice_colour(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +CTc");
	assert_string_equal(fx_take(fx, b), OP "MODE #c +CTc\r\n");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :\001VERSION\001");
	assert_string_equal(fx_take(fx, b), S "404 b #c :You cannot send CTCPs to this "
	    "channel (+C)\r\n");
	/* ACTION is no CTCP to +C. */
	fx_line(fx, b, "PRIVMSG #c :\001ACTION waves\001");
	assert_string_equal(fx_take(fx, op), B "PRIVMSG #c :\001ACTION waves\001\r\n");
	fx_line(fx, b, "PRIVMSG #c :\00304red\003 text");
	assert_string_equal(fx_take(fx, b), S "404 b #c :You cannot send colours to this "
	    "channel (+c)\r\n");
	/* NOTICE is refused without a word, as every NOTICE error. */
	fx_line(fx, b, "NOTICE #c :psst");
	assert_string_equal(fx_take(fx, b), "");
	assert_string_equal(fx_take(fx, op), "");
	fx_line(fx, b, "PRIVMSG #c :plain");
	assert_string_equal(fx_take(fx, op), B "PRIVMSG #c plain\r\n");
	fx_line(fx, op, "MODE #c");
	assert_string_equal(fx_take(fx, op), S "324 op #c +CTcnt\r\n"
	    S "329 op #c 1700000000\r\n");
	fx_free(fx);
}

static void
test_quiet_list(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +q b!*@*");
	assert_string_equal(fx_take(fx, b), OP "MODE #c +q b!*@*\r\n");
	fx_drain(fx);
	fx_line(fx, b, "MODE #c q");
	assert_string_equal(fx_take(fx, b),
	    S "728 b #c q b!*@* op!u@127.0.0.1 1700000000\r\n"
	    S "729 b #c q :End of channel quiet list\r\n");
	fx_line(fx, b, "PRIVMSG #c :hello");
	assert_string_equal(fx_take(fx, b),
	    S "404 b #c :You are muted in this channel (+q)\r\n");
	assert_string_equal(fx_take(fx, op), "");
	/* A voice speaks through it, as through a ban. */
	fx_line(fx, op, "MODE #c +v b");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :hello");
	assert_string_equal(fx_take(fx, op), B "PRIVMSG #c hello\r\n");
	fx_line(fx, op, "MODE #c -vq b b!*@*");
	assert_string_equal(fx_take(fx, op), OP "MODE #c -vq b b!*@*\r\n");
	fx_free(fx);
}

static void
test_tls_only(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 b = fx_client(fx, "b");
	unsigned	 t = fx_connect(fx);

	(void)state;
	core_secure(fx->core, fx->conns[t].client, NULL);
	fx_line(fx, t, "NICK t");
	fx_line(fx, t, "USER u 0 * :T");
	fx_line(fx, op, "JOIN #c");
	fx_line(fx, op, "MODE #c +z");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b),
	    S "489 b #c :Cannot join channel; TLS users only (+z)\r\n");
	fx_line(fx, t, "JOIN #c");
	assert_string_equal(fx_take(fx, op), ":t!u@127.0.0.1 JOIN #c\r\n");
	fx_free(fx);
}

static void
test_permanent(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 o = fx_client(fx, "oper");

	(void)state;
	fx_line(fx, op, "JOIN #c");
	fx_line(fx, op, "TOPIC #c :kept");
	fx_drain(fx);
	/* Channel operators cannot: it is for IRC operators. */
	fx_line(fx, op, "MODE #c +P");
	assert_string_equal(fx_take(fx, op),
	    S "481 op :Permission Denied- You're not an IRC operator\r\n");
	fx_line(fx, o, "OPER admin s3cret");
	fx_drain(fx);
	/* An operator outside the channel sets it and sees the change. */
	fx_line(fx, o, "MODE #c +P");
	assert_string_equal(fx_take(fx, op), ":oper!u@127.0.0.1 MODE #c +P\r\n");
	assert_string_equal(fx_take(fx, o), ":oper!u@127.0.0.1 MODE #c +P\r\n");
	fx_line(fx, op, "PART #c");
	fx_drain(fx);
	/* Empty, it stays: its topic too, and no one is made its operator. */
	fx_line(fx, op, "JOIN #c");
	assert_string_equal(fx_take(fx, op), OP "JOIN #c\r\n"
	    S "332 op #c :kept\r\n"
	    S "333 op #c op!u@127.0.0.1 1700000000\r\n"
	    S "353 op = #c :op\r\n"
	    S "366 op #c :End of /NAMES list\r\n");
	fx_line(fx, op, "PART #c");
	fx_line(fx, o, "MODE #c -P");
	assert_string_equal(fx_take(fx, o), ":oper!u@127.0.0.1 MODE #c -P\r\n");
	/* No longer permanent, the empty channel is gone. */
	fx_line(fx, o, "MODE #c");
	assert_string_equal(fx_take(fx, o), S "403 oper #c :No such channel\r\n");
	fx_free(fx);
}

static void
test_forward(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);
	unsigned	 d = fx_client(fx, "d");

	(void)state;
	fx_line(fx, op, "MODE #c +f #c");
	assert_string_equal(fx_take(fx, op),
	    S "696 op #c f #c :Invalid forward channel\r\n");
	fx_line(fx, op, "MODE #c +if #over");
	assert_string_equal(fx_take(fx, op), OP "MODE #c +if #over\r\n");
	fx_line(fx, op, "MODE #c");
	assert_string_equal(fx_take(fx, op), S "324 op #c +intf #over\r\n"
	    S "329 op #c 1700000000\r\n");
	fx_drain(fx);
	/* Refused by +i, d goes on to #over. */
	fx_line(fx, d, "JOIN #c");
	assert_string_equal(fx_take(fx, d),
	    S "470 d #c #over :Forwarding to another channel\r\n"
	    ":d!u@127.0.0.1 JOIN #over\r\n"
	    S "353 d = #over :@d\r\n"
	    S "366 d #over :End of /NAMES list\r\n");
	/* A ban is not forwarded. */
	fx_line(fx, op, "MODE #c -i+b d!*@*");
	fx_line(fx, d, "JOIN #c");
	assert_string_equal(fx_take(fx, d), S "474 d #c :Cannot join channel (+b)\r\n");
	fx_free(fx);
}

static void
test_join_throttle(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 a = fx_client(fx, "a");
	unsigned	 b = fx_client(fx, "b");
	unsigned	 c = fx_client(fx, "c");

	(void)state;
	fx_line(fx, op, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, op, "MODE #c +j 0:5");
	assert_string_equal(fx_take(fx, op),
	    S "696 op #c j 0:5 :Invalid join throttle (joins:seconds)\r\n");
	fx_line(fx, op, "MODE #c +j 2:10");
	assert_string_equal(fx_take(fx, op), OP "MODE #c +j 2:10\r\n");
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, c), S "480 c #c :Cannot join channel (+j) - "
	    "throttle exceeded, try again later\r\n");
	fx_advance(fx, 10000);
	fx_drain(fx);
	fx_line(fx, c, "JOIN #c");
	assert_string_equal(fx_take(fx, op), ":c!u@127.0.0.1 JOIN #c\r\n");
	fx_line(fx, op, "MODE #c -j");
	assert_string_equal(fx_take(fx, op), OP "MODE #c -j\r\n");
	fx_free(fx);
}

static void
test_invite_passes_limit(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);
	unsigned	 d = fx_client(fx, "d");

	(void)state;
	fx_line(fx, op, "MODE #c +l 2");
	fx_drain(fx);
	fx_line(fx, d, "JOIN #c");
	assert_string_equal(fx_take(fx, d), S "471 d #c :Cannot join channel (+l)\r\n");
	fx_line(fx, op, "INVITE d #c");
	fx_drain(fx);
	fx_line(fx, d, "JOIN #c");
	assert_string_equal(fx_take(fx, b), ":d!u@127.0.0.1 JOIN #c\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctcp_notice_colour),
		cmocka_unit_test(test_quiet_list),
		cmocka_unit_test(test_tls_only),
		cmocka_unit_test(test_permanent),
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_join_throttle),
		cmocka_unit_test(test_invite_passes_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
