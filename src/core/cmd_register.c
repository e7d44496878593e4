/*
 * Connection registration and the commands that keep a connection alive:
 * PASS, NICK, USER, PING, PONG, QUIT (CAP is in cap.c).
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/confusable.h"
#include "core/command.h"
#include "core/monitor.h"
#include "core/names.h"
#include "core/nickown.h"
#include "core/reply.h"
#include "core/services.h"
#include "core/session.h"
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

	if (m->nparams == 0 || m->params[0][0] == '\0') {
		send_reply(core, cl, ERR_NONICKNAMEGIVEN, NULL);
		return;
	}
	nick = m->params[0];
	if (!names_nick_valid(core, nick, core->cfg.nicklen)) {
		send_reply(core, cl, ERR_ERRONEUSNICKNAME, "%s", nick);
		return;
	}
	other = client_find(core, nick);
	/* multiclient: a logged-in user's nick may be this connection's too, if it logs
	 * in to that account before it registers (session.h). */
	if (cl->state != CLIENT_REGISTERED && other != NULL && other != cl &&
	    session_nick_pending(core, cl, other, nick)) {
		client_register(core, cl, now);
		return;
	}
	/* The services' nicks are taken, as if they were online; so is a nick that
	 * looks like another's (rfc8265). */
	if ((other != NULL && other != cl) || services_reserved(nick) ||
	    confusable_taken(core, cl, nick)) {
		send_reply(core, cl, ERR_NICKNAMEINUSE, "%s", nick);
		return;
	}
	if (strcmp(cl->nick, nick) == 0)
		return;
	if (cl->state != CLIENT_REGISTERED) {
		if (client_set_nick(core, cl, nick) == -1)
			client_exit(core, cl, "Out of memory", true);
		else
			client_register(core, cl, now);
		return;
	}
	if (nickown_refused(core, cl, nick)) {
		send_reply(core, cl, ERR_NICKNAMEINUSE, "%s", nick);
		return;
	}
	if (client_rename(core, cl, nick) == -1) {
		client_exit(core, cl, "Out of memory", true);
		return;
	}
	nickown_check(core, cl, now);
}

void
cmd_user(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*user = m->params[0];
	char		*realname;

	if (cl->flags & CLIENT_HAS_USER) {
		send_reply(core, cl, ERR_ALREADYREGISTERED, NULL);
		return;
	}
	if (user[0] == '\0' || m->params[3][0] == '\0') {
		send_reply(core, cl, ERR_NEEDMOREPARAMS, "USER");
		return;
	}
	if (!casemap_user_valid(user, strlen(user))) {
		send_reply(core, cl, ERR_INVALIDUSERNAME, NULL);
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
	client_register(core, cl, now);
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
