/*
 * Registration, keep-alive and leaving, driven line by line through the core.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>

#include "fixture_core.h"

/* The whole welcome burst of a default configuration, byte for byte, in order. */
static const char welcome_burst[] =
    ":irc.localhost 001 alice :Welcome to the parley Network, alice!al@127.0.0.1\r\n"
    ":irc.localhost 002 alice :Your host is irc.localhost, running version parley-"
    PARLEY_VERSION "\r\n"
    ":irc.localhost 003 alice :This server was created today\r\n"
    ":irc.localhost 004 alice irc.localhost parley-" PARLEY_VERSION
    " Biorsw CIMPRTWbcefijklmnopqstvz Ibefjklqov\r\n"
    ":irc.localhost 005 alice ACCOUNTEXTBAN=a AWAYLEN=200 BOT=B CASEMAPPING=rfc1459 "
    "CHANLIMIT=#:50 CHANMODES=beIq,k,fjl,CMPRTWcimnpstz CHANNELLEN=50 CHANTYPES=# "
    "CHATHISTORY=100 ELIST=CMNTU EXCEPTS EXTBAN=$,a INVEX :are supported by this "
    "server\r\n"
    ":irc.localhost 005 alice KICKLEN=255 MAXLIST=beIq:100 MAXTARGETS=4 MODES=4 "
    "MONITOR=100 MSGREFTYPES=timestamp,msgid NAMELEN=128 NETWORK=parley NICKLEN=30 "
    "PREFIX=(ov)@+ TARGMAX=JOIN:,NAMES:,PART:,PRIVMSG:4,NOTICE:4,TAGMSG:4,WHOIS:4,KICK:4 "
    "TOPICLEN=390 USERLEN=10 :are supported by this server\r\n"
    ":irc.localhost 005 alice UTF8ONLY WHOX SILENCE=32 STATUSMSG=@+ :are supported by "
    "this server\r\n"
    ":irc.localhost 251 alice :There are 1 users and 0 invisible on 1 servers\r\n"
    ":irc.localhost 254 alice 0 :channels formed\r\n"
    ":irc.localhost 255 alice :I have 1 clients and 0 servers\r\n"
    ":irc.localhost 265 alice 1 1 :Current local users 1, max 1\r\n"
    ":irc.localhost 266 alice 1 1 :Current global users 1, max 1\r\n"
    ":irc.localhost 422 alice :MOTD File is missing\r\n";

static void
test_welcome_burst(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK alice");
	assert_string_equal(fx_take(fx, c), "");
	fx_line(fx, c, "USER al 0 * :Alice Liddell");
	assert_string_equal(fx_take(fx, c), welcome_burst);
	fx_free(fx);
}

static void
set_motd(struct core_config *cfg)
{
	cfg->motd = "line one\r\nline two\n";
}

static void
test_motd_lines(void **state)
{
	struct fx	*fx = fx_new(set_motd);
	unsigned	 c = fx_connect(fx);
	const char	*out;

	(void)state;
	fx_line(fx, c, "NICK bob");
	fx_line(fx, c, "USER b 0 * :B");
	out = fx_take(fx, c);
	assert_non_null(strstr(out,
	    ":irc.localhost 375 bob :- irc.localhost Message of the day - \r\n"
	    ":irc.localhost 372 bob :- line one\r\n"
	    ":irc.localhost 372 bob :- line two\r\n"
	    ":irc.localhost 376 bob :End of /MOTD command.\r\n"));
	fx_line(fx, c, "MOTD");
	assert_non_null(strstr(fx_take(fx, c), "372 bob :- line two\r\n"));
	fx_free(fx);
}

static void
test_commands_before_registration(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "JOIN #a");
	assert_string_equal(fx_take(fx, c), ":irc.localhost 451 * :You have not registered\r\n");
	fx_line(fx, c, "FROB");
	assert_string_equal(fx_take(fx, c), ":irc.localhost 451 * :You have not registered\r\n");
	fx_line(fx, c, "PING x");
	assert_string_equal(fx_take(fx, c), ":irc.localhost PONG irc.localhost x\r\n");
	fx_free(fx);
}

static void
test_nick_errors(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "Foo[");
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK");
	assert_string_equal(fx_take(fx, c), ":irc.localhost 431 * :No nickname given\r\n");
	fx_line(fx, c, "NICK 1abc");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 432 * 1abc :Erroneous nickname\r\n");
	fx_line(fx, c, "NICK #chan");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 432 * #chan :Erroneous nickname\r\n");
	fx_line(fx, c, "NICK abcdefghijklmnopqrstuvwxyz01234");	/* 31 > NICKLEN */
	assert_non_null(strstr(fx_take(fx, c), " 432 "));
	/* rfc1459 casemapping: foo{ is Foo[. */
	fx_line(fx, c, "NICK foo{");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 433 * foo{ :Nickname is already in use\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

static void
test_missing_params(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "USER a 0 *");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 461 * USER :Not enough parameters\r\n");
	fx_line(fx, c, "PING");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 461 * PING :Not enough parameters\r\n");
	fx_free(fx);
}

static void
test_unknown_command(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_client(fx, "a");

	(void)state;
	fx_line(fx, c, "FROB x y");
	assert_string_equal(fx_take(fx, c), ":irc.localhost 421 a FROB :Unknown command\r\n");
	fx_line(fx, c, "USER a 0 * :again");
	assert_string_equal(fx_take(fx, c), ":irc.localhost 462 a :You may not reregister\r\n");
	fx_free(fx);
}

static void
set_password(struct core_config *cfg)
{
	snprintf(cfg->password, sizeof(cfg->password), "sesame");
}

static void
test_password(void **state)
{
	struct fx	*fx = fx_new(set_password);
	unsigned	 bad = fx_connect(fx);
	unsigned	 good = fx_connect(fx);

	(void)state;
	fx_line(fx, bad, "PASS wrong");
	fx_line(fx, bad, "NICK x");
	fx_line(fx, bad, "USER x 0 * :x");
	assert_string_equal(fx_take(fx, bad),
	    ":irc.localhost 464 x :Password incorrect\r\n"
	    "ERROR :Closing Link: 127.0.0.1 (Bad password)\r\n");
	assert_true(fx->conns[bad].closed);

	fx_line(fx, good, "PASS sesame");
	fx_line(fx, good, "NICK y");
	fx_line(fx, good, "USER y 0 * :y");
	assert_non_null(strstr(fx_take(fx, good), " 001 y "));
	fx_free(fx);
}

/* The driver hears of registration (out->registered) once, before the welcome, and
 * not while CAP holds it or for a client refused at the door. */
static void
test_driver_told_of_registration(void **state)
{
	struct fx	*fx = fx_new(set_password);
	unsigned	 c = fx_connect(fx), bad = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "CAP LS 302");
	fx_line(fx, c, "PASS sesame");
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER al 0 * :Alice Liddell");
	assert_false(fx->conns[c].registered);
	fx_take(fx, c);
	fx_line(fx, c, "CAP END");
	assert_true(fx->conns[c].registered);
	assert_int_equal(fx->conns[c].registered_at, 0);
	assert_non_null(strstr(fx_take(fx, c), " 001 alice "));
	fx_line(fx, c, "NICK bob");
	fx_line(fx, c, "USER x 0 * :x");

	fx_line(fx, bad, "PASS wrong");
	fx_line(fx, bad, "NICK x");
	fx_line(fx, bad, "USER x 0 * :x");
	assert_true(fx->conns[bad].closed);
	assert_false(fx->conns[bad].registered);
	fx_free(fx);
}

static void
test_ping_pong(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_client(fx, "a");

	(void)state;
	fx_line(fx, c, "PING :hello there");
	assert_string_equal(fx_take(fx, c), ":irc.localhost PONG irc.localhost :hello there\r\n");
	fx_free(fx);
}

static void
test_quit(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");

	(void)state;
	fx_line(fx, a, "QUIT :gone fishing");
	assert_string_equal(fx_take(fx, a),
	    "ERROR :Closing Link: 127.0.0.1 (Quit: gone fishing)\r\n");
	assert_true(fx->conns[a].closed);
	assert_int_equal(core_client_count(fx->core), 0);
	a = fx_client(fx, "b");
	fx_line(fx, a, "QUIT");
	assert_string_equal(fx_take(fx, a), "ERROR :Closing Link: 127.0.0.1 (Client Quit)\r\n");
	fx_free(fx);
}

static void
test_too_long(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "a");
	char		 line[600];

	(void)state;
	memset(line, 'x', sizeof(line));
	memcpy(line, "PRIVMSG a :", 11);
	fx_bytes(fx, a, line, 511);
	assert_string_equal(fx_take(fx, a), ":irc.localhost 417 a :Input line was too long\r\n");
	core_line_too_long(fx->core, fx->conns[a].client, fx->now);
	assert_string_equal(fx_take(fx, a), ":irc.localhost 417 a :Input line was too long\r\n");
	/* A line with a NUL inside is dropped; the connection carries on. */
	fx_bytes(fx, a, "PING a\0b", 8);
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "PING ok");
	assert_string_equal(fx_take(fx, a), ":irc.localhost PONG irc.localhost ok\r\n");
	fx_free(fx);
}

static void
test_ipv6_host_is_one_parameter(void **state)
{
	struct fx	*fx = fx_new(NULL);
	struct client	*cl = core_open(fx->core, 1, "::1", fx->now);

	(void)state;
	fx->conns[1].client = cl;
	fx->nconns = 1;
	fx_line(fx, 1, "NICK six");
	fx_line(fx, 1, "USER s 0 * :S");
	assert_non_null(strstr(fx_take(fx, 1), " 001 six :Welcome to the parley Network, "
	    "six!s@0::1\r\n"));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welcome_burst),
		cmocka_unit_test(test_motd_lines),
		cmocka_unit_test(test_commands_before_registration),
		cmocka_unit_test(test_nick_errors),
		cmocka_unit_test(test_missing_params),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_driver_told_of_registration),
		cmocka_unit_test(test_ping_pong),
		cmocka_unit_test(test_quit),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_ipv6_host_is_one_parameter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
