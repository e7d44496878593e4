#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client.h"
#include "core/command.h"
#include "core/flood.h"
#include "core/reply.h"
#include "core/services.h"
#include "core/session.h"

/* Sorted by verb for bsearch.  The last column is the flood cost in lines: OPER runs a
 * ~20 ms password hash, WHO and LIST walk every client or channel. */
static const struct command commands[] = {
	{ "ADMIN",	cmd_admin,	0, CMD_REGISTERED, 1 },
	/* accounts: REGISTER always hashes; AUTHENTICATE costs a line (a SCRAM login
	 * takes five before CAP END), its failures cost more (account_flow.c) */
	{ "AUTHENTICATE", cmd_authenticate, 1, CMD_ANY, 1 },
	{ "AWAY",	cmd_away,	0, CMD_ANY, 1 },
	{ "BATCH",	cmd_batch,	1, CMD_REGISTERED, 1 },
	{ "CAP",	cmd_cap,	1, CMD_ANY, 1 },
	{ "CHANSERV",	cmd_chanserv,	0, CMD_REGISTERED, SERVICES_CHANSERV_COST },
	/* history: a query reads the store (the per-client rate), so it costs more */
	{ "CHATHISTORY", cmd_chathistory, 0, CMD_REGISTERED, 3 },
	{ "CS",		cmd_chanserv,	0, CMD_REGISTERED, SERVICES_CHANSERV_COST },
	{ "DIE",	cmd_die,	0, CMD_REGISTERED, 1 },
	{ "HELP",	cmd_help,	0, CMD_REGISTERED, 1 },
	{ "HELPOP",	cmd_help,	0, CMD_REGISTERED, 1 },
	{ "INFO",	cmd_info,	0, CMD_REGISTERED, 1 },
	{ "INVITE",	cmd_invite,	0, CMD_REGISTERED, 1 },
	{ "ISON",	cmd_ison,	1, CMD_REGISTERED, 1 },
	{ "JOIN",	cmd_join,	1, CMD_REGISTERED, 1 },
	{ "KICK",	cmd_kick,	2, CMD_REGISTERED, 1 },
	{ "KILL",	cmd_kill,	2, CMD_REGISTERED, 1 },
	{ "KNOCK",	cmd_knock,	1, CMD_REGISTERED, 1 },
	{ "LINKS",	cmd_links,	0, CMD_REGISTERED, 1 },
	{ "LIST",	cmd_list,	0, CMD_REGISTERED, 2 },
	{ "LUSERS",	cmd_lusers,	0, CMD_REGISTERED, 1 },
	{ "MAP",	cmd_map,	0, CMD_REGISTERED, 1 },
	{ "MARKREAD",	cmd_markread,	0, CMD_REGISTERED, 2 },	/* history */
	{ "METADATA",	cmd_metadata,	2, CMD_REGISTERED, 1 },
	{ "MODE",	cmd_mode,	1, CMD_REGISTERED, 1 },
	{ "MONITOR",	cmd_monitor,	1, CMD_REGISTERED, 1 },
	{ "MOTD",	cmd_motd,	0, CMD_REGISTERED, 1 },
	{ "NAMES",	cmd_names,	0, CMD_REGISTERED, 1 },
	{ "NICK",	cmd_nick,	0, CMD_ANY, 1 },
	{ "NICKSERV",	cmd_nickserv,	0, CMD_REGISTERED, SERVICES_NICKSERV_COST },
	{ "NOTICE",	cmd_notice,	0, CMD_REGISTERED, 1 },
	{ "NS",		cmd_nickserv,	0, CMD_REGISTERED, SERVICES_NICKSERV_COST },
	{ "OPER",	cmd_oper,	2, CMD_REGISTERED, 8 },
	{ "PART",	cmd_part,	1, CMD_REGISTERED, 1 },
	{ "PASS",	cmd_pass,	1, CMD_ANY, 1 },
	{ "PING",	cmd_ping,	1, CMD_ANY, 1 },
	{ "PONG",	cmd_pong,	0, CMD_ANY, 1 },
	{ "PRIVMSG",	cmd_privmsg,	0, CMD_REGISTERED, 1 },
	{ "QUIT",	cmd_quit,	0, CMD_ANY, 1 },
	{ "REDACT",	cmd_redact,	2, CMD_REGISTERED, 2 },	/* history */
	{ "REGISTER",	cmd_register_account, 3, CMD_ANY, 8 },
	{ "REHASH",	cmd_rehash,	0, CMD_REGISTERED, 1 },
	{ "RENAME",	cmd_rename,	2, CMD_REGISTERED, 1 },
	{ "RESTART",	cmd_restart,	0, CMD_REGISTERED, 1 },
	{ "SETNAME",	cmd_setname,	1, CMD_REGISTERED, 1 },
	{ "SILENCE",	cmd_silence,	0, CMD_REGISTERED, 1 },
	{ "STATS",	cmd_stats,	0, CMD_REGISTERED, 1 },
	{ "SUMMON",	cmd_summon,	0, CMD_REGISTERED, 1 },
	{ "TAGMSG",	cmd_tagmsg,	0, CMD_REGISTERED, 1 },
	{ "TIME",	cmd_time,	0, CMD_REGISTERED, 1 },
	{ "TOPIC",	cmd_topic,	1, CMD_REGISTERED, 1 },
	{ "USER",	cmd_user,	4, CMD_ANY, 1 },
	{ "USERHOST",	cmd_userhost,	1, CMD_REGISTERED, 1 },
	{ "USERS",	cmd_users,	0, CMD_REGISTERED, 1 },
	{ "VERIFY",	cmd_verify,	2, CMD_ANY, 2 },
	{ "VERSION",	cmd_version,	0, CMD_REGISTERED, 1 },
	{ "WALLOPS",	cmd_wallops,	1, CMD_REGISTERED, 1 },
	/* A password hash, like OPER's, but within an unregistered client's burst. */
	{ "WEBIRC",	cmd_webirc,	4, CMD_UNREGISTERED, 4 },
	{ "WHO",	cmd_who,	0, CMD_REGISTERED, 2 },
	{ "WHOIS",	cmd_whois,	0, CMD_REGISTERED, 1 },
	{ "WHOWAS",	cmd_whowas,	0, CMD_REGISTERED, 1 },
};

/*
 * h-proto: HELP's text for each verb of the table above (cmd_help.c sends it): the
 * usage, then what it does, lines split on '\n'.  Sorted by verb; a unit test holds
 * every verb of the table to having one.
 */
static const struct command_help {
	const char	*verb;
	const char	*text;
} helps[] = {
	{ "ADMIN",	"ADMIN [server]\nWho runs the server and how to reach them." },
	{ "AUTHENTICATE", "AUTHENTICATE mechanism | base64 | + | *\nLog in to an account "
			"with SASL: PLAIN, EXTERNAL or SCRAM-SHA-256 (the sasl capability)." },
	{ "AWAY",	"AWAY [:message]\nMark yourself away with a message; without one, "
			"back again." },
	{ "BATCH",	"BATCH +ref draft/multiline target | BATCH -ref\nSend the PRIVMSG "
			"lines tagged batch=ref between them as one multiline message." },
	{ "CAP",	"CAP LS [302] | LIST | REQ :caps | END\nNegotiate IRCv3 "
			"capabilities." },
	{ "CHANSERV",	"CHANSERV subcommand [params]\nChanServ: register and keep "
			"channels (CHANSERV HELP)." },
	{ "CHATHISTORY", "CHATHISTORY LATEST|BEFORE|AFTER|AROUND|BETWEEN target "
			"ref [ref] limit | TARGETS ts ts limit\nStored lines of a channel "
			"you are in or of your private conversations (docs/history.md)." },
	{ "CS",		"CS subcommand [params]\nThe same as CHANSERV." },
	{ "DIE",	"DIE\nOperators: stop the server." },
	{ "HELP",	"HELP [topic]\nHelp on a command, or the list of commands." },
	{ "HELPOP",	"HELPOP [topic]\nThe same as HELP." },
	{ "INFO",	"INFO\nAbout the server software." },
	{ "INVITE",	"INVITE [nick #channel]\nInvite a user past +i and +l; alone, "
			"the channels you are invited to." },
	{ "ISON",	"ISON nick [nick...]\nWhich of these nicks are online." },
	{ "JOIN",	"JOIN #channel[,#channel] [key[,key]] | JOIN 0\nJoin channels, "
			"or leave them all." },
	{ "KICK",	"KICK #channel nick[,nick] [:reason]\nChannel operators: remove "
			"members." },
	{ "KILL",	"KILL nick :reason\nOperators: disconnect a user." },
	{ "KNOCK",	"KNOCK #channel [:message]\nAsk the operators of a channel you "
			"cannot join for an invite." },
	{ "LINKS",	"LINKS [[server] mask]\nThe servers of the network." },
	{ "LIST",	"LIST [filter[,filter]]\nChannels: #mask, !mask, >users, <users, "
			"C<min, C>min, T<min, T>min." },
	{ "LUSERS",	"LUSERS\nHow many users, operators and channels there are." },
	{ "MAP",	"MAP\nThe servers of the network, with their users." },
	{ "MARKREAD",	"MARKREAD target [timestamp=...]\nGet or set your account's "
			"read marker of a channel or nick." },
	{ "METADATA",	"METADATA target GET|LIST|SET|CLEAR|SUB|UNSUB|SUBS|SYNC "
			"[params]\nKeys on users and channels (draft/metadata-2)." },
	{ "MODE",	"MODE nick|#channel [modes [params]]\nShow or change user or "
			"channel modes." },
	{ "MONITOR",	"MONITOR +|- nick[,nick] | C | L | S\nBe told when nicks come "
			"online and go offline." },
	{ "MOTD",	"MOTD [server]\nThe message of the day." },
	{ "NAMES",	"NAMES [#channel[,#channel]]\nWho is in channels." },
	{ "NICK",	"NICK nick\nTake or change your nick." },
	{ "NICKSERV",	"NICKSERV subcommand [params]\nNickServ: register and keep "
			"your nick (NICKSERV HELP)." },
	{ "NOTICE",	"NOTICE target[,target] :text\nA message that is never answered "
			"automatically." },
	{ "NS",		"NS subcommand [params]\nThe same as NICKSERV." },
	{ "OPER",	"OPER name password\nBecome an IRC operator." },
	{ "PART",	"PART #channel[,#channel] [:reason]\nLeave channels." },
	{ "PASS",	"PASS password\nThe server password, before registering." },
	{ "PING",	"PING token\nThe server answers PONG token." },
	{ "PONG",	"PONG token\nThe answer to the server's PING." },
	{ "PRIVMSG",	"PRIVMSG target[,target] :text\nA message to nicks, #channels, "
			"or @#channel / +#channel (STATUSMSG)." },
	{ "QUIT",	"QUIT [:reason]\nLeave the network." },
	{ "REDACT",	"REDACT target msgid [:reason]\nTake back your message, or "
			"anyone's in a channel you operate." },
	{ "REGISTER",	"REGISTER * email|* :password\nRegister an account named "
			"for your nick (draft/account-registration)." },
	{ "REHASH",	"REHASH\nOperators: reload the configuration." },
	{ "RENAME",	"RENAME #channel #new [:reason]\nChannel operators: rename a "
			"channel, keeping its members, modes and topic." },
	{ "RESTART",	"RESTART\nOperators: restart the server." },
	{ "SETNAME",	"SETNAME :realname\nChange your realname." },
	{ "SILENCE",	"SILENCE [+mask|-mask]\nShow or edit the masks whose private "
			"messages and invites you do not want." },
	{ "STATS",	"STATS [letter]\nServer statistics: m (commands), u (uptime)." },
	{ "SUMMON",	"SUMMON\nDisabled." },
	{ "TAGMSG",	"TAGMSG target[,target]\nA message of tags only (message-tags)." },
	{ "TIME",	"TIME [server]\nThe server's local time." },
	{ "TOPIC",	"TOPIC #channel [:text]\nShow or set a channel's topic." },
	{ "USER",	"USER user 0 * :realname\nYour username and realname, when "
			"registering." },
	{ "USERHOST",	"USERHOST nick [nick...]\nThe user@host of nicks." },
	{ "USERS",	"USERS\nDisabled." },
	{ "VERIFY",	"VERIFY account code\nComplete a registration with the code "
			"you were given." },
	{ "VERSION",	"VERSION [server]\nThe server's version and ISUPPORT." },
	{ "WALLOPS",	"WALLOPS :text\nOperators: a message to users with +w." },
	{ "WEBIRC",	"WEBIRC password gateway hostname ip\nWeb gateways, before "
			"registering: the address of the user they connect for." },
	{ "WHO",	"WHO mask [o][%fields[,token]]\nUsers matching a mask or in a "
			"channel." },
	{ "WHOIS",	"WHOIS [server] nick[,nick]\nAbout users." },
	{ "WHOWAS",	"WHOWAS nick[,nick] [count]\nAbout users who have left." },
};

static int
help_cmp(const void *key, const void *elem)
{
	const struct command_help *h = elem;

	return strcasecmp(key, h->verb);
}

const char *
command_help(const char *verb)
{
	const struct command_help *h;

	h = bsearch(verb, helps, sizeof(helps) / sizeof(helps[0]), sizeof(helps[0]),
	    help_cmp);
	return h != NULL ? h->text : NULL;
}

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
	struct client		*target;
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
	/* multiclient: a session's command runs on its user, its replies come back to the
	 * session (session.h), which pays for them. */
	target = session_target(cl, c->verb);
	core->running = target;
	core->session = target != cl ? cl : NULL;
	core->running_bytes = 0;
	c->fn(core, target, m, now);
	if (core->running == target && (target == cl || core->session == cl) &&
	    state == CMD_REGISTERED && core->running_bytes >= FLOOD_REPLY_BYTES)
		flood_charge(core, cl, (unsigned)(core->running_bytes / FLOOD_REPLY_BYTES),
		    now);
	core->running = NULL;
	core->session = NULL;
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
