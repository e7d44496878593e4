/*
 * The welcome burst a client gets once registered, and its LUSERS and MOTD parts, which
 * the LUSERS and MOTD commands send on their own too.
 */
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/core.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/welcome.h"

void
welcome_lusers(struct core *core, struct client *cl)
{
	size_t		invisible = 0, opers = 0;
	size_t		unknown = core->nclients - core->nregistered - core->nsessions;
	size_t		users = core->nregistered, servers = 1;
	struct list	*n;

	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*c = list_entry(n, struct client, all);

		if (c->state != CLIENT_REGISTERED)
			continue;
		if (c->flags & CLIENT_MODE_INVISIBLE)
			invisible++;
		if (c->flags & CLIENT_MODE_OPER)
			opers++;
	}
	/* cluster: the whole network's users, and its nodes as servers (peer.h) */
	if (core->cluster != NULL) {
		users += core->cluster->nremote;
		servers += cluster_nodes_up(core);
	}
	send_numeric(core, cl, RPL_LUSERCLIENT,
	    ":There are %zu users and %zu invisible on %zu servers",
	    users - invisible, invisible, servers);
	if (opers > 0)
		send_reply(core, cl, RPL_LUSEROP, "%zu", opers);
	if (unknown > 0)
		send_reply(core, cl, RPL_LUSERUNKNOWN, "%zu", unknown);
	send_reply(core, cl, RPL_LUSERCHANNELS, "%zu", map_len(&core->channels));
	send_numeric(core, cl, RPL_LUSERME, ":I have %zu clients and %zu servers",
	    core->nregistered, servers - 1);
	send_numeric(core, cl, RPL_LOCALUSERS, "%zu %zu :Current local users %zu, max %zu",
	    core->nregistered, core->max_registered, core->nregistered,
	    core->max_registered);
	send_numeric(core, cl, RPL_GLOBALUSERS,
	    "%zu %zu :Current global users %zu, max %zu", users,
	    users > core->max_registered ? users : core->max_registered, users,
	    users > core->max_registered ? users : core->max_registered);
}

void
welcome_motd(struct core *core, struct client *cl)
{
	const char	*p = core->motd;

	if (p == NULL) {
		send_reply(core, cl, ERR_NOMOTD, NULL);
		return;
	}
	send_numeric(core, cl, RPL_MOTDSTART, ":- %s Message of the day - ",
	    core->cfg.server_name);
	while (*p != '\0') {
		size_t	len = strcspn(p, "\n");
		size_t	shown = len;

		if (shown > 0 && p[shown - 1] == '\r')
			shown--;
		send_numeric(core, cl, RPL_MOTD, ":- %.*s", (int)shown, p);
		p += len;
		if (*p == '\n')
			p++;
	}
	send_reply(core, cl, RPL_ENDOFMOTD, NULL);
}

void
welcome_send(struct core *core, struct client *cl)
{
	char	prefix[CLIENT_PREFIX_MAX];

	send_numeric(core, cl, RPL_WELCOME, ":Welcome to the %s Network, %s",
	    core->cfg.network, client_prefix(cl, prefix, sizeof(prefix)));
	send_numeric(core, cl, RPL_YOURHOST, ":Your host is %s, running version parley-%s",
	    core->cfg.server_name, PARLEY_VERSION);
	send_numeric(core, cl, RPL_CREATED, ":This server was created %s",
	    core->cfg.created);
	send_numeric(core, cl, RPL_MYINFO,
	    "%s parley-%s Biorsw CIMPRTWbcefijklmnopqstvz Ibefjklqov",
	    core->cfg.server_name, PARLEY_VERSION);
	for (unsigned i = 0; i < core->nisupport; i++)
		send_reply(core, cl, RPL_ISUPPORT, "%s", core->isupport[i]);
	welcome_lusers(core, cl);
	welcome_motd(core, cl);
}
