#ifndef PARLEY_CORE_ACCOUNT_H
#define PARLEY_CORE_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/records.h"

/*
 * Accounts as the core knows them: which names are registered (loaded from the store at
 * start, kept up to date as accounts come and go), and which account each client is
 * logged in to.  The records themselves stay in the store and come through jobs.
 */
struct core;
struct client;

/* Whether an account of that name (any case) exists. */
bool	account_exists(const struct core *core, const char *name);

/* The store has (or now has) an account named name: remember it.  0, or -1 out of
 * memory.  account_forget(): it was dropped. */
int	account_known(struct core *core, const char *name);
void	account_forget(struct core *core, const char *name);
/* Forget every name (core_free). */
void	account_clear(struct core *core);

/*
 * cl is now logged in to account (its name as registered): 900 RPL_LOGGEDIN to cl, and
 * everything that shows an account follows (account-notify, +r).  Logging in to another
 * account first logs out of the one before.  account_logout(): 901, and the same.
 */
void	account_login(struct core *core, struct client *cl, const char *account,
	    int64_t now);
void	account_logout(struct core *core, struct client *cl, int64_t now);

#endif
