/*
 * What the core counts for the driver's status line and metrics: clients, channels and
 * operators as they are, registrations, flood-delayed lines and departures by why as
 * they happen.
 */
#include <string.h>

#include "core/client.h"
#include "core/core.h"
#include "core/stats.h"

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void
stats_gone(struct core *core, const char *reason, bool error)
{
	enum core_gone	 why = CORE_GONE_OTHER;

	if (strcmp(reason, "SendQ exceeded") == 0)
		why = CORE_GONE_SENDQ;
	else if (!error)
		why = CORE_GONE_CLOSED;
	else if (starts(reason, "Quit: ") || strcmp(reason, "Client Quit") == 0)
		why = CORE_GONE_QUIT;
	else if (starts(reason, "Ping timeout") ||
	    strcmp(reason, "Registration timed out") == 0)
		why = CORE_GONE_PING;
	else if (strcmp(reason, "Excess Flood") == 0)
		why = CORE_GONE_FLOOD;
	else if (starts(reason, "Killed ("))
		why = CORE_GONE_KILLED;
	core->counted.gone[why]++;
}

void
core_stats(const struct core *core, struct core_stats *st)
{
	const struct list	*n;
	size_t			 hollow = 0;

	*st = core->counted;
	st->channels = map_len(&core->channels);
	st->opers = 0;
	for (n = core->clients.next; n != &core->clients; n = n->next) {
		const struct client	*c = list_entry(n, const struct client, all);

		if (c->flags & CLIENT_HOLLOW)
			hollow++;
		/* This server's operators: a cluster's others are their nodes' */
		if (c->local && c->state == CLIENT_REGISTERED &&
		    !(c->flags & CLIENT_SESSION) && (c->flags & CLIENT_MODE_OPER))
			st->opers++;
	}
	/* Connections (multiclient: each session one, a hollow user none). */
	st->clients = core->nclients - hollow;
	st->registered = core->nregistered + core->nsessions - hollow;
}
