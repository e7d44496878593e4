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
 * mask_match within a budget: each step (a character of name compared) takes one from
 * *work.  Returns 1 on a match, 0 on none, -1 when *work ran out first (*work is 0).
 * Lets a query that matches many names bound what all its matching costs.
 */
int	mask_match_work(const char *mask, const char *name, size_t *work);

/*
 * The full nick!user@host form of src into dst of size cap (NUL-terminated, truncated to
 * cap - 1): "nick" is "nick!*@*", "user@host" is "*!user@host", "nick!user" is
 * "nick!user@*", a bare name with a '.' or ':' is a host ("*!*@host"), and an empty
 * part becomes "*".  Returns the length written.
 */
size_t	mask_normalize(char *dst, size_t cap, const char *src);

#endif
