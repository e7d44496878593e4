/*
 * Connection registration and the commands that keep a connection alive:
 * PASS, NICK, USER, PING, PONG, QUIT (CAP is in cap.c).
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/command.h"
#include "core/flood.h"
#include "core/monitor.h"
#include "core/snotice.h"
#include "core/utf8.h"

void
cmd_pass(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	(void)now;
	/* Only the last PASS before registration counts. */
	if (core->cfg.password[0] == '\0' || strcmp(m->params[0], core->cfg.password) == 0)
		cl->flags |= CLIENT_PASS_OK;
	else
		cl->flags &= ~CLIENT_PASS_OK;
}

void
cmd_nick(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*nick;
	struct client	*other;
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	size_t		 len;

	if (m->nparams == 0 || m->params[0][0] == '\0') {
		send_numeric(core, cl, "431", ":No nickname given");
		return;
	}
	nick = m->params[0];
	if (!casemap_nick_valid(nick, core->cfg.nicklen)) {
		send_numeric(core, cl, "432", "%s :Erroneous nickname", nick);
		return;
	}
	other = client_find(core, nick);
	if (other != NULL && other != cl) {
		send_numeric(core, cl, "433", "%s :Nickname is already in use", nick);
		return;
	}
	if (strcmp(cl->nick, nick) == 0)
		return;
	if (cl->state != CLIENT_REGISTERED) {
		if (client_set_nick(core, cl, nick) == -1)
			client_exit(core, cl, "Out of memory", true);
		else
			register_try(core, cl, now);
		return;
	}
	client_prefix(cl, prefix, sizeof(prefix));
	/* Watchers of the old nick see it go, unless only its case changes. */
	if (!casemap_eq(cl->nick, nick))
		monitor_offline(core, cl);
	if (client_set_nick(core, cl, nick) == -1) {
		client_exit(core, cl, "Out of memory", true);
		return;
	}
	len = format_msg(line, sizeof(line), prefix, "NICK", 1, nick);
	send_peers(core, cl, true, line, len);
	monitor_online(core, cl);
}

void
cmd_user(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*user = m->params[0];
	char		*realname;

	if (cl->flags & CLIENT_HAS_USER) {
		send_numeric(core, cl, "462", ":You may not reregister");
		return;
	}
	if (user[0] == '\0' || m->params[3][0] == '\0') {
		send_numeric(core, cl, "461", "USER :Not enough parameters");
		return;
	}
	if (!casemap_user_valid(user, strlen(user))) {
		send_numeric(core, cl, "468", ":Your username is not valid");
		return;
	}
	/* Longer realnames are cut to NAMELEN, on a UTF-8 character boundary. */
	if ((realname = strndup(m->params[3], utf8_prefix(m->params[3],
	    core->cfg.namelen))) == NULL) {
		client_exit(core, cl, "Out of memory", true);
		return;
	}
	/* Longer usernames are cut to USERLEN, as the modern protocol document advises. */
	snprintf(cl->user, sizeof(cl->user), "%.*s",
	    (int)utf8_prefix(user, core->cfg.userlen), user);
	free(cl->realname);
	cl->realname = realname;
	cl->flags |= CLIENT_HAS_USER;
	register_try(core, cl, now);
}

void
cmd_quit(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	reason[MSG_BODY_MAX];

	(void)now;
	if (m->nparams > 0 && m->params[0][0] != '\0')
		snprintf(reason, sizeof(reason), "Quit: %s", m->params[0]);
	else
		snprintf(reason, sizeof(reason), "Client Quit");
	client_exit(core, cl, reason, true);
}

void
cmd_ping(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	char	line[MSG_BODY_MAX + 1];
	size_t	len;

	(void)now;
	len = format_msg(line, sizeof(line), core->cfg.server_name, "PONG", 2,
	    core->cfg.server_name, m->params[0]);
	send_line(core, cl, line, len);
}

void
cmd_pong(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	/* Receiving any line already reset the idle timer; nothing else to do. */
	(void)core, (void)cl, (void)m, (void)now;
}

/* The welcome burst: 001-004, ISUPPORT, LUSERS, MOTD. */
static void
register_welcome(struct core *core, struct client *cl)
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
	query_lusers(core, cl);
	query_motd(core, cl);
}

void
register_try(struct core *core, struct client *cl, int64_t now)
{
	if (cl->state == CLIENT_REGISTERED || cl->nick[0] == '\0' ||
	    !(cl->flags & CLIENT_HAS_USER) || (cl->flags & CLIENT_CAP_HOLD))
		return;
	if (!(cl->flags & CLIENT_PASS_OK)) {
		send_numeric(core, cl, "464", ":Password incorrect");
		client_exit(core, cl, "Bad password", true);
		return;
	}
	cl->state = CLIENT_REGISTERED;
	flood_registered(cl, now);
	if (++core->nregistered > core->max_registered)
		core->max_registered = core->nregistered;
	timer_set(core, cl, TIMER_IDLE, now);
	register_welcome(core, cl);
	monitor_online(core, cl);
	snotice_send(core, cl, "Client connecting: %s (%s@%s)", cl->nick, cl->user,
	    cl->host);
}
