#ifndef PARLEY_PARLEYD_CONFIG_WEBIRC_H
#define PARLEY_PARLEYD_CONFIG_WEBIRC_H

#include <stddef.h>

#include "parleyd/config.h"

/*
 * The [webirc NAME] blocks of the configuration file: web gateways allowed to name
 * their users' addresses with WEBIRC.  config.c reads the file and calls these for the
 * lines of such a block; each returns 0, or -1 with a reason in why.
 */

/* Which keys the open block has set, by line (0: not yet). */
struct webirc_load {
	int	 line;		/* of the "[webirc NAME]" header; 0: no block open */
	int	 password;
	int	 host;
};

/* "[webirc NAME]" on line lineno: a new block at the end of cfg->webircs. */
int	config_webirc_open(struct config *cfg, struct webirc_load *wl, const char *name,
	    int lineno, char *why, size_t whylen);
/* key = value of the open block, on line lineno. */
int	config_webirc_key(struct config *cfg, struct webirc_load *wl, const char *key,
	    const char *value, int lineno, char *why, size_t whylen);
/* The open block is over (a new section or the end of the file): it must have said its
 * password.  The block is closed either way. */
int	config_webirc_close(const struct config *cfg, struct webirc_load *wl, char *why,
	    size_t whylen);

#endif
