/*
 * Wildcard masks: matching and normalisation of nick!user@host.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/casemap.h"
#include "core/mask.h"

int
mask_match_work(const char *mask, const char *name, size_t *work)
{
	const char	*star = NULL;	/* the last '*' seen */
	const char	*resume = NULL;	/* where in name that '*' stopped swallowing */

	/*
	 * Only the last '*' is ever backtracked to: whatever an earlier '*' matched, the
	 * text between it and the last one has already matched as early as possible, so
	 * moving the earlier one could only shrink what is left.  No recursion, no blowup.
	 */
	while (*name != '\0') {
		if ((*work)-- == 0) {
			*work = 0;
			return -1;
		}
		if (*mask == '*') {
			star = mask++;
			resume = name;
		} else if (*mask != '\0' && (*mask == '?' ||
		    casemap_lower((unsigned char)*mask) ==
		    casemap_lower((unsigned char)*name))) {
			mask++;
			name++;
		} else if (star != NULL) {
			mask = star + 1;
			name = ++resume;
		} else {
			return 0;
		}
	}
	while (*mask == '*')
		mask++;
	return *mask == '\0';
}

bool
mask_match(const char *mask, const char *name)
{
	size_t	work = SIZE_MAX;

	return mask_match_work(mask, name, &work) == 1;
}

/* A part of the mask, or "*" when it is empty. */
static int
mask_part(const char *s, size_t len, const char **out)
{
	if (len == 0) {
		*out = "*";
		return 1;
	}
	*out = s;
	return (int)len;
}

size_t
mask_normalize(char *dst, size_t cap, const char *src)
{
	const char	*bang = strchr(src, '!');
	const char	*at = strchr(bang != NULL ? bang + 1 : src, '@');
	const char	*nick = "*", *user = "*", *host = "*";
	int		 nlen = 1, ulen = 1, hlen = 1, n;

	if (bang == NULL && at == NULL) {
		if (strpbrk(src, ".:") != NULL)
			hlen = mask_part(src, strlen(src), &host);
		else
			nlen = mask_part(src, strlen(src), &nick);
	} else if (bang == NULL) {
		ulen = mask_part(src, (size_t)(at - src), &user);
		hlen = mask_part(at + 1, strlen(at + 1), &host);
	} else {
		nlen = mask_part(src, (size_t)(bang - src), &nick);
		if (at == NULL)
			ulen = mask_part(bang + 1, strlen(bang + 1), &user);
		else {
			ulen = mask_part(bang + 1, (size_t)(at - bang - 1), &user);
			hlen = mask_part(at + 1, strlen(at + 1), &host);
		}
	}
	if (cap == 0)
		return 0;
	n = snprintf(dst, cap, "%.*s!%.*s@%.*s", nlen, nick, ulen, user, hlen, host);
	if (n < 0) {
		dst[0] = '\0';
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
