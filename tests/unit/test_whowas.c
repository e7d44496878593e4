/*
 * The WHOWAS ring: newest first, bounded, resized when the configured size changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/whowas.h"

static void
add(struct whowas *w, size_t cap, const char *nick, int64_t when)
{
	assert_int_equal(whowas_add(w, cap, nick, "user", "host", "srv", "Real", when), 0);
}

static void
test_empty(void **state)
{
	struct whowas	w = WHOWAS_INIT;

	(void)state;
	assert_null(whowas_get(&w, 0));
	whowas_clear(&w);
	assert_null(whowas_get(&w, 0));
}

static void
test_newest_first_and_fields(void **state)
{
	struct whowas			 w = WHOWAS_INIT;
	const struct whowas_entry	*e;

	(void)state;
	add(&w, 4, "a", 1);
	assert_int_equal(whowas_add(&w, 4, "b", "u", "h", "node2", NULL, 2), 0);
	e = whowas_get(&w, 0);
	assert_string_equal(e->nick, "b");
	assert_string_equal(e->user, "u");
	assert_string_equal(e->host, "h");
	assert_string_equal(e->server, "node2");
	assert_string_equal(e->realname, "");
	assert_int_equal(e->when, 2);
	e = whowas_get(&w, 1);
	assert_string_equal(e->nick, "a");
	assert_string_equal(e->realname, "Real");
	assert_null(whowas_get(&w, 2));
	whowas_clear(&w);
}

static void
test_wraps_at_cap(void **state)
{
	struct whowas	w = WHOWAS_INIT;
	char		nick[8];

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(nick, sizeof(nick), "n%d", i);
		add(&w, 3, nick, i);
	}
	assert_string_equal(whowas_get(&w, 0)->nick, "n9");
	assert_string_equal(whowas_get(&w, 1)->nick, "n8");
	assert_string_equal(whowas_get(&w, 2)->nick, "n7");
	assert_null(whowas_get(&w, 3));
	whowas_clear(&w);
}

static void
test_resize_keeps_newest(void **state)
{
	struct whowas	w = WHOWAS_INIT;

	(void)state;
	add(&w, 4, "a", 1);
	add(&w, 4, "b", 2);
	add(&w, 4, "c", 3);
	add(&w, 4, "d", 4);
	add(&w, 4, "e", 5);	/* wrapped: b c d e */
	add(&w, 2, "f", 6);	/* shrink to 2 before adding: e, then f */
	assert_string_equal(whowas_get(&w, 0)->nick, "f");
	assert_string_equal(whowas_get(&w, 1)->nick, "e");
	assert_null(whowas_get(&w, 2));
	add(&w, 5, "g", 7);	/* grow: nothing lost */
	assert_string_equal(whowas_get(&w, 0)->nick, "g");
	assert_string_equal(whowas_get(&w, 1)->nick, "f");
	assert_string_equal(whowas_get(&w, 2)->nick, "e");
	assert_null(whowas_get(&w, 3));
	whowas_clear(&w);
}

static void
test_cap_zero_keeps_nothing(void **state)
{
	struct whowas	w = WHOWAS_INIT;

	(void)state;
	add(&w, 2, "a", 1);
	add(&w, 0, "b", 2);
	assert_null(whowas_get(&w, 0));
	whowas_clear(&w);
}

static void
test_long_fields_cut(void **state)
{
	struct whowas	w = WHOWAS_INIT;
	char		big[200];

	(void)state;
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'x';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(whowas_add(&w, 1, big, big, big, big, big, 1), 0);
	assert_int_equal(strlen(whowas_get(&w, 0)->nick), WHOWAS_NICK_MAX);
	assert_int_equal(strlen(whowas_get(&w, 0)->host), WHOWAS_HOST_MAX);
	assert_int_equal(strlen(whowas_get(&w, 0)->server), WHOWAS_SERVER_MAX);
	assert_int_equal(strlen(whowas_get(&w, 0)->realname), sizeof(big) - 1);
	whowas_clear(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_newest_first_and_fields),
		cmocka_unit_test(test_wraps_at_cap),
		cmocka_unit_test(test_resize_keeps_newest),
		cmocka_unit_test(test_cap_zero_keeps_nothing),
		cmocka_unit_test(test_long_fields_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
