#ifndef PARLEY_PARLEYD_CONFIG_OPER_H
#define PARLEY_PARLEYD_CONFIG_OPER_H

#include <stddef.h>

#include "parleyd/config.h"

/*
 * The [oper NAME] blocks of the configuration file: the operators OPER admits.
 * config.c reads the file and calls these for the lines of such a block; each returns
 * 0, or -1 with a reason in why.
 */

/* Which keys the open block has set, by line (0: not yet). */
struct oper_load {
	int	 line;		/* of the "[oper NAME]" header; 0: no block open */
	int	 password;
	int	 host;
	int	 certfp;
	int	 account;
};

/* "[oper NAME]" on line lineno: a new block at the end of cfg->opers, NAME as OPER
 * will give it. */
int	config_oper_open(struct config *cfg, struct oper_load *ol, const char *name,
	    int lineno, char *why, size_t whylen);
/* key = value of the open block, on line lineno. */
int	config_oper_key(struct config *cfg, struct oper_load *ol, const char *key,
	    const char *value, int lineno, char *why, size_t whylen);
/* The open block is over (a new section or the end of the file): it must have said its
 * password, certfp or account.  The block is closed when it did. */
int	config_oper_close(const struct config *cfg, struct oper_load *ol, char *why,
	    size_t whylen);

#endif
