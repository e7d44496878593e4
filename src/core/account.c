/*
 * The registered account names (account.h): a map from the folded name to the name as
 * registered, which is also the key.  Filled from the store at start, kept up to date
 * as accounts are created and dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "core/account.h"
#include "core/core.h"
#include "core/server.h"

bool
account_exists(const struct core *core, const char *name)
{
	return map_get(&core->accounts, name) != NULL;
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
