/*
 * UTF-8 validation, by the table of well-formed byte sequences in RFC 3629 section 4.
 */
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

size_t
utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;	/* a continuation byte, C0, C1 (overlong) or F5..FF */
	if (n > len)
		return 0;
	/* The second byte's range shuts out overlong forms, surrogates and > U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

size_t
utf8_prefix(const char *s, size_t max)
{
	size_t	len = strnlen(s, max);

	/* Back up over the continuation bytes of the sequence the cut would split. */
	if (len == max)
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	return len;
}

bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint64_t		 word;

	while (len > 0) {
		/* ASCII, most of any chat, eight bytes at a time. */
		if (len >= 8) {
			memcpy(&word, p, 8);
			if ((word & 0x8080808080808080ull) == 0) {
				p += 8;
				len -= 8;
				continue;
			}
		}
		size_t	n = utf8_sequence(p, len);

		if (n == 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}
