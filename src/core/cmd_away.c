/*
 * AWAY: mark a user away with a message (cut at awaylen), or back again.  PRIVMSG to an
 * away user answers the sender with RPL_AWAY (cmd_message.c); WHOIS and WHO show it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/command.h"

void
cmd_away(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	const char	*text = m->nparams > 0 ? m->params[0] : "";
	size_t		 len = strlen(text);
	char		*away;

	(void)now;
	if (len == 0) {
		free(cl->away);
		cl->away = NULL;
		send_numeric(core, cl, "305", ":You are no longer marked as being away");
		return;
	}
	if (len > core->cfg.awaylen) {
		len = core->cfg.awaylen;
		/* Never keep half of a UTF-8 sequence. */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	if ((away = strndup(text, len)) == NULL) {
		core_log(core, LOG_WARN, "out of memory for an AWAY message");
		return;
	}
	free(cl->away);
	cl->away = away;
	send_numeric(core, cl, "306", ":You have been marked as being away");
}
