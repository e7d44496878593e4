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
/* An account is gone (dropped here, or through another node): forget its name, its
 * channels' founder rights, and log its users out.  session_account_gone() then ends
 * its sessions. */
void	account_dropped(struct core *core, const char *name, int64_t now);
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

/*
 * The flows every front end shares (REGISTER, NickServ, SASL PLAIN): each runs as jobs
 * (hashing on the pool, records in the store) and ends with one call of done, unless cl
 * went meanwhile.  On ACCOUNT_OK cl is logged in (account_login) before done is called;
 * done sends the front end's own reply.  Failures are throttled per account and per
 * address inside the flow: done hears ACCOUNT_THROTTLED without a password being tried.
 */
enum account_result {
	ACCOUNT_OK,
	ACCOUNT_EXISTS,		/* register: the name is taken */
	ACCOUNT_NO_SUCH,	/* identify: no account of that name */
	ACCOUNT_BAD_PASSWORD,
	ACCOUNT_BAD_NAME,	/* register: not a valid account name */
	ACCOUNT_WEAK_PASSWORD,	/* register, set password: refused by the rules */
	ACCOUNT_NEED_VERIFY,	/* register: created; VERIFY with the code completes it */
	ACCOUNT_THROTTLED,	/* too many failures: try again later */
	ACCOUNT_STORE_FAILED,	/* the store could not do it (disk, no store) */
	ACCOUNT_BAD_EMAIL,	/* register: none given where one is required, or not one */
};

typedef void	account_done_fn(struct core *core, struct client *cl,
		    enum account_result result, const char *account, int64_t now);

/* Create account name (email may be "") with password; on success cl is logged in. */
void	account_register(struct core *core, struct client *cl, const char *name,
	    const char *email, const char *password, account_done_fn *done, int64_t now);
/* Check name's password; on success cl is logged in to it. */
void	account_identify(struct core *core, struct client *cl, const char *name,
	    const char *password, account_done_fn *done, int64_t now);
/* Replace the password of the account cl is logged in to (ACCOUNT_NO_SUCH when it is
 * logged in to none). */
void	account_set_password(struct core *core, struct client *cl, const char *password,
	    account_done_fn *done, int64_t now);
/* Complete the registration of name with its VERIFY code: on success cl is logged in.
 * ACCOUNT_BAD_PASSWORD for a wrong code (throttled as a failed login), ACCOUNT_EXISTS
 * when the account needs no verifying. */
void	account_verify(struct core *core, struct client *cl, const char *name,
	    const char *code, account_done_fn *done, int64_t now);

/*
 * The throttle the flows use, for the other ways in (SASL EXTERNAL, SCRAM):
 * account_throttled() says whether a login as name from cl's address is refused now;
 * account_failed() counts a failed one (per account and per address) and charges cl
 * its flood penalty, doubling with each failure in a row.  With name NULL (garbage
 * that names no account) only the address counts.
 */
bool	account_throttled(struct core *core, const struct client *cl, const char *name,
	    int64_t now);
void	account_failed(struct core *core, struct client *cl, const char *name,
	    int64_t now);
/* A login succeeded: the next failure costs cl the least again. */
void	account_succeeded(struct client *cl);

/* cl is going: drop its flow in progress, if any (its secrets are wiped). */
void	account_flow_free(struct client *cl);

#endif
