/*
 * Dates in UTC from seconds since the epoch, without the C library's time zone state:
 * the core keeps no global state and never reads the clock.
 */
#include <stdio.h>

#include "core/calendar.h"

static const char *const weekdays[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};
static const char *const months[] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};

int64_t
calendar_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t
floor_mod(int64_t a, int64_t b)
{
	return a - calendar_floor_div(a, b) * b;
}

/*
 * The proleptic Gregorian date of a day number (days since 1970-01-01).  The year is
 * counted from March, so the leap day falls at the end of it, in 400-year eras of
 * 146097 days.
 */
void
calendar_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t	z = days + 719468;		/* days since 0000-03-01 */
	int64_t	era = calendar_floor_div(z, 146097);
	int64_t	doe = z - era * 146097;		/* [0, 146096] */
	int64_t	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* from March 1 */
	int64_t	mp = (5 * doy + 2) / 153;	/* March = 0 */

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

int64_t
calendar_days_from_civil(int64_t year, int month, int day)
{
	int64_t	y = year - (month <= 2);
	int64_t	era = calendar_floor_div(y, 400);
	int64_t	yoe = y - era * 400;				/* [0, 399] */
	int64_t	mp = month > 2 ? month - 3 : month + 9;		/* March = 0 */
	int64_t	doy = (153 * mp + 2) / 5 + day - 1;
	int64_t	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

size_t
calendar_time_string(char *buf, size_t cap, int64_t seconds)
{
	int64_t	days = calendar_floor_div(seconds, 86400);
	int64_t	secs = floor_mod(seconds, 86400);
	int64_t	year;
	int	month, day;
	int	n;

	calendar_civil_from_days(days, &year, &month, &day);
	/* 1970-01-01 was a Thursday. */
	n = snprintf(buf, cap, "%s %s %d %lld -- %02d:%02d:%02d UTC",
	    weekdays[floor_mod(days + 4, 7)], months[month - 1],
	    day, (long long)year, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
	return n < 0 ? 0 : (size_t)n;
}
