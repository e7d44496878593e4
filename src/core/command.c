#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/command.h"

/* Sorted by verb for bsearch. */
static const struct command commands[] = {
	{ "CAP",	cmd_cap,	1, CMD_ANY },
	{ "JOIN",	cmd_join,	1, CMD_REGISTERED },
	{ "LUSERS",	cmd_lusers,	0, CMD_REGISTERED },
	{ "MODE",	cmd_mode,	1, CMD_REGISTERED },
	{ "MOTD",	cmd_motd,	0, CMD_REGISTERED },
	{ "NAMES",	cmd_names,	0, CMD_REGISTERED },
	{ "NICK",	cmd_nick,	0, CMD_ANY },
	{ "NOTICE",	cmd_notice,	0, CMD_REGISTERED },
	{ "PART",	cmd_part,	1, CMD_REGISTERED },
	{ "PASS",	cmd_pass,	1, CMD_ANY },
	{ "PING",	cmd_ping,	1, CMD_ANY },
	{ "PONG",	cmd_pong,	0, CMD_ANY },
	{ "PRIVMSG",	cmd_privmsg,	0, CMD_REGISTERED },
	{ "QUIT",	cmd_quit,	0, CMD_ANY },
	{ "TOPIC",	cmd_topic,	1, CMD_REGISTERED },
	{ "USER",	cmd_user,	4, CMD_ANY },
	{ "WHO",	cmd_who,	0, CMD_REGISTERED },
};

static int
command_cmp(const void *key, const void *elem)
{
	const struct command *c = elem;

	return strcasecmp(key, c->verb);
}

void
command_dispatch(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const struct command	*c;
	unsigned		 state;

	c = bsearch(m->verb, commands, sizeof(commands) / sizeof(commands[0]),
	    sizeof(commands[0]), command_cmp);
	state = cl->state == CLIENT_REGISTERED ? CMD_REGISTERED : CMD_UNREGISTERED;
	if (c == NULL) {
		if (state == CMD_REGISTERED)
			send_numeric(core, cl, "421", "%s :Unknown command", m->verb);
		else
			send_numeric(core, cl, "451", ":You have not registered");
		return;
	}
	if (!(c->flags & state)) {
		if (state == CMD_UNREGISTERED)
			send_numeric(core, cl, "451", ":You have not registered");
		else
			send_numeric(core, cl, "462", ":You may not reregister");
		return;
	}
	if (m->nparams < c->min_params) {
		send_numeric(core, cl, "461", "%s :Not enough parameters", c->verb);
		return;
	}
	c->fn(core, cl, m, now);
}

char *
command_next_item(char **s)
{
	char	*item;

	while (**s == ',')
		(*s)++;
	if (**s == '\0')
		return NULL;
	item = *s;
	*s += strcspn(*s, ",");
	if (**s == ',')
		*(*s)++ = '\0';
	return item;
}
