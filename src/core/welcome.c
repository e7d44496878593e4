/*
 * The welcome burst a client gets once registered, and its LUSERS and MOTD parts, which
 * the LUSERS and MOTD commands send on their own too.
 */
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "core/core.h"
#include "core/reply.h"
#include "core/welcome.h"

void
welcome_lusers(struct core *core, struct client *cl)
{
	size_t		invisible = 0, opers = 0;
	size_t		unknown = core->nclients - core->nregistered;
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
	send_numeric(core, cl, "251", ":There are %zu users and %zu invisible on 1 servers",
	    core->nregistered - invisible, invisible);
	if (opers > 0)
		send_numeric(core, cl, "252", "%zu :operator(s) online", opers);
	if (unknown > 0)
		send_numeric(core, cl, "253", "%zu :unknown connection(s)", unknown);
	send_numeric(core, cl, "254", "%zu :channels formed", map_len(&core->channels));
	send_numeric(core, cl, "255", ":I have %zu clients and 0 servers", core->nregistered);
	send_numeric(core, cl, "265", "%zu %zu :Current local users %zu, max %zu",
	    core->nregistered, core->max_registered, core->nregistered,
	    core->max_registered);
	send_numeric(core, cl, "266", "%zu %zu :Current global users %zu, max %zu",
	    core->nregistered, core->max_registered, core->nregistered,
	    core->max_registered);
}

void
welcome_motd(struct core *core, struct client *cl)
{
	const char	*p = core->motd;

	if (p == NULL) {
		send_numeric(core, cl, "422", ":MOTD File is missing");
		return;
	}
	send_numeric(core, cl, "375", ":- %s Message of the day - ", core->cfg.server_name);
	while (*p != '\0') {
		size_t	len = strcspn(p, "\n");
		size_t	shown = len;

		if (shown > 0 && p[shown - 1] == '\r')
			shown--;
		send_numeric(core, cl, "372", ":- %.*s", (int)shown, p);
		p += len;
		if (*p == '\n')
			p++;
	}
	send_numeric(core, cl, "376", ":End of /MOTD command.");
}

void
welcome_send(struct core *core, struct client *cl)
{
	char	prefix[CLIENT_PREFIX_MAX];

	send_numeric(core, cl, "001", ":Welcome to the %s Network, %s", core->cfg.network,
	    client_prefix(cl, prefix, sizeof(prefix)));
	send_numeric(core, cl, "002", ":Your host is %s, running version parley-%s",
	    core->cfg.server_name, PARLEY_VERSION);
	send_numeric(core, cl, "003", ":This server was created %s", core->cfg.created);
	send_numeric(core, cl, "004", "%s parley-%s Biosw beIiklmnopstv beIklov", core->cfg.server_name,
	    PARLEY_VERSION);
	for (unsigned i = 0; i < core->nisupport; i++)
		send_numeric(core, cl, "005", "%s :are supported by this server",
		    core->isupport[i]);
	welcome_lusers(core, cl);
	welcome_motd(core, cl);
}
