/*
 * Input framing: line endings, empty lines, the length limit, partial tails across
 * feeds, NUL bytes, and stopping early.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "net/framer.h"

/*
 * What the callback saw, as text: each line followed by '|', each overlong one as "!|".
 * stop_at: return false from that call (1-based), 0 never.
 */
struct seen {
	char	 text[4096];
	size_t	 len;
	int	 calls;
	int	 stop_at;
	char	*last;		/* the last line pointer handed out */
};

static void
seen_add(struct seen *s, const char *p, size_t n)
{
	assert_true(s->len + n <= sizeof(s->text));
	memcpy(s->text + s->len, p, n);
	s->len += n;
}

static bool
collect(void *arg, char *line, size_t len, bool too_long)
{
	struct seen	*s = arg;

	s->calls++;
	s->last = line;
	if (too_long) {
		assert_null(line);
		assert_int_equal(len, 0);
		seen_add(s, "!|", 2);
	} else {
		assert_non_null(line);
		assert_true(len > 0);
		assert_int_equal(line[len], '\0');
		seen_add(s, line, len);
		seen_add(s, "|", 1);
	}
	return s->calls != s->stop_at;
}

/* Feed a string literal's bytes (copied, as the framer writes into its input). */
static int
feed(struct framer *f, const char *text, size_t max, struct seen *s)
{
	char	 buf[4096];
	size_t	 n = strlen(text);

	assert_true(n <= sizeof(buf));
	memcpy(buf, text, n);
	return framer_feed(f, buf, n, max, collect, s);
}

static void
assert_seen(const struct seen *s, const char *want)
{
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->text, want, s->len);
}

static void
test_crlf_line_zero_copy(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	char		 data[] = "NICK a\r\nrest";

	(void)state;
	assert_int_equal(framer_feed(&f, data, 8, 512, collect, &s), 0);
	assert_seen(&s, "NICK a|");
	assert_ptr_equal(s.last, data);
	assert_int_equal(data[6], '\0');	/* over the CR */
	assert_int_equal(data[7], '\n');
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);
}

static void
test_bare_lf_line(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	char		 data[] = "PING x\n";

	(void)state;
	assert_int_equal(framer_feed(&f, data, 7, 512, collect, &s), 0);
	assert_seen(&s, "PING x|");
	assert_ptr_equal(s.last, data);
	assert_int_equal(data[6], '\0');	/* over the LF */
}

static void
test_many_lines_one_feed(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "a\r\nbb\ncc c\r\n", 512, &s), 0);
	assert_seen(&s, "a|bb|cc c|");
	assert_int_equal(framer_pending(&f), 0);
}

static void
test_empty_lines_skipped(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "\r\n\n\r\nx\n\n", 512, &s), 0);
	assert_seen(&s, "x|");
	assert_int_equal(s.calls, 1);
}

static void
test_one_cr_stripped(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "a\r\r\nb\rc\n\r\r\n", 512, &s), 0);
	assert_seen(&s, "a\r|b\rc|\r|");
}

static void
test_nul_passed_through(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	char		 data[] = { 'a', '\0', 'b', '\r', '\n', '\0', '\n' };

	(void)state;
	assert_int_equal(framer_feed(&f, data, sizeof(data), 512, collect, &s), 0);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.len, 6);
	assert_memory_equal(s.text, "a\0b|\0|", 6);
}

static void
test_partial_tail_completed(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "one\r\ntw", 512, &s), 0);
	assert_seen(&s, "one|");
	assert_int_equal(framer_pending(&f), 2);
	assert_non_null(f.buf);
	assert_int_equal(feed(&f, "o\r\nthree\n", 512, &s), 0);
	assert_seen(&s, "one|two|three|");
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);	/* an idle connection holds nothing */
	assert_int_equal(f.cap, 0);
}

static void
test_split_between_cr_and_lf(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "abc\r", 512, &s), 0);
	assert_int_equal(s.calls, 0);
	assert_int_equal(feed(&f, "\n", 512, &s), 0);
	assert_seen(&s, "abc|");
	assert_null(f.buf);
}

static void
test_lone_cr_tail_is_empty_line(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "\r", 512, &s), 0);
	assert_int_equal(framer_pending(&f), 1);
	assert_int_equal(feed(&f, "\n", 512, &s), 0);
	assert_int_equal(s.calls, 0);
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);
}

static void
test_byte_at_a_time(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	const char	*text = "PRIVMSG #c :hi\r\n\r\nQUIT\n";

	(void)state;
	for (size_t i = 0; text[i] != '\0'; i++) {
		char	 c = text[i];

		assert_int_equal(framer_feed(&f, &c, 1, 512, collect, &s), 0);
	}
	assert_seen(&s, "PRIVMSG #c :hi|QUIT|");
	assert_null(f.buf);
}

static void
test_zero_length_feed(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(framer_feed(&f, NULL, 0, 512, collect, &s), 0);
	assert_int_equal(feed(&f, "ab", 512, &s), 0);
	assert_int_equal(framer_feed(&f, NULL, 0, 512, collect, &s), 0);
	assert_int_equal(framer_pending(&f), 2);
	assert_int_equal(s.calls, 0);
	framer_clear(&f);
}

/* max 10: 8 bytes of content fit with CR LF, 9 do not, whatever the ending. */
static void
test_limit_exact(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "12345678\r\n12345678\n123456789\n123456789\r\n", 10,
	    &s), 0);
	assert_seen(&s, "12345678|12345678|!|!|");
}

static void
test_limit_exact_in_tail(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "1234", 10, &s), 0);
	assert_int_equal(feed(&f, "5678\r\n1234", 10, &s), 0);
	assert_int_equal(feed(&f, "56789\n", 10, &s), 0);
	assert_seen(&s, "12345678|!|");
	assert_null(f.buf);
}

static void
test_too_long_complete_line_among_others(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "ok1\r\nthis is far too long\r\nok2\r\n", 10, &s), 0);
	assert_seen(&s, "ok1|!|ok2|");
}

/* Reported as soon as no ending could save it, and only once. */
static void
test_too_long_reported_early_and_once(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(feed(&f, "a", 10, &s), 0);
	assert_int_equal(s.calls, 0);
	assert_int_equal(framer_pending(&f), 8);
	assert_int_equal(feed(&f, "a", 10, &s), 0);
	assert_seen(&s, "!|");
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);
	for (int i = 0; i < 50; i++)
		assert_int_equal(feed(&f, "bbbbbbbbbbbbbbbbbbbb", 10, &s), 0);
	assert_int_equal(framer_pending(&f), 0);
	assert_int_equal(feed(&f, "bbb\r\nnext\r\n", 10, &s), 0);
	assert_seen(&s, "!|next|");
}

/* A trailing CR may still be stripped: 8 bytes and a CR are not known too long yet. */
static void
test_pending_cr_not_too_long_yet(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "12345678\r", 10, &s), 0);
	assert_int_equal(s.calls, 0);
	assert_int_equal(framer_pending(&f), 9);
	assert_int_equal(feed(&f, "\n", 10, &s), 0);
	assert_seen(&s, "12345678|");

	assert_int_equal(feed(&f, "12345678\r", 10, &s), 0);
	assert_int_equal(feed(&f, "x", 10, &s), 0);
	assert_seen(&s, "12345678|!|");
	assert_int_equal(feed(&f, "\nok\n", 10, &s), 0);
	assert_seen(&s, "12345678|!|ok|");
}

static void
test_too_long_in_one_feed_with_no_lf(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "ok\nxxxxxxxxxxxxxxxxxxxxxxxxxx", 10, &s), 0);
	assert_seen(&s, "ok|!|");
	assert_int_equal(framer_pending(&f), 0);
	assert_true(f.discarding);
	assert_int_equal(feed(&f, "xx\nyy\n", 10, &s), 0);
	assert_seen(&s, "ok|!|yy|");
	assert_false(f.discarding);
}

/* The tail buffer never grows past max, however the line arrives. */
static void
test_tail_bounded_by_max(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	char		 chunk[100];
	size_t		 max = 1000;

	(void)state;
	memset(chunk, 'z', sizeof(chunk));
	for (int i = 0; i < 30; i++) {
		assert_int_equal(framer_feed(&f, chunk, sizeof(chunk), max, collect, &s), 0);
		assert_true(framer_pending(&f) <= max - 1);
		assert_true(f.cap <= max);
	}
	assert_seen(&s, "!|");
	framer_clear(&f);
}

static void
test_long_line_within_max(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	char		 chunk[998];
	char		 end[] = "\r\n";

	(void)state;
	memset(chunk, 'q', sizeof(chunk));
	assert_int_equal(framer_feed(&f, chunk, 500, 1000, collect, &s), 0);
	assert_int_equal(framer_feed(&f, chunk + 500, 498, 1000, collect, &s), 0);
	assert_int_equal(framer_pending(&f), 998);
	assert_true(f.cap <= 1000);
	assert_int_equal(framer_feed(&f, end, 2, 1000, collect, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.len, 999);
	assert_memory_equal(s.text, chunk, 998);
	assert_null(f.buf);
}

static void
test_stop_drops_rest_of_feed(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { .stop_at = 2 };

	(void)state;
	assert_int_equal(feed(&f, "a\nb\nc\nparti", 512, &s), 0);
	assert_seen(&s, "a|b|");
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);
}

static void
test_stop_on_completed_tail(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { .stop_at = 1 };

	(void)state;
	assert_int_equal(feed(&f, "QU", 512, &s), 0);
	assert_int_equal(feed(&f, "IT\nmore\ntail", 512, &s), 0);
	assert_seen(&s, "QUIT|");
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);
}

static void
test_stop_on_too_long(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { .stop_at = 1 };

	(void)state;
	assert_int_equal(feed(&f, "0123456789abc\nnext\n", 10, &s), 0);
	assert_seen(&s, "!|");
}

/* The line may be modified in place, all of it, on either path. */
static bool
scribble(void *arg, char *line, size_t len, bool too_long)
{
	assert_false(too_long);
	memset(line, 'X', len + 1);
	return collect(arg, memcpy(line, "ok", 3), 2, false);
}

static void
test_line_is_writable(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };
	char		 a[] = "abcdef\r\nab";
	char		 b[] = "cdef\r\n";

	(void)state;
	assert_int_equal(framer_feed(&f, a, 10, 512, scribble, &s), 0);
	assert_int_equal(framer_feed(&f, b, 6, 512, scribble, &s), 0);
	assert_seen(&s, "ok|ok|");
	assert_memory_equal(a, "ok\0XXXX\nab", 10);
}

static void
test_clear_drops_tail_and_discarding(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "half", 512, &s), 0);
	framer_clear(&f);
	assert_int_equal(framer_pending(&f), 0);
	assert_null(f.buf);
	assert_int_equal(feed(&f, "\nwhole\n", 512, &s), 0);
	assert_seen(&s, "whole|");

	assert_int_equal(feed(&f, "much too long", 5, &s), 0);
	framer_clear(&f);
	assert_int_equal(feed(&f, "ok\n", 5, &s), 0);
	assert_seen(&s, "whole|!|ok|");
}

static void
test_tiny_max_rejects_everything(void **state)
{
	struct framer	 f = FRAMER_INIT;
	struct seen	 s = { 0 };

	(void)state;
	assert_int_equal(feed(&f, "a\r\nb", 0, &s), 0);
	assert_seen(&s, "!|!|");
	assert_int_equal(framer_pending(&f), 0);
	framer_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_line_zero_copy),
		cmocka_unit_test(test_bare_lf_line),
		cmocka_unit_test(test_many_lines_one_feed),
		cmocka_unit_test(test_empty_lines_skipped),
		cmocka_unit_test(test_one_cr_stripped),
		cmocka_unit_test(test_nul_passed_through),
		cmocka_unit_test(test_partial_tail_completed),
		cmocka_unit_test(test_split_between_cr_and_lf),
		cmocka_unit_test(test_lone_cr_tail_is_empty_line),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_zero_length_feed),
		cmocka_unit_test(test_limit_exact),
		cmocka_unit_test(test_limit_exact_in_tail),
		cmocka_unit_test(test_too_long_complete_line_among_others),
		cmocka_unit_test(test_too_long_reported_early_and_once),
		cmocka_unit_test(test_pending_cr_not_too_long_yet),
		cmocka_unit_test(test_too_long_in_one_feed_with_no_lf),
		cmocka_unit_test(test_tail_bounded_by_max),
		cmocka_unit_test(test_long_line_within_max),
		cmocka_unit_test(test_stop_drops_rest_of_feed),
		cmocka_unit_test(test_stop_on_completed_tail),
		cmocka_unit_test(test_stop_on_too_long),
		cmocka_unit_test(test_line_is_writable),
		cmocka_unit_test(test_clear_drops_tail_and_discarding),
		cmocka_unit_test(test_tiny_max_rejects_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
