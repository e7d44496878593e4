/*
 * Pure helpers of the chat UI.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/casemap.h"
#include "parley/chat.h"

unsigned
chat_nick_color(const char *nick, unsigned ncolors)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */

	for (; *nick != '\0'; nick++) {
		h ^= casemap_lower((unsigned char)*nick);
		h *= 16777619u;
	}
	return h % ncolors;
}

bool
chat_command(const char *line, char *name, size_t cap, const char **args)
{
	size_t	 n, i;

	*args = line;
	if (line[0] != '/')
		return false;
	if (line[1] == '/') {
		*args = line + 1;
		return false;
	}
	n = strcspn(line + 1, " ");
	if (n == 0 || n >= cap)
		return false;
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)line[1 + i]);
	name[n] = '\0';
	*args = line + 1 + n + strspn(line + 1 + n, " ");
	return true;
}

bool
chat_word(const char **p, char *buf, size_t cap)
{
	const char	*s = *p + strspn(*p, " ");
	size_t		 n = strcspn(s, " "), take;

	if (n == 0) {
		*p = s;
		return false;
	}
	take = n < cap - 1 ? n : cap - 1;
	memcpy(buf, s, take);
	buf[take] = '\0';
	s += n;
	*p = s + strspn(s, " ");
	return true;
}

bool
chat_parse_time(const char *s, time_t *t)
{
	struct tm	 tm;
	int		 used = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 || used != 19)
		return false;
	s += used;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (strcmp(s, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*t = timegm(&tm);
	return *t != (time_t)-1;
}
