#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client.h"
#include "core/command.h"
#include "core/flood.h"
#include "core/reply.h"

/* Sorted by verb for bsearch.  The last column is the flood cost in lines: OPER runs a
 * ~20 ms password hash, WHO and LIST walk every client or channel. */
static const struct command commands[] = {
	{ "ADMIN",	cmd_admin,	0, CMD_REGISTERED, 1 },
	{ "AWAY",	cmd_away,	0, CMD_REGISTERED, 1 },
	{ "CAP",	cmd_cap,	1, CMD_ANY, 1 },
	{ "DIE",	cmd_die,	0, CMD_REGISTERED, 1 },
	{ "INFO",	cmd_info,	0, CMD_REGISTERED, 1 },
	{ "INVITE",	cmd_invite,	0, CMD_REGISTERED, 1 },
	{ "ISON",	cmd_ison,	1, CMD_REGISTERED, 1 },
	{ "JOIN",	cmd_join,	1, CMD_REGISTERED, 1 },
	{ "KICK",	cmd_kick,	2, CMD_REGISTERED, 1 },
	{ "KILL",	cmd_kill,	2, CMD_REGISTERED, 1 },
	{ "LINKS",	cmd_links,	0, CMD_REGISTERED, 1 },
	{ "LIST",	cmd_list,	0, CMD_REGISTERED, 2 },
	{ "LUSERS",	cmd_lusers,	0, CMD_REGISTERED, 1 },
	{ "MODE",	cmd_mode,	1, CMD_REGISTERED, 1 },
	{ "MONITOR",	cmd_monitor,	1, CMD_REGISTERED, 1 },
	{ "MOTD",	cmd_motd,	0, CMD_REGISTERED, 1 },
	{ "NAMES",	cmd_names,	0, CMD_REGISTERED, 1 },
	{ "NICK",	cmd_nick,	0, CMD_ANY, 1 },
	{ "NOTICE",	cmd_notice,	0, CMD_REGISTERED, 1 },
	{ "OPER",	cmd_oper,	2, CMD_REGISTERED, 8 },
	{ "PART",	cmd_part,	1, CMD_REGISTERED, 1 },
	{ "PASS",	cmd_pass,	1, CMD_ANY, 1 },
	{ "PING",	cmd_ping,	1, CMD_ANY, 1 },
	{ "PONG",	cmd_pong,	0, CMD_ANY, 1 },
	{ "PRIVMSG",	cmd_privmsg,	0, CMD_REGISTERED, 1 },
	{ "QUIT",	cmd_quit,	0, CMD_ANY, 1 },
	{ "REHASH",	cmd_rehash,	0, CMD_REGISTERED, 1 },
	{ "RESTART",	cmd_restart,	0, CMD_REGISTERED, 1 },
	{ "SETNAME",	cmd_setname,	1, CMD_REGISTERED, 1 },
	{ "STATS",	cmd_stats,	0, CMD_REGISTERED, 1 },
	{ "SUMMON",	cmd_summon,	0, CMD_REGISTERED, 1 },
	{ "TAGMSG",	cmd_tagmsg,	0, CMD_REGISTERED, 1 },
	{ "TIME",	cmd_time,	0, CMD_REGISTERED, 1 },
	{ "TOPIC",	cmd_topic,	1, CMD_REGISTERED, 1 },
	{ "USER",	cmd_user,	4, CMD_ANY, 1 },
	{ "USERHOST",	cmd_userhost,	1, CMD_REGISTERED, 1 },
	{ "USERS",	cmd_users,	0, CMD_REGISTERED, 1 },
	{ "VERSION",	cmd_version,	0, CMD_REGISTERED, 1 },
	{ "WALLOPS",	cmd_wallops,	1, CMD_REGISTERED, 1 },
	/* A password hash, like OPER's, but within an unregistered client's burst. */
	{ "WEBIRC",	cmd_webirc,	4, CMD_UNREGISTERED, 4 },
	{ "WHO",	cmd_who,	0, CMD_REGISTERED, 2 },
	{ "WHOIS",	cmd_whois,	0, CMD_REGISTERED, 1 },
	{ "WHOWAS",	cmd_whowas,	0, CMD_REGISTERED, 1 },
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
	if (c->cost > 1)
		flood_charge(core, cl, c->cost - 1, now);
	/* What a user's command queued for it is paid for after the fact (NAMES of a big
	 * channel, LIST): a line for each FLOOD_REPLY_BYTES.  Not the welcome burst: the
	 * registration that sends it starts a fresh burst.  The command may free cl
	 * (QUIT); client_free then clears core->running. */
	core->running = cl;
	core->running_bytes = 0;
	c->fn(core, cl, m, now);
	if (core->running == cl && state == CMD_REGISTERED &&
	    core->running_bytes >= FLOOD_REPLY_BYTES)
		flood_charge(core, cl, (unsigned)(core->running_bytes / FLOOD_REPLY_BYTES),
		    now);
	core->running = NULL;
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
