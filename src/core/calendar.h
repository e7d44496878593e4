#ifndef PARLEY_CORE_CALENDAR_H
#define PARLEY_CORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The proleptic Gregorian calendar in UTC, for TIME, INFO, WHOWAS and server-time: pure
 * arithmetic on seconds or days since 1970-01-01, correct before 1970 too.
 */

/* a / b rounded toward minus infinity (b != 0). */
int64_t	calendar_floor_div(int64_t a, int64_t b);
/* The date of a day number (days since 1970-01-01): year, month 1-12, day 1-31. */
void	calendar_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* The day number of a date (the inverse of calendar_civil_from_days). */
int64_t	calendar_days_from_civil(int64_t year, int month, int day);

/* "Sunday November 29 2026 -- 04:05:06 UTC" into buf (cut to cap); returns the
 * length it needed, as snprintf does (0 on an encoding error). */
size_t	calendar_time_string(char *buf, size_t cap, int64_t seconds);

#endif
