/*
 * The client's input line: editing keys and history.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "parley/input.h"

static struct input in;

static int
setup(void **state)
{
	(void)state;
	input_init(&in);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	input_free(&in);
	return 0;
}

static void
type(const wchar_t *s)
{
	for (; *s != L'\0'; s++)
		assert_true(input_insert(&in, *s));
}

static void
assert_line(const wchar_t *want, size_t cur)
{
	assert_true(wcscmp(in.buf, want) == 0);
	assert_int_equal(in.len, wcslen(want));
	assert_int_equal(in.cur, cur);
}

static void
test_insert_at_cursor(void **state)
{
	(void)state;
	type(L"helo");
	input_left(&in);
	type(L"l");
	assert_line(L"hello", 4);
}

static void
test_left_right_stop_at_ends(void **state)
{
	(void)state;
	type(L"ab");
	input_right(&in);
	assert_int_equal(in.cur, 2);
	input_left(&in);
	input_left(&in);
	input_left(&in);
	assert_int_equal(in.cur, 0);
}

static void
test_home_end(void **state)
{
	(void)state;
	type(L"abc");
	input_home(&in);
	type(L">");
	assert_line(L">abc", 1);
	input_end(&in);
	assert_int_equal(in.cur, 4);
}

static void
test_backspace_and_delete(void **state)
{
	(void)state;
	type(L"abcd");
	input_left(&in);
	input_backspace(&in);		/* removes c */
	assert_line(L"abd", 2);
	input_delete(&in);		/* removes d */
	assert_line(L"ab", 2);
	input_delete(&in);		/* at the end: nothing */
	input_home(&in);
	input_backspace(&in);		/* at the start: nothing */
	assert_line(L"ab", 0);
}

static void
test_kill_line_keeps_the_rest(void **state)
{
	(void)state;
	type(L"hello world");
	input_left(&in);
	input_left(&in);
	input_kill_line(&in);
	assert_line(L"ld", 0);
}

static void
test_kill_word(void **state)
{
	(void)state;
	type(L"one two  ");
	input_kill_word(&in);
	assert_line(L"one ", 4);
	input_kill_word(&in);
	assert_line(L"", 0);
	input_kill_word(&in);
	assert_line(L"", 0);
}

static void
test_wide_characters(void **state)
{
	(void)state;
	type(L"h\u00e9\u4e16");
	input_backspace(&in);
	assert_line(L"h\u00e9", 2);
}

static void
test_full_line_refuses(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < INPUT_MAX; i++)
		assert_true(input_insert(&in, L'x'));
	assert_false(input_insert(&in, L'y'));
	assert_int_equal(in.len, INPUT_MAX);
}

static void
test_take_converts_and_clears(void **state)
{
	char	 out[64];

	(void)state;
	type(L"caf\u00e9");
	assert_int_equal(input_take(&in, out, sizeof(out)), 5);
	assert_string_equal(out, "caf\xc3\xa9");
	assert_line(L"", 0);
}

static void
test_take_too_small_keeps_line(void **state)
{
	char	 out[3];

	(void)state;
	type(L"abcdef");
	assert_int_equal(input_take(&in, out, sizeof(out)), -1);
	assert_line(L"abcdef", 6);
}

static void
test_history_up_down_and_draft(void **state)
{
	char	 out[64];

	(void)state;
	type(L"first");
	input_take(&in, out, sizeof(out));
	type(L"second");
	input_take(&in, out, sizeof(out));
	type(L"draft");
	input_history_prev(&in);
	assert_line(L"second", 6);
	input_history_prev(&in);
	assert_line(L"first", 5);
	input_history_prev(&in);	/* oldest: stays */
	assert_line(L"first", 5);
	input_history_next(&in);
	assert_line(L"second", 6);
	input_history_next(&in);
	assert_line(L"draft", 5);
	input_history_next(&in);	/* newest: stays */
	assert_line(L"draft", 5);
}

static void
test_history_skips_empty_and_repeats(void **state)
{
	char	 out[64];

	(void)state;
	input_take(&in, out, sizeof(out));
	type(L"same");
	input_take(&in, out, sizeof(out));
	type(L"same");
	input_take(&in, out, sizeof(out));
	assert_int_equal(in.nhist, 1);
}

static void
test_history_is_bounded(void **state)
{
	char	 out[64];
	int	 i;

	(void)state;
	for (i = 0; i < INPUT_HISTORY + 5; i++) {
		assert_true(input_insert(&in, (wchar_t)(L'A' + i % 2)));
		assert_true(input_insert(&in, (wchar_t)(L'0' + i % 10)));
		assert_true(input_insert(&in, (wchar_t)(L'a' + i / 10)));
		input_take(&in, out, sizeof(out));
	}
	assert_int_equal(in.nhist, INPUT_HISTORY);
	input_history_prev(&in);
	assert_line(L"A4k", 3);		/* i = 104 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_at_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left_right_stop_at_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backspace_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_line_keeps_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_word, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_line_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_converts_and_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_too_small_keeps_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_up_down_and_draft, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_skips_empty_and_repeats, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_is_bounded, setup, teardown),
	};

	/* input_take converts with the locale: a UTF-8 one, as a terminal has. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
