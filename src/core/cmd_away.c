/*
 * AWAY: mark a user away with a message (cut at awaylen), or back again.  PRIVMSG to an
 * away user answers the sender with RPL_AWAY (cmd_message.c); WHOIS and WHO show it.
 * Peers with away-notify hear every change as ":nick!user@host AWAY [:message]".
 */
#include <stdlib.h>
#include <string.h>

#include "core/cap.h"
#include "core/client.h"
#include "core/command.h"
#include "core/monitor.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/session.h"
#include "core/utf8.h"

void
cmd_away_notify(struct core *core, struct client *cl, const char *text)
{
	char	line[MSG_BODY_MAX + 1];
	char	prefix[CLIENT_PREFIX_MAX];
	size_t	len;

	client_prefix(cl, prefix, sizeof(prefix));
	if (text != NULL)
		len = format_msg(line, sizeof(line), prefix, "AWAY", 1, text);
	else
		len = format_msg(line, sizeof(line), prefix, "AWAY", 0);
	send_peers_caps(core, cl, false, CAP_BIT(CAP_AWAY_NOTIFY), 0, line, len);
	/* multiclient: the user's other connections follow (session.h). */
	session_echo(core, cl, CAP_BIT(CAP_AWAY_NOTIFY), line, len);
	monitor_notify(core, cl, CAP_BIT(CAP_AWAY_NOTIFY), line, len);
}

void
cmd_away(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*text = m->nparams > 0 ? m->params[0] : "";
	char		*away;

	(void)now;
	/* draft/pre-away: AWAY (and "AWAY *", not present) before registration too. */
	if (cl->state != CLIENT_REGISTERED && !(cl->caps & CAP_BIT(CAP_PRE_AWAY))) {
		send_reply(core, cl, ERR_NOTREGISTERED, NULL);
		return;
	}
	cl->flags &= ~CLIENT_AUTO_AWAY;	/* always-on (session.c): the user's own now */
	if (text[0] == '\0') {
		if (cl->away != NULL)
			cmd_away_notify(core, cl, NULL);
		free(cl->away);
		cl->away = NULL;
		if (core->cluster != NULL && cl->state == CLIENT_REGISTERED)
			peer_send_away(core, cl, NULL);
		send_reply(core, cl, RPL_UNAWAY, NULL);
		return;
	}
	/* Never keep half of a UTF-8 sequence. */
	if ((away = strndup(text, utf8_prefix(text, core->cfg.awaylen))) == NULL) {
		core_log(core, PLOG_WARN, "out of memory for an AWAY message");
		return;
	}
	free(cl->away);
	cl->away = away;
	send_reply(core, cl, RPL_NOWAWAY, NULL);
	cmd_away_notify(core, cl, away);
	if (core->cluster != NULL && cl->state == CLIENT_REGISTERED)
		peer_send_away(core, cl, NULL);
}
