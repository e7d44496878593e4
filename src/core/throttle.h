#ifndef PARLEY_CORE_THROTTLE_H
#define PARLEY_CORE_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/map.h"

/*
 * Failures counted per name (an account, an address) over a window that slides: each
 * failure moves the name's clock window/limit ahead (from now, if it lagged behind),
 * and a name whose clock is limit failures ahead of now is blocked until the oldest
 * lapses.  A name whose clock has run down is forgotten, so memory follows the recent
 * failures alone.
 */
#define THROTTLE_NAME_MAX	64

struct throttle {
	struct map	map;	/* folded name -> struct throttle_entry */
	struct list	lru;	/* entries, least recently failed first */
};

void	throttle_init(struct throttle *t, const uint8_t key[MAP_KEY_LEN]);
/* Forget every name. */
void	throttle_clear(struct throttle *t);
/* Whether name has had limit failures in the last window ms (limit 0: never). */
bool	throttle_blocked(struct throttle *t, const char *name, unsigned limit,
	    int64_t window, int64_t now);
/* Count a failure of name.  Returns 0, or -1 out of memory (the failure is lost). */
int	throttle_fail(struct throttle *t, const char *name, unsigned limit, int64_t window,
	    int64_t now);

#endif
