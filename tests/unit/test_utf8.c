/*
 * utf8_valid: well-formed UTF-8 only, by RFC 3629's table; utf8_prefix: length limits
 * that never cut a character in two.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/utf8.h"

static void
test_valid_sequences(void **state)
{
	static const char *const good[] = {
		"", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(utf8_valid(good[i], strlen(good[i])));
	/* NUL is a character like any other here. */
	assert_true(utf8_valid("a\0b", 3));
}

static void
test_invalid_sequences(void **state)
{
	static const char *const bad[] = {
		"\x80",			/* lone continuation */
		"\xbf",
		"\xc3",			/* truncated */
		"\xe2\x82",
		"\xf0\x9f\x98",
		"\xc0\xaf",		/* overlong '/' */
		"\xc1\xbf",
		"\xe0\x80\xaf",		/* overlong, three bytes */
		"\xe0\x9f\xbf",
		"\xf0\x80\x80\xaf",	/* overlong, four bytes */
		"\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80",		/* surrogates */
		"\xed\xbf\xbf",
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xf5\x80\x80\x80",
		"\xf8\x88\x80\x80\x80",
		"\xfe", "\xff",
		"\xc3\x28",		/* bad continuation */
		"\xe2\x28\xa1",
		"\xe2\x82\x28",
		"\xf0\x9f\x98\x28",
		"ok \xe9t\xe9",		/* Latin-1 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(utf8_valid(bad[i], strlen(bad[i])));
}

static void
test_length_is_respected(void **state)
{
	(void)state;
	/* Only len bytes are read: a sequence cut by the length is invalid, bytes past it
	 * do not count. */
	assert_false(utf8_valid("\xc3\xa9", 1));
	assert_true(utf8_valid("ab\xff", 2));
	assert_true(utf8_valid(NULL, 0));
}

static void
test_prefix_never_splits_a_sequence(void **state)
{
	/* "a" then a 2-, 3- and 4-byte character. */
	const char	*s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";

	(void)state;

	assert_int_equal(utf8_prefix(s, 0), 0);
	assert_int_equal(utf8_prefix(s, 1), 1);
	assert_int_equal(utf8_prefix(s, 2), 1);
	assert_int_equal(utf8_prefix(s, 3), 3);
	assert_int_equal(utf8_prefix(s, 4), 3);
	assert_int_equal(utf8_prefix(s, 5), 3);
	assert_int_equal(utf8_prefix(s, 6), 6);
	assert_int_equal(utf8_prefix(s, 9), 6);
	assert_int_equal(utf8_prefix(s, 10), 10);
	/* Shorter than the limit: all of it. */
	assert_int_equal(utf8_prefix(s, 100), 10);
	assert_int_equal(utf8_prefix("", 5), 0);
}

/* Inside long ASCII runs (read eight bytes at a time), a sequence is checked wherever
 * it falls: a good one at every offset passes, a bad or cut one fails. */
static void
test_sequences_inside_ascii(void **state)
{
	char	buf[40];

	(void)state;
	for (size_t at = 0; at + 3 <= 32; at++) {
		memset(buf, 'a', 32);
		memcpy(buf + at, "\xe2\x82\xac", 3);		/* U+20AC */
		assert_true(utf8_valid(buf, 32));
		buf[at + 1] = 'b';
		assert_false(utf8_valid(buf, 32));
		memset(buf, 'a', 32);
		buf[at] = (char)0xff;
		assert_false(utf8_valid(buf, 32));
		assert_true(utf8_valid(buf, at));
	}
	memset(buf, 'a', 32);
	memcpy(buf + 30, "\xe2\x82", 2);
	assert_false(utf8_valid(buf, 32));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_sequences),
		cmocka_unit_test(test_invalid_sequences),
		cmocka_unit_test(test_length_is_respected),
		cmocka_unit_test(test_prefix_never_splits_a_sequence),
		cmocka_unit_test(test_sequences_inside_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
