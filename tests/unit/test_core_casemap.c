/*
 * casemapping = rfc8265 through the core: CASEMAPPING in ISUPPORT, UTF-8 nicks that
 * fold alike (NICK, PRIVMSG, WHOIS, MONITOR, channels, accounts), PRECIS's refusals
 * (432), confusable nicks (433), a REHASH that cannot change it; and rfc1459 as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/server.h"
#include "fixture_accounts.h"

#define S		":irc.localhost "
#define MASK(n)		n "!u@127.0.0.1"
#define ERIC		"\xc3\x89ric"		/* Éric */
#define ERIC_LOWER	"\xc3\xa9ric"		/* éric */
#define ERIC_UPPER	"\xc3\x89RIC"		/* ÉRIC */
#define PAYPAL_CYR	"\xd1\x80\xd0\xb0ypal"	/* раypal: Cyrillic р and а */

static void
rfc8265(struct core_config *cfg)
{
	cfg->casemapping = CASEMAP_RFC8265;
}

static void
rfc8265_accounts(struct core_config *cfg)
{
	fxa_cheap(cfg);
	cfg->casemapping = CASEMAP_RFC8265;
}

static void
test_isupport(void **state)
{
	struct fx	*fx = fx_new(rfc8265);
	unsigned	 c = fx_connect(fx);
	const char	*out;

	(void)state;
	fx_line(fx, c, "NICK alice");
	fx_line(fx, c, "USER u 0 * :Real Name");
	out = fx_take(fx, c);
	assert_non_null(strstr(out, " CASEMAPPING=rfc8265 "));
	assert_null(strstr(out, "rfc1459"));
	/* UTF8ONLY follows utf8_only, as before. */
	assert_non_null(strstr(out, " UTF8ONLY "));
	fx_free(fx);
}

static void
test_utf8_nick(void **state)
{
	struct fx	*fx = fx_new(rfc8265);
	unsigned	 e = fx_client(fx, ERIC);
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_connect(fx);

	(void)state;
	/* Any case of it is the same nick: messages, WHOIS, and NICK's 433. */
	fx_line(fx, b, "PRIVMSG " ERIC_UPPER " :salut");
	assert_string_equal(fx_take(fx, e), ":" MASK("bob") " PRIVMSG " ERIC " salut\r\n");
	fx_line(fx, b, "WHOIS " ERIC_LOWER);
	assert_non_null(strstr(fx_take(fx, b), S "311 bob " ERIC " u 127.0.0.1 * :"));
	fx_line(fx, c, "NICK " ERIC_LOWER);
	assert_string_equal(fx_take(fx, c), S "433 * " ERIC_LOWER
	    " :Nickname is already in use\r\n");
	/* Fullwidth letters are their ASCII selves. */
	fx_line(fx, c, "NICK \xef\xbc\xa2\xef\xbd\x8f\xef\xbd\x82");	/* Ｂｏｂ */
	assert_string_equal(fx_take(fx, c), S "433 * \xef\xbc\xa2\xef\xbd\x8f\xef\xbd\x82"
	    " :Nickname is already in use\r\n");
	/* Its owner changes case: everyone sees NICK. */
	fx_line(fx, e, "NICK " ERIC_UPPER);
	assert_string_equal(fx_take(fx, e), ":" MASK(ERIC) " NICK " ERIC_UPPER "\r\n");
	fx_free(fx);
}

static void
test_refused(void **state)
{
	struct fx	*fx = fx_new(rfc8265);
	unsigned	 c = fx_connect(fx);

	(void)state;
	/* Zero-width space, an emoji, a compatibility form, a digit first. */
	fx_line(fx, c, "NICK a\xe2\x80\x8b" "b");
	assert_string_equal(fx_take(fx, c), S "432 * a\xe2\x80\x8b" "b :Erroneous nickname\r\n");
	fx_line(fx, c, "NICK a\xf0\x9f\x98\x80");
	assert_string_equal(fx_take(fx, c), S "432 * a\xf0\x9f\x98\x80 :Erroneous nickname\r\n");
	fx_line(fx, c, "NICK \xc7\x84");
	assert_string_equal(fx_take(fx, c), S "432 * \xc7\x84 :Erroneous nickname\r\n");
	fx_line(fx, c, "NICK 1abc");
	assert_string_equal(fx_take(fx, c), S "432 * 1abc :Erroneous nickname\r\n");
	fx_free(fx);
}

static void
test_confusable(void **state)
{
	struct fx	*fx = fx_new(rfc8265);
	unsigned	 p = fx_client(fx, "paypal");
	unsigned	 c = fx_connect(fx);

	(void)state;
	fx_line(fx, c, "NICK " PAYPAL_CYR);
	assert_string_equal(fx_take(fx, c), S "433 * " PAYPAL_CYR
	    " :Nickname is already in use\r\n");
	fx_line(fx, c, "NICK PayPaI");		/* a capital I for the l */
	assert_string_equal(fx_take(fx, c), S "433 * PayPaI :Nickname is already in use\r\n");
	/* Not confusable: taken at once. */
	fx_line(fx, c, "NICK paypa");
	fx_line(fx, c, "USER u 0 * :Real Name");
	assert_non_null(strstr(fx_take(fx, c), " 001 paypa "));
	/* A look-alike of one's own nick is one's own. */
	fx_line(fx, p, "NICK " PAYPAL_CYR);
	assert_string_equal(fx_take(fx, p), ":" MASK("paypal") " NICK " PAYPAL_CYR "\r\n");
	/* The services' nicks: fullwidth, and with a Cyrillic е. */
	fx_line(fx, c, "NICK \xef\xbc\xae\xef\xbd\x89\xef\xbd\x83\xef\xbd\x8b"
	    "\xef\xbc\xb3\xef\xbd\x85\xef\xbd\x92\xef\xbd\x96");
	assert_non_null(strstr(fx_take(fx, c), " 433 paypa "));
	fx_line(fx, c, "NICK ChanS\xd0\xb5rv");
	assert_string_equal(fx_take(fx, c), S "433 paypa ChanS\xd0\xb5rv "
	    ":Nickname is already in use\r\n");
	/* Once the nick is gone, so is its skeleton. */
	fx_line(fx, p, "QUIT");
	fx_line(fx, c, "NICK paypal");
	assert_string_equal(fx_take(fx, c), ":" MASK("paypa") " NICK paypal\r\n");
	fx_free(fx);
}

static void
test_names_differ(void **state)
{
	struct fx	*fx = fx_new(rfc8265);
	unsigned	 a = fx_client(fx, "foo[");
	unsigned	 b = fx_connect(fx);
	const char	*out;

	(void)state;
	/* Under rfc8265 []\~ are not {}|^: "foo{" is another nick. */
	fx_line(fx, b, "NICK foo{");
	fx_line(fx, b, "USER u 0 * :Real Name");
	assert_non_null(strstr(fx_take(fx, b), " 001 foo{ "));
	/* Channels fold alike: #Café and #CAFÉ are one channel. */
	fx_line(fx, a, "JOIN #Caf\xc3\xa9");
	fx_take(fx, a);
	fx_line(fx, b, "JOIN #CAF\xc3\x89");
	out = fx_take(fx, b);
	assert_non_null(strstr(out, " 353 foo{ = #Caf\xc3\xa9 :@foo[ foo{\r\n"));
	fx_free(fx);
}

static void
test_monitor(void **state)
{
	struct fx	*fx = fx_new(rfc8265);
	unsigned	 w = fx_client(fx, "watcher");

	(void)state;
	fx_line(fx, w, "MONITOR + " ERIC_UPPER);
	assert_string_equal(fx_take(fx, w), S "731 watcher :" ERIC_UPPER "\r\n");
	fx_client(fx, ERIC_LOWER);
	assert_string_equal(fx_take(fx, w), S "730 watcher :" MASK(ERIC_LOWER) "\r\n");
	fx_free(fx);
}

static void
test_account(void **state)
{
	struct fx	*fx = fx_new(rfc8265_accounts);
	unsigned	 e = fx_client(fx, ERIC);
	unsigned	 c;

	(void)state;
	/* The account is named for the nick; its other cases are the same account. */
	fx_line(fx, e, "REGISTER * * :" FXA_PASSWORD);
	assert_non_null(strstr(fx_take(fx, e), S "REGISTER SUCCESS " ERIC " :"));
	fx_line(fx, e, "NICK other");
	c = fx_client(fx, ERIC_LOWER);
	fx_line(fx, c, "REGISTER * * :" FXA_PASSWORD);
	assert_string_equal(fx_take(fx, c), S "FAIL REGISTER ACCOUNT_EXISTS " ERIC_LOWER
	    " :That account already exists\r\n");
	fx_free(fx);
}

static void
test_rehash_keeps(void **state)
{
	struct fx		*fx = fx_new(rfc8265);
	struct core_config	 cfg = fx->cfg;
	unsigned		 c;

	(void)state;
	/* The nick table is keyed by it: a reload that changes it is ignored. */
	cfg.casemapping = CASEMAP_RFC1459;
	assert_int_equal(core_configure(fx->core, &cfg), 0);
	c = fx_connect(fx);
	fx_line(fx, c, "NICK " ERIC);
	fx_line(fx, c, "USER u 0 * :Real Name");
	assert_non_null(strstr(fx_take(fx, c), " CASEMAPPING=rfc8265 "));
	fx_free(fx);
}

static void
test_rfc1459_unchanged(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "foo[");
	unsigned	 c = fx_connect(fx);

	(void)state;
	(void)a;
	fx_line(fx, c, "NICK FOO{");
	assert_string_equal(fx_take(fx, c), S "433 * FOO{ :Nickname is already in use\r\n");
	fx_line(fx, c, "NICK " ERIC);
	assert_string_equal(fx_take(fx, c), S "432 * " ERIC " :Erroneous nickname\r\n");
	/* No skeletons either: b00 is not boo's. */
	fx_client(fx, "boo");
	fx_line(fx, c, "NICK b00");
	fx_line(fx, c, "USER u 0 * :Real Name");
	assert_non_null(strstr(fx_take(fx, c), " 001 b00 "));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_isupport),
		cmocka_unit_test(test_utf8_nick),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_confusable),
		cmocka_unit_test(test_names_differ),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_rehash_keeps),
		cmocka_unit_test(test_rfc1459_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
