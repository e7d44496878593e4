/*
 * PRIVMSG, NOTICE and TAGMSG: one-to-one and many-to-many messaging.  A message is
 * formatted once per target and the same bytes go to every recipient; the send layer
 * adds each recipient's tags (msgid, client-only tags, time: tags.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/chanmode.h"
#include "core/channel.h"
#include "core/client.h"
#include "core/command.h"
#include "core/history.h"
#include "core/multiline.h"
#include "core/peer.h"
#include "core/reply.h"
#include "core/silence.h"
#include "core/services.h"
#include "core/session.h"
#include "core/target.h"

struct message {
	const char	*verb;
	bool		 quiet;		/* NOTICE: no automatic reply, errors included */
	bool		 tagmsg;	/* TAGMSG: no text; only for message-tags clients */
	const char	*text;
};

/*
 * Deliver the line to a channel's members or to one client, then echo it to its sender
 * (echo-message), all as one relayed message: the same msgid everywhere.  A message to
 * oneself is delivered without the label; only the echo answers a labeled command.
 * The sender's other connections (multiclient) see it too, as the self-message
 * convention has it.  TAGMSG never reaches a connection without message-tags.
 */
/* STATUSMSG: to the members of ch whose modes include one of status's, sender aside. */
static void
message_status(struct core *core, struct client *cl, capset with, struct channel *ch,
    unsigned status, const char *line, size_t len)
{
	for (size_t i = 0; i < ch->members.len; i++) {
		struct member	*mb = ch->members.items[i];

		/* each of the member's connections, as it has `with` (multiclient) */
		if (mb->client != cl && (mb->modes & status))
			send_user_caps(core, mb->client, with, line, len);
	}
}

/* A channel message's target as its members see it (STATUSMSG's prefix first). */
static const char *
message_target(const struct channel *ch, unsigned status)
{
	static char	shown[CHANNEL_NAME_MAX + 2];

	if (ch == NULL || status == 0)
		return ch != NULL ? ch->name : NULL;
	snprintf(shown, sizeof(shown), "%c%s", status & MEMBER_VOICE ? '+' : '@',
	    ch->name);
	return shown;
}

static void
message_deliver(struct core *core, struct client *cl, const struct message *m,
    struct channel *ch, struct client *to, unsigned status, const char *line,
    size_t len)
{
	capset	with = m->tagmsg ? CAP_BIT(CAP_MESSAGE_TAGS) : 0;
	bool	silenced = ch == NULL && silence_blocks(to, cl);

	tags_message(core, cl, true);
	/* history: one record of the message, whoever receives it (history.c); not a
	 * message to a channel's operators alone (STATUSMSG), nor one silenced */
	if (status == 0 && !silenced)
		history_note(core, cl, ch, to, m->tagmsg, line, len);
	if (ch != NULL && status != 0)
		message_status(core, cl, with, ch, status, line, len);
	else if (ch != NULL)
		send_channel_caps(core, ch, cl, with, 0, line, len);
	else if (silenced) {
		/* Silenced: dropped without a word, as if delivered. */
	} else if (to == cl) {
		tags_unlabeled(core, true);
		if ((session_caps(core, cl) & with) == with)
			send_line(core, cl, line, len);
		tags_unlabeled(core, false);
	} else
		send_user_caps(core, to, with, line, len);
	session_echo(core, cl, with, line, len);
	if (session_caps(core, cl) & CAP_BIT(CAP_ECHO_MESSAGE))
		send_line(core, cl, line, len);
	/* cluster: once to each node with a recipient, same msgid and time */
	if (core->cluster != NULL && !silenced)
		peer_send_message(core, cl, m->verb, ch, message_target(ch, status), to,
		    m->text);
	tags_message(core, NULL, false);
}

static size_t
message_format(char *line, size_t cap, const struct client *cl, const struct message *m,
    const char *target)
{
	char	prefix[CLIENT_PREFIX_MAX];

	client_prefix(cl, prefix, sizeof(prefix));
	if (m->tagmsg)
		return format_msg(line, cap, prefix, m->verb, 1, target);
	return format_msg(line, cap, prefix, m->verb, 2, target, m->text);
}

static void
message_one(struct core *core, struct client *cl, const struct message *m,
    const char *target, int64_t now)
{
	char		 line[MSG_BODY_MAX + 1];
	struct client	*to;
	struct channel	*ch;
	const char	*refusal;
	size_t		 len;
	const char	*why, *name = target;
	unsigned	 status = 0;

	/* STATUSMSG=@+: "@#chan" to its operators, "+#chan" to its voices and ops. */
	if ((target[0] == '@' || target[0] == '+') && target[1] == '#') {
		status = target[0] == '@' ? MEMBER_OP : MEMBER_OP | MEMBER_VOICE;
		name = target + 1;
	}
	if (name[0] == '#') {
		ch = channel_find(core, name);
		if (ch == NULL) {
			if (!m->quiet)
				send_reply(core, cl, ERR_NOSUCHNICK, "%s", target);
			return;
		}
		/* A +s channel that will not take the message is not there for cl. */
		refusal = channel_send_refusal(ch, cl);
		if (refusal != NULL && !channel_visible(ch, cl)) {
			if (!m->quiet)
				send_reply(core, cl, ERR_NOSUCHNICK, "%s", target);
			return;
		}
		if (refusal != NULL) {
			if (!m->quiet)
				send_numeric(core, cl, ERR_CANNOTSENDTOCHAN, "%s :%s",
				    ch->name, refusal);
			return;
		}
		/* +C, +T, +c, +q: a flag test each, the quiet list only when set. */
		if ((why = chanmode_send_refused(ch, cl, m->quiet && !m->tagmsg,
		    m->text)) != NULL) {
			if (!m->quiet)
				send_numeric(core, cl, ERR_CANNOTSENDTOCHAN, "%s :%s",
				    ch->name, why);
			return;
		}
		if (status != 0) {
			char	shown[CHANNEL_NAME_MAX + 2];

			snprintf(shown, sizeof(shown), "%c%s", target[0], ch->name);
			len = message_format(line, sizeof(line), cl, m, shown);
		} else
			len = message_format(line, sizeof(line), cl, m, ch->name);
		message_deliver(core, cl, m, ch, NULL, status, line, len);
		return;
	}
	/* PRIVMSG NickServ: a command for the service (a NOTICE to it goes nowhere). */
	if (!m->quiet && !m->tagmsg && services_message(core, cl, target, m->text, now))
		return;
	to = client_find(core, target);
	if (to == NULL || to->state != CLIENT_REGISTERED) {
		if (!m->quiet)
			send_reply(core, cl, ERR_NOSUCHNICK, "%s", target);
		return;
	}
	len = message_format(line, sizeof(line), cl, m, to->nick);
	message_deliver(core, cl, m, NULL, to, 0, line, len);
	/* A TAGMSG (a typing notice, a reaction) is no reason to say someone is away. */
	if (!m->quiet && !m->tagmsg && to->away != NULL)
		send_numeric(core, cl, RPL_AWAY, "%s :%s", to->nick, to->away);
}

/* NOTICE never gets an automatic reply, errors included (RFC 2812 3.3.2). */
static void
message(struct core *core, struct client *cl, struct msg *msg, struct message *m,
    int64_t now)
{
	char		*list, *target, *start;
	unsigned	 n = 0;

	if (msg->nparams == 0 || msg->params[0][0] == '\0') {
		if (!m->quiet)
			send_numeric(core, cl, ERR_NORECIPIENT, ":No recipient given (%s)",
			    m->verb);
		return;
	}
	if (!m->tagmsg && (msg->nparams < 2 || msg->params[1][0] == '\0')) {
		if (!m->quiet)
			send_reply(core, cl, ERR_NOTEXTTOSEND, NULL);
		return;
	}
	m->text = m->tagmsg ? NULL : msg->params[1];
	list = start = (char *)msg->params[0];
	while ((target = command_next_item(&list)) != NULL) {
		if (target_repeated(start, target))
			continue;	/* one copy a target, however often named */
		if (++n > core->cfg.max_targets) {
			if (!m->quiet)
				send_reply(core, cl, ERR_TOOMANYTARGETS, "%s", target);
			return;
		}
		message_one(core, cl, m, target, now);
	}
}

void
cmd_privmsg(struct core *core, struct client *cl, struct msg *msg, int64_t now)
{
	struct message	m = { "PRIVMSG", false, false, NULL };

	/* A line of an open draft/multiline batch waits for its BATCH -ref. */
	if (msg->ntags > 0 && (cl->caps & CAP_BIT(CAP_MULTILINE)) &&
	    multiline_line(core, cl, msg))
		return;
	cl->last_message = now;
	message(core, cl, msg, &m, now);
}

void
cmd_notice(struct core *core, struct client *cl, struct msg *msg, int64_t now)
{
	struct message	m = { "NOTICE", true, false, NULL };

	cl->last_message = now;
	message(core, cl, msg, &m, now);
}

/* TAGMSG exists only for clients that negotiated message-tags; to the others it is an
 * unknown command, as on a server without IRCv3.  It does not count as activity for
 * WHOIS idle time: clients send it on their own (typing notices). */
void
cmd_tagmsg(struct core *core, struct client *cl, struct msg *msg, int64_t now)
{
	struct message	m = { "TAGMSG", false, true, NULL };

	if (!(session_caps(core, cl) & CAP_BIT(CAP_MESSAGE_TAGS))) {
		send_reply(core, cl, ERR_UNKNOWNCOMMAND, "%s", msg->verb);
		return;
	}
	message(core, cl, msg, &m, now);
}
