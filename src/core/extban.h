#ifndef PARLEY_CORE_EXTBAN_H
#define PARLEY_CORE_EXTBAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Extended bans in a channel's b, e and I lists, as solanum writes them (ISUPPORT
 * EXTBAN=$,a and ACCOUNTEXTBAN=a): "$a" matches any user logged in to an account,
 * "$a:mask" a user whose account matches the wildcard mask (any case), and a '~' after
 * the '$' ("$~a", "$~a:mask") matches the users the same ban without it does not.
 */
struct client;

#define EXTBAN_PREFIX	'$'

/* Whether a list entry is an extended ban rather than a nick!user@host mask. */
static inline bool
extban_is(const char *mask)
{
	return mask[0] == EXTBAN_PREFIX;
}

/* Check src, an extended ban, and copy it into dst of size cap.  Returns 0, or -1 when
 * it is not one this server knows or it does not fit. */
int	extban_normalize(char *dst, size_t cap, const char *src);
/* Whether cl matches mask (an extended ban that extban_normalize accepted). */
bool	extban_match(const char *mask, const struct client *cl);

#endif
