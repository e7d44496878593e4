/*
 * Where an account shows (core/account_show.c and its readers): ACCOUNT to peers with
 * account-notify, the account tag, extended-join, WHOIS 330, WHOX %a, user mode +r,
 * channel modes +R and +M, the $a extended bans, and [oper NAME] account.  Clients log
 * in through account_login(), as SASL and NickServ do once their checks pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/client.h"
#include "fixture_core.h"

#define S	":irc.localhost "

/* Registered as nick with caps negotiated ("" for none), the welcome dropped. */
static unsigned
client_caps(struct fx *fx, const char *nick, const char *caps)
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
login(struct fx *fx, unsigned c, const char *account)
{
	account_login(fx->core, fx->conns[c].client, account, fx->now);
}

static void
logout(struct fx *fx, unsigned c)
{
	account_logout(fx->core, fx->conns[c].client, fx->now);
}

/* c joins channel (first to join: op) and nothing else is kept of what was sent. */
static void
join(struct fx *fx, unsigned c, const char *channel)
{
	char	line[64];

	snprintf(line, sizeof(line), "JOIN %s", channel);
	fx_line(fx, c, line);
	fx_drain(fx);
}

static void
test_account_notify(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = client_caps(fx, "alice", "account-notify");
	unsigned	 b = client_caps(fx, "bob", "account-notify");
	unsigned	 c = fx_client(fx, "carol");
	unsigned	 d = client_caps(fx, "dave", "account-notify");

	(void)state;
	join(fx, a, "#c");
	join(fx, b, "#c");
	join(fx, c, "#c");
	login(fx, a, "Alice");
	/* Peers that asked, and alice herself after her 900; not carol, not dave (no
	 * channel in common). */
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 ACCOUNT Alice\r\n");
	assert_string_equal(fx_take(fx, a), S "900 alice alice!u@127.0.0.1 Alice "
	    ":You are now logged in as Alice\r\n"
	    ":alice!u@127.0.0.1 ACCOUNT Alice\r\n"
	    ":alice MODE alice :+r\r\n");
	assert_string_equal(fx_take(fx, c), "");
	assert_string_equal(fx_take(fx, d), "");
	logout(fx, a);
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 ACCOUNT *\r\n");
	assert_string_equal(fx_take(fx, c), "");
	fx_free(fx);
}

static void
test_account_tag(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = client_caps(fx, "bob", "account-tag");
	unsigned	 c = fx_client(fx, "carol");

	(void)state;
	join(fx, a, "#c");
	join(fx, b, "#c");
	join(fx, c, "#c");
	fx_line(fx, a, "PRIVMSG #c :before");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 PRIVMSG #c before\r\n");
	login(fx, a, "Alice");
	fx_drain(fx);
	fx_line(fx, a, "PRIVMSG #c :after");
	assert_string_equal(fx_take(fx, b),
	    "@account=Alice :alice!u@127.0.0.1 PRIVMSG #c after\r\n");
	assert_string_equal(fx_take(fx, c), ":alice!u@127.0.0.1 PRIVMSG #c after\r\n");
	fx_line(fx, a, "NOTICE bob :psst");
	assert_string_equal(fx_take(fx, b),
	    "@account=Alice :alice!u@127.0.0.1 NOTICE bob psst\r\n");
	fx_free(fx);
}

static void
test_extended_join(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = client_caps(fx, "bob", "extended-join");

	(void)state;
	join(fx, b, "#c");
	login(fx, a, "Alice");
	fx_line(fx, a, "JOIN #c");
	assert_string_equal(fx_take(fx, b),
	    ":alice!u@127.0.0.1 JOIN #c Alice :Real Name\r\n");
	logout(fx, a);
	fx_line(fx, a, "PART #c");
	fx_line(fx, a, "JOIN #c");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 PART #c\r\n"
	    ":alice!u@127.0.0.1 JOIN #c * :Real Name\r\n");
	fx_free(fx);
}

static void
test_whois_and_whox(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, b, "WHOIS alice");
	assert_null(strstr(fx_take(fx, b), " 330 "));
	fx_line(fx, b, "WHO alice %na");
	assert_string_equal(fx_take(fx, b), S "354 bob alice 0\r\n"
	    S "315 bob alice :End of /WHO list\r\n");
	login(fx, a, "Alice");
	fx_line(fx, b, "WHOIS alice");
	assert_non_null(strstr(fx_take(fx, b),
	    "\r\n" S "330 bob alice Alice :is logged in as\r\n" S "317 bob alice "));
	fx_line(fx, b, "WHO alice %na");
	assert_string_equal(fx_take(fx, b), S "354 bob alice Alice\r\n"
	    S "315 bob alice :End of /WHO list\r\n");
	fx_free(fx);
}

static void
test_user_mode_r(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	/* Only the server sets or clears it. */
	fx_line(fx, a, "MODE alice +r");
	assert_string_equal(fx_take(fx, a), "");
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), S "221 alice +\r\n");
	login(fx, a, "Alice");
	fx_take(fx, a);
	fx_line(fx, a, "MODE alice -r+i");
	assert_string_equal(fx_take(fx, a), ":alice MODE alice :+i\r\n");
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), S "221 alice +ir\r\n");
	logout(fx, a);
	fx_take(fx, a);
	fx_line(fx, a, "MODE alice");
	assert_string_equal(fx_take(fx, a), S "221 alice +i\r\n");
	fx_free(fx);
}

/* Logged in before registering (SASL): no MODE line until the welcome is over. */
static void
test_login_before_registration(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 c = fx_connect(fx);
	const char	*out, *end;

	(void)state;
	fx_line(fx, c, "NICK alice");
	login(fx, c, "Alice");
	assert_string_equal(fx_take(fx, c), S "900 alice alice!*@127.0.0.1 Alice "
	    ":You are now logged in as Alice\r\n");
	fx_line(fx, c, "USER u 0 * :Real Name");
	out = fx_take(fx, c);
	end = strstr(out, " 376 alice :End of /MOTD command.\r\n");
	if (end == NULL)
		end = strstr(out, " 422 alice :MOTD File is missing\r\n");
	assert_non_null(end);
	assert_string_equal(strstr(end, "\r\n") + 2, ":alice MODE alice :+r\r\n");
	fx_free(fx);
}

static void
test_channel_mode_R(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	join(fx, a, "#c");
	fx_line(fx, a, "MODE #c +R");
	assert_string_equal(fx_take(fx, a), ":alice!u@127.0.0.1 MODE #c +R\r\n");
	fx_line(fx, a, "MODE #c");
	assert_non_null(strstr(fx_take(fx, a), S "324 alice #c +Rnt\r\n"));
	/* An invite does not lift it. */
	fx_line(fx, a, "INVITE bob #c");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), S "477 bob #c :Cannot join channel (+R): "
	    "you must be logged in to an account\r\n");
	login(fx, b, "bob");
	fx_take(fx, b);
	fx_line(fx, b, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, b), ":bob!u@127.0.0.1 JOIN #c\r\n"));
	fx_free(fx);
}

static void
test_channel_mode_M(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	join(fx, a, "#c");
	join(fx, b, "#c");
	fx_line(fx, a, "MODE #c +M");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :hello");
	assert_string_equal(fx_take(fx, b), S "404 bob #c :Cannot send to channel (+M): "
	    "you must be logged in to an account\r\n");
	assert_string_equal(fx_take(fx, a), "");
	/* NOTICE is refused without a word. */
	fx_line(fx, b, "NOTICE #c :hello");
	assert_string_equal(fx_take(fx, b), "");
	assert_string_equal(fx_take(fx, a), "");
	/* An op speaks without an account, and so does whoever is voiced. */
	fx_line(fx, a, "PRIVMSG #c :ops may");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 PRIVMSG #c :ops may\r\n");
	fx_line(fx, a, "MODE #c +v bob");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :voiced");
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 PRIVMSG #c voiced\r\n");
	fx_line(fx, a, "MODE #c -v bob");
	fx_drain(fx);
	login(fx, b, "bob");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :logged in");
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 PRIVMSG #c :logged in\r\n");
	/* +m still wins over an account. */
	fx_line(fx, a, "MODE #c +m");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :moderated");
	assert_string_equal(fx_take(fx, b), S "404 bob #c :Cannot send to channel\r\n");
	fx_free(fx);
}

static void
test_extban_lists(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	join(fx, a, "#c");
	/* Kept as written, not made into a nick!user@host mask. */
	fx_line(fx, a, "MODE #c +be $a:Bad* $~a");
	assert_string_equal(fx_take(fx, a),
	    ":alice!u@127.0.0.1 MODE #c +be $a:Bad* $~a\r\n");
	fx_line(fx, a, "MODE #c +I $a");
	assert_string_equal(fx_take(fx, a), ":alice!u@127.0.0.1 MODE #c +I $a\r\n");
	fx_line(fx, a, "MODE #c b");
	assert_string_equal(fx_take(fx, a),
	    S "367 alice #c $a:Bad* alice!u@127.0.0.1 1700000000\r\n"
	    S "368 alice #c :End of channel ban list\r\n");
	fx_line(fx, a, "MODE #c +bbb $x $a: $ab");
	assert_string_equal(fx_take(fx, a),
	    S "696 alice #c b $x :Unknown extended ban (this server has $a, $a:account)\r\n"
	    S "696 alice #c b $a: :Unknown extended ban (this server has $a, $a:account)\r\n"
	    S "696 alice #c b $ab :Unknown extended ban (this server has $a, $a:account)\r\n");
	fx_line(fx, a, "MODE #c -b $a:Bad*");
	assert_string_equal(fx_take(fx, a), ":alice!u@127.0.0.1 MODE #c -b $a:Bad*\r\n");
	fx_free(fx);
}

static void
test_extban_join(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_client(fx, "carol");
	unsigned	 d = fx_client(fx, "dave");

	(void)state;
	join(fx, a, "#c");
	login(fx, b, "BadGuy");
	login(fx, c, "carol");
	fx_drain(fx);
	fx_line(fx, a, "MODE #c +b $a:bad*");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), S "474 bob #c :Cannot join channel (+b)\r\n");
	fx_line(fx, c, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, c), ":carol!u@127.0.0.1 JOIN #c\r\n"));
	/* $~a: everyone logged in to no account. */
	fx_line(fx, a, "MODE #c -b+b $a:bad* $~a");
	fx_drain(fx);
	fx_line(fx, d, "JOIN #c");
	assert_string_equal(fx_take(fx, d), S "474 dave #c :Cannot join channel (+b)\r\n");
	fx_line(fx, b, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, b), ":bob!u@127.0.0.1 JOIN #c\r\n"));
	/* +I $a lets any account through +i, and +e $a:name through a ban. */
	fx_line(fx, a, "MODE #d +i");
	fx_line(fx, a, "JOIN #d");
	fx_line(fx, a, "MODE #d +iI $a");
	fx_drain(fx);
	fx_line(fx, d, "JOIN #d");
	assert_string_equal(fx_take(fx, d), S "473 dave #d :Cannot join channel (+i)\r\n");
	fx_line(fx, c, "JOIN #d");
	assert_non_null(strstr(fx_take(fx, c), ":carol!u@127.0.0.1 JOIN #d\r\n"));
	fx_line(fx, a, "MODE #c -b+be $~a *!*@* $a:CAROL");
	fx_line(fx, c, "PART #c");
	fx_drain(fx);
	fx_line(fx, c, "JOIN #c");
	assert_non_null(strstr(fx_take(fx, c), ":carol!u@127.0.0.1 JOIN #c\r\n"));
	fx_free(fx);
}

static void
test_extban_speak(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	join(fx, a, "#c");
	join(fx, b, "#c");
	fx_line(fx, a, "MODE #c +b $a");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :no account");
	assert_string_equal(fx_take(fx, a), ":bob!u@127.0.0.1 PRIVMSG #c :no account\r\n");
	login(fx, b, "bob");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :an account");
	assert_string_equal(fx_take(fx, b), S "404 bob #c :Cannot send to channel\r\n");
	assert_string_equal(fx_take(fx, a), "");
	fx_free(fx);
}

/* crypt(3) hash of "s3cret" (yescrypt). */
#define HASH_Y	"$y$j9T$p3q3GEAif3thzMIBFOJng/$O/jX6xivikQq30VtskiE7ZwISoD3.tuLWTHdNk70KVC"

static const struct core_oper opers[] = {
	{ "acct", "", "", "", "Alice" },
	{ "both", HASH_Y, "", "", "Alice" },
};

static void
with_opers(struct core_config *cfg)
{
	cfg->opers = opers;
	cfg->nopers = sizeof(opers) / sizeof(opers[0]);
	cfg->flood_burst = 0;
}

static void
test_oper_account(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "OPER acct x");
	assert_string_equal(fx_take(fx, a), S "464 alice :Password incorrect\r\n");
	login(fx, b, "bob");
	fx_take(fx, b);
	fx_line(fx, b, "OPER acct x");
	assert_string_equal(fx_take(fx, b), S "464 bob :Password incorrect\r\n");
	/* The account in any case; a password block needs its password as well. */
	login(fx, a, "alice");
	fx_take(fx, a);
	fx_line(fx, a, "OPER both wrong");
	assert_string_equal(fx_take(fx, a), S "464 alice :Password incorrect\r\n");
	fx_line(fx, b, "OPER both s3cret");
	assert_string_equal(fx_take(fx, b), S "464 bob :Password incorrect\r\n");
	fx_line(fx, a, "OPER both s3cret");
	assert_non_null(strstr(fx_take(fx, a), S "381 alice :You are now an IRC operator\r\n"));
	fx_line(fx, a, "MODE alice -o");
	fx_take(fx, a);
	fx_line(fx, a, "OPER acct x");
	assert_non_null(strstr(fx_take(fx, a), S "381 alice :You are now an IRC operator\r\n"));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_notify),
		cmocka_unit_test(test_account_tag),
		cmocka_unit_test(test_extended_join),
		cmocka_unit_test(test_whois_and_whox),
		cmocka_unit_test(test_user_mode_r),
		cmocka_unit_test(test_login_before_registration),
		cmocka_unit_test(test_channel_mode_R),
		cmocka_unit_test(test_channel_mode_M),
		cmocka_unit_test(test_extban_lists),
		cmocka_unit_test(test_extban_join),
		cmocka_unit_test(test_extban_speak),
		cmocka_unit_test(test_oper_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
