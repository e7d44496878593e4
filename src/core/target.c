/*
 * Repeated targets in a comma-separated list split in place.
 */
#include <string.h>

#include "core/names.h"
#include "core/target.h"

bool
target_repeated(const struct core *core, const char *start, const char *item)
{
	/* The items before item are NUL-terminated pieces of [start, item); the commas
	 * command_next_item skipped are still there, the ones it split on are NULs. */
	for (const char *p = start; p < item; ) {
		size_t	len;

		if (*p == ',' || *p == '\0') {
			p++;
			continue;
		}
		len = strlen(p);
		if (names_eq(core, p, item))
			return true;
		p += len + 1;
	}
	return false;
}
