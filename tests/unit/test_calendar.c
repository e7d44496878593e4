/*
 * The calendar: floor division, day numbers to dates across leap rules and before 1970,
 * and the TIME reply's text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/calendar.h"

static void
test_floor_div_rounds_down(void **state)
{
	(void)state;
	assert_int_equal(calendar_floor_div(7, 2), 3);
	assert_int_equal(calendar_floor_div(-7, 2), -4);
	assert_int_equal(calendar_floor_div(-8, 2), -4);
	assert_int_equal(calendar_floor_div(7, -2), -4);
	assert_int_equal(calendar_floor_div(0, 5), 0);
	assert_int_equal(calendar_floor_div(-1, 86400), -1);
	assert_int_equal(calendar_floor_div(86399, 86400), 0);
}

static void
check_date(int64_t days, int64_t year, int month, int day)
{
	int64_t	y;
	int	m, d;

	calendar_civil_from_days(days, &y, &m, &d);
	assert_int_equal(y, year);
	assert_int_equal(m, month);
	assert_int_equal(d, day);
}

static void
test_dates(void **state)
{
	(void)state;
	check_date(0, 1970, 1, 1);
	check_date(-1, 1969, 12, 31);		/* negative day numbers */
	check_date(11016, 2000, 2, 29);		/* divisible by 400: leap */
	check_date(11017, 2000, 3, 1);
	check_date(-25509, 1900, 2, 28);	/* divisible by 100 only: not leap */
	check_date(-25508, 1900, 3, 1);
	check_date(19782, 2024, 2, 29);		/* divisible by 4: leap */
	check_date(19417, 2023, 3, 1);		/* 2023 is not */
	check_date(-135081, 1600, 2, 29);
	check_date(47541, 2100, 3, 1);
	check_date(-719162, 1, 1, 1);
}

static void
test_time_string(void **state)
{
	char	buf[64];

	(void)state;
	assert_int_equal(calendar_time_string(buf, sizeof(buf), 0), 39);
	assert_string_equal(buf, "Thursday January 1 1970 -- 00:00:00 UTC");
	calendar_time_string(buf, sizeof(buf), -1);
	assert_string_equal(buf, "Wednesday December 31 1969 -- 23:59:59 UTC");
	calendar_time_string(buf, sizeof(buf), 1795925106);
	assert_string_equal(buf, "Sunday November 29 2026 -- 04:05:06 UTC");
	calendar_time_string(buf, sizeof(buf), 1709251199);
	assert_string_equal(buf, "Thursday February 29 2024 -- 23:59:59 UTC");
	calendar_time_string(buf, sizeof(buf), -2203848000);
	assert_string_equal(buf, "Thursday March 1 1900 -- 12:00:00 UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor_div_rounds_down),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_time_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
