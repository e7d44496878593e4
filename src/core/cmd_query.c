/*
 * Queries about the server and its users: LUSERS, MOTD, WHO.
 */
#include <string.h>

#include "core/command.h"

void
query_lusers(struct core *core, struct client *cl)
{
	size_t		invisible = 0;
	size_t		unknown = core->nclients - core->nregistered;
	struct list	*n;

	for (n = core->clients.next; n != &core->clients; n = n->next) {
		struct client	*c = list_entry(n, struct client, all);

		if (c->state == CLIENT_REGISTERED && (c->flags & CLIENT_MODE_INVISIBLE))
			invisible++;
	}
	send_numeric(core, cl, "251", ":There are %zu users and %zu invisible on 1 servers",
	    core->nregistered - invisible, invisible);
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
query_motd(struct core *core, struct client *cl)
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
cmd_lusers(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	query_lusers(core, cl);
}

void
cmd_motd(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)m, (void)now;
	query_motd(core, cl);
}

static void
who_reply(struct core *core, struct client *cl, const char *channel,
    const struct client *who, unsigned modes)
{
	send_numeric(core, cl, "352", "%s %s %s %s %s H%s :0 %s", channel, who->user,
	    who->host, core->cfg.server_name, who->nick, channel_prefix(modes),
	    who->realname != NULL ? who->realname : "");
}

/* WHO #channel or WHO nick; other masks match nothing yet. */
void
cmd_who(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*mask = m->nparams > 0 ? m->params[0] : "*";
	struct channel	*ch;
	struct client	*who;

	(void)now;
	if (mask[0] == '#') {
		if ((ch = channel_find(core, mask)) != NULL) {
			for (size_t i = 0; i < ch->members.len; i++) {
				struct member	*mb = ch->members.items[i];

				who_reply(core, cl, ch->name, mb->client, mb->modes);
			}
		}
	} else if ((who = client_find(core, mask)) != NULL &&
	    who->state == CLIENT_REGISTERED) {
		who_reply(core, cl, "*", who, 0);
	}
	send_numeric(core, cl, "315", "%s :End of /WHO list", mask);
}
