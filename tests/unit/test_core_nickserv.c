/*
 * NickServ and nick ownership through the core: the reserved nicks, the services'
 * notices and HELP, REGISTER, IDENTIFY, LOGOUT, GHOST, REGAIN, INFO, SET PASSWORD, CERT,
 * DROP over the fixture's memory store, and the grace before a registered nick is taken
 * from someone not logged in to it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture_core.h"

#define NS	":NickServ!NickServ@services.irc.localhost NOTICE "
#define FP	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Services' lines cost several (SERVICES_*_COST): no flood control in these tests. */
static void
unlimited(struct core_config *cfg)
{
	cfg->flood_burst = 0;
}

/* A client on nick with account nick registered (password "hunter22"), logged in. */
static unsigned
registered(struct fx *fx, const char *nick)
{
	unsigned	c = fx_client(fx, nick);

	fx_line(fx, c, "PRIVMSG NickServ :REGISTER hunter22");
	fx_take(fx, c);
	return c;
}

static void
test_reserved_nicks(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 c = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, c, "NICK nickserv");
	fx_line(fx, c, "NICK ChanServ");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 433 alice nickserv :Nickname is already in use\r\n"
	    ":irc.localhost 433 alice ChanServ :Nickname is already in use\r\n");
	fx_line(fx, c, "WHOIS NickServ");
	assert_string_equal(fx_take(fx, c),
	    ":irc.localhost 311 alice NickServ NickServ services.irc.localhost * "
	    ":NickServ services\r\n"
	    ":irc.localhost 312 alice NickServ irc.localhost :parley IRC server\r\n"
	    ":irc.localhost 313 alice NickServ :is a network service\r\n"
	    ":irc.localhost 318 alice NickServ :End of /WHOIS list\r\n");
	fx_free(fx);
}

static void
test_unknown_and_help(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 c = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, c, "PRIVMSG NickServ :FROB x");
	assert_string_equal(fx_take(fx, c), NS "alice :Unknown command FROB. Type "
	    "/msg NickServ HELP for a list of commands.\r\n");
	fx_line(fx, c, "NS help ghost");
	assert_string_equal(fx_take(fx, c),
	    NS "alice :Syntax: GHOST <nick>\r\n"
	    NS "alice :Disconnect a session using your account's nick or logged in to "
	    "it\r\n");
	fx_line(fx, c, "NICKSERV IDENTIFY");
	assert_string_equal(fx_take(fx, c), NS "alice :Not enough parameters. Syntax: "
	    "IDENTIFY [account] <password>\r\n");
	/* A NOTICE to a service goes nowhere, and gets nothing back. */
	fx_line(fx, c, "NOTICE NickServ :HELP");
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

static void
test_register_and_identify(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = fx_client(fx, "alice"), b;

	(void)state;
	fx_line(fx, a, "PRIVMSG NickServ :REGISTER hunter22 alice@example.org");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 900 alice alice!u@127.0.0.1 alice :You are now logged in as "
	    "alice\r\n"
	    ":alice MODE alice :+r\r\n"
	    NS "alice :Account alice registered: you are now logged in\r\n");
	fx_line(fx, a, "PRIVMSG NickServ :REGISTER again");
	assert_string_equal(fx_take(fx, a), NS "alice :You are already logged in to "
	    "alice\r\n");
	b = fx_client(fx, "bob");
	fx_line(fx, b, "PRIVMSG NickServ :IDENTIFY alice wrong");
	assert_string_equal(fx_take(fx, b), NS "bob :Invalid password for alice\r\n");
	fx_line(fx, b, "PRIVMSG NickServ :IDENTIFY nobody hunter22");
	assert_string_equal(fx_take(fx, b), NS "bob :No account named nobody\r\n");
	fx_line(fx, b, "PRIVMSG NickServ :IDENTIFY ALICE hunter22");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 900 bob bob!u@127.0.0.1 alice :You are now logged in as "
	    "alice\r\n"
	    ":bob MODE bob :+r\r\n"
	    NS "bob :You are now identified as alice\r\n");
	fx_line(fx, b, "PRIVMSG NickServ :LOGOUT");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 901 bob bob!u@127.0.0.1 :You are now logged out\r\n"
	    ":bob MODE bob :-r\r\n"
	    NS "bob :You are now logged out\r\n");
	fx_line(fx, b, "PRIVMSG NickServ :LOGOUT");
	assert_string_equal(fx_take(fx, b), NS "bob :You are not logged in. Type "
	    "/msg NickServ HELP IDENTIFY\r\n");
	fx_free(fx);
}

/* Nothing is acknowledged that the store did not write. */
static void
test_store_failure(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx->store_fail = -EIO;
	fx_line(fx, a, "PRIVMSG NickServ :REGISTER hunter22");
	assert_string_equal(fx_take(fx, a), NS "alice :The account store failed: "
	    "nothing was changed, try again later\r\n");
	fx->store_fail = 0;
	fx_line(fx, a, "PRIVMSG NickServ :INFO");
	assert_string_equal(fx_take(fx, a), NS "alice :No account named alice\r\n");
	fx_free(fx);
}

static void
test_ghost_and_regain(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice"), b, c;

	(void)state;
	fx_line(fx, a, "NICK alice_");
	fx_take(fx, a);
	b = fx_client(fx, "alice");
	fx_take(fx, b);
	c = fx_client(fx, "carol");
	fx_line(fx, a, "PRIVMSG NickServ :GHOST carol");
	assert_string_equal(fx_take(fx, a), NS "alice_ :carol is not a nick of your "
	    "account\r\n");
	fx_line(fx, a, "PRIVMSG NickServ :GHOST nobody");
	assert_string_equal(fx_take(fx, a), NS "alice_ :nobody is not online\r\n");
	fx_line(fx, a, "PRIVMSG NickServ :REGAIN alice");
	assert_string_equal(fx_take(fx, a),
	    ":alice_!u@127.0.0.1 NICK alice\r\n"
	    NS "alice :You have regained alice\r\n");
	assert_true(fx->conns[b].closed);
	assert_string_equal(fx_take(fx, b), "ERROR :Closing Link: 127.0.0.1 (Killed (NickServ: GHOST used by alice_))\r\n");
	/* The other never had the nick of the account: it may not be taken. */
	fx_line(fx, c, "PRIVMSG NickServ :REGAIN alice");
	assert_string_equal(fx_take(fx, c), NS "carol :You are not logged in. Type "
	    "/msg NickServ HELP IDENTIFY\r\n");
	fx_free(fx);
}

static void
test_ghost_session_of_account(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice"), b = fx_client(fx, "phone");

	(void)state;
	fx_line(fx, b, "PRIVMSG NickServ :IDENTIFY alice hunter22");
	fx_take(fx, b);
	fx_line(fx, a, "NS GHOST phone");
	assert_string_equal(fx_take(fx, a), NS "alice :phone has been disconnected\r\n");
	assert_true(fx->conns[b].closed);
	fx_free(fx);
}

static void
test_nick_grace(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice"), b;

	(void)state;
	fx_line(fx, a, "QUIT");
	b = fx_client(fx, "bob");
	fx_line(fx, b, "NICK alice");
	assert_string_equal(fx_take(fx, b), ":bob!u@127.0.0.1 NICK alice\r\n"
	    ":irc.localhost NOTICE alice :*** alice is a registered nick. Log in to it "
	    "(/msg NickServ IDENTIFY <password>) within 60 seconds, or your nick will be "
	    "changed.\r\n");
	fx_advance(fx, 59999);
	assert_string_equal(fx_take(fx, b), "");
	fx_advance(fx, 1);
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost NOTICE alice :*** alice is a registered nick: you are now "
	    "Guest2\r\n"
	    ":alice!u@127.0.0.1 NICK Guest2\r\n");
	fx_free(fx);
}

/* Logging in during the grace keeps the nick; so does a nick change away from it. */
static void
test_nick_grace_ends(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice"), b, c;

	(void)state;
	fx_line(fx, a, "QUIT");
	b = fx_client(fx, "alice");
	c = fx_client(fx, "carol");
	fx_line(fx, c, "NICK alice");
	fx_line(fx, b, "NS IDENTIFY hunter22");
	fx_advance(fx, 10000);
	fx_line(fx, c, "NICK notalice");
	fx_take(fx, b);
	fx_take(fx, c);
	fx_advance(fx, 60000);
	assert_string_equal(fx_take(fx, b), "");
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

static void
no_grace(struct core_config *cfg)
{
	unlimited(cfg);
	cfg->nick_grace = 0;
	snprintf(cfg->guest_prefix, sizeof(cfg->guest_prefix), "anon");
}

/* With no grace, NICK to a registered nick is refused, and registering with it
 * renames at once. */
static void
test_no_grace(void **state)
{
	struct fx	*fx = fx_new(no_grace);
	unsigned	 a = registered(fx, "alice"), b, c;

	(void)state;
	fx_line(fx, a, "QUIT");
	b = fx_client(fx, "bob");
	fx_line(fx, b, "NICK Alice");
	assert_string_equal(fx_take(fx, b),
	    ":irc.localhost 433 bob Alice :Nickname is already in use\r\n");
	c = fx_connect(fx);
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :U");
	assert_non_null(strstr(fx_take(fx, c), " 422 alice :MOTD File is missing\r\n"
	    ":irc.localhost NOTICE alice :*** alice is a registered nick: you are now "
	    "anon3\r\n"
	    ":alice!u@127.0.0.1 NICK anon3\r\n"));
	fx_free(fx);
}

static void
test_info_and_password(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice"), b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "NS INFO");
	assert_string_equal(fx_take(fx, a),
	    NS "alice :Account alice, registered Tuesday November 14 2023 -- 22:13:20 "
	    "UTC\r\n"
	    NS "alice :Email: none\r\n"
	    NS "alice :Certificates: 0\r\n");
	fx_line(fx, b, "NS INFO alice");
	assert_string_equal(fx_take(fx, b),
	    NS "bob :Account alice, registered Tuesday November 14 2023 -- 22:13:20 "
	    "UTC\r\n");
	fx_line(fx, a, "NS SET EMAIL x");
	assert_string_equal(fx_take(fx, a), NS "alice :Unknown setting EMAIL. Syntax: "
	    "SET PASSWORD <new password>, SET MULTICLIENT|ALWAYS-ON ON|OFF|DEFAULT\r\n");
	fx_line(fx, a, "NS SET PASSWORD correct-horse");
	assert_string_equal(fx_take(fx, a), NS "alice :The password of alice is "
	    "changed\r\n");
	fx_line(fx, b, "NS IDENTIFY alice hunter22");
	assert_string_equal(fx_take(fx, b), NS "bob :Invalid password for alice\r\n");
	fx_line(fx, b, "NS IDENTIFY alice correct-horse");
	assert_non_null(strstr(fx_take(fx, b), "You are now identified as alice"));
	fx_free(fx);
}

static void
test_cert(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice");

	(void)state;
	fx_line(fx, a, "NS CERT ADD");
	assert_string_equal(fx_take(fx, a), NS "alice :You have no client certificate: "
	    "give its fingerprint\r\n");
	fx_line(fx, a, "NS CERT ADD 12:34");
	assert_string_equal(fx_take(fx, a), NS "alice :12:34 is not a SHA-256 "
	    "fingerprint (64 hex digits)\r\n");
	fx_line(fx, a, "NS CERT ADD 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
	    "0123456789ABCDEF");
	assert_string_equal(fx_take(fx, a), NS "alice :Certificate " FP " added to "
	    "alice\r\n");
	fx_line(fx, a, "NS CERT ADD " FP);
	assert_string_equal(fx_take(fx, a), NS "alice :Certificate " FP " is already "
	    "registered\r\n");
	fx_line(fx, a, "NS CERT LIST");
	assert_string_equal(fx_take(fx, a), NS "alice :Certificates of alice: 1\r\n"
	    NS "alice :  " FP "\r\n");
	fx_line(fx, a, "NS CERT DEL " FP);
	assert_string_equal(fx_take(fx, a), NS "alice :Certificate " FP " removed from "
	    "alice\r\n");
	fx_line(fx, a, "NS CERT DEL " FP);
	assert_string_equal(fx_take(fx, a), NS "alice :Certificate " FP " is not on your "
	    "account\r\n");
	fx_free(fx);
}

static void
test_drop(void **state)
{
	struct fx	*fx = fx_new(unlimited);
	unsigned	 a = registered(fx, "alice");

	(void)state;
	fx_line(fx, a, "NS DROP bob hunter22");
	assert_string_equal(fx_take(fx, a), NS "alice :You can only drop the account you "
	    "are logged in to (alice)\r\n");
	fx_line(fx, a, "NS DROP alice wrong");
	assert_string_equal(fx_take(fx, a), NS "alice :Invalid password for alice\r\n");
	fx_line(fx, a, "NS DROP alice hunter22");
	assert_string_equal(fx_take(fx, a),
	    ":irc.localhost 900 alice alice!u@127.0.0.1 alice :You are now logged in as "
	    "alice\r\n"
	    ":irc.localhost 901 alice alice!u@127.0.0.1 :You are now logged out\r\n"
	    ":alice MODE alice :-r\r\n"
	    NS "alice :Account alice is dropped, with its certificates and channels\r\n");
	fx_line(fx, a, "NS INFO alice");
	assert_string_equal(fx_take(fx, a), NS "alice :No account named alice\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved_nicks),
		cmocka_unit_test(test_unknown_and_help),
		cmocka_unit_test(test_register_and_identify),
		cmocka_unit_test(test_store_failure),
		cmocka_unit_test(test_ghost_and_regain),
		cmocka_unit_test(test_ghost_session_of_account),
		cmocka_unit_test(test_nick_grace),
		cmocka_unit_test(test_nick_grace_ends),
		cmocka_unit_test(test_no_grace),
		cmocka_unit_test(test_info_and_password),
		cmocka_unit_test(test_cert),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
