/*
 * PRIVMSG and NOTICE: one-to-one and many-to-many messaging.  A message is formatted
 * once per target and the same bytes go to every recipient.
 */
#include <string.h>

#include "core/command.h"

static void
message_one(struct core *core, struct client *cl, const char *verb, bool notice,
    const char *target, const char *text)
{
	char		 line[MSG_BODY_MAX + 1];
	char		 prefix[CLIENT_PREFIX_MAX];
	struct client	*to;
	struct channel	*ch;
	size_t		 len;

	client_prefix(cl, prefix, sizeof(prefix));
	if (target[0] == '#') {
		ch = channel_find(core, target);
		if (ch == NULL) {
			if (!notice)
				send_numeric(core, cl, "401", "%s :No such nick/channel", target);
			return;
		}
		if (!mode_can_send(ch, cl)) {
			if (!notice)
				send_numeric(core, cl, "404", "%s :Cannot send to channel",
				    ch->name);
			return;
		}
		len = format_msg(line, sizeof(line), prefix, verb, 2, ch->name, text);
		send_channel(core, ch, cl, line, len);
		return;
	}
	to = client_find(core, target);
	if (to == NULL || to->state != CLIENT_REGISTERED) {
		if (!notice)
			send_numeric(core, cl, "401", "%s :No such nick/channel", target);
		return;
	}
	len = format_msg(line, sizeof(line), prefix, verb, 2, to->nick, text);
	send_line(core, to, line, len);
	if (!notice && to->away != NULL)
		send_numeric(core, cl, "301", "%s :%s", to->nick, to->away);
}

/* NOTICE never gets an automatic reply, errors included (RFC 2812 3.3.2). */
static void
message(struct core *core, struct client *cl, struct msg *m, const char *verb,
    bool notice)
{
	char		*list, *target;
	unsigned	 n = 0;

	if (m->nparams == 0 || m->params[0][0] == '\0') {
		if (!notice)
			send_numeric(core, cl, "411", ":No recipient given (%s)", verb);
		return;
	}
	if (m->nparams < 2 || m->params[1][0] == '\0') {
		if (!notice)
			send_numeric(core, cl, "412", ":No text to send");
		return;
	}
	list = (char *)m->params[0];
	while ((target = command_next_item(&list)) != NULL) {
		if (++n > core->cfg.max_targets) {
			if (!notice)
				send_numeric(core, cl, "407", "%s :Too many recipients", target);
			return;
		}
		message_one(core, cl, verb, notice, target, m->params[1]);
	}
}

void
cmd_privmsg(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	cl->last_message = now;
	message(core, cl, m, "PRIVMSG", false);
}

void
cmd_notice(struct core *core, struct client *cl, struct msg *m, int64_t now)
{
	cl->last_message = now;
	message(core, cl, m, "NOTICE", true);
}
