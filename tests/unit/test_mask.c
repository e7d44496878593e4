/*
 * nick!user@host masks: wildcard matching under rfc1459 casemapping, and normalisation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/mask.h"

struct match_case {
	const char	*mask, *name;
	bool		 want;
};

static const struct match_case match_cases[] = {
	{ "*", "", true },
	{ "*", "anything!at@all", true },
	{ "", "", true },
	{ "", "a", false },
	{ "?", "", false },
	{ "?", "a", true },
	{ "?", "ab", false },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "a*c", "ac", true },
	{ "a*c", "abbbc", true },
	{ "a*c", "abbbd", false },
	{ "**", "x", true },
	{ "*?", "", false },
	{ "*?*", "z", true },
	{ "nick!*@*", "nick!u@host", true },
	{ "nick!*@*", "nick2!u@host", false },
	{ "*!*@*.example.org", "n!u@a.example.org", true },
	{ "*!*@*.example.org", "n!u@example.org", false },
	{ "Foo[!*@*", "foo{!u@h", true },
	{ "foo{!*@*", "FOO[!u@h", true },
	{ "a\\b", "A|B", true },
	{ "x~", "X^", true },
	{ "ABC", "abd", false },
	{ "*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true },
	{ "*b*", "abc", true },
};

static void
test_match_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case	*c = &match_cases[i];

		if (mask_match(c->mask, c->name) != c->want)
			fail_msg("mask_match(\"%s\", \"%s\") != %d", c->mask, c->name,
			    c->want);
	}
}

/* A pattern that is exponential for a naive recursive matcher finishes at once. */
static void
test_match_no_backtracking_blowup(void **state)
{
	char	name[4001], mask[201];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (size_t i = 0; i < 100; i++) {
		mask[2 * i] = '*';
		mask[2 * i + 1] = 'a';
	}
	mask[199] = 'b';
	mask[200] = '\0';
	for (int i = 0; i < 50; i++)
		assert_false(mask_match(mask, name));
	mask[199] = 'a';
	assert_true(mask_match(mask, name));
}

struct norm_case {
	const char	*in, *want;
};

static const struct norm_case norm_cases[] = {
	{ "nick", "nick!*@*" },
	{ "user@host", "*!user@host" },
	{ "nick!user", "nick!user@*" },
	{ "nick!user@host", "nick!user@host" },
	{ "*.example.org", "*!*@*.example.org" },
	{ "::1", "*!*@::1" },
	{ "!@", "*!*@*" },
	{ "@", "*!*@*" },
	{ "!", "*!*@*" },
	{ "n!", "n!*@*" },
	{ "!u@", "*!u@*" },
	{ "*", "*!*@*" },
	{ "a!b@c@d", "a!b@c@d" },
	{ "a!b!c@d", "a!b!c@d" },
};

static void
test_normalize_table(void **state)
{
	char	buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		size_t	n = mask_normalize(buf, sizeof(buf), norm_cases[i].in);

		assert_string_equal(buf, norm_cases[i].want);
		assert_int_equal(n, strlen(norm_cases[i].want));
	}
}

static void
test_normalize_truncates(void **state)
{
	char	buf[6];

	(void)state;
	assert_int_equal(mask_normalize(buf, sizeof(buf), "nickname"), 5);
	assert_string_equal(buf, "nickn");
	assert_int_equal(mask_normalize(buf, 0, "x"), 0);
}

/* A budget bounds what one match may cost: a crafted pair runs out, a cheap one not. */
static void
test_match_work_bounded(void **state)
{
	char	name[129];
	size_t	work = 100;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(mask_match_work("*aaaaaaaaaaaaaaab", name, &work), -1);
	assert_int_equal(work, 0);
	work = 1000;
	assert_int_equal(mask_match_work("a*", name, &work), 1);
	assert_true(work > 1000 - 2 * 128);
	work = 1000000;
	assert_int_equal(mask_match_work("*aaaaaaaaaaaaaaab", name, &work), 0);
	assert_true(work < 1000000 - 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_match_no_backtracking_blowup),
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_truncates),
		cmocka_unit_test(test_match_work_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
