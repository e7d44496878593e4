#ifndef PARLEY_CORE_UTF8_H
#define PARLEY_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * UTF-8 validation for UTF8ONLY: well-formed sequences only (RFC 3629), so no overlong
 * forms, no surrogates (U+D800..U+DFFF) and nothing above U+10FFFF.  NUL counts as a
 * character: the caller decides what NUL means.
 */
bool	utf8_valid(const char *s, size_t len);

/* The length of the well-formed sequence at s (at most len bytes, len > 0), or 0 if
 * none. */
size_t	utf8_sequence(const unsigned char *s, size_t len);

/* How much of the string s to keep for at most max bytes without cutting a UTF-8
 * sequence in two (what a length limit must do under UTF8ONLY). */
size_t	utf8_prefix(const char *s, size_t max);

#endif
