/*
 * rfc8265 casemapping (casemap_utf8.c): PRECIS folding, which nicks are valid, and
 * confusable skeletons; rfc1459 through the _as functions as before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/casemap.h"
#include "core/casemap_utf8.h"

static const char *
fold(const char *s)
{
	static char	buf[CASEMAP_UTF8_FOLD_MAX];

	casemap_utf8_fold(buf, sizeof(buf), s);
	return buf;
}

static void
test_fold(void **state)
{
	char	small[4];

	(void)state;
	/* ASCII: A-Z alone; []\~ stay themselves, unlike rfc1459. */
	assert_string_equal(fold("Foo[]\\^"), "foo[]\\^");
	/* Width mapping: fullwidth letters are their ASCII selves. */
	assert_string_equal(fold("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3"), "abc");
	/* Titlecase and uppercase digraphs to the lowercase one: DŽ, Dž, dž. */
	assert_string_equal(fold("\xc7\x84"), "\xc7\x86");
	assert_string_equal(fold("\xc7\x85"), "\xc7\x86");
	/* No final-sigma context: ΣΑΣ is σασ, not σας; ς itself stays. */
	assert_string_equal(fold("\xce\xa3\xce\x91\xce\xa3"), "\xcf\x83\xce\xb1\xcf\x83");
	assert_string_equal(fold("\xcf\x82"), "\xcf\x82");
	/* NFC: e + combining acute is é. */
	assert_string_equal(fold("E\xcc\x81"), "\xc3\xa9");
	/* U+0130 lowercases to i + combining dot above, which NFC leaves. */
	assert_string_equal(fold("\xc4\xb0"), "i\xcc\x87");
	/* Not UTF-8: folds as ASCII does, the other bytes as they are. */
	assert_string_equal(fold("AB\xff"), "ab\xff");
	assert_true(casemap_utf8_eq("\xc3\x89RIC", "\xc3\xa9ric"));
	/* Cut short on a character's boundary: "ÉÉ" in 4 bytes is "é". */
	casemap_utf8_fold(small, sizeof(small), "\xc3\x89\xc3\x89");
	assert_string_equal(small, "\xc3\xa9");
	assert_false(casemap_utf8_eq("foo[", "foo{"));
}

static void
test_nick_valid(void **state)
{
	(void)state;
	/* ASCII nicks: exactly today's rules. */
	assert_true(casemap_utf8_nick_valid("alice", 30));
	assert_true(casemap_utf8_nick_valid("[a]`_^{|}-9", 30));
	assert_false(casemap_utf8_nick_valid("9lives", 30));
	assert_false(casemap_utf8_nick_valid("-x", 30));
	assert_false(casemap_utf8_nick_valid("a.b", 30));
	assert_false(casemap_utf8_nick_valid("abcdef", 5));
	/* Letters of any script, digits after the first, combining marks. */
	assert_true(casemap_utf8_nick_valid("\xc3\xa9ric", 30));			/* éric */
	assert_true(casemap_utf8_nick_valid("\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd", 30));	/* Иван */
	assert_true(casemap_utf8_nick_valid("\xe5\xa4\xaa\xe9\x83\x8e" "2", 30));	/* 太郎2 */
	assert_true(casemap_utf8_nick_valid("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", 30));
	assert_true(casemap_utf8_nick_valid("stra\xc3\x9f" "e", 30));		/* ß: PVALID */
	/* The length is in bytes. */
	assert_false(casemap_utf8_nick_valid("\xc3\xa9ric", 4));
	/* Spaces, zero-width and other ignorables, symbols (emoji), controls. */
	assert_false(casemap_utf8_nick_valid("a\xc2\xa0" "b", 30));		/* NBSP */
	assert_false(casemap_utf8_nick_valid("a\xe2\x80\x8b" "b", 30));		/* U+200B */
	assert_false(casemap_utf8_nick_valid("a\xe2\x80\x8d" "b", 30));		/* ZWJ */
	assert_false(casemap_utf8_nick_valid("a\xf0\x9f\x98\x80", 30));		/* 😀 */
	assert_false(casemap_utf8_nick_valid("a\xe2\x82\xac", 30));		/* € */
	assert_false(casemap_utf8_nick_valid("a\xc2\x85", 30));			/* NEL */
	assert_false(casemap_utf8_nick_valid("a\xc2\xbf", 30));			/* ¿ */
	/* Compatibility forms: dž (HasCompat), ℌ, the ligature ﬁ; unassigned U+0378. */
	assert_false(casemap_utf8_nick_valid("\xc7\x84", 30));
	assert_false(casemap_utf8_nick_valid("\xe2\x84\x8c", 30));
	assert_false(casemap_utf8_nick_valid("\xef\xac\x81", 30));
	assert_false(casemap_utf8_nick_valid("a\xcd\xb8", 30));
	/* A digit of another script does not start a nick either, nor a lone mark. */
	assert_false(casemap_utf8_nick_valid("\xd9\xa1" "a", 30));
	assert_false(casemap_utf8_nick_valid("\xcc\x81" "a", 30));
	assert_true(casemap_utf8_nick_valid("a\xcc\x81", 30));
	/* ASCII inside a UTF-8 nick obeys the nick rules too. */
	assert_false(casemap_utf8_nick_valid("\xc3\xa9.x", 30));
	assert_false(casemap_utf8_nick_valid("\xc3\xa9 x", 30));
	/* Not UTF-8. */
	assert_false(casemap_utf8_nick_valid("a\xff", 30));
	assert_false(casemap_utf8_nick_valid("a\xc3", 30));
	/* The Bidi Rule: Hebrew alone is fine, Hebrew after a Latin letter is not. */
	assert_true(casemap_utf8_nick_valid("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 30));
	assert_false(casemap_utf8_nick_valid("a\xd7\xa9", 30));
	assert_false(casemap_utf8_nick_valid(NULL, 30));
}

static const char *
skeleton(const struct casemap_skel *sk, const char *nick, char *buf, size_t cap)
{
	assert_int_equal(casemap_skeleton(sk, buf, cap, nick), 0);
	return buf;
}

static void
test_skeleton(void **state)
{
	struct casemap_skel	*sk = casemap_skel_open();
	char			 a[256], b[256];

	(void)state;
	assert_non_null(sk);
	/* "раypal" with Cyrillic р and а is "paypal"; so are PayPal and ＰａｙＰａｌ. */
	assert_string_equal(skeleton(sk, "\xd1\x80\xd0\xb0ypal", a, sizeof(a)),
	    skeleton(sk, "paypal", b, sizeof(b)));
	assert_string_equal(skeleton(sk, "PayPal", a, sizeof(a)),
	    skeleton(sk, "paypal", b, sizeof(b)));
	assert_string_equal(skeleton(sk, "\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x99\xef\xbc"
	    "\xb0\xef\xbd\x81\xef\xbd\x8c", a, sizeof(a)), skeleton(sk, "paypal", b,
	    sizeof(b)));
	/* UTS #39: 1, I and l look alike; so do 0 and O.  The skeleton is taken before
	 * case is folded ("BILL" is not "bill"'s: the nick table has those alike). */
	assert_string_equal(skeleton(sk, "bi11", a, sizeof(a)),
	    skeleton(sk, "bill", b, sizeof(b)));
	assert_string_equal(skeleton(sk, "BiII", a, sizeof(a)),
	    skeleton(sk, "Bill", b, sizeof(b)));
	assert_string_equal(skeleton(sk, "b0b", a, sizeof(a)),
	    skeleton(sk, "bob", b, sizeof(b)));
	/* Different letters stay different. */
	assert_string_not_equal(skeleton(sk, "alice", a, sizeof(a)),
	    skeleton(sk, "alicf", b, sizeof(b)));
	assert_string_not_equal(skeleton(sk, "\xc3\xa9ric", a, sizeof(a)),
	    skeleton(sk, "eric", b, sizeof(b)));
	/* Too long for dst, or not UTF-8. */
	assert_int_equal(casemap_skeleton(sk, a, 3, "paypal"), -1);
	assert_int_equal(casemap_skeleton(sk, a, sizeof(a), "a\xff"), -1);
	casemap_skel_close(sk);
	casemap_skel_close(NULL);
}

static void
test_as(void **state)
{
	char	buf[32];

	(void)state;
	/* rfc1459 through the _as forms: []\~ are {}|^, and bytes above ASCII stay. */
	assert_true(casemap_eq_as(CASEMAP_RFC1459, "Foo[", "foo{"));
	assert_false(casemap_eq_as(CASEMAP_RFC1459, "\xc3\x89", "\xc3\xa9"));
	assert_false(casemap_nick_valid_as(CASEMAP_RFC1459, "\xc3\xa9ric", 30));
	casemap_fold_as(CASEMAP_RFC1459, buf, sizeof(buf), "A[\xc3\x89");
	assert_string_equal(buf, "a{\xc3\x89");
	/* rfc8265 through them. */
	assert_false(casemap_eq_as(CASEMAP_RFC8265, "Foo[", "foo{"));
	assert_true(casemap_eq_as(CASEMAP_RFC8265, "\xc3\x89", "\xc3\xa9"));
	assert_true(casemap_nick_valid_as(CASEMAP_RFC8265, "\xc3\xa9ric", 30));
	casemap_fold_as(CASEMAP_RFC8265, buf, sizeof(buf), "A[\xc3\x89");
	assert_string_equal(buf, "a[\xc3\xa9");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_nick_valid),
		cmocka_unit_test(test_skeleton),
		cmocka_unit_test(test_as),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
