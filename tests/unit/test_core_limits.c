/*
 * What one line may cost and what a stranger may read (issue 22): repeated targets
 * answered once, each mode list once per MODE, bounded WHO, LIST and WHOWAS (416),
 * +s channels that are not there for non-members, invites that follow the client, the
 * b/e/I entries one client may hold, and the byte count of what a client was sent.
 * Exact bytes throughout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/reply.h"
#include "fixture_core.h"

#define S	":irc.localhost "

/* How many times needle occurs in hay. */
static unsigned
count(const char *hay, const char *needle)
{
	unsigned	n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- repeated targets ---- */

static void
test_names_repeated_target_listed_once(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 e = fx_client(fx, "eve");

	(void)state;
	fx_line(fx, a, "JOIN #b");
	fx_drain(fx);
	fx_line(fx, e, "NAMES #b,#B,,#b,#none,#NONE");
	assert_string_equal(fx_take(fx, e),
	    S "353 eve = #b :@alice\r\n"
	    S "366 eve #b,#B,,#b,#none,#NONE :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_whois_ison_privmsg_repeated_once(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	const char	*out;

	(void)state;
	fx_line(fx, a, "WHOIS bob,BOB,bob,bob,bob");
	out = fx_take(fx, a);
	assert_int_equal(count(out, " 311 alice bob "), 1);
	assert_int_equal(count(out, " 318 alice bob "), 1);
	assert_null(strstr(out, " 407 "));
	fx_line(fx, a, "ISON bob BOB bob nobody");
	assert_string_equal(fx_take(fx, a), S "303 alice :bob\r\n");
	fx_line(fx, a, "PRIVMSG bob,BOB,bob :hi");
	assert_string_equal(fx_take(fx, b), ":alice!u@127.0.0.1 PRIVMSG bob hi\r\n");
	fx_free(fx);
}

/* ---- MODE lists ---- */

static void
test_mode_each_list_once(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 e = fx_client(fx, "eve");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "MODE #c +b x!*@*");
	fx_drain(fx);
	fx_line(fx, e, "MODE #c bbbbebb");
	assert_string_equal(fx_take(fx, e),
	    S "367 eve #c x!*@* alice!u@127.0.0.1 1700000000\r\n"
	    S "368 eve #c :End of channel ban list\r\n"
	    S "349 eve #c :End of channel exception list\r\n");
	fx_free(fx);
}

/* ---- +s channels ---- */

static void
test_secret_channel_is_not_there_for_strangers(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 e = fx_client(fx, "eve");

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "MODE #c +s");
	fx_line(fx, a, "TOPIC #c :private plans");
	fx_line(fx, a, "MODE #c +b x!*@*");
	fx_drain(fx);
	/* Every answer the same as for #none, which does not exist. */
	fx_line(fx, e, "TOPIC #c");
	fx_line(fx, e, "TOPIC #c :mine now");
	fx_line(fx, e, "MODE #c");
	fx_line(fx, e, "MODE #c b");
	fx_line(fx, e, "MODE #c +i");
	fx_line(fx, e, "PART #c");
	fx_line(fx, e, "KICK #c alice");
	fx_line(fx, e, "INVITE bob #c");
	fx_line(fx, e, "PRIVMSG #c :hello");
	fx_line(fx, e, "NAMES #c");
	fx_line(fx, e, "WHO #c");
	fx_line(fx, e, "LIST");
	assert_string_equal(fx_take(fx, e),
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "403 eve #c :No such channel\r\n"
	    S "401 eve #c :No such nick/channel\r\n"
	    S "366 eve #c :End of /NAMES list\r\n"
	    S "315 eve #c :End of /WHO list\r\n"
	    S "321 eve Channel :Users  Name\r\n"
	    S "323 eve :End of /LIST\r\n");
	fx_line(fx, e, "WHOIS alice");
	assert_null(strstr(fx_take(fx, e), " 319 "));
	/* The members still see it all. */
	fx_line(fx, a, "TOPIC #c");
	assert_string_equal(fx_take(fx, a),
	    S "332 alice #c :private plans\r\n"
	    S "333 alice #c alice!u@127.0.0.1 1700000000\r\n");
	assert_string_equal(fx_take(fx, b), "");
	fx_free(fx);
}

/* ---- invites ---- */

static void
test_invite_follows_the_client_not_the_nick(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");
	unsigned	 c = fx_client(fx, "carol");
	unsigned	 s;

	(void)state;
	fx_line(fx, a, "JOIN #c");
	fx_line(fx, a, "MODE #c +i");
	fx_line(fx, a, "INVITE bob #c");
	fx_line(fx, a, "INVITE carol #c");
	/* bob renames: his invite goes with him. */
	fx_line(fx, b, "NICK robert");
	fx_drain(fx);
	fx_line(fx, b, "INVITE");
	assert_string_equal(fx_take(fx, b),
	    S "336 robert #c\r\n"
	    S "337 robert :End of /INVITE list\r\n");
	/* carol quits; a stranger taking "bob" or "carol" is invited to nothing. */
	fx_line(fx, c, "QUIT");
	s = fx_client(fx, "carol");
	fx_line(fx, s, "JOIN #c");
	assert_string_equal(fx_take(fx, s),
	    S "473 carol #c :Cannot join channel (+i)\r\n");
	fx_line(fx, s, "NICK bob");
	fx_line(fx, s, "JOIN #c");
	assert_string_equal(fx_take(fx, s),
	    ":carol!u@127.0.0.1 NICK bob\r\n"
	    S "473 bob #c :Cannot join channel (+i)\r\n");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b),
	    ":robert!u@127.0.0.1 JOIN #c\r\n"
	    S "353 robert = #c :@alice robert\r\n"
	    S "366 robert #c :End of /NAMES list\r\n");
	fx_free(fx);
}

/* ---- b/e/I entries one client holds ---- */

static void
two_entries_each(struct core_config *cfg)
{
	cfg->max_list_per_client = 2;
}

static void
test_list_entries_capped_per_client(void **state)
{
	struct fx	*fx = fx_new(two_entries_each);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, a, "JOIN #a");
	fx_line(fx, a, "JOIN #b");
	fx_line(fx, b, "JOIN #a");
	fx_line(fx, a, "MODE #a +o bob");
	fx_line(fx, a, "MODE #a +b x!*@*");
	fx_line(fx, a, "MODE #b +I y!*@*");
	fx_drain(fx);
	/* Two in all, in any lists of any channels. */
	fx_line(fx, a, "MODE #a +e z!*@*");
	assert_string_equal(fx_take(fx, a),
	    S "478 alice #a e :Channel list is full\r\n");
	/* Others' entries are theirs: bob may still set his. */
	fx_line(fx, b, "MODE #a +e z!*@*");
	assert_string_equal(fx_take(fx, b),
	    ":bob!u@127.0.0.1 MODE #a +e z!*@*\r\n");
	/* An entry removed (by anyone) or gone with its channel makes room. */
	fx_line(fx, b, "MODE #a -b x!*@*");
	fx_line(fx, a, "PART #b");
	fx_drain(fx);
	fx_line(fx, a, "MODE #a +bb v!*@* w!*@*");
	assert_string_equal(fx_take(fx, a),
	    ":alice!u@127.0.0.1 MODE #a +bb v!*@* w!*@*\r\n");
	fx_line(fx, a, "MODE #a +b t!*@*");
	assert_string_equal(fx_take(fx, a),
	    S "478 alice #a b :Channel list is full\r\n");
	/* alice leaves: her entries stay, and the server is fine with them. */
	fx_line(fx, a, "QUIT");
	fx_drain(fx);
	fx_line(fx, b, "MODE #a b");
	assert_int_equal(count(fx_take(fx, b), " 367 bob #a "), 2);
	fx_line(fx, b, "MODE #a -b v!*@*");
	assert_string_equal(fx_take(fx, b),
	    ":bob!u@127.0.0.1 MODE #a -b v!*@*\r\n");
	fx_free(fx);
}

/* ---- bounded queries ---- */

static void
small_queries(struct core_config *cfg)
{
	cfg->max_matches = 2;
	cfg->whowas_max = 3;
}

static void
test_who_mask_bounded(void **state)
{
	struct fx	*fx = fx_new(small_queries);
	unsigned	 a = fx_client(fx, "alice");

	(void)state;
	fx_client(fx, "bob");
	fx_client(fx, "carol");
	fx_drain(fx);
	fx_line(fx, a, "WHO *");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost alice H :0 Real Name\r\n"
	    S "352 alice * u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "416 alice WHO :Output too large\r\n"
	    S "315 alice * :End of /WHO list\r\n");
	/* Two matches is not more than two. */
	fx_line(fx, a, "WHO *o?");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost bob H :0 Real Name\r\n"
	    S "352 alice * u 127.0.0.1 irc.localhost carol H :0 Real Name\r\n"
	    S "315 alice *o? :End of /WHO list\r\n");
	fx_free(fx);
}

static void
little_work(struct core_config *cfg)
{
	cfg->match_work = 200;
}

static void
test_who_and_list_matching_bounded(void **state)
{
	struct fx	*fx = fx_new(little_work);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 b = fx_client(fx, "bob");

	(void)state;
	fx_line(fx, b, "SETNAME :aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	fx_line(fx, b, "JOIN #aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	fx_drain(fx);
	/* 48 a's against "*aaaaaaaaaaaaaaaaaaaab": some 27 starts of 21 steps each. */
	fx_line(fx, a, "WHO *aaaaaaaaaaaaaaaaaaaab");
	assert_string_equal(fx_take(fx, a),
	    S "416 alice WHO :Output too large\r\n"
	    S "315 alice *aaaaaaaaaaaaaaaaaaaab :End of /WHO list\r\n");
	fx_line(fx, a, "LIST #*aaaaaaaaaaaaaaaaaaaab,#*aaaaaaaaaaaaaaaaaaaac");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "416 alice LIST :Output too large\r\n"
	    S "323 alice :End of /LIST\r\n");
	/* A mask that is cheap to decide is answered in full. */
	fx_line(fx, a, "WHO bob");
	assert_string_equal(fx_take(fx, a),
	    S "352 alice * u 127.0.0.1 irc.localhost bob H :0 "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	    S "315 alice bob :End of /WHO list\r\n");
	fx_free(fx);
}

static void
test_list_bounded(void **state)
{
	struct fx	*fx = fx_new(small_queries);
	unsigned	 a = fx_client(fx, "alice");
	const char	*out;

	(void)state;
	fx_line(fx, a, "JOIN #a,#b,#c");
	fx_drain(fx);
	fx_line(fx, a, "LIST");
	out = fx_take(fx, a);
	/* The table's order is the hash's: two of the three, whichever they are. */
	assert_int_equal(count(out, " 322 alice #"), 2);
	assert_non_null(strstr(out, S "321 alice Channel :Users  Name\r\n"));
	assert_non_null(strstr(out, S "416 alice LIST :Output too large\r\n"
	    S "323 alice :End of /LIST\r\n"));
	fx_line(fx, a, "LIST #b");
	assert_string_equal(fx_take(fx, a),
	    S "321 alice Channel :Users  Name\r\n"
	    S "322 alice #b 1 :\r\n"
	    S "323 alice :End of /LIST\r\n");
	fx_free(fx);
}

static void
test_whowas_bounded_and_once(void **state)
{
	struct fx	*fx = fx_new(small_queries);
	unsigned	 a = fx_client(fx, "alice");
	unsigned	 x = fx_client(fx, "x");

	(void)state;
	for (int i = 0; i < 5; i++) {
		fx_line(fx, x, "NICK y");
		fx_line(fx, x, "NICK x");
	}
	fx_drain(fx);
	fx_line(fx, a, "WHOWAS x,X,x,x,x,y");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "314 alice x u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice x irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "416 alice WHOWAS :Output too large\r\n"
	    S "369 alice x :End of WHOWAS\r\n"
	    S "416 alice WHOWAS :Output too large\r\n"
	    S "369 alice y :End of WHOWAS\r\n");
	/* A count below the bound is all that is asked for. */
	fx_line(fx, a, "WHOWAS y 1");
	assert_string_equal(fx_take(fx, a),
	    S "314 alice y u 127.0.0.1 * :Real Name\r\n"
	    S "312 alice y irc.localhost :Tuesday November 14 2023 -- 22:13:20 UTC\r\n"
	    S "369 alice y :End of WHOWAS\r\n");
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_repeated_target_listed_once),
		cmocka_unit_test(test_whois_ison_privmsg_repeated_once),
		cmocka_unit_test(test_mode_each_list_once),
		cmocka_unit_test(test_secret_channel_is_not_there_for_strangers),
		cmocka_unit_test(test_invite_follows_the_client_not_the_nick),
		cmocka_unit_test(test_list_entries_capped_per_client),
		cmocka_unit_test(test_who_mask_bounded),
		cmocka_unit_test(test_who_and_list_matching_bounded),
		cmocka_unit_test(test_list_bounded),
		cmocka_unit_test(test_whowas_bounded_and_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
