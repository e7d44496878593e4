/*
 * rfc1459 casemapping: folding, comparison, and the validity of nicks, channel names
 * and usernames, length limits included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/casemap.h"

static void
test_lower(void **state)
{
	(void)state;
	assert_int_equal(casemap_lower('A'), 'a');
	assert_int_equal(casemap_lower('Z'), 'z');
	assert_int_equal(casemap_lower('['), '{');
	assert_int_equal(casemap_lower('\\'), '|');
	assert_int_equal(casemap_lower(']'), '}');
	assert_int_equal(casemap_lower('^'), '~');
	assert_int_equal(casemap_lower('a'), 'a');
	assert_int_equal(casemap_lower('{'), '{');
	assert_int_equal(casemap_lower('~'), '~');
	assert_int_equal(casemap_lower('_'), '_');
	assert_int_equal(casemap_lower('@'), '@');
	assert_int_equal(casemap_lower('`'), '`');
	assert_int_equal(casemap_lower(0xc3), 0xc3);
}

static void
test_fold(void **state)
{
	char	buf[32];

	(void)state;
	assert_int_equal(casemap_fold(buf, sizeof(buf), "Foo[Bar]\\^"), 10);
	assert_string_equal(buf, "foo{bar}|~");
	assert_int_equal(casemap_fold(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	assert_int_equal(casemap_fold(buf, sizeof(buf), "\xc3\x89t\xc3\xa9"), 5);
	assert_string_equal(buf, "\xc3\x89t\xc3\xa9");
}

static void
test_fold_in_place(void **state)
{
	char	buf[] = "NiCK[1]";

	(void)state;
	assert_int_equal(casemap_fold(buf, sizeof(buf), buf), 7);
	assert_string_equal(buf, "nick{1}");
}

static void
test_fold_truncates(void **state)
{
	char	buf[8];
	char	same[] = "ABCDEFGH";

	(void)state;
	assert_int_equal(casemap_fold(buf, 4, "ABCDEF"), 6);
	assert_string_equal(buf, "abc");
	assert_int_equal(casemap_fold(buf, 1, "ABC"), 3);
	assert_string_equal(buf, "");
	buf[0] = 'Z';
	assert_int_equal(casemap_fold(buf, 0, "ABC"), 3);
	assert_int_equal(buf[0], 'Z');
	/* In place and truncated: the length is still the original one. */
	assert_int_equal(casemap_fold(same, 5, same), 8);
	assert_string_equal(same, "abcd");
}

static void
test_eq(void **state)
{
	static const struct {
		const char	*a;
		const char	*b;
		bool		 eq;
	} cases[] = {
		{ "Foo[", "foo{", true },
		{ "A\\B~", "a|b^", true },
		{ "A\\B~", "a|b~", true },
		{ "NICK", "nick", true },
		{ "", "", true },
		{ "nick", "nick_", false },
		{ "nick_", "nick", false },
		{ "a", "b", false },
		{ "@", "`", false },
		{ "_", "\x7f", false },
		{ "\xc3\x89", "\xc3\xa9", false },
		{ "\xc3\xa9", "\xc3\xa9", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(casemap_eq(cases[i].a, cases[i].b), cases[i].eq);
		assert_int_equal(casemap_eq(cases[i].b, cases[i].a), cases[i].eq);
		assert_int_equal(casemap_cmp(cases[i].a, cases[i].b) == 0, cases[i].eq);
	}
}

static void
test_cmp_order(void **state)
{
	(void)state;
	assert_true(casemap_cmp("abc", "abd") < 0);
	assert_true(casemap_cmp("ABD", "abc") > 0);
	assert_true(casemap_cmp("ab", "abc") < 0);
	assert_true(casemap_cmp("abc", "ab") > 0);
	/* '[' folds to '{' (0x7b), which sorts after 'z'. */
	assert_true(casemap_cmp("[", "z") > 0);
	/* Bytes compare unsigned: 0xc3 sorts after every ASCII byte. */
	assert_true(casemap_cmp("\xc3", "~") > 0);
	assert_true(casemap_cmp("~", "\xc3") < 0);
}

static void
test_nick_valid(void **state)
{
	static const char	*good[] = {
		"a", "Z", "alice", "[bot]", "\\o", "`x", "_under_", "^caret", "{x}", "|pipe",
		"a1", "a-b", "abc123-", "N[]\\`_^{|}-9",
	};
	static const char	*bad[] = {
		"", "1abc", "-abc", "a b", "a,b", "a!b", "a@b", "a.b", "~tilde", "a~", "#chan",
		":nick", "a*", "a?", "a/b", "\xc3\xa9t\xc3\xa9", "n\xc3\xa9",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(casemap_nick_valid(good[i], 30));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(casemap_nick_valid(bad[i], 30));
	assert_false(casemap_nick_valid(NULL, 30));
}

static void
test_nick_maxlen(void **state)
{
	(void)state;
	assert_true(casemap_nick_valid("abcdefghi", 9));
	assert_false(casemap_nick_valid("abcdefghij", 9));
	assert_true(casemap_nick_valid("a", 1));
	assert_false(casemap_nick_valid("ab", 1));
	assert_false(casemap_nick_valid("a", 0));
	assert_false(casemap_nick_valid("ab cd", 2));
	assert_false(casemap_nick_valid("a b", 30));
}

static void
test_channel_valid(void **state)
{
	static const char	*good[] = {
		"#a", "#parley", "#Chan[1]", "#caf\xc3\xa9", "##", "#a:b", "#!@$%", "#x.y-z",
	};
	static const char	*bad[] = {
		"", "#", "a", "&local", "+modeless", "#a b", "#a,b", "#a\ab", "#a\rb", "#a\nb",
		" #a", "chan#",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(casemap_channel_valid(good[i], 50));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(casemap_channel_valid(bad[i], 50));
	assert_false(casemap_channel_valid(NULL, 50));
}

static void
test_channel_maxlen(void **state)
{
	(void)state;
	assert_true(casemap_channel_valid("#abcd", 5));
	assert_false(casemap_channel_valid("#abcde", 5));
	assert_true(casemap_channel_valid("#a", 2));
	assert_false(casemap_channel_valid("#a", 1));
	assert_false(casemap_channel_valid("#a", 0));
}

static void
test_user_valid(void **state)
{
	static const char	*good[] = {
		"u", "alice", "~ident", "a.b-c_d", "[x]", "\xc3\xa9", "1", "#", ":x", "a!b",
	};
	static const char	*bad[] = { "", "a b", "a@b", "@", "a\rb", "a\nb", " " };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(casemap_user_valid(good[i], 10));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(casemap_user_valid(bad[i], 10));
	assert_false(casemap_user_valid(NULL, 10));
}

static void
test_user_maxlen(void **state)
{
	(void)state;
	assert_true(casemap_user_valid("abcdefghij", 10));
	assert_false(casemap_user_valid("abcdefghijk", 10));
	assert_true(casemap_user_valid("a", 1));
	assert_false(casemap_user_valid("a", 0));
	/* The caller in USER passes strlen(user): any length is then fine. */
	assert_true(casemap_user_valid("averyveryverylongident", strlen("averyveryverylongident")));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_lower),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_in_place),
		cmocka_unit_test(test_fold_truncates),
		cmocka_unit_test(test_eq),
		cmocka_unit_test(test_cmp_order),
		cmocka_unit_test(test_nick_valid),
		cmocka_unit_test(test_nick_maxlen),
		cmocka_unit_test(test_channel_valid),
		cmocka_unit_test(test_channel_maxlen),
		cmocka_unit_test(test_user_valid),
		cmocka_unit_test(test_user_maxlen),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
