/*
 * The client UI's pure helpers: nick colours, command lines, server-time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "parley/chat.h"

static void
test_color_stable_and_in_range(void **state)
{
	(void)state;
	assert_int_equal(chat_nick_color("alice", 6), chat_nick_color("alice", 6));
	assert_true(chat_nick_color("alice", 6) < 6);
	assert_true(chat_nick_color("", 6) < 6);
	assert_int_equal(chat_nick_color("anything", 1), 0);
}

static void
test_color_ignores_case(void **state)
{
	(void)state;
	assert_int_equal(chat_nick_color("Bob[away]", 6), chat_nick_color("bob{AWAY}", 6));
}

static void
test_color_spreads(void **state)
{
	static const char *const nicks[] = {
		"alice", "bob", "carol", "dave", "eve", "mallory", "trent", "peggy",
	};
	bool	 seen[6] = { false };
	size_t	 i, distinct = 0;

	(void)state;
	for (i = 0; i < sizeof(nicks) / sizeof(nicks[0]); i++)
		seen[chat_nick_color(nicks[i], 6)] = true;
	for (i = 0; i < 6; i++)
		distinct += seen[i];
	assert_true(distinct >= 3);
}

static void
test_command_split(void **state)
{
	char		 name[16];
	const char	*args;

	(void)state;
	assert_true(chat_command("/MSG  bob hi there", name, sizeof(name), &args));
	assert_string_equal(name, "msg");
	assert_string_equal(args, "bob hi there");
	assert_true(chat_command("/quit", name, sizeof(name), &args));
	assert_string_equal(name, "quit");
	assert_string_equal(args, "");
}

static void
test_command_not_a_command(void **state)
{
	char		 name[16];
	const char	*args;

	(void)state;
	assert_false(chat_command("hello /there", name, sizeof(name), &args));
	assert_string_equal(args, "hello /there");
	assert_false(chat_command("//slash text", name, sizeof(name), &args));
	assert_string_equal(args, "/slash text");
	assert_false(chat_command("/", name, sizeof(name), &args));
	assert_false(chat_command("/ x", name, sizeof(name), &args));
	assert_false(chat_command("/waytoolongforthebuffer", name, 8, &args));
}

static void
test_word(void **state)
{
	char		 w[4];
	const char	*p = "  ab  cdefg h";

	(void)state;
	assert_true(chat_word(&p, w, sizeof(w)));
	assert_string_equal(w, "ab");
	assert_true(chat_word(&p, w, sizeof(w)));
	assert_string_equal(w, "cde");		/* cut to fit */
	assert_string_equal(p, "h");
	assert_true(chat_word(&p, w, sizeof(w)));
	assert_false(chat_word(&p, w, sizeof(w)));
}

static void
test_time_parse(void **state)
{
	time_t	 t;

	(void)state;
	assert_true(chat_parse_time("1970-01-01T00:01:40.000Z", &t));
	assert_int_equal(t, 100);
	assert_true(chat_parse_time("2021-03-04T05:06:07Z", &t));
	assert_int_equal(t, 1614834367);
}

static void
test_time_bad(void **state)
{
	time_t	 t;

	(void)state;
	assert_false(chat_parse_time("", &t));
	assert_false(chat_parse_time("2021-03-04 05:06:07Z", &t));
	assert_false(chat_parse_time("2021-03-04T05:06:07", &t));
	assert_false(chat_parse_time("2021-13-04T05:06:07Z", &t));
	assert_false(chat_parse_time("2021-03-04T05:06:07.Z", &t));
	assert_false(chat_parse_time("2021-03-04T05:06:07Zjunk", &t));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_color_stable_and_in_range),
		cmocka_unit_test(test_color_ignores_case),
		cmocka_unit_test(test_color_spreads),
		cmocka_unit_test(test_command_split),
		cmocka_unit_test(test_command_not_a_command),
		cmocka_unit_test(test_word),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
