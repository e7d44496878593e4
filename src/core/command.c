#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client.h"
#include "core/command.h"
#include "core/reply.h"

/* Sorted by verb for bsearch. */
static const struct command commands[] = {
	{ "ADMIN",	cmd_admin,	0, CMD_REGISTERED },
	{ "AWAY",	cmd_away,	0, CMD_REGISTERED },
	{ "CAP",	cmd_cap,	1, CMD_ANY },
	{ "DIE",	cmd_die,	0, CMD_REGISTERED },
	{ "INFO",	cmd_info,	0, CMD_REGISTERED },
	{ "INVITE",	cmd_invite,	0, CMD_REGISTERED },
	{ "ISON",	cmd_ison,	1, CMD_REGISTERED },
	{ "JOIN",	cmd_join,	1, CMD_REGISTERED },
	{ "KICK",	cmd_kick,	2, CMD_REGISTERED },
	{ "KILL",	cmd_kill,	2, CMD_REGISTERED },
	{ "LINKS",	cmd_links,	0, CMD_REGISTERED },
	{ "LIST",	cmd_list,	0, CMD_REGISTERED },
	{ "LUSERS",	cmd_lusers,	0, CMD_REGISTERED },
	{ "MODE",	cmd_mode,	1, CMD_REGISTERED },
	{ "MONITOR",	cmd_monitor,	1, CMD_REGISTERED },
	{ "MOTD",	cmd_motd,	0, CMD_REGISTERED },
	{ "NAMES",	cmd_names,	0, CMD_REGISTERED },
	{ "NICK",	cmd_nick,	0, CMD_ANY },
	{ "NOTICE",	cmd_notice,	0, CMD_REGISTERED },
	{ "OPER",	cmd_oper,	2, CMD_REGISTERED },
	{ "PART",	cmd_part,	1, CMD_REGISTERED },
	{ "PASS",	cmd_pass,	1, CMD_ANY },
	{ "PING",	cmd_ping,	1, CMD_ANY },
	{ "PONG",	cmd_pong,	0, CMD_ANY },
	{ "PRIVMSG",	cmd_privmsg,	0, CMD_REGISTERED },
	{ "QUIT",	cmd_quit,	0, CMD_ANY },
	{ "REHASH",	cmd_rehash,	0, CMD_REGISTERED },
	{ "RESTART",	cmd_restart,	0, CMD_REGISTERED },
	{ "SETNAME",	cmd_setname,	1, CMD_REGISTERED },
	{ "STATS",	cmd_stats,	0, CMD_REGISTERED },
	{ "SUMMON",	cmd_summon,	0, CMD_REGISTERED },
	{ "TAGMSG",	cmd_tagmsg,	0, CMD_REGISTERED },
	{ "TIME",	cmd_time,	0, CMD_REGISTERED },
	{ "TOPIC",	cmd_topic,	1, CMD_REGISTERED },
	{ "USER",	cmd_user,	4, CMD_ANY },
	{ "USERHOST",	cmd_userhost,	1, CMD_REGISTERED },
	{ "USERS",	cmd_users,	0, CMD_REGISTERED },
	{ "VERSION",	cmd_version,	0, CMD_REGISTERED },
	{ "WALLOPS",	cmd_wallops,	1, CMD_REGISTERED },
	{ "WHO",	cmd_who,	0, CMD_REGISTERED },
	{ "WHOIS",	cmd_whois,	0, CMD_REGISTERED },
	{ "WHOWAS",	cmd_whowas,	0, CMD_REGISTERED },
};

static int
command_cmp(const void *key, const void *elem)
{
	const struct command *c = elem;

	return strcasecmp(key, c->verb);
}

_Static_assert(sizeof(commands) / sizeof(commands[0]) <= CORE_COMMANDS_MAX,
    "core->command_counts has a slot per verb");

const struct command *
command_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
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
			send_reply(core, cl, ERR_UNKNOWNCOMMAND, "%s", m->verb);
		else
			send_reply(core, cl, ERR_NOTREGISTERED, NULL);
		return;
	}
	if (!(c->flags & state)) {
		if (state == CMD_UNREGISTERED)
			send_reply(core, cl, ERR_NOTREGISTERED, NULL);
		else
			send_reply(core, cl, ERR_ALREADYREGISTERED, NULL);
		return;
	}
	if (m->nparams < c->min_params) {
		send_reply(core, cl, ERR_NEEDMOREPARAMS, "%s", c->verb);
		return;
	}
	core->command_counts[c - commands]++;
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
