/*
 * The line parser and formatter: commands and parameters, the 15-parameter fold, tags
 * and their escaping, every error status, the exact length limits, formatting, the cut
 * at 512 bytes on a UTF-8 boundary, and format-then-parse round trips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/msg.h"

/* A writable copy of text with room for the parser's final NUL; freed by the caller. */
static char *
dup_line(const char *text, size_t len)
{
	char	*buf = malloc(len + 1);

	assert_non_null(buf);
	memcpy(buf, text, len);
	buf[len] = 'X';		/* the parser must terminate the line itself */
	return buf;
}

/* Parse a C string; the copy stays alive in *bufp so the views stay valid. */
static enum msg_status
parse(struct msg *m, const char *text, char **bufp)
{
	size_t	len = strlen(text);

	*bufp = dup_line(text, len);
	return msg_parse(m, *bufp, len);
}

static enum msg_status
parse_status(const char *text)
{
	struct msg	 m;
	char		*buf;
	enum msg_status	 st;

	st = parse(&m, text, &buf);
	free(buf);
	return st;
}

/* n bytes of c followed by a NUL, in a fresh buffer. */
static char *
fill(char c, size_t n)
{
	char	*s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* printf-free concatenation of up to four strings into a fresh buffer. */
static char *
cat(const char *a, const char *b, const char *c, const char *d)
{
	size_t	 la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
	char	*s = malloc(la + lb + lc + ld + 1);

	assert_non_null(s);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc);
	memcpy(s + la + lb + lc, d, ld);
	s[la + lb + lc + ld] = '\0';
	return s;
}

/* --- commands and parameters, table-driven --- */

struct parse_case {
	const char	*line;
	const char	*source;
	const char	*verb;
	unsigned	 nparams;
	const char	*params[MSG_MAX_PARAMS];
};

static const struct parse_case parse_cases[] = {
	{ "PING", NULL, "PING", 0, { NULL } },
	{ "ping x", NULL, "ping", 1, { "x" } },
	{ "NICK alice", NULL, "NICK", 1, { "alice" } },
	{ "USER u 0 * :Real Name", NULL, "USER", 4, { "u", "0", "*", "Real Name" } },
	{ "PRIVMSG #c :", NULL, "PRIVMSG", 2, { "#c", "" } },
	{ "PRIVMSG #c :hi :there : x", NULL, "PRIVMSG", 2, { "#c", "hi :there : x" } },
	{ "PRIVMSG #c ::-)", NULL, "PRIVMSG", 2, { "#c", ":-)" } },
	{ "PRIVMSG #c :  two  spaces  ", NULL, "PRIVMSG", 2, { "#c", "  two  spaces  " } },
	{ "PRIVMSG #c a:b", NULL, "PRIVMSG", 2, { "#c", "a:b" } },
	{ ":nick!u@h PRIVMSG bob :yo", "nick!u@h", "PRIVMSG", 2, { "bob", "yo" } },
	{ ":irc.example 001 bob :Welcome", "irc.example", "001", 2, { "bob", "Welcome" } },
	{ "   JOIN #a", NULL, "JOIN", 1, { "#a" } },
	{ "MODE  #a   +o    bob", NULL, "MODE", 3, { "#a", "+o", "bob" } },
	{ "MODE #a +o bob   ", NULL, "MODE", 3, { "#a", "+o", "bob" } },
	{ ":src    QUIT", "src", "QUIT", 0, { NULL } },
	{ "QUIT :", NULL, "QUIT", 1, { "" } },
	{ "A b c d e f g h i j k l m n o", NULL, "A", 14,
	    { "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o" } },
	{ "A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", NULL, "A", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
	    "15" } },
	{ "A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15   ", NULL, "A", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
	    "15" } },
	{ "A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", NULL, "A", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
	    "15 16" } },
	{ "A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15  16 :x  y ", NULL, "A", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
	    "15  16 :x  y " } },
	{ "A 1 2 3 4 5 6 7 8 9 10 11 12 13 14 :last word", NULL, "A", 15,
	    { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
	    "last word" } },
};

static void
test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case	*c = &parse_cases[i];
		struct msg		 m;
		char			*buf;

		assert_int_equal(parse(&m, c->line, &buf), MSG_OK);
		if (c->source == NULL)
			assert_null(m.source);
		else
			assert_string_equal(m.source, c->source);
		assert_string_equal(m.verb, c->verb);
		assert_int_equal(m.nparams, c->nparams);
		for (unsigned j = 0; j < c->nparams; j++)
			assert_string_equal(m.params[j], c->params[j]);
		assert_int_equal(m.ntags, 0);
		assert_int_equal(m.tags_len, 0);
		free(buf);
	}
}

static void
test_parse_views_point_into_buffer(void **state)
{
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, ":s V a :b c", &buf), MSG_OK);
	assert_ptr_equal(m.source, buf + 1);
	assert_ptr_equal(m.verb, buf + 3);
	assert_ptr_equal(m.params[0], buf + 5);
	assert_ptr_equal(m.params[1], buf + 8);
	assert_int_equal(buf[11], '\0');
	free(buf);
}

static void
test_parse_uses_len_not_nul(void **state)
{
	char		buf[] = "PING a b";
	struct msg	m;

	(void)state;
	assert_int_equal(msg_parse(&m, buf, 6), MSG_OK);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "a");
}

/* --- tags --- */

static void
test_tags_basic(void **state)
{
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, "@id=123;+draft/x=a\\sb;flag :n!u@h PRIVMSG #c :hi", &buf),
	    MSG_OK);
	assert_int_equal(m.ntags, 3);
	assert_int_equal(m.tags_len, strlen("@id=123;+draft/x=a\\sb;flag "));
	assert_string_equal(m.tags[0].key, "id");
	assert_string_equal(m.tags[0].value, "123");
	assert_string_equal(m.tags[1].key, "+draft/x");
	assert_string_equal(m.tags[1].value, "a\\sb");
	assert_string_equal(m.tags[2].key, "flag");
	assert_string_equal(m.tags[2].value, "");
	assert_string_equal(m.source, "n!u@h");
	assert_string_equal(m.verb, "PRIVMSG");
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[1], "hi");
	free(buf);
}

static void
test_tags_get(void **state)
{
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, "@a=1;b;example.com/c=x=y;a=2 CMD", &buf), MSG_OK);
	assert_string_equal(msg_tag_get(&m, "a"), "2");
	assert_string_equal(msg_tag_get(&m, "b"), "");
	assert_string_equal(msg_tag_get(&m, "example.com/c"), "x=y");
	assert_null(msg_tag_get(&m, "c"));
	assert_null(msg_tag_get(&m, "A"));
	assert_int_equal(m.ntags, 4);
	free(buf);
}

static void
test_tags_empty_value(void **state)
{
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, "@a= CMD", &buf), MSG_OK);
	assert_string_equal(msg_tag_get(&m, "a"), "");
	free(buf);
}

static void
test_tags_extra_spaces_before_body(void **state)
{
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, "@a=b    :src   CMD x", &buf), MSG_OK);
	assert_int_equal(m.tags_len, 5);
	assert_string_equal(m.source, "src");
	assert_string_equal(m.verb, "CMD");
	assert_string_equal(m.params[0], "x");
	free(buf);
}

static void
test_tags_max_count(void **state)
{
	char	line[1024] = "@";
	size_t	n = 1;

	(void)state;
	for (int i = 0; i < MSG_MAX_TAGS; i++) {
		line[n++] = 'k';
		line[n++] = ';';
	}
	line[n - 1] = ' ';
	memcpy(line + n, "CMD", 4);
	assert_int_equal(parse_status(line), MSG_OK);
	/* One more tag is one too many. */
	memmove(line + 3, line + 1, strlen(line + 1) + 1);
	line[1] = 'k';
	line[2] = ';';
	assert_int_equal(parse_status(line), MSG_TOO_MANY_TAGS);
}

static void
test_tags_bad_keys(void **state)
{
	static const char	*bad[] = {
		"@=x CMD", "@;; CMD", "@a=1; CMD", "@;a CMD", "@a;;b CMD", "@ CMD", "@+ CMD",
		"@+=x CMD", "@a_b CMD", "@a,b CMD", "@k\x80=1 CMD", "@a:b=1 CMD", "@++a CMD",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_status(bad[i]), MSG_BAD_TAGS);
}

static void
test_tags_good_keys(void **state)
{
	static const char	*good[] = {
		"@a CMD", "@A-1 CMD", "@+typing=active CMD", "@+example.org/foo-bar=1 CMD",
		"@draft/reply=abc CMD", "@k=v;w=\\:\\s\\\\ CMD", "@k=\xc3\xa9 CMD",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(parse_status(good[i]), MSG_OK);
}

static void
test_tags_only(void **state)
{
	(void)state;
	assert_int_equal(parse_status("@a=b"), MSG_NO_VERB);
	assert_int_equal(parse_status("@a=b "), MSG_NO_VERB);
	assert_int_equal(parse_status("@a=b     "), MSG_NO_VERB);
	assert_int_equal(parse_status("@a=b :src"), MSG_NO_VERB);
	assert_int_equal(parse_status("@a=b :src   "), MSG_NO_VERB);
}

static void
test_source_only(void **state)
{
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, ":nick!u@h", &buf), MSG_NO_VERB);
	free(buf);
	assert_int_equal(parse_status(":nick!u@h   "), MSG_NO_VERB);
	assert_int_equal(parse_status(":"), MSG_NO_VERB);
	assert_int_equal(parse_status("  :src"), MSG_NO_VERB);
}

static void
test_empty(void **state)
{
	struct msg	m;
	char		buf[1] = { 'X' };

	(void)state;
	assert_int_equal(msg_parse(&m, buf, 0), MSG_EMPTY);
	assert_int_equal(parse_status(" "), MSG_EMPTY);
	assert_int_equal(parse_status("      "), MSG_EMPTY);
}

static void
test_bad_chars(void **state)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} bad[] = {
		{ "PRIVMSG #c :a\0b", 15 },
		{ "\0", 1 },
		{ "PRIVMSG #c :a\rb", 15 },
		{ "PRIVMSG #c :a\nb", 15 },
		{ "PING\r", 5 },
		{ "@a=\0 PING", 9 },
		{ "@a=\r PING", 9 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct msg	 m;
		char		*buf = dup_line(bad[i].bytes, bad[i].len);

		assert_int_equal(msg_parse(&m, buf, bad[i].len), MSG_BAD_CHAR);
		free(buf);
	}
}

/* --- length limits at their exact boundaries --- */

/* "PRIVMSG #c :" and filler up to a body of exactly n bytes. */
static char *
body_of(size_t n)
{
	char	*fillr = fill('x', n - strlen("PRIVMSG #c :"));
	char	*s = cat("PRIVMSG #c :", fillr, "", "");

	free(fillr);
	assert_int_equal(strlen(s), n);
	return s;
}

static void
test_body_limit(void **state)
{
	char	*ok = body_of(MSG_BODY_MAX - 2);
	char	*over = body_of(MSG_BODY_MAX - 1);
	char	*tagged_ok = cat("@a=b ", ok, "", "");
	char	*tagged_over = cat("@a=b ", over, "", "");

	(void)state;
	assert_int_equal(parse_status(ok), MSG_OK);
	assert_int_equal(parse_status(over), MSG_BODY_TOO_LONG);
	assert_int_equal(parse_status(tagged_ok), MSG_OK);
	assert_int_equal(parse_status(tagged_over), MSG_BODY_TOO_LONG);
	free(ok);
	free(over);
	free(tagged_ok);
	free(tagged_over);
}

static void
test_body_limit_counts_leading_spaces(void **state)
{
	char	*ok = body_of(MSG_BODY_MAX - 3);
	char	*spaced = cat(" ", ok, "", "");
	char	*two = cat("  ", ok, "", "");
	char	*tagged = cat("@a  ", ok, "", "");

	(void)state;
	assert_int_equal(parse_status(spaced), MSG_OK);
	assert_int_equal(parse_status(two), MSG_BODY_TOO_LONG);
	/* The space ending the tag section is the tags'; the second is the body's. */
	assert_int_equal(parse_status(tagged), MSG_OK);
	free(ok);
	free(spaced);
	free(two);
	free(tagged);
}

static void
test_long_empty_line_is_empty(void **state)
{
	char	*s = fill(' ', 2000);

	(void)state;
	assert_int_equal(parse_status(s), MSG_EMPTY);
	free(s);
}

/* A tag section "@k=vvv...v " of exactly n bytes, then " PING x". */
static char *
tags_of(const char *key, size_t n)
{
	size_t	 fixed = 1 + strlen(key) + 1 + 1;	/* '@', key, '=', ' ' */
	char	*v = fill('v', n - fixed);
	char	*s = cat("@", key, "=", v);
	char	*line = cat(s, " PING x", "", "");

	free(v);
	free(s);
	return line;
}

static void
test_tag_section_limit(void **state)
{
	char		*ok = tags_of("k", MSG_TAGS_MAX);
	char		*over = tags_of("k", MSG_TAGS_MAX + 1);
	struct msg	 m;
	char		*buf;

	(void)state;
	assert_int_equal(parse(&m, ok, &buf), MSG_OK);
	assert_int_equal(m.tags_len, MSG_TAGS_MAX);
	assert_int_equal(strlen(msg_tag_get(&m, "k")), MSG_TAGS_MAX - 4);
	assert_string_equal(m.verb, "PING");
	free(buf);
	assert_int_equal(parse_status(over), MSG_TAGS_TOO_LONG);
	free(ok);
	free(over);
}

static void
test_tag_section_limit_without_space(void **state)
{
	char	*v = fill('v', MSG_TAGS_MAX);
	char	*s = cat("@k=", v, "", "");

	(void)state;
	assert_int_equal(parse_status(s), MSG_TAGS_TOO_LONG);
	free(v);
	free(s);
}

static void
test_client_tag_limit(void **state)
{
	/* "@+k=v...v " carries client data of n - 2 bytes ('@' and space excluded). */
	char	*ok = tags_of("+k", MSG_TAGS_MAX_CLIENT + 2);
	char	*over = tags_of("+k", MSG_TAGS_MAX_CLIENT + 3);

	(void)state;
	assert_int_equal(parse_status(ok), MSG_OK);
	assert_int_equal(parse_status(over), MSG_TAGS_TOO_LONG);
	free(ok);
	free(over);
}

static void
test_client_tag_limit_counts_separators(void **state)
{
	/* "+a=..." (2000) ';' "+b=..." (2093): 4094 bytes of client data on the wire. */
	char	*va = fill('a', 2000 - 3);
	char	*vb = fill('b', 2093 - 3);
	char	*vb1 = fill('b', 2094 - 3);
	char	*head = cat("@+a=", va, ";server=tag;+b=", "");
	char	*ok = cat(head, vb, " PING", "");
	char	*over = cat(head, vb1, " PING", "");

	(void)state;
	assert_int_equal(parse_status(ok), MSG_OK);
	assert_int_equal(parse_status(over), MSG_TAGS_TOO_LONG);
	free(va);
	free(vb);
	free(vb1);
	free(head);
	free(ok);
	free(over);
}

static void
test_server_tags_not_client_data(void **state)
{
	/* 6000 bytes of tags without '+' are within the section limit. */
	char	*ok = tags_of("time", 6000);

	(void)state;
	assert_int_equal(parse_status(ok), MSG_OK);
	free(ok);
}

/* --- statuses --- */

static void
test_status_strings(void **state)
{
	static const enum msg_status	all[] = {
		MSG_OK, MSG_EMPTY, MSG_NO_VERB, MSG_TAGS_TOO_LONG, MSG_BODY_TOO_LONG,
		MSG_TOO_MANY_TAGS, MSG_BAD_TAGS, MSG_BAD_CHAR,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char	*s = msg_status_str(all[i]);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, msg_status_str(all[j]));
	}
	assert_non_null(msg_status_str((enum msg_status)99));
}

/* --- verbs --- */

static void
test_verb_valid(void **state)
{
	static const char	*good[] = { "PRIVMSG", "privmsg", "a", "001", "999", "Ping" };
	static const char	*bad[] = {
		"", "01", "0001", "1a", "a1", "PRIV-MSG", "PRIV MSG", "\xc3\xa9", "12x", "123a", "+",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(msg_verb_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(msg_verb_valid(bad[i]));
	assert_false(msg_verb_valid(NULL));
}

/* --- tag escaping --- */

static void
test_unescape(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "a\\sb", "a b" },
		{ "\\:", ";" },
		{ "\\\\", "\\" },
		{ "\\r\\n", "\r\n" },
		{ "\\x\\a", "xa" },
		{ "end\\", "end" },
		{ "\\", "" },
		{ "\\\\s", "\\s" },
		{ "a=b", "a=b" },
	};
	char	dst[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t	n = msg_tag_unescape(dst, sizeof(dst), cases[i].in);

		assert_string_equal(dst, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
	}
}

static void
test_unescape_truncates(void **state)
{
	char	dst[4];

	(void)state;
	assert_int_equal(msg_tag_unescape(dst, sizeof(dst), "a\\sbcdef"), 3);
	assert_string_equal(dst, "a b");
	assert_int_equal(msg_tag_unescape(dst, 1, "abc"), 0);
	assert_string_equal(dst, "");
	dst[0] = 'Z';
	assert_int_equal(msg_tag_unescape(dst, 0, "abc"), 0);
	assert_int_equal(dst[0], 'Z');
}

static void
test_escape(void **state)
{
	char	dst[64];

	(void)state;
	assert_int_equal(msg_tag_escape(dst, sizeof(dst), "a b;c\\d\r\ne"), 15);
	assert_string_equal(dst, "a\\sb\\:c\\\\d\\r\\ne");
	assert_int_equal(msg_tag_escape(dst, sizeof(dst), ""), 0);
	assert_string_equal(dst, "");
	assert_int_equal(msg_tag_escape(dst, sizeof(dst), "=x"), 2);
	assert_string_equal(dst, "=x");
}

static void
test_escape_truncates_like_snprintf(void **state)
{
	char	dst[5];

	(void)state;
	/* "ab\s" needs 4 bytes; "ab\scd" 6.  The cut never leaves half an escape. */
	assert_int_equal(msg_tag_escape(dst, sizeof(dst), "ab cd"), 6);
	assert_string_equal(dst, "ab\\s");
	assert_int_equal(msg_tag_escape(dst, 4, "ab cd"), 6);
	assert_string_equal(dst, "ab");
	assert_int_equal(msg_tag_escape(dst, sizeof(dst), "abcd"), 4);
	assert_string_equal(dst, "abcd");
	assert_int_equal(msg_tag_escape(NULL, 0, "a;b"), 4);
}

static void
test_escape_round_trip(void **state)
{
	static const char	*values[] = {
		"", "x", " ", ";", "\\", "\r\n", "a b;c\\d", "\\s\\:", "trailing\\", "\xc3\xa9 ok",
		";;;   \\\\\\",
	};
	char			 esc[128], back[128];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		size_t	n = msg_tag_escape(esc, sizeof(esc), values[i]);

		assert_true(n < sizeof(esc));
		assert_null(strpbrk(esc, " ;\r\n"));
		msg_tag_unescape(back, sizeof(back), esc);
		assert_string_equal(back, values[i]);
	}
}

static void
test_escaped_tag_through_parser(void **state)
{
	struct msg	 m;
	char		 line[128] = "@+k=";
	char		 val[64];

	(void)state;
	msg_tag_escape(line + 4, sizeof(line) - 4, "hello; world\\");
	strcat(line, " TAGMSG #c");
	assert_int_equal(msg_parse(&m, line, strlen(line)), MSG_OK);
	msg_tag_unescape(val, sizeof(val), msg_tag_get(&m, "+k"));
	assert_string_equal(val, "hello; world\\");
}

/* --- formatting --- */

struct format_case {
	const char	*source;
	const char	*verb;
	unsigned	 nparams;
	const char	*params[MSG_MAX_PARAMS];
	const char	*want;
};

static const struct format_case format_cases[] = {
	{ NULL, "PING", 0, { NULL }, "PING\r\n" },
	{ "srv", "PONG", 2, { "srv", "tok" }, ":srv PONG srv tok\r\n" },
	{ "n!u@h", "PRIVMSG", 2, { "#c", "hi there" }, ":n!u@h PRIVMSG #c :hi there\r\n" },
	{ NULL, "PRIVMSG", 2, { "#c", "" }, "PRIVMSG #c :\r\n" },
	{ NULL, "PRIVMSG", 2, { "#c", ":)" }, "PRIVMSG #c ::)\r\n" },
	{ NULL, "PRIVMSG", 2, { "#c", "a:b" }, "PRIVMSG #c a:b\r\n" },
	{ "", "NICK", 1, { "bob" }, "NICK bob\r\n" },
	{ "s", "001", 2, { "bob", "Welcome to parley" }, ":s 001 bob :Welcome to parley\r\n" },
};

static void
test_format_table(void **state)
{
	char	buf[MSG_BODY_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		const struct format_case	*c = &format_cases[i];
		size_t				 n;

		n = msg_format(buf, sizeof(buf), c->source, c->verb, c->nparams, c->params);
		assert_int_equal(n, strlen(c->want));
		assert_memory_equal(buf, c->want, n);
		assert_int_equal(buf[n], '\0');
	}
}

static void
test_format_parse_round_trip(void **state)
{
	char	buf[MSG_BODY_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case	*c = &parse_cases[i];
		struct msg		 m;
		size_t			 n;

		n = msg_format(buf, sizeof(buf), c->source, c->verb, c->nparams, c->params);
		assert_true(n >= 2);
		/* A 15th parameter holding spaces is a trailing one: it survives too. */
		assert_int_equal(msg_parse(&m, buf, n - 2), MSG_OK);
		assert_string_equal(m.verb, c->verb);
		if (c->source == NULL)
			assert_null(m.source);
		else
			assert_string_equal(m.source, c->source);
		assert_int_equal(m.nparams, c->nparams);
		for (unsigned j = 0; j < c->nparams; j++)
			assert_string_equal(m.params[j], c->params[j]);
	}
}

static void
test_format_truncates_at_512(void **state)
{
	char		*text = fill('x', 1000);
	const char	*params[] = { "#c", text };
	char		 buf[1024];
	struct msg	 m;
	size_t		 n;

	(void)state;
	n = msg_format(buf, sizeof(buf), "n!u@h", "PRIVMSG", 2, params);
	assert_int_equal(n, MSG_BODY_MAX);
	assert_memory_equal(buf + n - 2, "\r\n", 2);
	assert_memory_equal(buf, ":n!u@h PRIVMSG #c :xxx", 22);
	assert_int_equal(msg_parse(&m, buf, n - 2), MSG_OK);
	assert_int_equal(strlen(m.params[1]), MSG_BODY_MAX - 2 - strlen(":n!u@h PRIVMSG #c :"));
	free(text);
}

static void
test_format_exact_fit_not_cut(void **state)
{
	/* "V " + 508 bytes + CR LF = 512: fits as it is, no ':' added. */
	char		*text = fill('y', 508);
	const char	*params[] = { text };
	char		 buf[MSG_BODY_MAX + 1];
	size_t		 n;

	(void)state;
	n = msg_format(buf, sizeof(buf), NULL, "V", 1, params);
	assert_int_equal(n, MSG_BODY_MAX);
	assert_memory_equal(buf, "V yyy", 5);
	assert_memory_equal(buf + 2, text, 508);
	free(text);
}

static void
test_format_cut_adds_colon(void **state)
{
	/* 509 bytes do not fit after "V ": cut as a trailing parameter. */
	char		*text = fill('y', 509);
	const char	*params[] = { text };
	char		 buf[MSG_BODY_MAX + 1];
	size_t		 n;

	(void)state;
	n = msg_format(buf, sizeof(buf), NULL, "V", 1, params);
	assert_int_equal(n, MSG_BODY_MAX);
	assert_memory_equal(buf, "V :yyy", 6);
	free(text);
}

static void
test_format_cut_on_utf8_boundary(void **state)
{
	/* "V :" leaves 507 bytes for text: in a run of 2-byte "é" that cut would keep
	 * the lead byte at 506 without its continuation; it backs up to 506 bytes. */
	char		 text[1100];
	const char	*params[] = { text };
	char		 buf[MSG_BODY_MAX + 1];
	size_t		 n;

	(void)state;
	for (size_t i = 0; i + 1 < 1000; i += 2) {
		text[i] = (char)0xc3;
		text[i + 1] = (char)0xa9;
	}
	text[1000] = '\0';
	n = msg_format(buf, sizeof(buf), NULL, "V", 1, params);
	assert_int_equal(n, 3 + 506 + 2);
	assert_int_equal((unsigned char)buf[n - 3], 0xa9);
	assert_memory_equal(buf + n - 2, "\r\n", 2);
}

static void
test_format_cut_four_byte_sequence(void **state)
{
	/* U+1F600 is 4 bytes: after 504 'a's the cut at 507 falls before its last byte,
	 * three continuation bytes from its start. */
	char		 text[1100];
	const char	*params[] = { text };
	char		 buf[MSG_BODY_MAX + 1];
	size_t		 n;
	size_t		 i;

	(void)state;
	for (i = 0; i < 504; i++)
		text[i] = 'a';
	memcpy(text + i, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 8);
	text[i + 8] = '\0';
	n = msg_format(buf, sizeof(buf), NULL, "V", 1, params);
	assert_int_equal(n, 3 + 504 + 2);
	assert_int_equal(buf[n - 3], 'a');
}

static void
test_format_small_cap(void **state)
{
	const char	*params[] = { "#c", "hello world" };
	char		 buf[24];
	size_t		 n;

	(void)state;
	n = msg_format(buf, 20, "s", "PRIVMSG", 2, params);
	assert_int_equal(n, 20);
	assert_memory_equal(buf, ":s PRIVMSG #c :hel\r\n", 20);
	/* No room for the verb: nothing. */
	assert_int_equal(msg_format(buf, 5, NULL, "PING", 0, NULL), 0);
	assert_int_equal(msg_format(buf, 6, NULL, "PING", 0, NULL), 6);
	assert_memory_equal(buf, "PING\r\n", 6);
	assert_int_equal(msg_format(buf, 0, NULL, "PING", 0, NULL), 0);
	assert_int_equal(msg_format(buf, 1, NULL, "P", 0, NULL), 0);
}

static void
test_format_source_too_long(void **state)
{
	char		*src = fill('s', 600);
	const char	*params[] = { "x" };
	char		 buf[1024];

	(void)state;
	assert_int_equal(msg_format(buf, sizeof(buf), src, "PING", 1, params), 0);
	free(src);
}

static void
test_format_middle_params_too_long(void **state)
{
	char		*mid = fill('m', 600);
	const char	*params[] = { mid, "last" };
	char		 buf[1024];

	(void)state;
	assert_int_equal(msg_format(buf, sizeof(buf), NULL, "MODE", 2, params), 0);
	free(mid);
}

static void
test_format_last_param_all_cut(void **state)
{
	/* Room for "V :" but not one byte of text: an empty trailing parameter. */
	const char	*params[] = { "abc" };
	char		 buf[8];
	struct msg	 m;
	size_t		 n;

	(void)state;
	n = msg_format(buf, 5, NULL, "V", 1, params);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "V :\r\n", 5);
	assert_int_equal(msg_parse(&m, buf, n - 2), MSG_OK);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "");
	assert_int_equal(msg_format(buf, 4, NULL, "V", 1, params), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_views_point_into_buffer),
		cmocka_unit_test(test_parse_uses_len_not_nul),
		cmocka_unit_test(test_tags_basic),
		cmocka_unit_test(test_tags_get),
		cmocka_unit_test(test_tags_empty_value),
		cmocka_unit_test(test_tags_extra_spaces_before_body),
		cmocka_unit_test(test_tags_max_count),
		cmocka_unit_test(test_tags_bad_keys),
		cmocka_unit_test(test_tags_good_keys),
		cmocka_unit_test(test_tags_only),
		cmocka_unit_test(test_source_only),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_chars),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_body_limit_counts_leading_spaces),
		cmocka_unit_test(test_long_empty_line_is_empty),
		cmocka_unit_test(test_tag_section_limit),
		cmocka_unit_test(test_tag_section_limit_without_space),
		cmocka_unit_test(test_client_tag_limit),
		cmocka_unit_test(test_client_tag_limit_counts_separators),
		cmocka_unit_test(test_server_tags_not_client_data),
		cmocka_unit_test(test_status_strings),
		cmocka_unit_test(test_verb_valid),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_unescape_truncates),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_truncates_like_snprintf),
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_escaped_tag_through_parser),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_parse_round_trip),
		cmocka_unit_test(test_format_truncates_at_512),
		cmocka_unit_test(test_format_exact_fit_not_cut),
		cmocka_unit_test(test_format_cut_adds_colon),
		cmocka_unit_test(test_format_cut_on_utf8_boundary),
		cmocka_unit_test(test_format_cut_four_byte_sequence),
		cmocka_unit_test(test_format_small_cap),
		cmocka_unit_test(test_format_source_too_long),
		cmocka_unit_test(test_format_middle_params_too_long),
		cmocka_unit_test(test_format_last_param_all_cut),
	};

	return cmocka_run_group_tests(tests, 0, NULL);
}
