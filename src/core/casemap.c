/*
 * rfc1459 casemapping and the shape of names: nicks, channels, usernames.  The _as
 * forms hand rfc8265 to casemap_utf8.c.
 */
#include <string.h>

#include "core/casemap.h"
#include "core/casemap_utf8.h"

size_t
casemap_fold(char *dst, size_t cap, const char *src)
{
	/* Measured first: when dst is src, the NUL of a truncation would shorten src. */
	size_t	len = strlen(src);
	size_t	n;

	if (cap == 0)
		return len;
	n = len < cap - 1 ? len : cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)casemap_lower((unsigned char)src[i]);
	dst[n] = '\0';
	return len;
}

int
casemap_cmp(const char *a, const char *b)
{
	const unsigned char	*p = (const unsigned char *)a;
	const unsigned char	*q = (const unsigned char *)b;

	while (*p != '\0' && casemap_lower(*p) == casemap_lower(*q)) {
		p++;
		q++;
	}
	return (int)casemap_lower(*p) - (int)casemap_lower(*q);
}

bool
casemap_eq(const char *a, const char *b)
{
	return casemap_cmp(a, b) == 0;
}

static bool
is_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
nick_first(unsigned char c)
{
	return is_letter(c) || (c != '\0' && strchr("[]\\`_^{|}", c) != NULL);
}

static bool
nick_rest(unsigned char c)
{
	return nick_first(c) || (c >= '0' && c <= '9') || c == '-';
}

bool
casemap_nick_byte(unsigned char c, bool first)
{
	return first ? nick_first(c) : nick_rest(c);
}

bool
casemap_nick_valid(const char *nick, size_t maxlen)
{
	size_t	n;

	if (nick == NULL || !nick_first((unsigned char)nick[0]))
		return false;
	for (n = 1; nick[n] != '\0'; n++) {
		if (n >= maxlen || !nick_rest((unsigned char)nick[n]))
			return false;
	}
	return n <= maxlen;
}

void
casemap_fold_as(enum casemapping cm, char *dst, size_t cap, const char *src)
{
	if (cm == CASEMAP_RFC8265)
		casemap_utf8_fold(dst, cap, src);
	else
		casemap_fold(dst, cap, src);
}

bool
casemap_eq_as(enum casemapping cm, const char *a, const char *b)
{
	return cm == CASEMAP_RFC8265 ? casemap_utf8_eq(a, b) : casemap_eq(a, b);
}

bool
casemap_nick_valid_as(enum casemapping cm, const char *nick, size_t maxlen)
{
	return cm == CASEMAP_RFC8265 ? casemap_utf8_nick_valid(nick, maxlen) :
	    casemap_nick_valid(nick, maxlen);
}

bool
casemap_channel_valid(const char *name, size_t maxlen)
{
	size_t	n;

	if (name == NULL || name[0] != '#' || name[1] == '\0')
		return false;
	for (n = 1; name[n] != '\0'; n++) {
		if (n >= maxlen || strchr(" ,\a\r\n", name[n]) != NULL)
			return false;
	}
	return true;
}

bool
casemap_user_valid(const char *user, size_t maxlen)
{
	size_t	n;

	if (user == NULL || user[0] == '\0')
		return false;
	for (n = 0; user[n] != '\0'; n++) {
		if (n >= maxlen || strchr(" @\r\n", user[n]) != NULL)
			return false;
	}
	return true;
}
