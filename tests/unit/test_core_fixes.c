/*
 * Fixes to what existed (issue 20, item 1): NAMES of several channels, +k key rules,
 * the server's description in LINKS and WHOIS, and LUSERS counts after each change,
 * with the exact bytes each connection receives.
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

static void
described(struct core_config *cfg)
{
	snprintf(cfg->description, sizeof(cfg->description), "The test hub");
}

static void
test_names_several_channels_one_end(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #a");
	fx_line(fx, b, "JOIN #b");
	fx_line(fx, b, "JOIN #s");
	fx_line(fx, b, "MODE #s +s");
	fx_drain(fx);
	/* A 353 for each channel alice may see, then one 366 naming the list as given. */
	fx_line(fx, a, "NAMES #a,#B,#s,#none");
	assert_string_equal(fx_take(fx, a),
	    S "353 alice = #a :@alice\r\n"
	    S "353 alice = #b :@bob\r\n"
	    S "366 alice #a,#B,#s,#none :End of /NAMES list\r\n");
	fx_line(fx, a, "NAMES");
	assert_string_equal(fx_take(fx, a), S "366 alice * :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_key_rules(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_drain(fx);
	/* Longer than KEYLEN (23): refused, never cut. */
	fx_line(fx, a, "MODE #c +k abcdefghijklmnopqrstuvwxy");
	assert_string_equal(fx_take(fx, a),
	    S "696 alice #c k abcdefghijklmnopqrstuvwxy :Invalid key\r\n");
	/* A comma would split JOIN's key list. */
	fx_line(fx, a, "MODE #c +k a,b");
	assert_string_equal(fx_take(fx, a), S "696 alice #c k a,b :Invalid key\r\n");
	/* Spaces and control bytes cannot be quoted back: "*". */
	fx_line(fx, a, "MODE #c +k :a b");
	assert_string_equal(fx_take(fx, a), S "696 alice #c k * :Invalid key\r\n");
	fx_line(fx, a, "MODE #c +k a\x01z");
	assert_string_equal(fx_take(fx, a), S "696 alice #c k * :Invalid key\r\n");
	fx_line(fx, a, "MODE #c +k abcdefghijklmnopqrstuvw");
	assert_string_equal(fx_take(fx, a),
	    ":alice!u@127.0.0.1 MODE #c +k abcdefghijklmnopqrstuvw\r\n");
	fx_free(fx);
}

static void
test_links_and_whois_show_description(void **state)
{
	struct fx	*fx = fx_new(described);
	unsigned	 a = fx_client(fx, "alice");
	const char	*out;

	(void)state;
	fx_line(fx, a, "LINKS");
	assert_string_equal(fx_take(fx, a),
	    S "364 alice irc.localhost irc.localhost :0 The test hub\r\n"
	    S "365 alice * :End of /LINKS list\r\n");
	fx_line(fx, a, "WHOIS alice");
	out = fx_take(fx, a);
	assert_non_null(strstr(out, S "312 alice alice irc.localhost :The test hub\r\n"));
	fx_free(fx);
}

/* The 251-255 lines of a LUSERS, without the 265/266 that follow. */
static const char *
lusers(struct fx *fx, unsigned c)
{
	const char	*out;
	char		*end;

	fx_line(fx, c, "LUSERS");
	out = fx_take(fx, c);
	/* The fixture's buffer is the test's until the next take. */
	if ((end = strstr((char *)(uintptr_t)out, S "265 ")) != NULL)
		*end = '\0';
	return out;
}

static void
test_lusers_follow_every_change(void **state)
{
	struct fx	*fx = fx_new(with_opers);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 u;

	(void)state;
	u = fx_connect(fx);
	fx_line(fx, b, "MODE bob +i");
	fx_line(fx, a, "OPER admin s3cret");
	fx_drain(fx);
	assert_string_equal(lusers(fx, a),
	    S "251 alice :There are 1 users and 1 invisible on 1 servers\r\n"
	    S "252 alice 1 :operator(s) online\r\n"
	    S "253 alice 1 :unknown connection(s)\r\n"
	    S "254 alice 0 :channels formed\r\n"
	    S "255 alice :I have 2 clients and 0 servers\r\n");
	/* The operator de-opers, the invisible user quits, the unknown one registers. */
	fx_line(fx, a, "MODE alice -o");
	fx_line(fx, b, "QUIT");
	fx_line(fx, u, "NICK carol");
	fx_line(fx, u, "USER u 0 * :Carol");
	fx_drain(fx);
	assert_string_equal(lusers(fx, a),
	    S "251 alice :There are 2 users and 0 invisible on 1 servers\r\n"
	    S "254 alice 0 :channels formed\r\n"
	    S "255 alice :I have 2 clients and 0 servers\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_several_channels_one_end),
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_links_and_whois_show_description),
		cmocka_unit_test(test_lusers_follow_every_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
