/*
 * Extended bans: which ones are valid, and whom they match.  See extban.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/extban.h"
#include "core/mask.h"

/* The part after "$" or "$~": "a" or "a:mask". */
static const char *
extban_body(const char *mask, bool *negated)
{
	mask++;
	*negated = *mask == '~';
	return *negated ? mask + 1 : mask;
}

int
extban_normalize(char *dst, size_t cap, const char *src)
{
	bool		 negated;
	const char	*body = extban_body(src, &negated);
	size_t		 len;
	int		 n;

	if (body[0] != 'a' || (body[1] != '\0' && body[1] != ':'))
		return -1;
	if (body[1] == ':') {
		len = strlen(body + 2);
		if (len == 0 || len > ACCOUNT_NAME_MAX || strpbrk(body + 2, ", ") != NULL)
			return -1;
	}
	n = snprintf(dst, cap, "%s", src);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

bool
extban_match(const char *mask, const struct client *cl)
{
	bool		 negated, hit;
	const char	*body = extban_body(mask, &negated);

	if (body[0] != 'a')
		return false;	/* never accepted: match nobody */
	if (cl->account[0] == '\0')
		hit = false;
	else
		hit = body[1] != ':' || mask_match(body + 2, cl->account);
	return hit != negated;
}
