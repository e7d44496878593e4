#ifndef PARLEY_CORE_NAMES_H
#define PARLEY_CORE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/casemap.h"
#include "core/core.h"

/*
 * Nicks, accounts and channel names under the core's casemapping (core_config's
 * casemapping: rfc1459 or rfc8265): casemap.h's _as functions with it.
 */

static inline bool
names_eq(const struct core *core, const char *a, const char *b)
{
	return casemap_eq_as(core->cfg.casemapping, a, b);
}

static inline void
names_fold(const struct core *core, char *dst, size_t cap, const char *src)
{
	casemap_fold_as(core->cfg.casemapping, dst, cap, src);
}

static inline bool
names_nick_valid(const struct core *core, const char *nick, size_t maxlen)
{
	return casemap_nick_valid_as(core->cfg.casemapping, nick, maxlen);
}

#endif
