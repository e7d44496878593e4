#ifndef PARLEY_CORE_MASK_H
#define PARLEY_CORE_MASK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * nick!user@host masks for channel ban, exception and invite lists.  Matching folds
 * case with rfc1459 casemapping; '*' matches any run of bytes, '?' exactly one.
 */

/*
 * True when name matches mask.  Runs in O(len(mask) * len(name)) at worst, never
 * exponentially, whatever the pattern ("*a*a*a*a*b" included).
 */
bool	mask_match(const char *mask, const char *name);

/*
 * The full nick!user@host form of src into dst of size cap (NUL-terminated, truncated to
 * cap - 1): "nick" is "nick!*@*", "user@host" is "*!user@host", "nick!user" is
 * "nick!user@*", a bare name with a '.' or ':' is a host ("*!*@host"), and an empty
 * part becomes "*".  Returns the length written.
 */
size_t	mask_normalize(char *dst, size_t cap, const char *src);

#endif
