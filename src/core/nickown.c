/*
 * Nick ownership (nickown.h): the grace FIFO, and renaming a client that kept another
 * account's nick past it to a guest nick.
 */
#include <stdio.h>
#include <string.h>

#include "core/account.h"
#include "core/casemap.h"
#include "core/client.h"
#include "core/core.h"
#include "core/names.h"
#include "core/nickown.h"
#include "core/reply.h"
#include "core/services.h"

#define GUEST_TRIES	100	/* guest nicks tried before giving up */

/* Whether cl's nick is an account's that cl is not logged in to. */
static bool
nickown_foreign(const struct core *core, const struct client *cl, const char *nick)
{
	return account_exists(core, nick) && !names_eq(core, cl->account, nick);
}

bool
nickown_refused(const struct core *core, const struct client *cl, const char *nick)
{
	return core->cfg.nick_grace == 0 && nickown_foreign(core, cl, nick);
}

void
nickown_forget(struct client *cl)
{
	list_del(&cl->grace);
}

/* A free guest nick for cl into buf, or false when none fits within GUEST_TRIES. */
static bool
nickown_guest_nick(struct core *core, const struct client *cl, char *buf, size_t cap)
{
	uint64_t	n = cl->id;

	for (int i = 0; i < GUEST_TRIES; i++, n += core->nclients + 1) {
		int	len = snprintf(buf, cap, "%s%llu", core->cfg.guest_prefix,
			    (unsigned long long)n);

		if (len < 0 || (size_t)len >= cap ||
		    !names_nick_valid(core, buf, core->cfg.nicklen))
			return false;
		if (client_find(core, buf) == NULL && !account_exists(core, buf) &&
		    !services_reserved(buf))
			return true;
	}
	return false;
}

/* Rename cl to a guest nick; when none is free or memory runs out, cl exits. */
static void
nickown_rename(struct core *core, struct client *cl)
{
	char	guest[CLIENT_NICK_MAX + 1], old[CLIENT_NICK_MAX + 1];

	nickown_forget(cl);
	snprintf(old, sizeof(old), "%s", cl->nick);
	if (!nickown_guest_nick(core, cl, guest, sizeof(guest))) {
		client_exit(core, cl, "Nickname is registered", true);
		return;
	}
	send_fmt(core, cl, ":%s NOTICE %s :*** %s is a registered nick: you are now %s",
	    core->cfg.server_name, cl->nick, old, guest);
	if (client_rename(core, cl, guest) == -1)
		client_exit(core, cl, "Out of memory", true);
}

void
nickown_check(struct core *core, struct client *cl, int64_t now)
{
	nickown_forget(cl);
	if (cl->state != CLIENT_REGISTERED || !nickown_foreign(core, cl, cl->nick))
		return;
	if (core->cfg.nick_grace == 0) {
		nickown_rename(core, cl);
		return;
	}
	send_fmt(core, cl, ":%s NOTICE %s :*** %s is a registered nick. Log in to it "
	    "(/msg NickServ IDENTIFY <password>) within %lld seconds, or your nick will "
	    "be changed.", core->cfg.server_name, cl->nick, cl->nick,
	    (long long)(core->cfg.nick_grace / 1000));
	cl->grace_since = now;
	list_add_tail(&core->nick_grace, &cl->grace);
}

int64_t
nickown_tick(struct core *core, int64_t now)
{
	struct client	*cl;

	while (!list_empty(&core->nick_grace)) {
		cl = list_entry(core->nick_grace.next, struct client, grace);
		if (cl->grace_since + core->cfg.nick_grace > now)
			return cl->grace_since + core->cfg.nick_grace;
		nickown_forget(cl);
		/* Logging in to the account (or dropping it) ended the grace. */
		if (nickown_foreign(core, cl, cl->nick))
			nickown_rename(core, cl);
	}
	return -1;
}
