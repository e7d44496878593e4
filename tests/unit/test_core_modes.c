/*
 * Channel modes, ban/exception/invite lists, the JOIN checks they make, KICK and INVITE,
 * with the exact bytes every connection receives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture_core.h"
#include "core/config.h"

#define OP	":op!u@127.0.0.1 "
#define SRV	":irc.localhost "

/* op creates #c (and holds @); the others are registered but outside. */
static struct fx *
setup(unsigned *op, unsigned *b)
{
	struct fx	*fx = fx_new(NULL);

	*op = fx_client(fx, "op");
	*b = fx_client(fx, "b");
	fx_line(fx, *op, "JOIN #c");
	fx_drain(fx);
	return fx;
}

static void
join_b(struct fx *fx, unsigned op, unsigned b)
{
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, op), ":b!u@127.0.0.1 JOIN #c\r\n");
	fx_drain(fx);
}

static void
test_simple_flags_broadcast(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	join_b(fx, op, b);
	fx_line(fx, op, "MODE #c +imsp-nt");
	assert_string_equal(fx_take(fx, b), OP "MODE #c +imsp-nt\r\n");
	assert_string_equal(fx_take(fx, op), OP "MODE #c +imsp-nt\r\n");
	fx_line(fx, op, "MODE #c");
	assert_string_equal(fx_take(fx, op), SRV "324 op #c +imps\r\n"
	    SRV "329 op #c 1700000000\r\n");
	/* Setting what is set already changes nothing and says nothing. */
	fx_line(fx, op, "MODE #c +im");
	assert_string_equal(fx_take(fx, op), "");
	fx_free(fx);
}

static void
two_modes_per_line(struct core_config *cfg)
{
	cfg->modes_per_line = 2;
}

static void
test_modes_per_line_is_configured(void **state)
{
	struct fx	*fx = fx_new(two_modes_per_line);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 b = fx_client(fx, "b");
	const char	*burst;

	(void)state;
	fx_line(fx, op, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	/* Only the first two parameterised changes apply; flags are not counted. */
	fx_line(fx, op, "MODE #c +vvtb b op x!*@*");
	assert_string_equal(fx_take(fx, b), OP "MODE #c +vv b op\r\n");
	fx_line(fx, op, "VERSION");
	burst = fx_take(fx, op);
	assert_non_null(strstr(burst, " MODES=2 "));
	fx_free(fx);
}

static void
test_not_operator_482(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	join_b(fx, op, b);
	fx_line(fx, b, "MODE #c +mi");
	assert_string_equal(fx_take(fx, b),
	    SRV "482 b #c :You're not channel operator\r\n");
	assert_string_equal(fx_take(fx, op), "");
	fx_free(fx);
}

static void
test_unknown_mode_472(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +Zm");
	assert_string_equal(fx_take(fx, op),
	    SRV "472 op Z :is unknown mode char to me\r\n"
	    OP "MODE #c +m\r\n");
	fx_free(fx);
}

static void
test_key_set_show_and_clear(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +k secret");
	assert_string_equal(fx_take(fx, op), OP "MODE #c +k secret\r\n");
	fx_line(fx, op, "MODE #c");
	assert_string_equal(fx_take(fx, op), SRV "324 op #c +ntk secret\r\n"
	    SRV "329 op #c 1700000000\r\n");
	/* Outsiders see that there is a key, not what it is. */
	fx_line(fx, b, "MODE #c");
	assert_string_equal(fx_take(fx, b), SRV "324 b #c +ntk *\r\n"
	    SRV "329 b #c 1700000000\r\n");
	fx_line(fx, op, "MODE #c -k whatever");
	assert_string_equal(fx_take(fx, op), OP "MODE #c -k *\r\n");
	fx_line(fx, op, "MODE #c +k key");
	fx_take(fx, op);
	fx_line(fx, op, "MODE #c -k");
	assert_string_equal(fx_take(fx, op), OP "MODE #c -k *\r\n");
	fx_free(fx);
}

static void
test_key_invalid_696(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +k :two words");
	assert_string_equal(fx_take(fx, op), SRV "696 op #c k * :Invalid key\r\n");
	fx_line(fx, op, "MODE #c +k :");
	assert_string_equal(fx_take(fx, op), SRV "696 op #c k * :Invalid key\r\n");
	fx_line(fx, op, "MODE #c +k a,b");
	assert_string_equal(fx_take(fx, op), SRV "696 op #c k a,b :Invalid key\r\n");
	fx_free(fx);
}

static void
test_limit_set_and_invalid(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +l 5");
	assert_string_equal(fx_take(fx, op), OP "MODE #c +l 5\r\n");
	fx_line(fx, op, "MODE #c");
	assert_string_equal(fx_take(fx, op), SRV "324 op #c +ntl 5\r\n"
	    SRV "329 op #c 1700000000\r\n");
	fx_line(fx, op, "MODE #c +l 0");
	assert_string_equal(fx_take(fx, op), SRV "696 op #c l 0 :Invalid limit\r\n");
	fx_line(fx, op, "MODE #c +l ten");
	assert_string_equal(fx_take(fx, op), SRV "696 op #c l ten :Invalid limit\r\n");
	fx_line(fx, op, "MODE #c -l");
	assert_string_equal(fx_take(fx, op), OP "MODE #c -l\r\n");
	fx_line(fx, op, "MODE #c -l");
	assert_string_equal(fx_take(fx, op), "");
	fx_free(fx);
}

static void
test_op_voice_errors(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +o b");
	assert_string_equal(fx_take(fx, op),
	    SRV "441 op b #c :They aren't on that channel\r\n");
	fx_line(fx, op, "MODE #c +v nobody");
	assert_string_equal(fx_take(fx, op), SRV "401 op nobody :No such nick/channel\r\n");
	join_b(fx, op, b);
	fx_line(fx, op, "MODE #c +ov B B");
	assert_string_equal(fx_take(fx, b), OP "MODE #c +ov b b\r\n");
	fx_free(fx);
}

static void
test_ban_list_add_query_remove(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +bb bad user@*.example");
	assert_string_equal(fx_take(fx, op),
	    OP "MODE #c +bb bad!*@* *!user@*.example\r\n");
	/* A duplicate (under casemapping) is ignored. */
	fx_line(fx, op, "MODE #c +b BAD!*@*");
	assert_string_equal(fx_take(fx, op), "");
	/* Anyone may read the list. */
	fx_line(fx, b, "MODE #c b");
	assert_string_equal(fx_take(fx, b),
	    SRV "367 b #c bad!*@* op!u@127.0.0.1 1700000000\r\n"
	    SRV "367 b #c *!user@*.example op!u@127.0.0.1 1700000000\r\n"
	    SRV "368 b #c :End of channel ban list\r\n");
	fx_line(fx, b, "MODE #c +b x");
	assert_string_equal(fx_take(fx, b), SRV "482 b #c :You're not channel operator\r\n");
	fx_line(fx, op, "MODE #c -b bad");
	assert_string_equal(fx_take(fx, op), OP "MODE #c -b bad!*@*\r\n");
	fx_line(fx, op, "MODE #c -b bad");
	assert_string_equal(fx_take(fx, op), "");
	fx_free(fx);
}

static void
test_except_and_invex_lists(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +eI friend *!*@trusted");
	assert_string_equal(fx_take(fx, op),
	    OP "MODE #c +eI friend!*@* *!*@trusted\r\n");
	fx_line(fx, b, "MODE #c e");
	assert_string_equal(fx_take(fx, b),
	    SRV "348 b #c friend!*@* op!u@127.0.0.1 1700000000\r\n"
	    SRV "349 b #c :End of channel exception list\r\n");
	fx_line(fx, b, "MODE #c I");
	assert_string_equal(fx_take(fx, b),
	    SRV "346 b #c *!*@trusted op!u@127.0.0.1 1700000000\r\n"
	    SRV "347 b #c :End of channel invite list\r\n");
	fx_free(fx);
}

static void
max_list_two(struct core_config *cfg)
{
	cfg->max_list = 2;
}

static void
test_list_full_478(void **state)
{
	struct fx	*fx = fx_new(max_list_two);
	unsigned	 op = fx_client(fx, "op");

	(void)state;
	fx_line(fx, op, "JOIN #c");
	fx_take(fx, op);
	fx_line(fx, op, "MODE #c +bbb a b c");
	assert_string_equal(fx_take(fx, op),
	    SRV "478 op #c b :Channel list is full\r\n"
	    OP "MODE #c +bb a!*@* b!*@*\r\n");
	fx_free(fx);
}

static void
test_modes_per_line_cap(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +bbbbb a b c d e");
	assert_string_equal(fx_take(fx, op),
	    OP "MODE #c +bbbb a!*@* b!*@* c!*@* d!*@*\r\n");
	fx_free(fx);
}

static void
test_join_banned_474_and_exception(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +b b");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), SRV "474 b #c :Cannot join channel (+b)\r\n");
	fx_line(fx, op, "MODE #c +e *!u@*");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, op), ":b!u@127.0.0.1 JOIN #c\r\n");
	fx_free(fx);
}

static void
test_join_invite_only_473(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +i");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), SRV "473 b #c :Cannot join channel (+i)\r\n");
	fx_line(fx, op, "MODE #c +I b");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, op), ":b!u@127.0.0.1 JOIN #c\r\n");
	fx_free(fx);
}

static void
test_join_ban_checked_before_invite_only(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +ibkl b k 1");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), SRV "474 b #c :Cannot join channel (+b)\r\n");
	fx_line(fx, op, "MODE #c -b b");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), SRV "473 b #c :Cannot join channel (+i)\r\n");
	fx_line(fx, op, "MODE #c -i");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), SRV "475 b #c :Cannot join channel (+k)\r\n");
	fx_line(fx, b, "JOIN #c k");
	assert_string_equal(fx_take(fx, b), SRV "471 b #c :Cannot join channel (+l)\r\n");
	fx_free(fx);
}

static void
test_join_keys_pair_by_position(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "JOIN #d");
	fx_line(fx, op, "MODE #c +k one");
	fx_line(fx, op, "MODE #d +k two");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c,#d two,one");
	assert_string_equal(fx_take(fx, b),
	    SRV "475 b #c :Cannot join channel (+k)\r\n"
	    SRV "475 b #d :Cannot join channel (+k)\r\n");
	fx_line(fx, b, "JOIN #c,#d one,two");
	assert_string_equal(fx_take(fx, op),
	    ":b!u@127.0.0.1 JOIN #c\r\n:b!u@127.0.0.1 JOIN #d\r\n");
	fx_free(fx);
}

static void
test_moderated_and_banned_cannot_send(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	join_b(fx, op, b);
	fx_line(fx, op, "MODE #c +m");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b), SRV "404 b #c :Cannot send to channel\r\n");
	assert_string_equal(fx_take(fx, op), "");
	fx_line(fx, op, "MODE #c +v b");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, op), ":b!u@127.0.0.1 PRIVMSG #c hi\r\n");
	fx_line(fx, op, "MODE #c -mv+b b b b");
	fx_drain(fx);
	fx_line(fx, b, "PRIVMSG #c :hi");
	assert_string_equal(fx_take(fx, b), SRV "404 b #c :Cannot send to channel\r\n");
	fx_free(fx);
}

static void
test_secret_names_hidden(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	fx_line(fx, op, "MODE #c +s");
	fx_drain(fx);
	fx_line(fx, b, "NAMES #c");
	assert_string_equal(fx_take(fx, b), SRV "366 b #c :End of /NAMES list\r\n");
	fx_line(fx, op, "NAMES #c");
	assert_string_equal(fx_take(fx, op), SRV "353 op @ #c :@op\r\n"
	    SRV "366 op #c :End of /NAMES list\r\n");
	fx_line(fx, op, "MODE #c -s+p");
	fx_drain(fx);
	fx_line(fx, b, "NAMES #c");
	assert_string_equal(fx_take(fx, b), SRV "353 b * #c :@op\r\n"
	    SRV "366 b #c :End of /NAMES list\r\n");
	fx_free(fx);
}

static void
test_kick(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);

	(void)state;
	join_b(fx, op, b);
	fx_line(fx, b, "KICK #c op");
	assert_string_equal(fx_take(fx, b), SRV "482 b #c :You're not channel operator\r\n");
	fx_line(fx, op, "KICK #c b,nobody :go away");
	assert_string_equal(fx_take(fx, b), OP "KICK #c b :go away\r\n");
	assert_string_equal(fx_take(fx, op), OP "KICK #c b :go away\r\n"
	    SRV "401 op nobody :No such nick/channel\r\n");
	fx_line(fx, op, "KICK #c b");
	assert_string_equal(fx_take(fx, op),
	    SRV "441 op b #c :They aren't on that channel\r\n");
	fx_line(fx, b, "KICK #c op");
	assert_string_equal(fx_take(fx, b), SRV "442 b #c :You're not on that channel\r\n");
	fx_line(fx, op, "KICK #nope b");
	assert_string_equal(fx_take(fx, op), SRV "403 op #nope :No such channel\r\n");
	join_b(fx, op, b);
	fx_line(fx, op, "KICK #c b");
	assert_string_equal(fx_take(fx, b), OP "KICK #c b op\r\n");
	fx_free(fx);
}

static void
kicklen_four(struct core_config *cfg)
{
	cfg->kicklen = 4;
}

static void
test_kick_reason_cut(void **state)
{
	struct fx	*fx = fx_new(kicklen_four);
	unsigned	 op = fx_client(fx, "op");
	unsigned	 b = fx_client(fx, "b");

	(void)state;
	fx_line(fx, op, "JOIN #c");
	fx_line(fx, b, "JOIN #c");
	fx_drain(fx);
	fx_line(fx, op, "KICK #c b :abcdefgh");
	assert_string_equal(fx_take(fx, b), OP "KICK #c b abcd\r\n");
	fx_free(fx);
}

static void
test_invite(void **state)
{
	unsigned	 op, b;
	struct fx	*fx = setup(&op, &b);
	unsigned	 c = fx_client(fx, "c");

	(void)state;
	fx_line(fx, op, "MODE #c +i");
	fx_drain(fx);
	fx_line(fx, b, "INVITE c #c");
	assert_string_equal(fx_take(fx, b), SRV "442 b #c :You're not on that channel\r\n");
	fx_line(fx, op, "INVITE nobody #c");
	assert_string_equal(fx_take(fx, op), SRV "401 op nobody :No such nick/channel\r\n");
	fx_line(fx, op, "INVITE op #c");
	assert_string_equal(fx_take(fx, op), SRV "443 op op #c :is already on channel\r\n");
	fx_line(fx, op, "INVITE B #c");
	assert_string_equal(fx_take(fx, op), SRV "341 op b #c\r\n");
	assert_string_equal(fx_take(fx, b), OP "INVITE b #c\r\n");
	fx_line(fx, b, "INVITE");
	assert_string_equal(fx_take(fx, b), SRV "336 b #c\r\n"
	    SRV "337 b :End of /INVITE list\r\n");
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, op), ":b!u@127.0.0.1 JOIN #c\r\n");
	fx_drain(fx);
	/* The join used the invite up; a non-op cannot invite into +i. */
	fx_line(fx, b, "INVITE");
	assert_string_equal(fx_take(fx, b), SRV "337 b :End of /INVITE list\r\n");
	fx_line(fx, b, "INVITE c #c");
	assert_string_equal(fx_take(fx, b), SRV "482 b #c :You're not channel operator\r\n");
	fx_line(fx, b, "PART #c");
	fx_drain(fx);
	fx_line(fx, b, "JOIN #c");
	assert_string_equal(fx_take(fx, b), SRV "473 b #c :Cannot join channel (+i)\r\n");
	(void)c;
	fx_free(fx);
}

static void
test_isupport_and_004(void **state)
{
	struct fx	*fx = fx_new(NULL);
	unsigned	 a = fx_connect(fx);
	const char	*burst;

	(void)state;
	fx_line(fx, a, "NICK a");
	fx_line(fx, a, "USER u 0 * :A");
	burst = fx_take(fx, a);
	assert_non_null(strstr(burst, " Biorsw CIMPRTWbcefijklmnopqstvz Ibefjklqov\r\n"));
	assert_non_null(strstr(burst, "CHANMODES=beIq,k,fjl,CMPRTWcimnpstz "));
	assert_non_null(strstr(burst, " EXCEPTS EXTBAN=$,a INVEX :"));
	assert_non_null(strstr(burst, " 005 a KICKLEN=255 MAXLIST=beIq:100 "));
	assert_non_null(strstr(burst, " 005 a ACCOUNTEXTBAN=a AWAYLEN="));
	assert_non_null(strstr(burst, " MODES=4 "));
	assert_non_null(strstr(burst, " PREFIX=(ov)@+ "));
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_flags_broadcast),
		cmocka_unit_test(test_modes_per_line_is_configured),
		cmocka_unit_test(test_not_operator_482),
		cmocka_unit_test(test_unknown_mode_472),
		cmocka_unit_test(test_key_set_show_and_clear),
		cmocka_unit_test(test_key_invalid_696),
		cmocka_unit_test(test_limit_set_and_invalid),
		cmocka_unit_test(test_op_voice_errors),
		cmocka_unit_test(test_ban_list_add_query_remove),
		cmocka_unit_test(test_except_and_invex_lists),
		cmocka_unit_test(test_list_full_478),
		cmocka_unit_test(test_modes_per_line_cap),
		cmocka_unit_test(test_join_banned_474_and_exception),
		cmocka_unit_test(test_join_invite_only_473),
		cmocka_unit_test(test_join_ban_checked_before_invite_only),
		cmocka_unit_test(test_join_keys_pair_by_position),
		cmocka_unit_test(test_moderated_and_banned_cannot_send),
		cmocka_unit_test(test_secret_names_hidden),
		cmocka_unit_test(test_kick),
		cmocka_unit_test(test_kick_reason_cut),
		cmocka_unit_test(test_invite),
		cmocka_unit_test(test_isupport_and_004),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
