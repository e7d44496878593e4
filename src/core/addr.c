/*
 * Numeric addresses as text (addr.h): a strict parser of IPv4 dotted quads and IPv6
 * groups, and the writer of the forms the driver gives hosts in (net/sock.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/hex.h"

/* A dotted quad, each part 0..255 without leading zeros, into a[4]. */
static bool
addr_parse4(const char *s, uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned	v = 0, digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (digits > 0 && v == 0)
				return false;
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return false;
		}
		if (digits == 0 || *s != (i < 3 ? '.' : '\0'))
			return false;
		a[i] = (uint8_t)v;
		if (i < 3)
			s++;
	}
	return true;
}

/* Groups of up to four hex digits between ':', one "::" at most, an IPv4 address in
 * place of the last two, into w[8]. */
static bool
addr_parse6(const char *s, uint16_t w[8])
{
	uint16_t	 head[8], tail[8];
	unsigned	 nhead = 0, ntail = 0, *n = &nhead;
	uint16_t	*v = head;
	bool		 gap = false;

	if (s[0] == ':') {
		if (s[1] != ':')
			return false;
		gap = true;
		v = tail, n = &ntail;
		s += 2;
	}
	while (*s != '\0') {
		const char	*start = s;
		unsigned	 g = 0;
		uint8_t		 q[4];

		while (hex_digit(*s) >= 0 && s - start < 5)
			g = g << 4 | (unsigned)hex_digit(*s++);
		if (*s == '.') {
			if (nhead + ntail > 6 || !addr_parse4(start, q))
				return false;
			v[(*n)++] = (uint16_t)(q[0] << 8 | q[1]);
			v[(*n)++] = (uint16_t)(q[2] << 8 | q[3]);
			break;
		}
		if (s == start || s - start > 4 || nhead + ntail == 8)
			return false;
		v[(*n)++] = (uint16_t)g;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return false;
		if (*s == ':') {
			if (gap)
				return false;
			gap = true;
			v = tail, n = &ntail;
			s++;
		} else if (*s == '\0')
			return false;
	}
	if (gap ? nhead + ntail > 7 : nhead != 8)
		return false;
	memset(w, 0, 8 * sizeof(*w));
	memcpy(w, head, nhead * sizeof(*w));
	memcpy(w + 8 - ntail, tail, ntail * sizeof(*w));
	return true;
}

/* w written as inet_ntop writes it: the longest run of two or more zero groups (the
 * first of equals) as "::", and ::a.b.c.d for an address whose first six groups are
 * the run. */
static bool
addr_format6(const uint16_t w[8], char *buf, size_t cap)
{
	int	best = -1, bestlen = 0, n;
	size_t	len = 0;

	for (int i = 0; i < 8;) {
		int	j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2)
			best = i, bestlen = j - i;
		i = j == i ? i + 1 : j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			n = snprintf(buf + len, cap - len, i == 0 ? "::" : ":");
			i += bestlen - 1;
		} else if (i == 6 && best == 0 && bestlen == 6) {
			n = snprintf(buf + len, cap - len, "%u.%u.%u.%u", w[6] >> 8,
			    w[6] & 0xff, w[7] >> 8, w[7] & 0xff);
			i = 7;
		} else
			n = snprintf(buf + len, cap - len, "%x%s", w[i], i < 7 ? ":" : "");
		if (n < 0 || (size_t)n >= cap - len)
			return false;
		len += (size_t)n;
	}
	return true;
}

bool
addr_host(const char *text, char *buf, size_t cap)
{
	static const uint16_t	mapped[6] = { 0, 0, 0, 0, 0, 0xffff };
	uint8_t			a[4];
	uint16_t		w[8];
	char			v6[48];
	int			n;

	if (addr_parse4(text, a))
		n = snprintf(buf, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (!addr_parse6(text, w))
		return false;
	else if (memcmp(w, mapped, sizeof(mapped)) == 0)
		n = snprintf(buf, cap, "%u.%u.%u.%u", w[6] >> 8, w[6] & 0xff, w[7] >> 8,
		    w[7] & 0xff);
	else if (!addr_format6(w, v6, sizeof(v6)))
		return false;
	else
		n = snprintf(buf, cap, "%s%s", v6[0] == ':' ? "0" : "", v6);
	return n >= 0 && (size_t)n < cap;
}
