/*
 * The registered account names (account.h): a map from the folded name to the name as
 * registered, which is also the key.  Filled from the store at start, kept up to date
 * as accounts are created and dropped.  And logging a client in and out: the one place
 * a client's account changes (account_set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/account_show.h"
#include "core/client.h"
#include "core/core.h"
#include "core/reply.h"
#include "core/server.h"

bool
account_exists(const struct core *core, const char *name)
{
	return map_get(&core->accounts, name) != NULL;
}

bool
account_may_exist(const struct core *core, const char *name)
{
	return core->cfg.accounts_shared || account_exists(core, name);
}

int
account_known(struct core *core, const char *name)
{
	char	*copy;

	if (account_exists(core, name))
		return 0;
	if ((copy = strdup(name)) == NULL)
		return -1;
	if (map_put(&core->accounts, copy, copy) != 0) {
		free(copy);
		return -1;
	}
	return 0;
}

void
account_forget(struct core *core, const char *name)
{
	free(map_del(&core->accounts, name));
}

void
account_clear(struct core *core)
{
	size_t		 pos = 0;
	const char	*key;
	void		*value;

	while (map_next(&core->accounts, &pos, &key, &value))
		free(value);
	map_clear(&core->accounts);
}

int
core_restore_account(struct core *core, const char *name)
{
	return account_known(core, name);
}

/*
 * cl's account becomes account ("" = none).  Every change of a client's account passes
 * here once, after the numeric that tells cl: what shows an account to others
 * (account-notify, user mode +r) follows it here.
 */
static void
account_set(struct core *core, struct client *cl, const char *account, int64_t now)
{
	(void)now;
	if (account[0] != '\0')
		core_log(core, PLOG_INFO, "conn %llu: %s logged in to %s",
		    (unsigned long long)cl->conn, client_name(cl), account);
	else
		core_log(core, PLOG_INFO, "conn %llu: %s logged out of %s",
		    (unsigned long long)cl->conn, client_name(cl), cl->account);
	snprintf(cl->account, sizeof(cl->account), "%s", account);
	account_show_changed(core, cl);
}

void
account_login(struct core *core, struct client *cl, const char *account, int64_t now)
{
	char	prefix[CLIENT_PREFIX_MAX];

	if (cl->account[0] != '\0' && strcmp(cl->account, account) != 0)
		account_logout(core, cl, now);
	client_prefix(cl, prefix, sizeof(prefix));
	send_numeric(core, cl, RPL_LOGGEDIN, "%s %s :You are now logged in as %s", prefix,
	    account, account);
	account_set(core, cl, account, now);
}

void
account_logout(struct core *core, struct client *cl, int64_t now)
{
	char	prefix[CLIENT_PREFIX_MAX];

	if (cl->account[0] == '\0')
		return;
	client_prefix(cl, prefix, sizeof(prefix));
	send_reply(core, cl, RPL_LOGGEDOUT, "%s", prefix);
	account_set(core, cl, "", now);
}
